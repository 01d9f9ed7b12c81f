// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep runner - The oracle: is what the kernel did allowed?
 */
#include "conformance/runner/oracle.h"

namespace lockstep::runner {

namespace {

using exec::StepRun;
using exec::TraceRun;

bool pinned_ok(const Step &step, const Outcome &observed)
{
	return !step.expect || step.expect->admits(observed);
}

bool pinned_allowed(const Step &step, const OutcomeSet &allowed)
{
	return !step.expect || allowed.overlaps(*step.expect);
}

} // namespace

const char *verdict_name(Verdict v)
{
	switch (v) {
	case Verdict::pass:
		return "pass";
	case Verdict::fail:
		return "fail";
	case Verdict::skip:
		return "skip";
	case Verdict::xfail:
		return "xfail";
	}
	return "?";
}

std::optional<Divergence> replay(const Trace &trace, const TraceRun &run,
				 const Profile &profile, bool explain)
{
	Model model(profile);

	model.set_explain(explain);
	if (const auto err = model.setup(trace)) {
		Divergence d;

		d.kind = "run";
		d.note = "the model cannot build the tree: " + *err;
		return d;
	}
	for (std::size_t i = 0; i < trace.steps.size() && i < run.steps.size(); i++) {
		const StepRun &sr = run.steps[i];
		Outcome observed;

		if (sr.status == StepRun::Status::done)
			observed = sr.outcome;
		else if (sr.status == StepRun::Status::timeout)
			observed = Outcome::error(err_blocked);
		else
			break;
		const Step &step = trace.steps[i];
		StepResult r = model.step(step, observed);
		std::string kind;

		if (!pinned_allowed(step, r.allowed))
			kind = "model";
		else if (!r.admitted)
			kind = "outcome";
		else if (!pinned_ok(step, observed))
			kind = "pinned";
		if (kind.empty())
			continue;
		Divergence d;
		d.kind = kind;
		d.step = i;
		d.observed = observed;
		d.allowed = kind == "pinned" ? *step.expect : r.allowed;
		d.why = std::move(r.why);
		d.note = sr.note;
		return d;
	}
	return std::nullopt;
}

CaseResult judge(const Case &c, const TraceRun &run, const Profile &profile)
{
	CaseResult r;

	r.name = c.name;
	r.group = c.group;
	r.file = c.file;
	r.seconds = run.seconds;
	switch (run.status) {
	case TraceRun::Status::skipped:
		r.verdict = Verdict::skip;
		r.reason = run.message;
		return r;
	case TraceRun::Status::setup_error:
	case TraceRun::Status::crashed: {
		Divergence d;

		r.verdict = Verdict::fail;
		r.reason = exec::status_name(run.status) + std::string(": ") + run.message;
		d.kind = "run";
		d.note = run.message;
		r.divergence = d;
		return r;
	}
	case TraceRun::Status::completed:
	case TraceRun::Status::timeout:
		break;
	}
	r.divergence = replay(c.trace, run, profile, false);
	if (r.divergence)
		r.divergence = replay(c.trace, run, profile, true);
	if (r.divergence) {
		r.verdict = Verdict::fail;
		r.reason = "step " + std::to_string(r.divergence->step + 1) + ": " +
			   r.divergence->kind + " divergence";
		return r;
	}
	/* [oracle.xfail] Would the kernel diverge if it had the fix? */
	for (int n = 1; n <= num_errata; n++) {
		if (profile.erratum(n) != Erratum::not_fixed)
			continue;
		Profile fixed = profile;

		fixed.errata[n - 1] = Erratum::fixed;
		if (replay(c.trace, run, fixed, false))
			r.errata.push_back(n);
	}
	if (!r.errata.empty()) {
		r.verdict = Verdict::xfail;
		r.reason = "erratum";
		for (const int n : r.errata)
			r.reason += " " + std::to_string(n);
		r.reason += " not fixed on this kernel";
	}
	return r;
}

} // namespace lockstep::runner

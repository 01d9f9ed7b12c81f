// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep properties - RapidCheck glue: choices, model runs, searches
 */
#include "tests/property/rc_support.h"

#include "conformance/trace/printer.h"

#include <rapidcheck.h>

#include <chrono>
#include <sstream>

namespace lockstep::prop {

gen::Chooser rc_chooser()
{
	return [](std::uint64_t bound) -> std::uint64_t {
		if (bound <= 1)
			return 0;
		return *rc::gen::inRange<std::uint64_t>(0, bound);
	};
}

Profile sup_profile(const Variants &v)
{
	Profile p = host_reference_profile();

	p.abi = supervisor_abi;
	p.variants = v;
	return p;
}

ModelRun run_model(const Trace &t, const Profile &p, bool explain)
{
	ModelRun run;
	Model m(p);

	m.set_explain(explain);
	run.error = m.setup(t);
	if (run.error)
		return run;
	for (const auto &s : t.steps)
		run.steps.push_back(m.step(s));
	return run;
}

bool may_succeed(const OutcomeSet &s)
{
	for (const auto &o : s.items())
		if (o.success())
			return true;
	return false;
}

std::string show_trace(Trace t, const std::vector<std::string> &doc,
		       const ModelRun &run, const std::vector<std::size_t> &pins)
{
	t.doc = doc;
	for (const std::size_t i : pins) {
		if (i >= run.steps.size() || i >= t.steps.size())
			continue;
		/* A paused step's outcome is its resume's: nothing to pin. */
		if (run.steps[i].chosen.err == err_paused)
			continue;
		t.steps[i].expect = run.steps[i].allowed;
	}
	return trace::print_trace(t);
}

namespace {

/*
 * RapidCheck's default listener remembers every failure and, at exit,
 * prints a "reproduce" string for each: for the searches that are meant to
 * fail that is noise, and our report already has the shrunk trace.
 */
class QuietListener : public rc::detail::TestListener {
public:
	void onTestCaseFinished(const rc::detail::CaseDescription &) override {}
	void onShrinkTried(const rc::detail::CaseDescription &, bool) override {}
	void onTestFinished(const rc::detail::TestMetadata &,
			    const rc::detail::TestResult &) override {}
};

} // namespace

Search search(const std::string &name, const std::function<void()> &property,
	      int runs, std::optional<std::uint64_t> seed)
{
	Search out;
	QuietListener quiet;
	auto params = rc::detail::configuration().testParams;
	rc::detail::TestMetadata meta;
	const auto start = std::chrono::steady_clock::now();

	params.maxSuccess = std::max(params.maxSuccess, runs);
	if (seed)
		params.seed = *seed;
	meta.id = name;
	meta.description = name;
	const auto result = rc::detail::checkTestable(property, meta, params, quiet);

	out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() -
						    start)
			      .count();
	if (result.template is<rc::detail::FailureResult>()) {
		const auto &f = result.template get<rc::detail::FailureResult>();

		out.found = true;
		out.tests = f.numSuccess + 1;
		out.report = f.description;
	} else {
		std::ostringstream os;

		rc::detail::printResultMessage(result, os);
		out.report = os.str();
		out.passed = result.template is<rc::detail::SuccessResult>();
		if (out.passed)
			out.tests = result.template get<rc::detail::SuccessResult>().numSuccess;
	}
	return out;
}

} // namespace lockstep::prop

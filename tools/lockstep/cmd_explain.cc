// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep explain - What the model predicts for each step of a trace, and why
 */
#include "conformance/trace/parser.h"
#include "conformance/trace/printer.h"
#include "model/model.h"
#include "tools/lockstep/cli.h"

#include <algorithm>
#include <cstdio>

namespace lockstep::cli {

namespace {

constexpr const char *help_text =
	"usage: lockstep explain [--profile P] [--variant K=V]... [--quiet] FILE...\n"
	"\n"
	"Print, for each step of each trace, the outcomes the model allows for the\n"
	"given kernel profile and why: for every layer, which rule granted which\n"
	"right, and for a denial what each layer is missing.\n"
	"\n"
	"  --profile P    kernel to predict, e.g. abi=7,errata=1+2+3 (default: this\n"
	"                 machine's reference kernel, abi=7,errata=1+2+3); errata not\n"
	"                 listed are not fixed; errata=unknown allows both behaviours;\n"
	"                 abi=12 is mainline plus the supervisor extension\n"
	"  --variant K=V  supervisor design alternative: check=snapshot|per-step,\n"
	"                 commit=copy-swap|in-place, optional=open-time|operation-time,\n"
	"                 acyclic=commit-outside|bind-on-first-use|none (repeatable;\n"
	"                 overrides the trace's own 'variant' lines)\n"
	"  --quiet        only the outcomes, no reasons\n"
	"\n"
	"Exit status: 0 if every pinned outcome (=> ...) is allowed by the model,\n"
	"1 if one is not, 2 for bad usage or a malformed trace.\n";

/*
 * [trace.requires] Without --profile, the reference profile moved to the
 * nearest ABI the trace's requirements admit (abi=12 for the supervisor
 * extension), so that a trace is explained on a kernel that would run it.
 * Returns a note when the profile does not meet them.
 */
std::string fit_requirements(const Trace &t, Profile &p, bool chosen)
{
	int low = 0, high = supervisor_abi;
	bool supervisor = false;

	for (const auto &r : t.requires_) {
		if (r.kind == Requirement::Kind::abi_at_least)
			low = std::max(low, r.abi);
		else if (r.kind == Requirement::Kind::abi_at_most)
			high = std::min(high, r.abi);
		else if (r.kind == Requirement::Kind::supervisor)
			supervisor = true;
	}
	if (supervisor)
		low = std::max(low, supervisor_abi);
	else
		high = std::min(high, supervisor_abi - 1);
	if (p.abi >= low && p.abi <= high)
		return "";
	if (!chosen && low <= high) {
		const int from = p.abi;

		p.abi = p.abi < low ? low : high;
		return "profile moved from abi=" + std::to_string(from) + " to abi=" +
		       std::to_string(p.abi) + " to meet the trace's requirements";
	}
	return "note: this profile does not meet the trace's requirements: a kernel "
	       "like it would skip the trace";
}

/* The trace's own variants, then the command line's on top. */
Profile profile_for(const Trace &t, Profile p, const std::vector<std::string> &cli)
{
	std::string error;

	if (t.variants)
		p.variants = *t.variants;
	for (const auto &v : cli)
		parse_variant(v, p.variants, &error);
	return p;
}

int explain_one(const Trace &trace, const std::string &file, Profile profile, bool quiet,
		bool chosen)
{
	const std::string fit = fit_requirements(trace, profile, chosen);
	Model model(profile);
	int status = exit_ok;

	std::printf("trace %s (%s)\n", trace.name.c_str(), file.c_str());
	std::printf("profile %s\n", format_profile(profile).c_str());
	if (!fit.empty())
		std::printf("  (%s)\n", fit.c_str());
	if (const auto err = model.setup(trace)) {
		std::printf("  tree: %s\n", err->c_str());
		return exit_usage;
	}
	model.set_explain(!quiet);
	for (const auto &step : trace.steps) {
		const StepResult r = model.step(step);

		std::printf("%4d  %s\n", step.loc.line, trace::print_step(step).c_str());
		std::printf("        allowed: %s", format_outcomes(r.allowed).c_str());
		if (step.expect) {
			const bool ok = r.allowed.overlaps(*step.expect);

			std::printf("    pinned %s: %s", format_outcomes(*step.expect).c_str(),
				    ok ? "consistent" : "NOT ALLOWED BY THE MODEL");
			if (!ok)
				status = exit_fail;
		}
		std::printf("\n");
		for (const auto &line : r.why)
			std::printf("        %s\n", line.c_str());
	}
	return status;
}

} // namespace

int cmd_explain(Args args)
{
	if (args.help()) {
		std::fputs(help_text, stdout);
		return exit_ok;
	}
	const bool quiet = args.flag("--quiet", "-q");
	const auto variants = args.values("--variant");
	const bool chosen = std::any_of(args.words().begin(), args.words().end(),
					[](const std::string &w) {
						return w.starts_with("--profile");
					});
	auto profile = profile_options(args, host_reference_profile());
	if (!profile)
		return exit_usage;
	for (const auto &v : variants) {
		std::string error;
		Variants probe;

		if (!parse_variant(v, probe, &error))
			return usage_error("explain", "--variant: " + error);
	}
	const auto files = args.operands();
	if (!args.error().empty())
		return usage_error("explain", args.error());
	if (files.empty())
		return usage_error("explain", "expected a trace file");

	int status = exit_ok;
	for (const auto &file : files) {
		const auto parsed = trace::parse_trace_file(file);

		if (!parsed.ok()) {
			std::fprintf(stderr, "%s\n", parsed.error().format().c_str());
			return exit_usage;
		}
		const Trace &t = parsed.trace();
		const int s = explain_one(t, file, profile_for(t, *profile, variants), quiet,
					  chosen);

		if (s > status)
			status = s;
	}
	return status;
}

} // namespace lockstep::cli

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep check - Check a corpus against the model alone
 *
 * Every case's pinned outcomes must be allowed by the model for every
 * profile the case may run on: each ABI its `requires` lines admit, with the
 * given errata.  This catches a pin that only holds on some kernels (a
 * missing `requires abi`), a trace the model rejects, and model changes that
 * break the corpus, without a kernel ([oracle.pins]).
 */
#include "conformance/runner/corpus.h"
#include "conformance/trace/printer.h"
#include "model/model.h"
#include "tools/lockstep/cli.h"

#include <cstdio>

namespace lockstep::cli {

namespace {

constexpr const char *help_text =
	"usage: lockstep check [--profile P] [--abi N] [PATH...]\n"
	"\n"
	"Run every trace in the model only, for each ABI its 'requires' lines\n"
	"admit (1..12; 12 is the supervisor extension), and check that every\n"
	"pinned outcome (=> ...) is allowed.  PATHs default to the built-in corpus.\n"
	"\n"
	"  --profile P   base profile (errata, root, variants); default\n"
	"                abi=7,errata=1+2+3\n"
	"  --abi N       check only this ABI\n"
	"\n"
	"Exit status: 0 if every pin is allowed, 1 if one is not, 2 for bad usage\n"
	"or a malformed trace.\n";

bool admits(const Trace &t, int abi)
{
	bool supervisor = false;

	for (const auto &r : t.requires_) {
		switch (r.kind) {
		case Requirement::Kind::abi_at_least:
			if (abi < r.abi)
				return false;
			break;
		case Requirement::Kind::abi_at_most:
			if (abi > r.abi)
				return false;
			break;
		case Requirement::Kind::supervisor:
			supervisor = true;
			break;
		default:
			break;
		}
	}
	return supervisor ? abi >= supervisor_abi : abi < supervisor_abi;
}

/* The first pin the model does not allow, as a message; "" if none. */
std::string check_case(const Trace &t, Profile p)
{
	Model m(p);

	if (t.variants)
		p.variants = *t.variants;
	m = Model(p);
	m.set_explain(false);
	if (const auto err = m.setup(t))
		return "tree: " + *err;
	for (const auto &step : t.steps) {
		const StepResult r = m.step(step);

		if (!step.expect || r.allowed.overlaps(*step.expect))
			continue;
		return "line " + std::to_string(step.loc.line) + ": pinned " +
		       format_outcomes(*step.expect) + " but the model allows " +
		       format_outcomes(r.allowed) + ": " + trace::print_step(step);
	}
	return "";
}

} // namespace

int cmd_check(Args args)
{
	if (args.help()) {
		std::fputs(help_text, stdout);
		return exit_ok;
	}
	std::optional<int> only;
	if (auto v = args.value("--abi")) {
		int n = 0;

		try {
			n = std::stoi(*v);
		} catch (...) {
			n = -1;
		}
		if (n < 1 || n > supervisor_abi)
			return usage_error("check", "--abi: expected 1.." +
							    std::to_string(supervisor_abi));
		only = n;
	}
	auto base = profile_options(args, host_reference_profile());
	if (!base)
		return exit_usage;
	auto paths = args.operands();
	if (!args.error().empty())
		return usage_error("check", args.error());
	if (paths.empty()) {
		const std::string corpus = runner::default_corpus(nullptr);

		if (corpus.empty())
			return fail("check", "no corpus found (conformance/cases); give a path",
				    exit_usage);
		paths.push_back(corpus);
	}
	std::vector<runner::Case> cases;
	std::string error;
	if (!runner::load_cases(paths, cases, &error)) {
		std::fprintf(stderr, "%s\n", error.c_str());
		return exit_usage;
	}
	int bad = 0, runs = 0;
	for (const auto &c : cases) {
		for (int abi = 1; abi <= supervisor_abi; abi++) {
			if ((only && abi != *only) || !admits(c.trace, abi))
				continue;
			Profile p = *base;

			p.abi = abi;
			runs++;
			const std::string msg = check_case(c.trace, p);
			if (msg.empty())
				continue;
			std::printf("%s: abi %d: %s\n", c.file.c_str(), abi, msg.c_str());
			bad++;
			break;
		}
	}
	std::printf("# %zu cases, %d model runs, %d inconsistent\n", cases.size(), runs, bad);
	return bad ? exit_fail : exit_ok;
}

} // namespace lockstep::cli

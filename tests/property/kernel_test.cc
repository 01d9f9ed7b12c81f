// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep properties - The model against the running kernel
 *
 * Random valid mainline traces (the generator driven by RapidCheck) run on
 * this kernel with the conformance executor; every outcome must be allowed
 * by the model for the kernel's measured profile ([oracle.set]).  A
 * divergence shrinks to a short trace, printed in the trace language.
 */
#include "conformance/runner/oracle.h"
#include "conformance/trace/printer.h"
#include "tests/property/prop_test_util.h"

#include <rapidcheck.h>

#include <cstdlib>

namespace lockstep::prop {
namespace {

/* How many traces: LOCKSTEP_KERNEL_TRACES, or 300. */
int kernel_traces()
{
	const char *env = std::getenv("LOCKSTEP_KERNEL_TRACES");

	return env ? std::atoi(env) : 300;
}

TEST(Kernel, ModelAllowsWhatTheKernelDoes)
{
	exec::Worker worker;

	if (!worker.error().empty())
		GTEST_SKIP() << "no executor: " << worker.error();
	const Profile profile = worker.profile();
	if (profile.abi < 1)
		GTEST_SKIP() << "this kernel has no Landlock";
	const Property p = [&] {
		gen::GenOptions o;

		o.abi = profile.abi;
		o.root = worker.privileged();
		const Trace t = gen::generate_trace(rc_chooser(), o, "generated");
		runner::Case c;
		c.name = "generated";
		c.trace = t;
		const runner::CaseResult r = runner::judge(c, worker.run(t), profile);

		RC_PRE(r.verdict != runner::Verdict::skip);
		if (r.verdict != runner::Verdict::fail)
			return;
		std::string why = "# Counterexample: the kernel diverges from the model (" +
				  format_profile(profile) + ")\n# " + r.reason + "\n";
		if (r.divergence) {
			why += "# observed " + format_outcome(r.divergence->observed) +
			       ", the model allows " +
			       format_outcomes(r.divergence->allowed) + "\n";
			for (const auto &line : r.divergence->why)
				why += "#   " + line + "\n";
		}
		Trace shown = t;
		shown.doc.clear();
		RC_FAIL(why + trace::print_trace(shown));
	};
	const Search s = search("model versus kernel", p, kernel_traces());

	EXPECT_FALSE(s.found) << s.report;
	std::cout << s.tests << " generated traces on " << format_profile(profile) << " in "
		  << s.seconds << " s" << std::endl;
}

} // namespace
} // namespace lockstep::prop

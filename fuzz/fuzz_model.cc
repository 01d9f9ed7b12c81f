// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_model - the model alone, with its invariants checked at every step
 *
 * Each input decodes into a valid trace (codec.h: mainline and supervisor
 * operations, every argument form, pause points, variant lines) and a
 * profile (ABI 0..12, each erratum fixed, not fixed or unknown, root or
 * not).  The model runs it; at every step the harness:
 * - asks a copy of the model for the allowed outcomes, picks one of them
 *   (the input's seed decides which), and makes the model follow it, as the
 *   oracle does with a kernel's outcome: the model must accept any outcome
 *   it allows, and give the same allowed set when told the outcome;
 * - checks the invariants of invariants.h after the step, and every
 *   filesystem decision inside it against the layers' rules.
 */
#include "fuzz/harness.h"
#include "fuzz/invariants.h"

#include "conformance/trace/printer.h"

#include <cstdio>

using namespace lockstep;
using namespace lockstep::fuzz;

namespace {

void run(const Trace &t, const Header &h, const Profile &p)
{
	Model model(p);
	Checker checker(p);
	Rng rng(h.seed);

	model.set_explain(h.explain);
	checker.attach(model);
	if (model.setup(t))
		return; /* a tree the model cannot build (a mount on a file...) */
	checker.begin(model.state());
	for (const auto &step : t.steps) {
		Model probe = model;
		const StepResult predicted = probe.step(step);

		checker.check_outcomes(predicted);
		const std::size_t pick = rng.below(predicted.allowed.size());
		const Outcome observed = as_observed(predicted.allowed, pick);
		const StepResult r = model.step(step, observed);

		if (!r.admitted)
			fail_current(trace::print_step(step) + ": the model does not admit " +
				     format_outcome(observed) + ", which it allowed");
		if (!(r.allowed == predicted.allowed))
			fail_current(trace::print_step(step) + ": allowed " +
				     format_outcomes(predicted.allowed) + " when predicting, " +
				     format_outcomes(r.allowed) + " when told the outcome");
		checker.after_step(step, r, model.state());
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	DecodeOptions opts;
	opts.max_steps = 64;
	const Decoded d = decode_input({data, size}, opts);
	Profile p = d.header.profile;

	if (d.trace.variants)
		p.variants = *d.trace.variants;
	set_current("fuzz_model", d.trace, p);
	if (print_requested())
		std::printf("# profile %s\n%s\n", profile_flag(p).c_str(),
			    trace::print_trace(d.trace).c_str());
	check_roundtrip(d.trace);
	run(d.trace, d.header, p);
	return 0;
}

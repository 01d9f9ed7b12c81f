// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_codec_test - the codec and the invariants, without a fuzzer
 *
 * - nearly every corpus trace is carried by the codec: its input decodes
 *   into the canonical form of the trace, which means the same (it parses
 *   back from its printed form, and the model predicts the same outcomes
 *   step by step as for the original);
 * - any bytes decode into a valid trace, in both modes, for the model and
 *   for the kernel;
 * - a generator input decodes into the generator's trace;
 * - the corpus runs under the invariant checker without a finding, and the
 *   checker audits the model's decisions (the hook is live).
 */
#include "conformance/runner/corpus.h"
#include "conformance/trace/parser.h"
#include "conformance/trace/printer.h"
#include "fuzz/codec.h"
#include "fuzz/harness.h"
#include "fuzz/invariants.h"

#include <cstdio>
#include <cstdlib>

using namespace lockstep;
using namespace lockstep::fuzz;

namespace {

int failures = 0;

void expect(bool ok, const std::string &what)
{
	if (ok)
		return;
	std::fprintf(stderr, "FAIL: %s\n", what.c_str());
	failures++;
}

bool roundtrips(const Trace &t)
{
	const auto back = trace::parse_trace(trace::print_trace(t), "fuzz.trace");

	return back.ok() && back.trace() == t;
}

Profile profile_of(const Trace &t, const Header &h)
{
	Profile p = h.profile;

	if (t.variants)
		p.variants = *t.variants;
	return p;
}

/* The outcomes the model allows at each step, explanation-free. */
std::vector<OutcomeSet> predictions(const Trace &t, const Profile &p)
{
	Model m(p);
	std::vector<OutcomeSet> out;

	m.set_explain(false);
	if (m.setup(t))
		return out;
	for (const auto &s : t.steps)
		out.push_back(m.step(s).allowed);
	return out;
}

void corpus_is_carried(const std::vector<runner::Case> &cases)
{
	std::size_t carried = 0;

	for (const auto &c : cases) {
		std::string why;
		Header h;
		h.profile.abi = supervisor_abi;
		const auto bytes = encode_input(c.trace, h, &why);

		if (!bytes) {
			std::printf("not carried: %s: %s\n", c.name.c_str(), why.c_str());
			continue;
		}
		carried++;
		const Decoded d = decode_input(*bytes, DecodeOptions{false, SIZE_MAX, {}});
		expect(roundtrips(d.trace), c.name + ": the decoded trace does not print back");
		Trace original = c.trace;
		for (auto &s : original.steps)
			s.expect.reset();
		const Profile p = profile_of(original, h);
		expect(predictions(original, p) == predictions(d.trace, p),
		       c.name + ": the model predicts otherwise for the canonical trace");
	}
	std::printf("%zu of %zu corpus traces carried by the codec\n", carried, cases.size());
	expect(carried * 100 >= cases.size() * 95, "fewer than 95% of the corpus carried");
}

void any_bytes_decode()
{
	Rng rng(42);

	for (int i = 0; i < 3000; i++) {
		Bytes b(rng.below(400));

		for (auto &x : b)
			x = static_cast<std::uint8_t>(rng.next());
		for (const bool mainline : {false, true}) {
			DecodeOptions o;
			o.mainline = mainline;
			if (mainline)
				o.profile = host_reference_profile();
			const Decoded d = decode_input(b, o);

			expect(roundtrips(d.trace), "random input " + std::to_string(i) +
							    " decodes into an invalid trace:\n" +
							    trace::print_trace(d.trace));
			if (mainline)
				for (const auto &s : d.trace.steps)
					expect(!s.pause && !std::holds_alternative<Resume>(s.op),
					       "a model-only step in a mainline trace");
		}
	}
}

void generator_inputs_decode()
{
	for (std::uint64_t seed = 1; seed <= 50; seed++) {
		Header h;
		const Bytes b = generator_input(seed, h);
		const Decoded d = decode_input(b, DecodeOptions{});
		gen::GenOptions o;
		Trace g = gen::generate_trace(gen::seeded_chooser(seed), o, trace_name);

		for (auto &s : g.steps)
			s.loc = Loc{};
		clear_unprinted(g);
		expect(d.header.generator && d.trace == g,
		       "generator input " + std::to_string(seed) + " decodes into another trace");
	}
}

void corpus_keeps_invariants(const std::vector<runner::Case> &cases)
{
	std::size_t audited = 0;

	for (const auto &c : cases) {
		Header h;
		h.profile.abi = supervisor_abi;
		const Profile p = profile_of(c.trace, h);
		Model m(p);
		Checker checker(p);

		checker.attach(m);
		set_current("fuzz_codec_test", c.trace, p);
		if (m.setup(c.trace))
			continue;
		checker.begin(m.state());
		for (const auto &s : c.trace.steps)
			checker.after_step(s, m.step(s), m.state());
		audited += checker.audited();
	}
	std::printf("%zu filesystem decisions audited\n", audited);
	expect(audited > 200, "the audit hook saw almost no decision");
}

} // namespace

int main()
{
	std::vector<runner::Case> cases;
	std::string error;

	if (!runner::load_cases({LOCKSTEP_CASES}, cases, &error)) {
		std::fprintf(stderr, "%s\n", error.c_str());
		return 1;
	}
	corpus_is_carried(cases);
	any_bytes_decode();
	generator_inputs_decode();
	corpus_keeps_invariants(cases);
	std::printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}

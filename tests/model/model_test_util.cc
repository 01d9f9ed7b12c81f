// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers of the model's unit tests.
 */
#include "tests/model/model_test_util.h"

#include "conformance/trace/parser.h"

#include <algorithm>

namespace lockstep::testing {

namespace {

/* Set equality: a pin lists the allowed outcomes in any order. */
bool same_set(const OutcomeSet &a, const OutcomeSet &b)
{
	auto in = [](const OutcomeSet &s, const Outcome &o) {
		return std::find(s.items().begin(), s.items().end(), o) != s.items().end();
	};

	if (a.size() != b.size())
		return false;
	return std::all_of(a.items().begin(), a.items().end(),
			   [&](const Outcome &o) { return in(b, o); });
}

std::string explain(const StepResult &r)
{
	std::string out;

	for (const auto &line : r.why)
		out += "\n    " + line;
	return out;
}

} // namespace

Profile profile(std::string_view text)
{
	std::string error;
	const auto p = parse_profile(text, &error);

	EXPECT_TRUE(p) << "bad profile '" << text << "': " << error;
	return p.value_or(Profile{});
}

Profile at_abi(int abi)
{
	Profile p;

	p.abi = abi;
	return p;
}

Run run(std::string_view text, const Profile &p)
{
	Run r;
	const auto parsed = trace::parse_trace(text, "t.trace");

	r.model = Model(p);
	if (!parsed.ok()) {
		r.error = parsed.error().format();
		return r;
	}
	if (const auto err = r.model.setup(parsed.trace())) {
		r.error = *err;
		return r;
	}
	for (const Step &step : parsed.trace().steps) {
		std::optional<Outcome> observed;

		if (step.expect && !step.expect->empty())
			observed = step.expect->items().front();
		r.results.push_back(r.model.step(step, observed));
	}
	return r;
}

::testing::AssertionResult pins_hold(std::string_view text, const Profile &p)
{
	const auto parsed = trace::parse_trace(text, "t.trace");

	if (!parsed.ok())
		return ::testing::AssertionFailure() << parsed.error().format();
	const Run r = run(text, p);
	if (!r.error.empty())
		return ::testing::AssertionFailure() << r.error;

	const auto &steps = parsed.trace().steps;
	for (std::size_t i = 0; i < steps.size(); i++) {
		if (!steps[i].expect || same_set(*steps[i].expect, r.results[i].allowed))
			continue;
		return ::testing::AssertionFailure()
		       << "profile " << format_profile(p) << ", line "
		       << steps[i].loc.line << ": pinned " << format_outcomes(*steps[i].expect)
		       << ", model allows " << format_outcomes(r.results[i].allowed)
		       << explain(r.results[i]);
	}
	return ::testing::AssertionSuccess();
}

OutcomeSet last_allowed(std::string_view text, const Profile &p)
{
	const Run r = run(text, p);

	EXPECT_EQ(r.error, "");
	EXPECT_FALSE(r.results.empty());
	return r.results.empty() ? OutcomeSet{} : r.results.back().allowed;
}

std::string last(std::string_view text, const Profile &p)
{
	return format_outcomes(last_allowed(text, p));
}

} // namespace lockstep::testing

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep properties - GoogleTest helpers shared by the property tests
 */
#include "tests/property/prop_test_util.h"

#include "conformance/trace/parser.h"

#include <rapidcheck/gtest.h>

#include <iostream>

namespace lockstep::prop {

void expect_holds(const Property &p)
{
	const auto *info = testing::UnitTest::GetInstance()->current_test_info();
	const std::string name = std::string(info->test_suite_name()) + "." + info->name();
	const Search s = search(name, p, kHoldRuns);

	EXPECT_FALSE(s.found) << "RapidCheck found a counterexample after " << s.tests
			      << " case(s):\n"
			      << s.report;
	EXPECT_TRUE(s.found || s.passed) << s.report;
	std::cout << name << ": " << s.tests << " cases, " << s.seconds << " s" << std::endl;
}

std::string trace_of_report(const std::string &report)
{
	const auto at = report.find("# ");

	return at == std::string::npos ? std::string() : report.substr(at);
}

/* Every pinned outcome of @text allowed by the model, as explain checks. */
void expect_explainable(const std::string &text, const Profile &base)
{
	const auto parsed = trace::parse_trace(text, "counterexample.trace");

	ASSERT_TRUE(parsed.ok()) << parsed.error().format() << "\n" << text;
	Profile p = base;
	if (parsed.trace().variants)
		p.variants = *parsed.trace().variants;
	const ModelRun run = run_model(parsed.trace(), p);
	ASSERT_FALSE(run.error) << *run.error;
	for (std::size_t i = 0; i < run.steps.size(); i++) {
		const auto &expect = parsed.trace().steps[i].expect;

		if (!expect)
			continue;
		for (const auto &o : expect->items())
			EXPECT_TRUE(run.steps[i].allowed.admits(o))
				<< "step " << i + 1 << " pins " << format_outcome(o)
				<< ", the model allows " << format_outcomes(run.steps[i].allowed);
	}
}

void expect_found(const std::string &name)
{
	for (const auto &v : known_violations()) {
		if (v.name != name)
			continue;
		const Search s = search(v.name, v.property, v.runs);

		ASSERT_TRUE(s.found) << "RapidCheck found no counterexample to '" << name
				     << "' in " << s.tests << " cases:\n"
				     << s.report;
		std::cout << "RapidCheck found '" << name << "' after " << s.tests
			  << " case(s), " << s.seconds << " s with shrinking:\n"
			  << trace_of_report(s.report) << std::endl;
		const std::string text = trace_of_report(s.report);
		const bool sup = text.find("requires supervisor") != std::string::npos;
		expect_explainable(text, sup ? sup_profile(Variants{})
					     : host_reference_profile());
		return;
	}
	FAIL() << "no known violation named '" << name << "'";
}

} // namespace lockstep::prop

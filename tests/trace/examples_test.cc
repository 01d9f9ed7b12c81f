// SPDX-License-Identifier: GPL-2.0-only
/*
 * The example traces of conformance/cases/examples/ parse, state their
 * expected outcome, and are written in canonical form.
 */
#include "conformance/trace/parser.h"
#include "conformance/trace/printer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace lockstep::trace {
namespace {

namespace fsys = std::filesystem;

std::vector<fsys::path> example_files()
{
	std::vector<fsys::path> out;

	for (const auto &e : fsys::directory_iterator(LOCKSTEP_EXAMPLES_DIR))
		if (e.path().extension() == ".trace")
			out.push_back(e.path());
	std::sort(out.begin(), out.end());
	return out;
}

std::string read_all(const fsys::path &p)
{
	std::ifstream in(p);
	std::ostringstream s;

	s << in.rdbuf();
	return s.str();
}

TEST(Examples, ThereAreSome)
{
	EXPECT_GE(example_files().size(), 3u);
}

TEST(Examples, ParseWithTheirStemAsName)
{
	for (const auto &p : example_files()) {
		const ParseResult r = parse_trace_file(p.string());

		ASSERT_TRUE(r.ok()) << r.error().format();
		EXPECT_EQ(r.trace().name, p.stem().string());
		EXPECT_FALSE(r.trace().steps.empty()) << p;
	}
}

TEST(Examples, DocStatesTheExpectedOutcome)
{
	for (const auto &p : example_files()) {
		const ParseResult r = parse_trace_file(p.string());
		const auto &doc = r.ok() ? r.trace().doc : std::vector<std::string>{};
		const bool states = std::any_of(doc.begin(), doc.end(), [](const auto &l) {
			return l.starts_with("Expected:");
		});

		EXPECT_EQ(doc.empty() ? "" : doc[0], "examples/" + p.stem().string()) << p;
		EXPECT_TRUE(states) << p << ": no 'Expected:' line in the doc";
	}
}

TEST(Examples, AreInCanonicalForm)
{
	for (const auto &p : example_files()) {
		const ParseResult r = parse_trace_file(p.string());

		ASSERT_TRUE(r.ok()) << r.error().format();
		EXPECT_EQ(print_trace(r.trace()), read_all(p)) << p;
	}
}

} // namespace
} // namespace lockstep::trace

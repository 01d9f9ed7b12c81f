/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the trace language tests.
 */
#pragma once

#include "conformance/trace/parser.h"

#include <gtest/gtest.h>

#include <string>

namespace lockstep::trace::testing {

/*
 * Binds the names the step tests use: fds r, d, s, f (a ruleset, a
 * directory, a socket, a file) and tasks child (a process) and worker (a
 * thread of main).
 */
inline constexpr std::string_view prelude =
	"dir /a\n"
	"file /a/f\n"
	"main: r = create_ruleset fs=read_file\n"
	"main: d = open /a path directory\n"
	"main: s = socket tcp4\n"
	"main: f = open /a/f rdonly\n"
	"main: fork child\n"
	"main: thread worker\n";

/* The trace of @text, failing the test with the parser's error if any. */
inline Trace parse_ok(std::string_view text, std::string_view name = "t")
{
	const ParseResult r = parse_trace(text, "t.trace", name);

	EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().format()) << "\nin:\n" << text;
	return r.ok() ? r.trace() : Trace{};
}

/* The last step of prelude + @line. */
inline Step step_of(std::string_view line)
{
	const Trace t = parse_ok(std::string(prelude) + std::string(line) + "\n");

	return t.steps.empty() ? Step{} : t.steps.back();
}

/* The error message of @text ("t.trace:L:C: ..."), or "" if it parses. */
inline std::string error_of(std::string_view text)
{
	const ParseResult r = parse_trace(text, "t.trace");

	return r.ok() ? "" : r.error().format();
}

} // namespace lockstep::trace::testing

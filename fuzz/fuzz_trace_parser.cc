// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_trace_parser - arbitrary bytes as trace text
 *
 * The parser must not crash on any input, and must report an error with a
 * position inside the text.  When a text parses, printing it and parsing
 * again gives an equal trace, and printing that one gives the same text
 * (the canonical form is a fixpoint): reports and reproducers print traces
 * and rely on both.
 */
#include "conformance/trace/parser.h"
#include "conformance/trace/printer.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string_view>

using namespace lockstep;

namespace {

[[noreturn]] void broken(const char *what, std::string_view input, const std::string &detail)
{
	std::fprintf(stderr, "fuzz_trace_parser: %s\n--- input ---\n%.*s\n--- detail ---\n%s\n",
		     what, static_cast<int>(input.size()), input.data(), detail.c_str());
	std::abort();
}

/* An error points at a line and column of the text (or at the whole file). */
void check_error(const trace::ParseError &e, std::string_view text)
{
	const auto lines = std::count(text.begin(), text.end(), '\n') + 1;

	if (e.message.empty() || e.file != "fuzz.trace")
		broken("an error without a message", text, e.format());
	if (e.line < 0 || e.line > lines || e.col < 0 || (e.line == 0) != (e.col == 0))
		broken("an error outside the text", text, e.format());
	if (e.format().find('\n') != std::string::npos)
		broken("an error message of more than one line", text, e.format());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	const std::string_view text(reinterpret_cast<const char *>(data), size);
	const auto first = trace::parse_trace(text, "fuzz.trace");

	if (!first.ok()) {
		check_error(first.error(), text);
		return 0;
	}
	const std::string printed = trace::print_trace(first.trace());
	const auto second = trace::parse_trace(printed, "fuzz.trace");

	if (!second.ok())
		broken("the printed trace does not parse", text,
		       second.error().format() + "\n--- printed ---\n" + printed);
	if (!(second.trace() == first.trace()))
		broken("the printed trace parses into another trace", text, printed);
	const std::string again = trace::print_trace(second.trace());
	if (again != printed)
		broken("printing is not a fixpoint", text,
		       printed + "\n--- printed again ---\n" + again);
	return 0;
}

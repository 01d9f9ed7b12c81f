// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep fmt - Print traces in canonical form
 */
#include "conformance/trace/parser.h"
#include "conformance/trace/printer.h"
#include "tools/lockstep/cli.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace lockstep::cli {

namespace {

constexpr const char *help_text =
	"usage: lockstep fmt [--check | --write] FILE...\n"
	"\n"
	"Parse each trace and print it in canonical form (see\n"
	"conformance/LANGUAGE.md).\n"
	"\n"
	"  --check   print nothing; exit 1 if a file is not in canonical form\n"
	"  --write   rewrite the files in place\n";

std::string read_all(const std::string &file)
{
	std::ifstream in(file);
	std::stringstream ss;

	ss << in.rdbuf();
	return ss.str();
}

} // namespace

int cmd_fmt(Args args)
{
	if (args.help()) {
		std::fputs(help_text, stdout);
		return exit_ok;
	}
	const bool check = args.flag("--check");
	const bool write = args.flag("--write");
	const auto files = args.operands();

	if (!args.error().empty())
		return usage_error("fmt", args.error());
	if (files.empty())
		return usage_error("fmt", "expected a trace file");
	if (check && write)
		return usage_error("fmt", "--check and --write exclude each other");

	int status = exit_ok;
	for (const auto &file : files) {
		const auto parsed = trace::parse_trace_file(file);

		if (!parsed.ok()) {
			std::fprintf(stderr, "%s\n", parsed.error().format().c_str());
			return exit_usage;
		}
		const std::string text = trace::print_trace(parsed.trace());
		if (check) {
			if (read_all(file) != text) {
				std::fprintf(stderr, "%s: not in canonical form\n", file.c_str());
				status = exit_fail;
			}
		} else if (write) {
			std::ofstream(file) << text;
		} else {
			std::fputs(text.c_str(), stdout);
		}
	}
	return status;
}

} // namespace lockstep::cli

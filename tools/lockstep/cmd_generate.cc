// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep generate - Write random valid traces
 *
 * The same generator as `lockstep run --generate`, so that a campaign's
 * traces can be kept, read, edited and replayed one by one.
 */
#include "conformance/generate/generator.h"
#include "conformance/trace/printer.h"
#include "tools/lockstep/cli.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace lockstep::cli {

namespace {

constexpr const char *help_text =
	"usage: lockstep generate N [--seed S] [--abi A] [--unprivileged] [--out DIR]\n"
	"\n"
	"Write N random valid traces (the ones `lockstep run --generate N --seed S`\n"
	"runs), to stdout separated by blank lines, or one file per trace in DIR.\n"
	"\n"
	"  --seed S          seed (default 1); the same seed gives the same traces\n"
	"  --abi A           Landlock ABI the traces may use, 1..12 (default 7)\n"
	"  --unprivileged    no operations that need root (mounts)\n"
	"  --out DIR         write DIR/NAME.trace per trace (DIR is created)\n";

} // namespace

int cmd_generate(Args args)
{
	if (args.help()) {
		std::fputs(help_text, stdout);
		return exit_ok;
	}
	std::uint64_t n = 0, seed = 1, abi = 7;
	gen::GenOptions opts;

	if (auto v = args.value("--seed"); v && !parse_u64(*v, seed))
		return usage_error("generate", "--seed expects a number, got '" + *v + "'");
	if (auto v = args.value("--abi"); v && (!parse_u64(*v, abi) || abi < 1 || abi > 12))
		return usage_error("generate", "--abi expects 1..12, got '" + *v + "'");
	opts.abi = static_cast<int>(abi);
	opts.root = !args.flag("--unprivileged");
	const auto out = args.value("--out");
	const auto operands = args.operands();

	if (!args.error().empty())
		return usage_error("generate", args.error());
	if (operands.size() != 1 || !parse_u64(operands[0], n) || n == 0)
		return usage_error("generate", "expected one operand N, the number of traces");

	if (out) {
		std::error_code ec;
		std::filesystem::create_directories(*out, ec);
		if (ec)
			return fail("generate", *out + ": " + ec.message(), exit_usage);
	}
	bool first = true;
	for (const auto &t : gen::generate_campaign(n, seed, opts)) {
		const std::string text = trace::print_trace(t);

		if (!out) {
			std::printf("%s%s", first ? "" : "\n", text.c_str());
			first = false;
			continue;
		}
		const std::string file = *out + "/" + t.name + ".trace";
		std::ofstream f(file);
		if (!(f << text))
			return fail("generate", file + ": cannot write", exit_fail);
	}
	return exit_ok;
}

} // namespace lockstep::cli

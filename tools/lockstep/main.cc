// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep - a reference model of Landlock, and its conformance suite
 */
#include "tools/lockstep/cli.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr const char *help_text =
	"usage: lockstep COMMAND [OPTIONS] [ARGS]\n"
	"\n"
	"An executable reference model of Linux Landlock (and of the proposed\n"
	"supervisor extension) run in lockstep with real kernels.\n"
	"\n"
	"commands:\n"
	"  run       run the conformance corpus (and generated traces) on this kernel\n"
	"            and check every outcome against the model (the main job)\n"
	"  explain   print the outcomes the model allows for each step, and why\n"
	"  check     check every pinned outcome of a corpus against the model alone\n"
	"  repro     write a standalone C program reproducing a trace's divergence\n"
	"  generate  write random valid traces\n"
	"  fmt       print traces in canonical form\n"
	"  prove     bounded proofs of the model's promises (Z3)\n"
	"  diff      shortest trace on which two model variants differ\n"
	"\n"
	"Run 'lockstep COMMAND --help' for a command's options.  Exit status: 0 when\n"
	"everything is as expected, 1 for a divergence or failed check, 2 for bad\n"
	"usage or bad input.\n";

} // namespace

int main(int argc, char **argv)
{
	using namespace lockstep::cli;

	if (argc < 2) {
		std::fputs(help_text, stderr);
		return exit_usage;
	}
	const std::string cmd = argv[1];
	std::vector<std::string> words(argv + 2, argv + argc);

	if (cmd == "--help" || cmd == "-h" || cmd == "help") {
		std::fputs(help_text, stdout);
		return exit_ok;
	}
	if (cmd == "--version") {
		std::printf("lockstep 0.1\n");
		return exit_ok;
	}
	if (cmd == "explain")
		return cmd_explain(Args(cmd, words));
	if (cmd == "fmt")
		return cmd_fmt(Args(cmd, words));
	if (cmd == "run")
		return cmd_run(Args(cmd, words));
	if (cmd == "check")
		return cmd_check(Args(cmd, words));
	if (cmd == "repro")
		return cmd_repro(Args(cmd, words));
	if (cmd == "generate")
		return cmd_generate(Args(cmd, words));
	if (cmd == "prove")
		return cmd_prove(Args(cmd, words), argv[0]);
	if (cmd == "diff")
		return cmd_diff(Args(cmd, words));
	std::fprintf(stderr, "lockstep: unknown command '%s' (see lockstep --help)\n",
		     cmd.c_str());
	return exit_usage;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep prove, lockstep diff
 *
 * `lockstep prove` runs the bounded proofs of prove/, which need Z3: they
 * live in the dynamically linked lockstep-prove, built next to lockstep,
 * so that this binary stays static and solver-free.  It is exec'd from the
 * directory of the running binary.
 *
 * `lockstep diff` searches the shortest trace on which two model variants
 * differ: a search over traces run by the model itself (prove/diff.h), with
 * no solver, so it runs here, wherever lockstep runs.
 */
#include "prove/diff.h"
#include "tools/lockstep/cli.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace lockstep::cli {

namespace {

/* The directory of the running binary (/proc/self/exe, else argv[0]). */
std::string own_directory(const char *argv0)
{
	char buf[PATH_MAX];
	const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	std::string path = n > 0 ? std::string(buf, static_cast<std::size_t>(n))
				 : std::string(argv0 ? argv0 : "");
	const auto slash = path.rfind('/');

	return slash == std::string::npos ? "." : path.substr(0, slash);
}

constexpr const char *diff_help =
	"usage: lockstep diff --variant A --variant B [--max-steps N] [--timeout S]\n"
	"                     [--output FILE]\n"
	"\n"
	"Print the shortest trace on which the model's allowed outcomes differ\n"
	"between two variants of the supervisor extension, e.g.\n"
	"  lockstep diff --variant check=snapshot --variant check=per-step\n"
	"Each A and B is a comma-separated list of settings (check=, commit=,\n"
	"optional=, acyclic=); unset keys keep their defaults.  The search tries\n"
	"every trace of its space (see prove/diff.h) by increasing length, running\n"
	"both variants of the model in lockstep; the trace is printed in the trace\n"
	"language with A's settings and A's outcome pinned on the differing step,\n"
	"runnable by 'lockstep explain --profile abi=12'.\n"
	"\n"
	"  --max-steps N  longest trace tried (default 12)\n"
	"  --timeout S    give up after S seconds (default 120)\n"
	"  --output FILE  also write the trace to FILE\n"
	"\n"
	"Exit status: 0 when a trace was found, 1 when none differs up to the\n"
	"bound, 2 for bad usage.\n";

/* A positive number, the whole word: "3x" is not one. */
bool positive(const std::string &text, double *out)
{
	char *end = nullptr;

	errno = 0;
	*out = std::strtod(text.c_str(), &end);
	return !text.empty() && *end == '\0' && errno == 0 && *out > 0;
}

bool parse_settings(const std::string &text, Variants &v, std::string *error)
{
	std::size_t at = 0;

	while (at <= text.size()) {
		const std::size_t end = std::min(text.find(',', at), text.size());

		if (!parse_variant(text.substr(at, end - at), v, error))
			return false;
		at = end + 1;
	}
	return true;
}

} // namespace

int cmd_prove(Args args, const char *argv0)
{
	const std::string dir = own_directory(argv0);
	const std::string prover = dir + "/lockstep-prove";
	std::vector<std::string> words = args.words();
	std::vector<char *> argv;

	if (access(prover.c_str(), X_OK) != 0)
		return fail("prove",
			    "cannot run " + prover + ": " + std::strerror(errno) +
				    " (lockstep-prove is built with Z3, from libz3-dev, next to "
				    "lockstep; this build has none)",
			    exit_usage);
	argv.push_back(const_cast<char *>("lockstep-prove"));
	for (auto &w : words)
		argv.push_back(w.data());
	argv.push_back(nullptr);
	std::fflush(stdout);
	execv(prover.c_str(), argv.data());
	return fail("prove", "cannot run " + prover + ": " + std::strerror(errno), exit_usage);
}

int cmd_diff(Args args)
{
	if (args.help()) {
		std::fputs(diff_help, stdout);
		return exit_ok;
	}
	const auto variants = args.values("--variant");
	diff::Options o;
	const auto steps = args.value("--max-steps");
	const auto timeout = args.value("--timeout");
	const auto output = args.value("--output");
	Variants a, b;
	std::string error;

	const auto operands = args.operands();
	double number = 0;

	if (!args.error().empty())
		return usage_error("diff", args.error());
	if (!operands.empty())
		return usage_error("diff", "unexpected operand '" + operands[0] + "'");
	if (variants.size() != 2)
		return usage_error("diff", "expected two --variant options");
	if (!parse_settings(variants[0], a, &error) || !parse_settings(variants[1], b, &error))
		return usage_error("diff", "--variant: " + error);
	if (a == b)
		return usage_error("diff", "the two variants are the same");
	if (steps) {
		if (!positive(*steps, &number) || number != static_cast<int>(number) ||
		    number > 64)
			return usage_error("diff", "--max-steps: expected a whole number, 1 to 64");
		o.max_steps = static_cast<int>(number);
	}
	if (timeout) {
		if (!positive(*timeout, &number))
			return usage_error("diff", "--timeout: expected a positive number of seconds");
		o.max_seconds = number;
	}
	const diff::Result r = diff::shortest(a, b, o);
	const std::string text = diff::format(r, a, b);

	std::fputs(text.c_str(), stdout);
	if (output) {
		std::ofstream out(*output);

		if (!(out << text))
			return fail("diff", "cannot write " + *output, exit_usage);
	}
	return r.found ? exit_ok : exit_fail;
}

} // namespace lockstep::cli

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep run - The conformance run on this kernel (the main job)
 */
#include "conformance/generate/generator.h"
#include "conformance/runner/corpus.h"
#include "conformance/runner/runner.h"
#include "conformance/trace/parser.h"
#include "conformance/trace/printer.h"
#include "tools/lockstep/cli.h"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>
#include <unistd.h>

namespace lockstep::cli {

namespace {

constexpr const char *help_text =
	"usage: lockstep run [OPTIONS] [PATH...]\n"
	"\n"
	"Run traces on the running kernel and check every outcome against the\n"
	"model's allowed set for the kernel's profile (ABI and errata, read from\n"
	"the kernel).  PATHs are trace files or directories; by default the\n"
	"built-in corpus (conformance/cases).  Output is KTAP version 1 on\n"
	"stdout, one nested subtest per feature group, then a summary table.\n"
	"\n"
	"  -j, --jobs N          parallel workers (default: number of CPUs)\n"
	"  --shard I/N           run only shard I of N (1-based), for CI matrices\n"
	"  --generate N          also run N random valid traces\n"
	"  --seed S              seed of the generated traces (default 1)\n"
	"  --no-corpus           only generated traces\n"
	"  --profile P           force a profile instead of the kernel's, e.g.\n"
	"                        abi=7,errata=1+2+3+4 (shows the suite catches it)\n"
	"  --junit FILE          also write JUnit XML\n"
	"  --json FILE           also write JSON\n"
	"  --save-dir DIR        write failing traces and C reproducers there\n"
	"                        (default: lockstep-failures)\n"
	"  --step-timeout MS     longest wait for one step (default 2000)\n"
	"  --trace-timeout MS    longest run of one trace (default 10000)\n"
	"  --scratch DIR         where private scratch directories are made\n"
	"                        (default: $TMPDIR or /tmp)\n"
	"  --progress, --no-progress   progress bar on stderr (default: if a TTY)\n"
	"\n"
	"Exit status: 0 when no case diverged, 1 when one did, 2 for bad usage,\n"
	"a malformed trace, or an executor that cannot start.\n";

bool parse_shard(const std::string &s, int &index, int &count)
{
	const auto slash = s.find('/');
	std::uint64_t i = 0, n = 0;

	if (slash == std::string::npos || !parse_u64(s.substr(0, slash), i) ||
	    !parse_u64(s.substr(slash + 1), n) || n == 0 || i == 0 || i > n)
		return false;
	index = static_cast<int>(i - 1);
	count = static_cast<int>(n);
	return true;
}

/* Print and parse generated traces so that reports show real line numbers. */
bool add_generated(std::vector<runner::Case> &cases, std::size_t n, std::uint64_t seed,
		   const Profile &p)
{
	gen::GenOptions opts;

	opts.abi = p.abi;
	opts.root = p.root;
	for (auto &t : gen::generate_campaign(n, seed, opts)) {
		const std::string text = trace::print_trace(t);
		auto parsed = trace::parse_trace(text, t.name + ".trace", t.name);

		if (!parsed.ok()) {
			std::fprintf(stderr, "lockstep run: generated trace %s does not "
				     "parse: %s\n", t.name.c_str(),
				     parsed.error().format().c_str());
			return false;
		}
		runner::Case c;
		c.name = "generated/" + t.name;
		c.group = "generated";
		c.trace = std::move(parsed.trace());
		cases.push_back(std::move(c));
	}
	return true;
}

} // namespace

int cmd_run(Args args)
{
	if (args.help()) {
		std::fputs(help_text, stdout);
		return exit_ok;
	}
	runner::RunOptions opts;
	std::uint64_t generate = 0, seed = 1, ms = 0;

	opts.jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
	opts.progress = isatty(STDERR_FILENO);
	opts.save_dir = "lockstep-failures";
	if (auto v = args.value("--jobs", "-j")) {
		std::uint64_t j = 0;

		if (!parse_u64(*v, j) || j < 1 || j > 256)
			return usage_error("run", "--jobs: expected a number from 1 to 256");
		opts.jobs = static_cast<int>(j);
	}
	if (auto v = args.value("--shard"))
		if (!parse_shard(*v, opts.shard_index, opts.shard_count))
			return usage_error("run", "--shard: expected I/N with 1 <= I <= N");
	if (auto v = args.value("--generate"))
		if (!parse_u64(*v, generate))
			return usage_error("run", "--generate: expected a number");
	if (auto v = args.value("--seed"))
		if (!parse_u64(*v, seed))
			return usage_error("run", "--seed: expected a number");
	if (auto v = args.value("--step-timeout")) {
		if (!parse_u64(*v, ms) || !ms)
			return usage_error("run", "--step-timeout: expected milliseconds");
		opts.exec.step_timeout = std::chrono::milliseconds(ms);
	}
	if (auto v = args.value("--trace-timeout")) {
		if (!parse_u64(*v, ms) || !ms)
			return usage_error("run", "--trace-timeout: expected milliseconds");
		opts.exec.trace_timeout = std::chrono::milliseconds(ms);
	}
	if (auto v = args.value("--scratch"))
		opts.exec.scratch_base = *v;
	if (auto v = args.value("--save-dir"))
		opts.save_dir = *v;
	const auto junit = args.value("--junit");
	const auto json = args.value("--json");
	const bool no_corpus = args.flag("--no-corpus");
	if (args.flag("--progress"))
		opts.progress = true;
	if (args.flag("--no-progress"))
		opts.progress = false;
	if (auto p = args.value("--profile")) {
		std::string error;
		auto parsed = parse_profile(*p, &error, host_reference_profile());

		if (!parsed)
			return usage_error("run", error);
		opts.profile = *parsed;
	}
	auto paths = args.operands();
	if (!args.error().empty())
		return usage_error("run", args.error());

	std::vector<runner::Case> cases;
	std::string error;
	if (paths.empty() && !no_corpus) {
		const std::string corpus = runner::default_corpus(nullptr);

		if (corpus.empty())
			return fail("run", "no corpus found (conformance/cases); give a path", exit_usage);
		paths.push_back(corpus);
	}
	if (!runner::load_cases(paths, cases, &error)) {
		std::fprintf(stderr, "%s\n", error.c_str());
		return exit_usage;
	}
	const exec::KernelProbe probe = exec::probe_kernel();
	if (probe.profile.abi < 0)
		return fail("run", "this kernel has no Landlock system calls (ENOSYS)", exit_usage);
	const Profile for_gen = opts.profile.value_or(probe.profile);
	if (generate && !add_generated(cases, generate, seed, for_gen))
		return exit_usage;

	const runner::RunReport report = runner::run_cases(std::move(cases), opts);
	if (!report.error.empty())
		return fail("run", "cannot start the executor: " + report.error, exit_usage);

	runner::write_ktap(std::cout, report.kernel, report.cases, report.results);
	runner::write_summary(std::cout, report.results);
	std::cout << "# " << report.results.size() << " cases in " << report.seconds
		  << " s with " << opts.jobs << " jobs\n";
	std::cout.flush();
	if (junit) {
		std::ofstream out(*junit);

		runner::write_junit(out, report.kernel, report.cases, report.results);
		if (!out)
			return fail("run", "cannot write " + *junit, exit_usage);
	}
	if (json) {
		std::ofstream out(*json);

		runner::write_json(out, report.kernel, report.cases, report.results);
		if (!out)
			return fail("run", "cannot write " + *json, exit_usage);
	}
	for (const auto &r : report.results)
		if (r.verdict == runner::Verdict::fail)
			return exit_fail;
	return exit_ok;
}

} // namespace lockstep::cli

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep-exec - Run trace files on this kernel and print what each step did
 *
 * A debugging tool for the executor: no model, no comparison, only the
 * kernel's answers (and whether they match outcomes pinned with "=>").
 */
#include "conformance/trace/parser.h"
#include "conformance/trace/printer.h"
#include "kernel/executor/executor.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace lockstep;

constexpr const char *usage_text =
	"usage: lockstep-exec [OPTIONS] FILE.trace...\n"
	"       lockstep-exec --probe\n"
	"\n"
	"Runs each trace on the running kernel and prints every step with the\n"
	"outcome the kernel gave (and the outcome pinned with '=>', if any).\n"
	"\n"
	"  --probe               print the kernel's Landlock profile and exit\n"
	"  --step-timeout MS     longest wait for one step (default 2000)\n"
	"  --trace-timeout MS    longest run of one trace (default 10000)\n"
	"  --scratch DIR         where the scratch directory goes ($TMPDIR, /tmp)\n"
	"  --repeat N            run each trace N times and print traces/s\n"
	"  --help                this text\n"
	"\n"
	"Exit status: 0 if every trace completed (or was skipped) and every\n"
	"pinned outcome held, 1 otherwise, 2 on bad usage or a bad trace file.\n";

struct Args {
	bool probe = false;
	int repeat = 1;
	exec::ExecOptions opts;
	std::vector<std::string> files;
};

bool parse_number(std::string_view s, long long &out)
{
	const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);

	return ec == std::errc{} && p == s.data() + s.size() && out > 0;
}

/* Returns false (after a message) on bad usage. */
bool parse_args(int argc, char **argv, Args &a, bool &help)
{
	for (int i = 1; i < argc; i++) {
		const std::string_view arg = argv[i];
		long long n = 0;
		auto value = [&](const char *name) -> const char * {
			if (i + 1 < argc)
				return argv[++i];
			std::fprintf(stderr, "lockstep-exec: %s needs a value\n", name);
			return nullptr;
		};

		if (arg == "--help" || arg == "-h") {
			help = true;
		} else if (arg == "--probe") {
			a.probe = true;
		} else if (arg == "--step-timeout" || arg == "--trace-timeout" ||
			   arg == "--repeat") {
			const char *v = value(argv[i]);

			if (!v)
				return false;
			if (!parse_number(v, n)) {
				std::fprintf(stderr, "lockstep-exec: %s: expected a positive number, got '%s'\n",
					     argv[i - 1], v);
				return false;
			}
			if (arg == "--repeat")
				a.repeat = static_cast<int>(n);
			else if (arg == "--step-timeout")
				a.opts.step_timeout = std::chrono::milliseconds(n);
			else
				a.opts.trace_timeout = std::chrono::milliseconds(n);
		} else if (arg == "--scratch") {
			const char *v = value("--scratch");

			if (!v)
				return false;
			a.opts.scratch_base = v;
		} else if (arg.starts_with("-")) {
			std::fprintf(stderr, "lockstep-exec: unknown option '%s' (see --help)\n", argv[i]);
			return false;
		} else {
			a.files.emplace_back(arg);
		}
	}
	if (!help && !a.probe && a.files.empty()) {
		std::fprintf(stderr, "lockstep-exec: no trace file given (see --help)\n");
		return false;
	}
	return true;
}

void print_probe()
{
	const exec::KernelProbe k = exec::probe_kernel();

	std::printf("kernel:  %s\n", k.uname.c_str());
	std::printf("profile: %s\n", format_profile(k.profile).c_str());
	std::printf("root:    %s\n", k.root ? "yes" : "no");
	for (const auto &n : k.notes)
		std::printf("note:    %s\n", n.c_str());
}

/* Prints one trace's steps; returns false if a pinned outcome did not hold. */
bool print_run(const Trace &t, const exec::TraceRun &r)
{
	bool pinned_ok = true;

	std::printf("== %s\n", t.name.c_str());
	for (std::size_t i = 0; i < t.steps.size(); i++) {
		const auto &s = t.steps[i];
		const auto &sr = r.steps[i];
		std::string got = exec::status_name(sr.status);

		if (sr.status == exec::StepRun::Status::done ||
		    sr.status == exec::StepRun::Status::timeout)
			got = format_outcome(sr.outcome);
		std::printf("%4zu  %-56s %s", i + 1, trace::print_step(s).c_str(), got.c_str());
		if (sr.status == exec::StepRun::Status::done && s.expect &&
		    !s.expect->admits(sr.outcome)) {
			std::printf("  MISMATCH (pinned %s)", format_outcomes(*s.expect).c_str());
			pinned_ok = false;
		}
		if (!sr.note.empty())
			std::printf("  # %s", sr.note.c_str());
		std::printf("\n");
	}
	std::printf("result: %s%s%s (%.3f ms)\n", exec::status_name(r.status),
		    r.message.empty() ? "" : ": ", r.message.c_str(), r.seconds * 1e3);
	return pinned_ok;
}

bool run_file(exec::Worker &w, const std::string &file, int repeat, bool &bad_file)
{
	const auto parsed = trace::parse_trace_file(file);

	if (!parsed.ok()) {
		std::fprintf(stderr, "%s\n", parsed.error().format().c_str());
		bad_file = true;
		return false;
	}
	const Trace &t = parsed.trace();
	exec::TraceRun r = w.run(t);
	const std::vector<Trace> copies(static_cast<std::size_t>(repeat - 1), t);
	const auto start = std::chrono::steady_clock::now();

	/* The repeats go through run_all(), as the runner's batches do. */
	if (!copies.empty())
		r = w.run_all(copies).back();
	const bool ok = print_run(t, r);

	if (repeat > 1) {
		const std::chrono::duration<double> d = std::chrono::steady_clock::now() - start;

		std::printf("repeat: %d runs, %.1f us each, %.0f traces/s\n", repeat - 1,
			    d.count() / (repeat - 1) * 1e6, (repeat - 1) / d.count());
	}
	return ok && (r.status == exec::TraceRun::Status::completed ||
		      r.status == exec::TraceRun::Status::skipped);
}

} // namespace

int main(int argc, char **argv)
{
	Args a;
	bool help = false;
	bool all_ok = true, bad_file = false;

	if (!parse_args(argc, argv, a, help)) {
		std::fputs(usage_text, stderr);
		return 2;
	}
	if (help) {
		std::fputs(usage_text, stdout);
		return 0;
	}
	if (a.probe) {
		print_probe();
		if (a.files.empty())
			return 0;
	}
	exec::Worker w(a.opts);

	if (!w.error().empty()) {
		std::fprintf(stderr, "lockstep-exec: worker: %s\n", w.error().c_str());
		return 1;
	}
	for (const auto &f : a.files)
		all_ok = run_file(w, f, a.repeat, bad_file) && all_ok;
	if (bad_file)
		return 2;
	return all_ok ? 0 : 1;
}

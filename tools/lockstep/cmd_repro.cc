// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep repro - A standalone C program reproducing a trace's divergence
 */
#include "conformance/runner/oracle.h"
#include "conformance/trace/parser.h"
#include "kernel/repro/repro.h"
#include "tools/lockstep/cli.h"

#include <cstdio>
#include <fstream>
#include <iostream>

namespace lockstep::cli {

namespace {

constexpr const char *help_text =
	"usage: lockstep repro [--profile P] [-o FILE.c] TRACE\n"
	"\n"
	"Run TRACE on this kernel and in the model, find the first step where\n"
	"they disagree, and write a standalone C program (raw syscalls, no\n"
	"dependency on this project) that performs the trace up to that step,\n"
	"prints the kernel's outcome and the outcome the model expects, and exits\n"
	"1 while the kernel still diverges.  Compile it with 'cc FILE.c' (the\n"
	"file's first lines give the exact command).\n"
	"\n"
	"  --profile P   predict this profile instead of the kernel's (e.g.\n"
	"                abi=7,errata=1+2+3+4 to reproduce erratum 4)\n"
	"  -o FILE.c     write there (default: stdout)\n"
	"\n"
	"Exit status: 0 when a reproducer was written, 1 when the trace does not\n"
	"diverge on this kernel, 2 for bad usage or a malformed trace.\n";

} // namespace

int cmd_repro(Args args)
{
	if (args.help()) {
		std::fputs(help_text, stdout);
		return exit_ok;
	}
	const auto out = args.value("--output", "-o");
	std::optional<Profile> forced;
	if (auto p = args.value("--profile")) {
		std::string error;

		forced = parse_profile(*p, &error, host_reference_profile());
		if (!forced)
			return usage_error("repro", error);
	}
	const auto files = args.operands();
	if (!args.error().empty())
		return usage_error("repro", args.error());
	if (files.size() != 1)
		return usage_error("repro", "expected one trace file");

	const auto parsed = trace::parse_trace_file(files[0]);
	if (!parsed.ok()) {
		std::fprintf(stderr, "%s\n", parsed.error().format().c_str());
		return exit_usage;
	}
	const Trace &t = parsed.trace();
	exec::Worker worker;
	if (!worker.error().empty())
		return fail("repro", "cannot start the executor: " + worker.error(), exit_usage);
	const exec::TraceRun run = worker.run(t);
	if (run.status == exec::TraceRun::Status::skipped)
		return fail("repro", files[0] + ": skipped on this kernel: " + run.message,
			    exit_fail);
	const Profile profile = forced.value_or(worker.profile());
	const auto d = runner::replay(t, run, profile, false);
	if (!d)
		return fail("repro", files[0] + ": no divergence on this kernel (profile " +
					     format_profile(profile) + ")",
			    exit_fail);
	if (d->kind == "run")
		return fail("repro", files[0] + ": the run failed: " + d->note, exit_fail);

	repro::ReproTarget target;
	target.step = d->step;
	target.kernel_outcome = format_outcome(d->observed);
	for (const auto &o : d->allowed.items())
		target.model_outcomes.push_back(format_outcome(o));
	std::string program;
	try {
		program = repro::write_c_reproducer(t, target);
	} catch (const std::exception &e) {
		return fail("repro", e.what(), exit_usage);
	}
	if (!out) {
		std::cout << program;
		return exit_ok;
	}
	std::ofstream f(*out);
	f << program;
	if (!f)
		return fail("repro", "cannot write " + *out, exit_usage);
	std::fprintf(stderr, "lockstep repro: step %zu diverges (kernel %s, model %s); wrote %s\n",
		     d->step + 1, target.kernel_outcome.c_str(),
		     format_outcomes(d->allowed).c_str(), out->c_str());
	return exit_ok;
}

} // namespace lockstep::cli

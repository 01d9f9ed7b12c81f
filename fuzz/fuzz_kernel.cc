// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_kernel - the model against the running kernel
 *
 * Each input decodes into a valid mainline trace (codec.h, with the
 * profile the kernel reports), which one exec::Worker, kept for the whole
 * campaign, runs in a fresh process tree in its private scratch directory.
 * runner::replay() then checks every step's outcome against the outcomes
 * the model allows for this kernel's probed profile, the model following
 * the kernel ([oracle.follow]).  A divergence that happens again when the
 * trace is run again aborts with the trace printed and written as a .trace
 * file (harness.h), the kernel's outcome pinned on the divergent step.
 *
 * Steps the model says may block are cut (with what follows): the executor
 * would wait its whole step timeout on each, which is most of a run's time.
 */
#include "fuzz/harness.h"

#include "conformance/runner/oracle.h"
#include "conformance/trace/printer.h"
#include "kernel/executor/executor.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

using namespace lockstep;
using namespace lockstep::fuzz;

namespace {

exec::Worker *worker;
Profile kernel;

/* Cut @t before the first step the model says may not return. */
void cut_blocking(Trace &t)
{
	Model m(kernel);

	m.set_explain(false);
	if (m.setup(t)) {
		t.steps.clear();
		return;
	}
	for (std::size_t i = 0; i < t.steps.size(); i++) {
		if (m.step(t.steps[i]).allowed.admits(Outcome::error(err_blocked))) {
			t.steps.resize(i);
			return;
		}
	}
}

/* The outcome to pin on the divergent step: the kernel's. */
Outcome pinned(const runner::Divergence &d)
{
	Outcome o = d.observed;
	bool valued = false;

	for (const auto &a : d.allowed.items())
		valued = valued || (a.success() && a.value);
	if (!valued)
		o.value.reset();
	return o;
}

std::optional<runner::Divergence> judge(const Trace &t, const exec::TraceRun &run)
{
	using S = exec::TraceRun::Status;

	switch (run.status) {
	case S::skipped:
		return std::nullopt;
	case S::setup_error:
	case S::crashed: {
		runner::Divergence d;

		d.kind = "run";
		d.note = std::string(exec::status_name(run.status)) + ": " + run.message;
		return d;
	}
	case S::completed:
	case S::timeout:
		break;
	}
	return runner::replay(t, run, kernel, false);
}

[[noreturn]] void diverged(const Trace &t, const exec::TraceRun &run,
			   const runner::Divergence &first)
{
	Finding f;
	const auto d = first.kind == "run" ? first : *runner::replay(t, run, kernel, true);

	f.target = "fuzz_kernel";
	f.trace = t;
	f.profile = kernel;
	if (d.kind == "run") {
		f.doc.push_back("the executor failed: " + d.note);
		report(f);
	}
	f.doc.push_back("step " + std::to_string(d.step + 1) + " (" +
			trace::print_step(t.steps[d.step]) + "): the kernel gave " +
			format_outcome(d.observed) + ", the model allows " +
			format_outcomes(d.allowed) + " (" + d.kind + " divergence)");
	if (!d.note.empty())
		f.doc.push_back("executor: " + d.note);
	for (const auto &line : d.why)
		f.doc.push_back("  " + line);
	f.doc.push_back("the kernel's outcome is pinned on that step");
	f.pin_step = d.step;
	f.pin = pinned(d);
	report(f);
}

/* At exit: the worker's scratch directory goes with it. */
void stop_worker()
{
	delete worker;
	worker = nullptr;
}

/*
 * The worker is this binary again, with ASan: its quarantine of freed
 * memory (256 MB by default) fills up over a campaign, and every trace's
 * main is forked from it, so fork() slowed the target from 100 to 25
 * inputs/s over 10 minutes.  A small quarantine keeps the worker at a few
 * MB; use-after-free in the executor is still caught, a little less far
 * back.  The worker reads ASAN_OPTIONS when it starts; this process has
 * already read its own.
 */
void small_worker_quarantine()
{
	const char *old = std::getenv("ASAN_OPTIONS");
	std::string opts = old && *old ? std::string(old) + ":" : std::string();

	if (opts.find("quarantine_size_mb") == std::string::npos)
		setenv("ASAN_OPTIONS", (opts + "quarantine_size_mb=16").c_str(), 1);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	exec::ExecOptions opts;

	small_worker_quarantine();

	/* A step that has not returned in a second is blocked (see cut_blocking). */
	opts.step_timeout = std::chrono::milliseconds(1000);
	opts.trace_timeout = std::chrono::milliseconds(8000);
	worker = new exec::Worker(opts);
	std::atexit(stop_worker);
	if (!worker->error().empty()) {
		std::fprintf(stderr, "fuzz_kernel: cannot start the executor: %s\n",
			     worker->error().c_str());
		std::exit(1);
	}
	kernel = worker->profile();
	if (kernel.abi < 1) {
		std::fprintf(stderr, "fuzz_kernel: this kernel has no Landlock (abi %d)\n",
			     kernel.abi);
		std::exit(1);
	}
	std::fprintf(stderr, "fuzz_kernel: kernel profile %s, %s\n",
		     format_profile(kernel).c_str(),
		     worker->privileged() ? "privileged" : "unprivileged");
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	DecodeOptions opts;
	opts.mainline = true;
	opts.max_steps = 32;
	opts.profile = kernel;
	Decoded d = decode_input({data, size}, opts);
	Trace &t = d.trace;

	set_current("fuzz_kernel", t, kernel);
	check_roundtrip(t);
	cut_blocking(t);
	if (print_requested())
		std::printf("%s\n", trace::print_trace(t).c_str());
	if (t.steps.empty())
		return 0;
	const exec::TraceRun run = worker->run(t);
	const auto first = judge(t, run);
	if (!first)
		return 0;
	/* Only what happens again is reported: the machine may be loaded. */
	for (int again = 0; again < 2; again++) {
		const exec::TraceRun rerun = worker->run(t);
		const auto d2 = judge(t, rerun);

		if (d2 && d2->kind == first->kind && d2->step == first->step)
			diverged(t, rerun, *d2);
	}
	std::fprintf(stderr, "fuzz_kernel: a divergence did not happen again (%s at step %zu): "
		     "not reported\n", first->kind.c_str(), first->step + 1);
	return 0;
}

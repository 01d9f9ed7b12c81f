/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep executor - Run traces on the running kernel
 *
 * The executor performs a parsed trace (model/ops.h) with raw system calls
 * and records what each step really returned, so that the runner can compare
 * it with the outcomes the model allows.  See conformance/LANGUAGE.md for
 * the system call behind each step.
 *
 * Each Worker owns a forked worker process.  As root, that process lives in
 * its own mount and network namespaces, on a private tmpfs, so a trace can
 * neither see nor leave anything on the host; unprivileged, it uses a plain
 * temporary directory and skips the traces that need privilege.  Traces run
 * one at a time, each in a fresh subdirectory, each by a fresh process tree
 * that the worker drives step by step through shared memory.
 */
#pragma once

#include "model/ops.h"
#include "model/outcome.h"
#include "model/profile.h"

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <sys/types.h>
#include <vector>

namespace lockstep::exec {

/**
 * struct KernelProbe - what the running kernel says about Landlock
 *
 * @profile: ABI version, errata and privilege, as the model wants them.
 *           @profile.abi is -1 when the kernel has no Landlock at all.
 * @uname: the kernel release ("6.18.44-...").
 * @root: whether the caller has CAP_SYS_ADMIN (also in @profile.root).
 * @notes: one line per oddity (no Landlock, errata not queryable...).
 */
struct KernelProbe {
	Profile profile;
	std::string uname;
	bool root = false;
	std::vector<std::string> notes;
};

/**
 * probe_kernel() - ask the running kernel for its Landlock profile
 *
 * Uses landlock_create_ruleset(NULL, 0, VERSION) for the ABI (ENOSYS: no
 * Landlock, abi -1; EOPNOTSUPP: disabled at boot, abi 0) and the ERRATA flag
 * for the errata (EINVAL: not queryable, every erratum unknown).
 */
KernelProbe probe_kernel();

/* Whether the calling thread has CAP_SYS_ADMIN in its effective set. */
bool has_cap_sys_admin();

/**
 * struct ExecOptions - how a Worker runs traces
 *
 * @scratch_base: where the worker's private directory is created; empty
 *                means $TMPDIR, or /tmp.
 * @step_timeout: longest wait for one step.
 * @trace_timeout: longest run of one trace, from its first step.
 */
struct ExecOptions {
	std::string scratch_base;
	std::chrono::milliseconds step_timeout{2000};
	std::chrono::milliseconds trace_timeout{10000};
};

/**
 * struct StepRun - what one step did on the kernel
 *
 * @status: done (with @outcome), skipped, timeout (the step never
 *          returned), not_reached (an earlier step ended the trace).
 * @outcome: the observed result; a success records the return value.
 * @note: extra facts ("opening /a for the rule failed").
 */
struct StepRun {
	enum class Status : std::uint8_t { done, skipped, timeout, not_reached };

	Status status = Status::not_reached;
	Outcome outcome;
	std::string note;
	bool operator==(const StepRun &) const = default;
};

/**
 * struct TraceRun - what a whole trace did
 *
 * @status: completed (every step done), skipped (@message says why: needs
 *          root, model-only...), timeout, setup_error (the tree could not be
 *          built, or the trace is unsafe), crashed (a task or the worker
 *          died).
 * @message: one line for every status but completed.
 * @steps: one entry per step of the trace, in order.
 * @seconds: wall time of the run, setup and cleanup included.
 */
struct TraceRun {
	enum class Status : std::uint8_t { completed, skipped, timeout, setup_error, crashed };

	Status status = Status::completed;
	std::string message;
	std::vector<StepRun> steps;
	double seconds = 0;
	bool operator==(const TraceRun &) const = default;
};

/* "completed", "skipped"...; "done", "timeout"... */
const char *status_name(TraceRun::Status s);
const char *status_name(StepRun::Status s);

class WorkerClient;

/* The @i-th trace of a stream, and what to do with its result. */
using TraceAt = std::function<const Trace &(std::size_t i)>;
using TraceDone = std::function<void(std::size_t i, TraceRun &&run)>;

/**
 * class Worker - one worker process, running traces one at a time
 *
 * The worker process is started by the constructor.  If it cannot set up
 * its sandbox, error() says why and every run() is a setup_error.  If it
 * dies, the next run() starts a new one.  Not thread-safe: use one Worker
 * per thread.  Destroying the Worker stops the process and removes its
 * scratch directory.
 */
class Worker {
public:
	explicit Worker(const ExecOptions &opts = {});
	~Worker();
	Worker(const Worker &) = delete;
	Worker &operator=(const Worker &) = delete;

	/* Run @trace and report every step; never throws for kernel errors. */
	TraceRun run(const Trace &trace);
	/*
	 * Run @traces in order, one result each, as run() would; faster: the
	 * worker prepares each trace's tree while the previous one runs.
	 */
	std::vector<TraceRun> run_all(std::span<const Trace> traces);
	/*
	 * Run traces 0..@n-1, as run_all() does, and hand each result to
	 * @done as soon as it arrives, in order: the worker runs the next
	 * traces meanwhile, so the caller's work on a result is off the
	 * critical path.  @at may be called more than once for a trace.
	 */
	void run_each(std::size_t n, const TraceAt &at, const TraceDone &done);

	/* Why the worker could not start; empty when it runs. */
	const std::string &error() const;
	/* Whether the worker runs privileged (namespaces, tmpfs). */
	bool privileged() const;
	/* The kernel profile the worker measured at start. */
	const Profile &profile() const;
	/* The worker's scratch directory on the host (mkdtemp). */
	const std::string &scratch_dir() const;
	/* The worker process, or -1. */
	pid_t pid() const;

private:
	std::unique_ptr<WorkerClient> client_;
};

} // namespace lockstep::exec

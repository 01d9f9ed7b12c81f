/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep executor - Driving traces, inside the worker process
 *
 * The worker is the coordinator: it builds a trace's tree, forks the
 * trace's main process, then posts each step to the acting task's mailbox
 * slot and waits for its result before the next one.  At the end (or on a
 * timeout) it kills the trace's process group; it reaps every process (it
 * is a child subreaper, so orphans come back to it) and removes the trace's
 * directory before the next trace's first step.
 *
 * A trace goes through prepare() (checks, directory, tree), execute()
 * (processes and steps) and finally reap() and remove_dir().  The worker
 * loop overlaps these with the neighbouring traces: while a trace's main
 * performs its steps, the worker removes the previous trace's directory and
 * prepares the next one, so that its own work is not on the critical path.
 */
#pragma once

#include "kernel/executor/executor.h"
#include "kernel/executor/mailbox.h"
#include "kernel/executor/plan.h"
#include "kernel/executor/roots.h"

#include <cstdint>
#include <functional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace lockstep::exec {

/**
 * struct WorkerState - the worker process's long-lived state
 *
 * @scratch: the worker's directory (a private tmpfs when privileged).
 * @scratch_fd: an fd on @scratch; traces get subdirectories of it.
 * @fd_base: where main's own fds go (TaskEnv): 60-62, the top of the fd
 *           table a process starts with (64 entries), so that forks copy
 *           no larger table and the trace's own fds start at 3.
 * @mb: two mailboxes: a trace uses the one of its number's parity, so that
 *      the next trace's main can be forked while this one runs.
 * @pid: the worker's own pid.
 * @traces: traces received so far, to name abstract sockets.
 * @roots: root directories, ready for the next traces.
 */
struct WorkerState {
	ExecOptions opts;
	std::string scratch;
	int scratch_fd = -1;
	int fd_base = 60;
	bool privileged = false;
	Profile profile;
	Mailbox *mb[2] = {nullptr, nullptr};
	pid_t pid = -1;
	unsigned long traces = 0;
	RootPool roots;
};

/**
 * struct Prepared - one trace on its way through the worker
 *
 * @out: the result; complete at once when the trace cannot run.
 * @runnable: the plan accepts the trace and its tree is built.
 * @mb: its mailbox (one of WorkerState::mb).
 * @main_pid: the trace's main (and process group), once forked.
 * @start_ns: when the worker received the trace (for @out.seconds).
 */
struct Prepared {
	Trace trace;
	Plan plan;
	TraceRun out;
	TraceDir dir;
	bool runnable = false;
	Mailbox *mb = nullptr;
	pid_t main_pid = -1;
	std::int64_t start_ns = 0;
	unsigned long number = 0;
};

/* Install the SIGCHLD handler that wakes the coordinator (no SA_RESTART). */
void install_sigchld_wakeup(Mailbox *const mb[2]);

/* Check @p.trace, create its directory and build its tree. */
void prepare(WorkerState &w, Prepared &p);

/*
 * start_main() - fork @p's main, which then waits for its first command
 *
 * execute() does it if nobody did before; the worker does it early, while
 * the previous trace runs, to take the fork and main's start off the
 * critical path.  A main that cannot be started makes @p a setup_error.
 */
void start_main(WorkerState &w, Prepared &p);

/**
 * execute() - run a prepared trace; the result is in @p.out
 * @settle: called once main is forked, before its first step: it must
 *          reap the previous trace's processes (their fds, ports and
 *          sockets must be gone before this trace acts).
 * @background: called once while main performs its first steps.
 *
 * When it returns, every process of the trace has been sent SIGKILL.
 */
void execute(WorkerState &w, Prepared &p, const std::function<void()> &settle,
	     const std::function<void()> &background);

/* Wait until every process of @p is dead and reaped. */
void reap(const Prepared &p);

/* Kill and reap @p's main, started but never run (the parent is gone). */
void abandon(const Prepared &p);

/*
 * Whether the next trace must wait for @p's processes to be gone before it
 * acts: they may hold a port, a name or a mount, or be more than main.
 * Otherwise @p's main can die (and its memory be torn down) while the next
 * trace runs.
 */
bool reap_first(const Prepared &p);

/* Reap main @pid (SIGKILLed, of a trace that reap_first() let go) if dead. */
bool reaped(pid_t pid, bool wait);

/* Unmount what @p mounted and give its root back (kept, or emptied). */
void remove_dir(WorkerState &w, Prepared &p);

} // namespace lockstep::exec

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep executor - Driving one trace, inside the worker process
 *
 * The worker is the coordinator: it builds the trace's tree, forks the
 * trace's main process, then posts each step to the acting task's mailbox
 * slot and waits for its result before the next one.  At the end (or on a
 * timeout) it kills the trace's process group, reaps every process (it is a
 * child subreaper, so orphans come back to it), unmounts and removes the
 * trace's directory.
 */
#pragma once

#include "kernel/executor/executor.h"
#include "kernel/executor/mailbox.h"

#include <string>
#include <vector>

namespace lockstep::exec {

/* The trace's directory: "t<N>" in the worker's scratch directory. */
struct TraceDir {
	std::string name;
	std::string path;
	int fd = -1;
};

/**
 * struct Pending - what is left to clean up of the last trace
 *
 * Its processes are killed before the result is sent; reaping them and
 * removing the directory happen after, while the caller reads the result.
 * @tree must stay valid until finish_trace().
 */
struct Pending {
	TraceDir dir;
	const std::vector<TreeEntry> *tree = nullptr;
	bool has_mounts = false;
};

/**
 * struct WorkerState - the worker process's long-lived state
 *
 * @scratch: the worker's directory (a private tmpfs when privileged).
 * @scratch_fd: an fd on @scratch; traces get subdirectories of it.
 * @fd_base: where main's own fds go (TaskEnv): the top of the first 1024.
 * @traces: traces run so far, to name directories and abstract sockets.
 * @pending: the cleanup of the last trace, for finish_trace().
 */
struct WorkerState {
	ExecOptions opts;
	std::string scratch;
	int scratch_fd = -1;
	int fd_base = 1021;
	bool privileged = false;
	Profile profile;
	Mailbox *mb = nullptr;
	unsigned long traces = 0;
	Pending pending;
};

/* Install the SIGCHLD handler that wakes the coordinator (no SA_RESTART). */
void install_sigchld_wakeup(Mailbox *mb);

/*
 * Run @t in @w's scratch directory and report every step.  When it returns,
 * every process of the trace has been sent SIGKILL; call finish_trace()
 * before the next trace (and before @t is destroyed).
 */
TraceRun run_trace(WorkerState &w, const Trace &t);

/* Reap the last trace's processes and remove its directory. */
void finish_trace(WorkerState &w);

} // namespace lockstep::exec

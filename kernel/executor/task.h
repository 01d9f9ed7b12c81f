/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep executor - Tasks: the processes and threads that perform steps
 *
 * `main` is a fresh process forked by the worker for each trace; `fork` and
 * `thread` steps create more tasks from the acting one.  Every task runs the
 * same loop: wait for a command in its mailbox slot, perform it, report.
 * Each process has its own table of fd names (fork copies it, threads share
 * it), exactly like the variables of a real program.
 */
#pragma once

#include "kernel/executor/mailbox.h"
#include "kernel/executor/plan.h"
#include "model/ops.h"

#include <algorithm>
#include <climits>
#include <iterator>
#include <string>
#include <sys/types.h>

namespace lockstep::exec {

/**
 * struct TaskEnv - what every task of a trace shares, set before any fork
 *
 * @root_fd: the trace's root directory; trace paths are resolved beneath it.
 * @pass_send, @pass_recv: the socket pair that carries pass_fd.
 * @abstract_prefix: prepended to abstract UNIX socket names, unique per
 *                   trace, so that concurrent workers never collide.
 * @worker_pid: the worker, parent of main.
 */
struct TaskEnv {
	const Trace *trace = nullptr;
	const Plan *plan = nullptr;
	Mailbox *mb = nullptr;
	int root_fd = -1;
	int pass_send = -1;
	int pass_recv = -1;
	pid_t worker_pid = -1;
	std::string abstract_prefix;
};

/*
 * One process's fd names, indexed by the plan's name ids.  A fixed array
 * on main's stack, not a map: writing it after fork costs no allocation
 * (and no copy-on-write of the heap).
 */
struct Process {
	static constexpr int unbound = INT_MIN;
	int fds[max_fd_names];

	Process() { std::fill(std::begin(fds), std::end(fds), unbound); }
};

/**
 * struct Task - the task running a command
 *
 * @note: set by an operation to explain its outcome, copied to the slot.
 */
struct Task {
	const TaskEnv *env;
	Process *proc;
	int index;
	std::string note;

	Slot &slot(int i) const { return env->mb->slots[i]; }
};

/*
 * Entry point of a trace's main process, in the child of the worker's fork:
 * sets up the process (group, fds, cwd) and serves commands until killed.
 * @env's fds are already in place, at the top of the first 64 (60-62).
 */
[[noreturn]] void run_main_task(const TaskEnv &env);

/* Serve commands as task @index of @proc until killed. */
[[noreturn]] void task_loop(const TaskEnv *env, Process *proc, int index);

/*
 * Signal dispositions of task processes, set once in the worker (fork
 * inherits them): a no-op handler for every signal a trace may send, a
 * crash reporter for faults.  SIGCHLD is left alone.
 */
void setup_task_signals();

} // namespace lockstep::exec

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep executor - The worker process
 *
 * Forked once by a Worker.  As root it enters new mount and network
 * namespaces, makes every mount private, mounts a tmpfs on its scratch
 * directory and brings the loopback interface up: whatever a trace does
 * there is invisible on the host and disappears with the process, even if
 * it is killed.  Unprivileged, it works in the scratch directory as is.
 * It then answers requests (a trace) with results (a TraceRun) until its
 * socket is closed.
 */
#pragma once

#include "kernel/executor/executor.h"

#include <string>
#include <sys/types.h>
#include <vector>

namespace lockstep::exec {

/*
 * The environment of a new worker process: the caller's, plus the marker
 * that makes the re-executed program a worker.  Built before the fork.
 */
std::vector<std::string> worker_environment(pid_t parent);

/*
 * In the child of the parent's fork: re-execute this program
 * (/proc/self/exe) with @envp, so that the worker starts with a small
 * address space of its own rather than a copy of the caller's (every trace
 * forks the worker: a large caller would make each fork slow).  A
 * constructor of this file hands the new program over to worker_main()
 * before its main() runs.  If the exec fails, serves in this process.
 */
[[noreturn]] void become_worker(int control_fd, pid_t parent, char *const envp[]);

/*
 * Read the Setup message on @control_fd, set up the sandbox, send Hello,
 * then serve traces until the socket is closed.  Never returns.
 */
[[noreturn]] void worker_main(int control_fd, pid_t parent);

} // namespace lockstep::exec

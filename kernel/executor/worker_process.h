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

namespace lockstep::exec {

/*
 * Serve traces on @control_fd, in @scratch (an empty directory the parent
 * created and will remove).  Never returns.
 */
[[noreturn]] void worker_main(int control_fd, const ExecOptions &opts,
			      const std::string &scratch, pid_t parent);

} // namespace lockstep::exec

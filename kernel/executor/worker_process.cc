// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep executor - The worker process: sandbox, then serve traces
 */
#include "kernel/executor/worker_process.h"

#include "kernel/executor/driver.h"
#include "kernel/executor/task.h"
#include "kernel/executor/uapi.h"
#include "kernel/executor/wire.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace lockstep::exec {

namespace {

/* Our control socket, at a fixed low number; every other fd is closed. */
constexpr int control = 3;

std::string failure(const std::string &what) { return what + ": " + errno_name(errno); }

/* Bring `lo` up in the fresh network namespace: loopback traces need it. */
std::optional<std::string> loopback_up()
{
	const int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ifreq ifr{};

	if (s < 0)
		return failure("socket for SIOCSIFFLAGS");
	std::snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	const bool ok = ioctl(s, SIOCGIFFLAGS, &ifr) == 0 &&
			((ifr.ifr_flags |= IFF_UP), ioctl(s, SIOCSIFFLAGS, &ifr) == 0);
	const int err = errno;

	close(s);
	errno = err;
	return ok ? std::nullopt : std::optional(failure("bringing lo up"));
}

std::optional<std::string> enter_sandbox(const std::string &scratch)
{
	if (unshare(CLONE_NEWNS | CLONE_NEWNET) != 0)
		return failure("unshare(CLONE_NEWNS|CLONE_NEWNET)");
	if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
		return failure("making / rprivate");
	if (mount("lockstep", scratch.c_str(), "tmpfs", 0, "mode=0755,size=64m") != 0)
		return failure("mounting a tmpfs on " + scratch);
	return loopback_up();
}

/*
 * What every trace process inherits from the worker, set once here rather
 * than in each trace's main: signal dispositions, umask 022, standard
 * streams on /dev/null, and where main's own fds go.
 */
std::optional<std::string> inherited_state(WorkerState &w)
{
	rlimit lim{};
	const int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0)
		return failure("open /dev/null");
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	close(null);
	setup_task_signals();
	umask(022);
	getrlimit(RLIMIT_NOFILE, &lim);
	w.fd_base = static_cast<int>(std::min<rlim_t>(lim.rlim_cur, 1024)) - 3;
	return std::nullopt;
}

/* Set up everything; fills @w and returns the error, if any. */
std::string setup(WorkerState &w, const std::string &scratch)
{
	w.privileged = has_cap_sys_admin();
	w.scratch = scratch;
	w.profile = probe_kernel().profile;
	w.profile.root = w.privileged;
	if (w.privileged)
		if (auto err = enter_sandbox(scratch))
			return *err;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		return failure("PR_SET_CHILD_SUBREAPER");
	w.scratch_fd = open(scratch.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w.scratch_fd < 0)
		return failure("open " + scratch);
	if (auto err = inherited_state(w))
		return *err;
	w.mb = mailbox_create();
	if (!w.mb)
		return failure("mmap of the mailbox");
	install_sigchld_wakeup(w.mb);
	return {};
}

/* Only our control socket survives from the parent's descriptors. */
void close_inherited(int control_fd)
{
	if (control_fd != control) {
		dup2(control_fd, control);
		close(control_fd);
	}
	fcntl(control, F_SETFD, FD_CLOEXEC);
	syscall(uapi::nr_close_range, control + 1, ~0u, 0);
}

} // namespace

void worker_main(int control_fd, const ExecOptions &opts, const std::string &scratch,
		 pid_t parent)
{
	WorkerState w;
	Hello hello;
	sigset_t none;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, nullptr);
	if (getppid() != parent)
		_exit(1);
	close_inherited(control_fd);
	w.opts = opts;
	hello.error = setup(w, scratch);
	hello.privileged = w.privileged;
	hello.profile = w.profile;
	if (!send_message(control, encode(hello)) || !hello.error.empty())
		_exit(1);
	for (std::string request; recv_message(control, request);) {
		Trace t;
		TraceRun r;

		if (decode(request, t)) {
			r = run_trace(w, t);
		} else {
			r.status = TraceRun::Status::setup_error;
			r.message = "worker: malformed request";
		}
		const bool sent = send_message(control, encode(r));

		finish_trace(w);
		if (!sent)
			break;
	}
	_exit(0);
}

} // namespace lockstep::exec

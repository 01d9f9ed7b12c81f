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
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <csignal>
#include <fcntl.h>
#include <memory>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace lockstep::exec {

/* The environment variable that turns a program into a worker. */
constexpr const char *worker_marker = "LOCKSTEP_EXEC_WORKER";

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
 * streams on /dev/null.
 */
std::optional<std::string> inherited_state()
{
	const int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0)
		return failure("open /dev/null");
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	close(null);
	setup_task_signals();
	umask(022);
	return std::nullopt;
}

/* Set up everything; fills @w and returns the error, if any. */
std::string setup(WorkerState &w, const std::string &scratch)
{
	w.pid = getpid();
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
	w.roots = RootPool(w.scratch_fd, scratch);
	if (auto err = inherited_state())
		return *err;
	for (auto &mb : w.mb) {
		mb = mailbox_create();
		if (!mb)
			return failure("mmap of the mailbox");
	}
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

/*
 * A request from the parent, prepared; nullptr at EOF, or when @wait is
 * false and no request is there yet (then @eof says which).
 */
std::unique_ptr<Prepared> receive(WorkerState &w, Channel &ch, bool wait, bool &eof)
{
	std::string request;
	auto p = std::make_unique<Prepared>();
	const Channel::Got got = ch.receive(request, wait ? -1 : 0);

	eof = got == Channel::Got::eof;
	if (got != Channel::Got::message)
		return nullptr;
	if (decode(request, p->trace)) {
		prepare(w, *p);
	} else {
		p->out.status = TraceRun::Status::setup_error;
		p->out.message = "worker: malformed request";
	}
	return p;
}

/*
 * Replies are sent in batches of this many when more requests are waiting:
 * the parent wakes up once per batch, not once per trace.
 */
constexpr std::size_t reply_batch = 8;

/*
 * Mains of earlier traces, SIGKILLed and not yet reaped: a single-process
 * trace that holds nothing another trace could see is not waited for, so
 * that its exit overlaps with the next trace (reap_first()).
 */
struct Dying {
	std::vector<pid_t> pids;

	void add(const Prepared &p)
	{
		if (p.main_pid > 0)
			pids.push_back(p.main_pid);
	}
	/* Reap those already dead; all of them with @wait. */
	void reap(bool wait)
	{
		std::erase_if(pids, [wait](pid_t pid) { return reaped(pid, wait); });
	}
};

/* A few zombies may wait; more means the worker should catch up. */
constexpr std::size_t max_dying = 4;

/*
 * Run requests until the parent closes the socket.  Three traces are in
 * flight: the previous one is reaped once the current one's main exists
 * (or later, see Dying) and removed while it works, and the next one is
 * prepared meanwhile if the parent has already sent it (Worker::run_each()
 * does).
 */
void serve(WorkerState &w, Channel &ch)
{
	bool eof = false;
	Dying dying;
	std::unique_ptr<Prepared> prev, cur = receive(w, ch, true, eof), next;
	const auto finish = [&](Prepared &p) {
		reap(p);
		remove_dir(w, p);
		dying.reap(true);
	};

	while (cur) {
		const auto settle = [&] {
			if (!prev)
				return;
			if (reap_first(*prev)) {
				reap(*prev);
				return;
			}
			dying.add(*prev);
			if (dying.pids.size() > max_dying)
				dying.reap(true);
		};
		const auto background = [&] {
			if (prev)
				remove_dir(w, *prev);
			prev.reset();
			dying.reap(false);
			if (!next && !eof)
				next = receive(w, ch, false, eof);
			if (next)
				start_main(w, *next);
		};

		execute(w, *cur, settle, background);
		if ((ch.queue(encode(cur->out)) >= reply_batch || !next) && !ch.flush()) {
			/* The parent is gone: finish this trace, run no more. */
			eof = true;
			if (next)
				abandon(*next);
			next.reset();
		}
		prev = std::move(cur);
		if (!next && !eof) {
			/* Idle until the next request: clean up first. */
			finish(*prev);
			prev.reset();
			next = receive(w, ch, true, eof);
		}
		cur = std::move(next);
	}
	if (prev)
		finish(*prev);
	dying.reap(true);
}

} // namespace

void worker_main(int control_fd, pid_t parent)
{
	WorkerState w;
	Hello hello;
	Setup setup_msg;
	std::string bytes;
	sigset_t none;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, nullptr);
	if (getppid() != parent)
		_exit(1);
	close_inherited(control_fd);
	Channel ch(control);

	if (ch.receive(bytes, -1) != Channel::Got::message || !decode(bytes, setup_msg))
		_exit(1);
	w.opts.scratch_base = setup_msg.scratch;
	w.opts.step_timeout = std::chrono::milliseconds(setup_msg.step_timeout_ms);
	w.opts.trace_timeout = std::chrono::milliseconds(setup_msg.trace_timeout_ms);
	hello.error = setup(w, setup_msg.scratch);
	hello.privileged = w.privileged;
	hello.profile = w.profile;
	if (!ch.send(encode(hello)) || !hello.error.empty())
		_exit(1);
	serve(w, ch);
	_exit(0);
}

std::vector<std::string> worker_environment(pid_t parent)
{
	std::vector<std::string> env;

	for (char **e = environ; e && *e; e++)
		if (!std::string_view(*e).starts_with(worker_marker))
			env.emplace_back(*e);
	env.push_back(std::string(worker_marker) + "=" + std::to_string(control) + ":" +
		      std::to_string(parent));
	return env;
}

void become_worker(int control_fd, pid_t parent, char *const envp[])
{
	static char name[] = "lockstep-worker";
	char *const argv[] = {name, nullptr};

	/* Only async-signal-safe calls until execve: the caller may have threads. */
	if (control_fd != control) {
		dup2(control_fd, control);
		close(control_fd);
	} else {
		fcntl(control, F_SETFD, 0);
	}
	execve("/proc/self/exe", argv, envp);
	worker_main(control, parent);
}

} // namespace lockstep::exec

namespace {

/*
 * The entry point of a re-executed worker, before main(): every program
 * that links the executor can become a worker.  Priority 101: before the
 * program's own static constructors that have no priority.
 */
__attribute__((constructor(101), used)) void lockstep_exec_worker_entry()
{
	const char *v = std::getenv(lockstep::exec::worker_marker);
	int fd = -1;
	int parent = -1;

	if (!v || std::sscanf(v, "%d:%d", &fd, &parent) != 2)
		return;
	unsetenv(lockstep::exec::worker_marker);
	lockstep::exec::worker_main(fd, static_cast<pid_t>(parent));
}

} // namespace

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep executor - Tasks: fork, thread, signals, fd passing
 */
#include "kernel/executor/ops.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

namespace lockstep::exec {

namespace {

/* The default signal of kill and tkill: ignored by default, harmless. */
int signal_of(const Kill &op) { return op.sig ? op.sig : SIGURG; }

struct ThreadStart {
	const TaskEnv *env;
	Process *proc;
	int index;
};

void *thread_main(void *arg)
{
	const ThreadStart start = *static_cast<ThreadStart *>(arg);

	delete static_cast<ThreadStart *>(arg);
	task_loop(start.env, start.proc, start.index);
}

/* A union keeps the control buffer aligned for struct cmsghdr. */
union FdControl {
	char buf[CMSG_SPACE(sizeof(int))];
	cmsghdr align;
};

} // namespace

Outcome run(Task &t, const Kill &op, std::size_t index)
{
	const Slot &target = t.slot(t.env->plan->other[index]);

	if (op.thread)
		return result(syscall(SYS_tgkill, target.pid, target.tid, signal_of(op)));
	return result(kill(target.pid, signal_of(op)));
}

Outcome run(Task &t, const Fork &, std::size_t index)
{
	const int child = t.env->plan->other[index];
	const pid_t parent = getpid();
	const pid_t pid = fork();

	if (pid < 0)
		return result(-1);
	if (pid == 0) {
		/* Die with the task that forked us, even if the worker is killed. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		task_loop(t.env, t.proc, child);
	}
	wait_ready(t.slot(child));
	return Outcome::ok();
}

Outcome run(Task &t, const Thread &, std::size_t index)
{
	const int child = t.env->plan->other[index];
	auto *start = new ThreadStart{t.env, t.proc, child};
	pthread_attr_t attr;
	pthread_t thread;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 1 << 20);
	const int err = pthread_create(&thread, &attr, thread_main, start);

	pthread_attr_destroy(&attr);
	if (err) {
		delete start;
		return Outcome::error(err);
	}
	wait_ready(t.slot(child));
	return Outcome::ok();
}

Outcome run(Task &t, const PassFd &op, std::size_t)
{
	FdControl control{};
	char byte = 'f';
	iovec iov{&byte, 1};
	msghdr msg{};

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof control.buf;
	cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	const int fd = fd_of(t, op.fd);
	std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
	const Outcome o = result(sendmsg(t.env->pass_send, &msg, 0));

	return o.success() ? Outcome::ok() : o;
}

Outcome receive_passed_fd(Task &t, std::size_t index, bool sent)
{
	const std::string &name = t.env->trace->steps[index].bind;
	FdControl control{};
	char byte;
	iovec iov{&byte, 1};
	msghdr msg{};
	int fd = -1;

	auto bind = [&](int value) {
		if (!name.empty())
			bind_name(t, name, value);
	};
	if (!sent) {
		bind(-1);
		return Outcome::ok();
	}
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof control.buf;
	const long n = recvmsg(t.env->pass_recv, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

	if (n < 0) {
		const Outcome o = result(n);

		bind(-1);
		t.note = "receiving the fd failed";
		return o;
	}
	const cmsghdr *c = CMSG_FIRSTHDR(&msg);

	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
	if (fd < 0)
		t.note = "the message carried no fd";
	bind(fd);
	return fd < 0 ? Outcome::error(EBADMSG) : Outcome::ok();
}

} // namespace lockstep::exec

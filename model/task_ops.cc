// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep model - Tasks and file descriptors
 *
 * [task.fork] A child inherits its parent's domain and a copy of its fd
 * table; [task.thread] a new thread inherits its creator's credentials
 * (domain, no_new_privs) and shares the process's fd table.
 */
#include "model/step.h"
#include "model/supervisor.h"

namespace lockstep {

namespace {

/* Whether any process still has an fd on OpenFile @f. */
bool file_open_anywhere(const State &s, int f)
{
	for (const auto &p : s.processes)
		for (const auto &[fd, file] : p.fds)
			if (file == f)
				return true;
	return false;
}

/* Closing the last fd of a socket releases its port and its name. */
void release(State &s, int f)
{
	if (file_open_anywhere(s, f))
		return;
	const OpenFile &of = s.files[f];
	if (of.kind != FileKind::socket)
		return;
	SocketObj &so = s.sockets[of.socket];
	for (std::size_t i = 0; i < s.files.size(); i++)
		if (static_cast<int>(i) != f && s.files[i].kind == FileKind::socket &&
		    s.files[i].socket == of.socket && file_open_anywhere(s, static_cast<int>(i)))
			return;
	/* [net.tcp.close] no TIME_WAIT: the port is free at once. */
	so.bound = false;
	so.listening = false;
	so.connected = false;
	so.abstract.reset();
}

} // namespace

void op_close(StepCtx &c, const Close &op)
{
	const int fd = c.fd_number(op.fd);
	const int f = c.file_of(fd);

	if (f < 0) {
		c.fail(EBADF);
		return;
	}
	c.proc().fds.erase(fd);
	release(c.s, f);
	sup_teardown(c.s, &c.why);
	c.ok();
}

void op_dup(StepCtx &c, const Dup &op)
{
	const int f = c.file_of(op.fd);

	if (f < 0) {
		c.fail(EBADF);
		return;
	}
	c.new_file = f;
	c.ok();
}

void op_pipe(StepCtx &c, const Pipe &)
{
	OpenFile w;

	w.kind = FileKind::pipe_write;
	w.writable = true;
	w.pipe = static_cast<int>(c.s.pipes.size());
	c.s.pipes.push_back(0);
	c.s.files.push_back(w);
	/*
	 * [trace.bind] The write end stays open in the process, unnamed, with
	 * the number after the read end's (do_pipe2() allocates fds[0] first).
	 */
	c.new_file_2 = static_cast<int>(c.s.files.size()) - 1;
	OpenFile r;
	r.kind = FileKind::pipe_read;
	r.readable = true;
	r.pipe = w.pipe;
	c.add_file(r);
	c.ok();
}

void op_fork(StepCtx &c, const Fork &op)
{
	if (c.s.task_index(op.name)) {
		c.note("a task named " + op.name + " already exists");
		c.fail(EEXIST);
		return;
	}
	Process child = c.proc();
	Task t = c.self();

	t.name = op.name;
	t.process = static_cast<int>(c.s.processes.size());
	child.leader = static_cast<int>(c.s.tasks.size());
	c.s.processes.push_back(child);
	c.s.tasks.push_back(t);
	c.note("[task.fork] " + op.name + " inherits " +
	       std::to_string(t.domain.size()) + " layer(s)");
	c.ok();
}

void op_thread(StepCtx &c, const Thread &op)
{
	if (c.s.task_index(op.name)) {
		c.note("a task named " + op.name + " already exists");
		c.fail(EEXIST);
		return;
	}
	Task t = c.self();

	t.name = op.name;
	c.s.tasks.push_back(t);
	c.note("[task.thread] " + op.name + " inherits " +
	       std::to_string(t.domain.size()) + " layer(s)");
	c.ok();
}

/* [task.pass_fd] SCM_RIGHTS is not restricted by Landlock. */
void op_pass_fd(StepCtx &c, const PassFd &op)
{
	const int f = c.file_of(op.fd);
	const auto to = c.s.task_index(op.to);

	if (!to) {
		c.fail(ESRCH);
		return;
	}
	Process &dst = c.s.processes[c.s.tasks[*to].process];
	if (f < 0) {
		c.fail(EBADF);
		if (!c.step.bind.empty())
			dst.names[c.step.bind] = -1;
		return;
	}
	c.ok();
	const int fd = dst.alloc_fd();
	dst.fds[fd] = f;
	if (!c.step.bind.empty())
		dst.names[c.step.bind] = fd;
}

} // namespace lockstep

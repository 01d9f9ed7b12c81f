// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep executor - Dispatch of steps, and what all operations share
 */
#include "kernel/executor/ops.h"

#include <cerrno>

namespace lockstep::exec {

Outcome result(long ret)
{
	if (ret < 0)
		return Outcome::error(errno);
	return Outcome::ok(ret);
}

int fd_of(Task &t, const std::string &name)
{
	const auto id = t.env->plan->fd_ids.find(name);
	const int fd = id == t.env->plan->fd_ids.end() ? Process::unbound : t.proc->fds[id->second];

	if (fd != Process::unbound)
		return fd;
	/* Bound in another process only: a real program would have no fd. */
	t.note = "'" + name + "' is not bound in this process: using fd -1";
	return -1;
}

int fd_of(Task &t, const FdRef &ref) { return ref.is_raw() ? ref.raw : fd_of(t, ref.name); }

void bind_name(Task &t, const std::string &name, int fd)
{
	const auto id = t.env->plan->fd_ids.find(name);

	if (id != t.env->plan->fd_ids.end())
		t.proc->fds[id->second] = fd;
}

Where where(Task &t, const PathRef &p)
{
	if (!p.at.empty())
		return {fd_of(t, p.at), p.path.c_str()};
	/* The plan checked that p.path starts with '/'. */
	if (p.path == "/")
		return {t.env->root_fd, "."};
	return {t.env->root_fd, p.path.c_str() + 1};
}

Outcome perform_step(Task &t, std::size_t index)
{
	const Step &s = t.env->trace->steps[index];
	const Outcome o = std::visit([&](const auto &op) { return run(t, op, index); }, s.op);

	/* pass_fd binds its name in the receiving task, not here. */
	if (!s.bind.empty() && !std::holds_alternative<PassFd>(s.op))
		bind_name(t, s.bind,
			  o.success() && o.value && returns_fd(s.op) ? static_cast<int>(*o.value)
								     : -1);
	return o;
}

} // namespace lockstep::exec

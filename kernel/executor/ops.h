/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep executor - Performing one operation with raw system calls
 *
 * One run() per operation of model/ops.h, grouped by area in ops_*.cc.  Each
 * makes exactly the system call of conformance/LANGUAGE.md, in the acting
 * task, and returns what the kernel said; the caller binds the step's name.
 */
#pragma once

#include "kernel/executor/task.h"
#include "model/ops.h"

#include <cstddef>
#include <string>
#include <unistd.h>

namespace lockstep::exec {

/* Perform step @index of the trace in @t; binds the step's name. */
Outcome perform_step(Task &t, std::size_t index);
/* The receiving half of pass_fd step @index; @sent: whether the fd was sent. */
Outcome receive_passed_fd(Task &t, std::size_t index, bool sent);

/* A syscall's return value as an outcome (errno when negative). */
Outcome result(long ret);

/* The real fd behind @ref in @t's process (-1 if the name is unbound). */
int fd_of(Task &t, const FdRef &ref);
int fd_of(Task &t, const std::string &name);
/* Bind @name to @fd in @t's process. */
void bind_name(Task &t, const std::string &name, int fd);

/*
 * Where a path argument points: a directory fd and a relative path, which
 * points into the trace itself (no copy: a task allocates as little as it
 * can, each allocation after fork costs copy-on-write faults).
 */
struct Where {
	int dirfd;
	const char *rel;
};
Where where(Task &t, const PathRef &p);

/*
 * Call @fn with a path relative to the current directory, for the system
 * calls that have no *at() form (truncate, mount, UNIX socket addresses):
 * the process's cwd is the trace root, or $D for the time of the call.
 */
template <class F> Outcome with_cwd(Task &t, const PathRef &p, F fn);

#define LOCKSTEP_EXEC_OP(T) Outcome run(Task &t, const T &op, std::size_t index)
LOCKSTEP_EXEC_OP(CreateRuleset);
LOCKSTEP_EXEC_OP(AddRule);
LOCKSTEP_EXEC_OP(RestrictSelf);
LOCKSTEP_EXEC_OP(SetNoNewPrivs);
LOCKSTEP_EXEC_OP(DropCaps);
LOCKSTEP_EXEC_OP(GetSupervisee);
LOCKSTEP_EXEC_OP(Resume);
LOCKSTEP_EXEC_OP(Open);
LOCKSTEP_EXEC_OP(Close);
LOCKSTEP_EXEC_OP(Dup);
LOCKSTEP_EXEC_OP(Pipe);
LOCKSTEP_EXEC_OP(Readdir);
LOCKSTEP_EXEC_OP(Read);
LOCKSTEP_EXEC_OP(Write);
LOCKSTEP_EXEC_OP(Truncate);
LOCKSTEP_EXEC_OP(Ftruncate);
LOCKSTEP_EXEC_OP(Ioctl);
LOCKSTEP_EXEC_OP(Mkdir);
LOCKSTEP_EXEC_OP(Mknod);
LOCKSTEP_EXEC_OP(Symlink);
LOCKSTEP_EXEC_OP(Link);
LOCKSTEP_EXEC_OP(Rename);
LOCKSTEP_EXEC_OP(Unlink);
LOCKSTEP_EXEC_OP(Rmdir);
LOCKSTEP_EXEC_OP(Exec);
LOCKSTEP_EXEC_OP(Mount);
LOCKSTEP_EXEC_OP(Umount);
LOCKSTEP_EXEC_OP(Socket);
LOCKSTEP_EXEC_OP(Bind);
LOCKSTEP_EXEC_OP(Listen);
LOCKSTEP_EXEC_OP(Connect);
LOCKSTEP_EXEC_OP(SendTo);
LOCKSTEP_EXEC_OP(Kill);
LOCKSTEP_EXEC_OP(Fork);
LOCKSTEP_EXEC_OP(Thread);
LOCKSTEP_EXEC_OP(PassFd);
#undef LOCKSTEP_EXEC_OP

/* ---- inline definitions ---- */

template <class F> Outcome with_cwd(Task &t, const PathRef &p, F fn)
{
	const Where w = where(t, p);

	if (p.at.empty())
		return fn(w.rel);
	if (fchdir(w.dirfd) != 0) {
		const Outcome o = result(-1);

		t.note = "fchdir to $" + p.at + " failed";
		return o;
	}
	const Outcome o = fn(w.rel);

	fchdir(t.env->root_fd);
	return o;
}

} // namespace lockstep::exec

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep model - Internal: the context of one step's evaluation
 *
 * Each operation's semantics is a function of a StepCtx: it reads the
 * state, computes the allowed outcomes, calls decide() once, and applies
 * the effects that go with the decided outcome.
 */
#pragma once

#include "model/model.h"

#include <cerrno>
#include <string>

namespace lockstep {

struct StepCtx {
	StepCtx(State &st, const Profile &pr, int t, const Step &sp,
		const std::optional<Outcome> &obs, bool ex)
		: s(st), p(pr), task(t), step(sp), observed(obs), explain(ex)
	{
	}

	State &s;
	const Profile &p;
	int task;
	const Step &step;
	const std::optional<Outcome> &observed;
	bool explain;

	OutcomeSet allowed;
	Outcome chosen;
	bool decided = false;
	std::vector<std::string> why;
	/* OpenFile to install in the task's process on success. */
	int new_file = -1;
	/* pipe(2)'s write end: installed, unnamed, right after new_file. */
	int new_file_2 = -1;
	/* [sup.pause] The step stopped at its interleaving point. */
	bool paused = false;
	/* The step is being finished by "resume", from this saved state. */
	Paused *resume = nullptr;
	/* The step's first path walk is done (only that one can pause). */
	bool walked = false;
	/* The model's FsAuditHook (fuzz/), or null: passed to every check. */
	const FsAuditHook *audit = nullptr;

	/* Record the allowed outcomes and pick the one to follow. */
	const Outcome &decide(const OutcomeSet &set);
	const Outcome &fail(int err) { return decide(Outcome::error(err)); }
	const Outcome &ok() { return decide(Outcome::ok()); }
	void note(std::string line)
	{
		if (explain)
			why.push_back(std::move(line));
	}

	Task &self() { return s.tasks[task]; }
	Process &proc() { return s.processes[s.tasks[task].process]; }
	/* The fd number an FdRef names in the acting task's process. */
	int fd_number(const FdRef &ref);
	/* OpenFile index of an fd number, or -1 (EBADF). */
	int file_of(int fd);
	int file_of(const FdRef &ref) { return file_of(fd_number(ref)); }
	/* Where a PathRef starts: the root, or an fd's directory (or error). */
	bool path_start(const PathRef &ref, VPath &start, int &err);
	Lookup lookup(const PathRef &ref, unsigned flags);
	/*
	 * lookup() for the calls with no *at form (mount(2)'s source, a UNIX
	 * socket's path): the executor names a path relative to $D through
	 * /proc/self/fd/D, where a closed D is no entry (ENOENT, not EBADF).
	 */
	Lookup lookup_via_proc_fd(const PathRef &ref, unsigned flags);
	bool erratum(int n) const { return p.erratum(n) == Erratum::fixed; }
	/* Add an OpenFile and mark it for installation. */
	int add_file(OpenFile f);
};

/* syscalls.cc: the Landlock system calls ([create], [add_rule], [restrict]) */
void op_create_ruleset(StepCtx &c, const CreateRuleset &op);
void op_add_rule(StepCtx &c, const AddRule &op);
void op_restrict_self(StepCtx &c, const RestrictSelf &op);
void op_set_no_new_privs(StepCtx &c, const SetNoNewPrivs &op);
void op_drop_caps(StepCtx &c, const DropCaps &op);

/* fs_ops.cc: files and directories ([fs]) */
void op_open(StepCtx &c, const Open &op);
void op_read(StepCtx &c, const Read &op);
void op_write(StepCtx &c, const Write &op);
void op_readdir(StepCtx &c, const Readdir &op);
void op_truncate(StepCtx &c, const Truncate &op);
void op_ftruncate(StepCtx &c, const Ftruncate &op);
void op_ioctl(StepCtx &c, const Ioctl &op);
void op_mkdir(StepCtx &c, const Mkdir &op);
void op_mknod(StepCtx &c, const Mknod &op);
void op_symlink(StepCtx &c, const Symlink &op);
void op_link(StepCtx &c, const Link &op);
void op_rename(StepCtx &c, const Rename &op);
void op_unlink(StepCtx &c, const Unlink &op);
void op_rmdir(StepCtx &c, const Rmdir &op);
void op_exec(StepCtx &c, const Exec &op);
void op_mount(StepCtx &c, const Mount &op);
void op_umount(StepCtx &c, const Umount &op);

/* net_ops.cc: sockets and signals ([net], [scope]) */
void op_socket(StepCtx &c, const Socket &op);
void op_bind(StepCtx &c, const Bind &op);
void op_listen(StepCtx &c, const Listen &op);
void op_connect(StepCtx &c, const Connect &op);
void op_sendto(StepCtx &c, const SendTo &op);
void op_kill(StepCtx &c, const Kill &op);

/* task_ops.cc: tasks and file descriptors ([task]) */
void op_close(StepCtx &c, const Close &op);
void op_dup(StepCtx &c, const Dup &op);
void op_pipe(StepCtx &c, const Pipe &op);
void op_fork(StepCtx &c, const Fork &op);
void op_thread(StepCtx &c, const Thread &op);
void op_pass_fd(StepCtx &c, const PassFd &op);

/* supervisor.cc: the supervisor extension ([sup]) */
void op_get_supervisee(StepCtx &c, const GetSupervisee &op);
void op_resume(StepCtx &c, const Resume &op);

/* model.cc: evaluate a step again for another task (resume, answers). */
void run_inner(StepCtx &inner);

/* Explanation helpers. */
std::string layer_label(const Layer &l);

} // namespace lockstep

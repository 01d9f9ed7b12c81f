// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep model - The model: a trace in, allowed outcomes out
 */
#include "model/model.h"

#include "model/step.h"
#include "model/supervisor.h"

#include <cerrno>

namespace lockstep {

namespace {

template <class... Ts> struct overloaded : Ts... {
	using Ts::operator()...;
};
/* clang before 17 deduces no aggregate's template arguments (fuzz/ builds with clang-14). */
template <class... Ts> overloaded(Ts...) -> overloaded<Ts...>;

void dispatch(StepCtx &c)
{
	std::visit(overloaded{
			   [&](const CreateRuleset &o) { op_create_ruleset(c, o); },
			   [&](const AddRule &o) { op_add_rule(c, o); },
			   [&](const RestrictSelf &o) { op_restrict_self(c, o); },
			   [&](const SetNoNewPrivs &o) { op_set_no_new_privs(c, o); },
			   [&](const DropCaps &o) { op_drop_caps(c, o); },
			   [&](const Open &o) { op_open(c, o); },
			   [&](const Close &o) { op_close(c, o); },
			   [&](const Dup &o) { op_dup(c, o); },
			   [&](const Pipe &o) { op_pipe(c, o); },
			   [&](const Readdir &o) { op_readdir(c, o); },
			   [&](const Read &o) { op_read(c, o); },
			   [&](const Write &o) { op_write(c, o); },
			   [&](const Truncate &o) { op_truncate(c, o); },
			   [&](const Ftruncate &o) { op_ftruncate(c, o); },
			   [&](const Ioctl &o) { op_ioctl(c, o); },
			   [&](const Mkdir &o) { op_mkdir(c, o); },
			   [&](const Mknod &o) { op_mknod(c, o); },
			   [&](const Symlink &o) { op_symlink(c, o); },
			   [&](const Link &o) { op_link(c, o); },
			   [&](const Rename &o) { op_rename(c, o); },
			   [&](const Unlink &o) { op_unlink(c, o); },
			   [&](const Rmdir &o) { op_rmdir(c, o); },
			   [&](const Exec &o) { op_exec(c, o); },
			   [&](const Mount &o) { op_mount(c, o); },
			   [&](const Umount &o) { op_umount(c, o); },
			   [&](const Socket &o) { op_socket(c, o); },
			   [&](const Bind &o) { op_bind(c, o); },
			   [&](const Listen &o) { op_listen(c, o); },
			   [&](const Connect &o) { op_connect(c, o); },
			   [&](const SendTo &o) { op_sendto(c, o); },
			   [&](const Kill &o) { op_kill(c, o); },
			   [&](const Fork &o) { op_fork(c, o); },
			   [&](const Thread &o) { op_thread(c, o); },
			   [&](const PassFd &o) { op_pass_fd(c, o); },
			   [&](const GetSupervisee &o) { op_get_supervisee(c, o); },
			   [&](const Resume &o) { op_resume(c, o); },
		   },
		   c.step.op);
}

/* [trace.bind] A failed step binds its name to fd -1. */
void bind_result(StepCtx &c)
{
	const std::string &name = c.step.bind;
	Process &proc = c.proc();

	if (!c.decided || c.paused)
		return;
	/*
	 * [trace.bind] An fd is allocated whether or not the step names it: an
	 * unnamed one stays open and takes its number.
	 */
	if (c.chosen.success() && c.new_file >= 0) {
		const int fd = proc.alloc_fd();

		proc.fds[fd] = c.new_file;
		if (!name.empty())
			proc.names[name] = fd;
		if (c.new_file_2 >= 0)
			proc.fds[proc.alloc_fd()] = c.new_file_2;
	} else if (!name.empty() && !std::holds_alternative<PassFd>(c.step.op)) {
		proc.names[name] = -1;
	}
}

StepResult run_step(State &s, const Profile &p, const Step &step,
		    const std::optional<Outcome> &observed, bool explain,
		    const FsAuditHook *audit)
{
	StepResult r;
	const auto task = s.task_index(step.task);

	if (!task) {
		r.allowed = Outcome::error(ESRCH);
		r.chosen = Outcome::error(ESRCH);
		r.why.push_back("no task named " + step.task);
		r.admitted = observed && *observed == r.chosen;
		return r;
	}
	StepCtx c{s, p, *task, step, observed, explain};

	c.audit = audit;

	if (s.tasks[*task].paused && !std::holds_alternative<Resume>(step.op)) {
		c.note(step.task + " is inside a paused step (see resume)");
		c.fail(err_paused);
	} else if (s.tasks[*task].blocked && !std::holds_alternative<Resume>(step.op)) {
		c.note(step.task + " waits for its supervisor (see resume)");
		c.fail(err_blocked);
	} else {
		dispatch(c);
	}
	if (!c.decided)
		c.fail(ENOSYS);
	bind_result(c);
	for (const int t : sup_deadlocked(s, p))
		c.note("[sup.acyclic.deadlock] " + s.tasks[t].name +
		       " waits for an answer that no task can give: deadlock");
	r.allowed = c.allowed;
	r.chosen = c.chosen;
	r.why = std::move(c.why);
	r.admitted = !observed || c.allowed.admits(*observed);
	return r;
}

} // namespace

/*
 * [sup.pause] Finish a paused step: run it again for its task, continuing
 * from the state saved at the pause.  The outcome is the resume step's.
 */
void run_inner(StepCtx &inner)
{
	dispatch(inner);
	if (!inner.decided)
		inner.fail(ENOSYS);
	bind_result(inner);
}

/*
 * [sup.pause] Finish a paused step: run it again for its task, continuing
 * from the state saved at the pause.  [sup.notify.restart] Or report the
 * outcome of a step that waited for its supervisor's answer.  The outcome
 * is the resume step's.
 */
void op_resume(StepCtx &c, const Resume &op)
{
	const auto t = c.s.task_index(op.task);

	if (t && c.s.tasks[*t].blocked) {
		Blocked &b = *c.s.tasks[*t].blocked;

		if (!b.result) {
			c.note("[sup.notify] " + op.task + " still waits for its "
			       "supervisor's answer");
			c.fail(err_blocked);
			return;
		}
		c.why = std::move(b.why);
		c.decide(*b.result);
		c.s.tasks[*t].blocked.reset();
		return;
	}
	if (!t || !c.s.tasks[*t].paused) {
		c.note("[sup.pause] " + op.task + " has no paused step");
		c.fail(EINVAL);
		return;
	}
	Paused saved = std::move(*c.s.tasks[*t].paused);
	c.s.tasks[*t].paused.reset();
	StepCtx inner(c.s, c.p, *t, saved.step, c.observed, c.explain);
	inner.resume = &saved;
	inner.audit = c.audit;
	run_inner(inner);
	c.why = std::move(inner.why);
	c.decide(inner.allowed);
	c.chosen = inner.chosen;
}

std::optional<int> State::task_index(const std::string &name) const
{
	for (std::size_t i = 0; i < tasks.size(); i++)
		if (tasks[i].name == name)
			return static_cast<int>(i);
	return std::nullopt;
}

const Outcome &StepCtx::decide(const OutcomeSet &set)
{
	allowed = set;
	decided = true;
	const Outcome *m = observed ? set.match(*observed) : nullptr;

	/* Follow the kernel when it is right: keep its exact value (an fd). */
	chosen = m ? *observed : set.items().front();
	return chosen;
}

int StepCtx::fd_number(const FdRef &ref)
{
	if (ref.is_raw())
		return ref.raw;
	const auto &names = proc().names;
	const auto it = names.find(ref.name);

	return it == names.end() ? -1 : it->second;
}

int StepCtx::file_of(int fd)
{
	const auto &fds = proc().fds;
	const auto it = fds.find(fd);

	return it == fds.end() ? -1 : it->second;
}

bool StepCtx::path_start(const PathRef &ref, VPath &start, int &err)
{
	if (ref.at.empty()) {
		start = s.vfs.root();
		return true;
	}
	const int f = file_of(FdRef{ref.at, -1});

	if (f < 0) {
		err = EBADF;
		return false;
	}
	const OpenFile &of = s.files[f];
	if (of.kind != FileKind::fs && of.kind != FileKind::path) {
		err = ENOTDIR;
		return false;
	}
	if (!s.vfs.is_dir(of.path)) {
		err = ENOTDIR;
		return false;
	}
	start = of.path;
	return true;
}

Lookup StepCtx::lookup(const PathRef &ref, unsigned flags)
{
	VPath start;
	int err = 0;

	if (!path_start(ref, start, err)) {
		Lookup l;

		l.err = err;
		return l;
	}
	return s.vfs.resolve(start, ref.path, flags);
}

Lookup StepCtx::lookup_via_proc_fd(const PathRef &ref, unsigned flags)
{
	Lookup l = lookup(ref, flags);

	if (!ref.at.empty() && l.err == EBADF)
		l.err = ENOENT;
	return l;
}

int StepCtx::add_file(OpenFile f)
{
	s.files.push_back(std::move(f));
	new_file = static_cast<int>(s.files.size()) - 1;
	return new_file;
}

std::string layer_label(const Layer &l)
{
	return l.label;
}

Model::Model(Profile profile) : profile_(std::move(profile))
{
	Task main;

	main.name = "main";
	main.process = 0;
	main.caps = profile_.root;
	state_.tasks.push_back(main);
	state_.processes.push_back(Process{});
}

std::vector<Profile> concrete_profiles(const Profile &p)
{
	std::vector<Profile> out{p};

	for (int i = 0; i < num_errata; i++) {
		if (p.errata[i] != Erratum::unknown)
			continue;
		std::vector<Profile> next;

		for (auto q : out) {
			q.errata[i] = Erratum::fixed;
			next.push_back(q);
			q.errata[i] = Erratum::not_fixed;
			next.push_back(q);
		}
		out = std::move(next);
	}
	return out;
}

/*
 * [profile.errata] An unknown erratum allows the outcomes of both
 * behaviours: the step is evaluated in each world and the world whose
 * outcomes admit the observed one is kept.
 */
StepResult Model::step(const Step &step, const std::optional<Outcome> &observed)
{
	const auto worlds = concrete_profiles(profile_);
	const FsAuditHook *audit = fs_audit_ ? &fs_audit_ : nullptr;

	if (worlds.size() == 1)
		return run_step(state_, profile_, step, observed, explain_, audit);

	StepResult merged;
	std::optional<State> keep;

	for (const auto &w : worlds) {
		State copy = state_;
		StepResult r = run_step(copy, w, step, observed, explain_, audit);

		merged.allowed.merge(r.allowed);
		if (!keep && (!observed || r.allowed.admits(*observed))) {
			keep = std::move(copy);
			merged.chosen = r.chosen;
			merged.why = std::move(r.why);
		}
	}
	if (!keep) {
		keep = state_;
		StepResult r = run_step(*keep, worlds.front(), step, observed, explain_,
					audit);

		merged.chosen = r.chosen;
		merged.why = std::move(r.why);
	}
	merged.admitted = !observed || merged.allowed.admits(*observed);
	state_ = std::move(*keep);
	return merged;
}

} // namespace lockstep

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep model - The supervisor extension (mutable domains)
 */
#include "model/supervisor.h"

#include <algorithm>

namespace lockstep {

namespace {

/* [sup.intersect] AND the rule's access; drop a rule left empty. */
template <class Map, class Key>
void intersect_rule(Map &map, const Key &key, AccessMask access)
{
	auto it = map.find(key);

	if (it == map.end())
		return;
	it->second.access &= access;
	if (!it->second.access)
		map.erase(it);
}

void apply_rule(Rules &rules, InodeId inode, std::uint16_t port,
		AccessMask access, bool quiet, bool intersect)
{
	if (intersect) {
		if (inode >= 0)
			intersect_rule(rules.fs, inode, access);
		else
			intersect_rule(rules.net, port, access);
		return;
	}
	RuleAccess &r = inode >= 0 ? rules.fs[inode] : rules.net[port];
	r.access |= access;
	r.quiet = r.quiet || quiet;
}

/* Whether task @t's domain has a layer supervised by supervisor @sup. */
bool supervised_by(const Task &t, int sup)
{
	for (const auto &l : t.domain.layers)
		if (l->supervisor == sup)
			return true;
	return false;
}

std::vector<int> layer_ids(const Domain &d)
{
	std::vector<int> ids;

	for (const auto &l : d.layers)
		ids.push_back(l->id);
	return ids;
}

/* One rule change of a commit, in the order commit=in-place applies them. */
struct Change {
	bool net = false;
	InodeId inode = -1;
	std::uint16_t port = 0;
	std::optional<RuleAccess> to; /* nullopt: remove */
};

template <class Map, class Fn>
void diff_map(const Map &from, const Map &to, Fn emit)
{
	std::vector<typename Map::key_type> keys;

	for (const auto &[k, v] : from)
		keys.push_back(k);
	for (const auto &[k, v] : to)
		if (!from.count(k))
			keys.push_back(k);
	std::sort(keys.begin(), keys.end());
	for (const auto &k : keys) {
		const auto a = from.find(k);
		const auto b = to.find(k);

		if (b == to.end())
			emit(k, std::optional<RuleAccess>{});
		else if (a == from.end() || !(a->second == b->second))
			emit(k, std::optional<RuleAccess>{b->second});
	}
}

/*
 * The changes turning @from into @to: filesystem rules by inode (creation
 * order), then net rules by port.
 */
std::vector<Change> diff_rules(const Rules &from, const Rules &to)
{
	std::vector<Change> out;

	diff_map(from.fs, to.fs, [&](InodeId k, std::optional<RuleAccess> v) {
		out.push_back(Change{false, k, 0, v});
	});
	diff_map(from.net, to.net, [&](std::uint16_t k, std::optional<RuleAccess> v) {
		out.push_back(Change{true, -1, k, v});
	});
	return out;
}

void apply_change(Rules &rules, const Change &ch)
{
	if (ch.net) {
		if (ch.to)
			rules.net[ch.port] = *ch.to;
		else
			rules.net.erase(ch.port);
	} else {
		if (ch.to)
			rules.fs[ch.inode] = *ch.to;
		else
			rules.fs.erase(ch.inode);
	}
}

/* Stop the acting task's step here; "resume" finishes it ([sup.pause]). */
void pause_step(StepCtx &c, Paused p)
{
	p.step = c.step;
	c.self().paused = std::move(p);
	c.paused = true;
	c.decide(Outcome::error(err_paused));
}

/*
 * [sup.commit] Publish the staged rules.  commit=copy-swap builds a new
 * ruleset and publishes it in one step (a pause inside the commit shows
 * nothing); commit=in-place edits the live ruleset one rule at a time (a
 * pause after K changes shows them half-applied).  Returns false when the
 * step failed or paused.
 */
bool commit(StepCtx &c, int sup_id)
{
	if (!sup_valid_responder(c.s, c.p, c.task, sup_id)) {
		c.note(c.p.variants.acyclic == AcyclicVariant::commit_outside
			       ? "[sup.acyclic.commit_outside] the committing task is "
				 "inside a domain this supervisor supervises"
			       : "[sup.acyclic.bind] the committing task is not in the "
				 "domain that created the supervisor");
		c.fail(EPERM);
		return false;
	}
	Supervisor &s = c.s.supervisors[sup_id];
	const bool pausing = c.step.pause && !c.resume;

	if (c.p.variants.commit == CommitVariant::copy_swap) {
		if (pausing) {
			c.note("[sup.commit.copy_swap] commit paused while copying: "
			       "nothing is visible yet");
			pause_step(c, Paused{});
			return false;
		}
		s.published.push_back(s.staged);
		s.current = static_cast<int>(s.published.size()) - 1;
		c.note("[sup.commit.copy_swap] new committed ruleset published: " +
		       std::to_string(s.staged.fs.size()) + " fs and " +
		       std::to_string(s.staged.net.size()) + " net rules");
		return true;
	}
	if (s.current < 0) {
		s.published.emplace_back();
		s.current = 0;
	}
	const auto changes = diff_rules(s.published[s.current], s.staged);
	for (std::size_t i = 0; i < changes.size(); i++) {
		if (pausing && static_cast<int>(i) == *c.step.pause) {
			c.note("[sup.commit.in_place] paused after " + std::to_string(i) +
			       " of " + std::to_string(changes.size()) +
			       " rule changes, which are already live");
			pause_step(c, Paused{});
			return false;
		}
		apply_change(c.s.supervisors[sup_id].published[s.current], changes[i]);
	}
	c.note("[sup.commit.in_place] " + std::to_string(changes.size()) +
	       " rule changes applied to the live ruleset");
	return true;
}

} // namespace

bool sup_is_create_flags(std::uint32_t flags)
{
	return (flags & create_flag::supervisor) &&
	       !(flags & ~(create_flag::supervisor |
			   create_flag::supervisor_notification));
}

void sup_create(StepCtx &c, Ruleset &rs, std::uint32_t flags)
{
	Supervisor sup;

	sup.handled = rs.handled;
	sup.notify = flags & create_flag::supervisor_notification;
	sup.label = rs.label;
	sup.creator_layers = layer_ids(c.self().domain);
	c.s.supervisors.push_back(sup);
	rs.supervisor = static_cast<int>(c.s.supervisors.size()) - 1;
	rs.is_supervisor = true;
	c.s.rulesets.push_back(rs);
	c.add_file(OpenFile::of_ruleset(static_cast<int>(c.s.rulesets.size()) - 1));
	c.note("[sup.create] supervisor ruleset: nothing committed yet, so its "
	       "supervisees see no supervisor rule");
	c.ok();
}

bool sup_add_rule_special(StepCtx &c, const AddRule &op, Ruleset &rs)
{
	const bool commit_flag = op.flags & rule_flag::commit_supervisor;

	if (commit_flag && !rs.is_supervisor) {
		c.note("[sup.commit.flag] COMMIT on a ruleset that is not a supervisor");
		c.fail(EINVAL);
		return true;
	}
	if (op.type != rule_type::none)
		return false;
	if (!commit_flag || !op.attr_null) {
		c.note("[sup.commit.only] rule type 0 is only a commit-only call "
		       "(COMMIT and a NULL attr)");
		c.fail(EINVAL);
		return true;
	}
	if (commit(c, rs.supervisor))
		c.ok();
	return true;
}

bool sup_add_rule(StepCtx &c, const AddRule &op, Ruleset &rs, InodeId inode,
		  std::uint16_t port)
{
	const bool intersect = op.flags & rule_flag::intersect;
	const bool quiet = op.flags & rule_flag::quiet;

	if (!rs.is_supervisor) {
		if (!intersect)
			return false;
		apply_rule(rs.rules, inode, port, op.allowed, quiet, true);
		c.note("[sup.intersect] rule narrowed (removed if now empty)");
		c.ok();
		return true;
	}
	Supervisor &s = c.s.supervisors[rs.supervisor];
	if (!c.resume)
		apply_rule(s.staged, inode, port, op.allowed, quiet, intersect);
	c.note(intersect ? "[sup.intersect] staged rule narrowed, not visible until "
			   "a commit"
			 : "[sup.stage] rule staged, not visible until a commit");
	if ((op.flags & rule_flag::commit_supervisor) && !commit(c, rs.supervisor))
		return true;
	c.ok();
	return true;
}

bool sup_valid_responder(const State &s, const Profile &p, int t, int sup)
{
	const Task &task = s.tasks[t];

	switch (p.variants.acyclic) {
	case AcyclicVariant::none:
		return true;
	case AcyclicVariant::commit_outside:
		return !supervised_by(task, sup);
	case AcyclicVariant::bind_on_first_use:
		return layer_ids(task.domain) == s.supervisors[sup].creator_layers;
	}
	return true;
}

int sup_check_restrict(StepCtx &c, Ruleset &rs)
{
	if (rs.is_supervisor) {
		c.note("[sup.restrict.ebadfd] restrict_self() refuses a supervisor "
		       "ruleset fd");
		return EBADFD;
	}
	if (rs.supervisor < 0 || c.p.variants.acyclic != AcyclicVariant::bind_on_first_use)
		return 0;
	/*
	 * [sup.acyclic.bind] A supervisee is bound to the first domain that
	 * enforces it, which must nest in the supervisor's creating domain.
	 */
	if (rs.consumed) {
		c.note("[sup.acyclic.bind] this supervisee was already enforced");
		return EPERM;
	}
	const auto mine = layer_ids(c.self().domain);
	const auto &creator = c.s.supervisors[rs.supervisor].creator_layers;
	if (mine.size() < creator.size() ||
	    !std::equal(creator.begin(), creator.end(), mine.begin())) {
		c.note("[sup.acyclic.bind] the new domain would not nest in the "
		       "supervisor's domain");
		return EPERM;
	}
	rs.consumed = true;
	return 0;
}

std::vector<const Rules *> sup_committed(const State &s, const Domain &d)
{
	std::vector<const Rules *> out;
	bool any = false;

	for (const auto &l : d.layers) {
		const Rules *r = nullptr;

		if (l->supervisor >= 0) {
			const Supervisor &sup = s.supervisors[l->supervisor];

			if (sup.current >= 0)
				r = &sup.published[sup.current];
		}
		any = any || r;
		out.push_back(r);
	}
	if (!any)
		out.clear();
	return out;
}

namespace {

std::vector<int> snapshot_of(const State &s, const Domain &d)
{
	std::vector<int> snap;

	for (const auto &l : d.layers)
		snap.push_back(l->supervisor >= 0 ? s.supervisors[l->supervisor].current
						  : -1);
	return snap;
}

std::vector<const Rules *> rules_at(const State &s, const Domain &d,
				    const std::vector<int> &snap)
{
	std::vector<const Rules *> out;

	for (std::size_t i = 0; i < d.size(); i++) {
		const int sup = d[i].supervisor;

		out.push_back(sup >= 0 && snap[i] >= 0
				      ? &s.supervisors[sup].published[snap[i]]
				      : nullptr);
	}
	return out;
}

/* One dentry of the walk, reading the rules the check variant says. */
void walk_one(StepCtx &c, FsWalk &w, const Domain &d, const std::vector<int> &snap)
{
	if (c.p.variants.check == CheckVariant::per_step)
		fs_walk_step(w, c.s.vfs, d, sup_committed(c.s, d));
	else
		fs_walk_step(w, c.s.vfs, d, rules_at(c.s, d, snap));
}

/* Hand a finished walk to the test harness's audit (FsAudit). */
void audit_walk(StepCtx &c, const FsWalk &w, const Domain &d,
		const std::vector<int> &snap, const VPath &start,
		const LayerMasks &initial, bool resumed)
{
	const auto extra = c.p.variants.check == CheckVariant::per_step
				   ? sup_committed(c.s, d)
				   : rules_at(c.s, d, snap);
	FsAudit a;

	a.vfs = &c.s.vfs;
	a.domain = &d;
	a.extra = extra;
	a.erratum3_fixed = w.erratum3_fixed;
	a.start = start;
	a.initial = initial;
	a.walk = &w;
	a.resumed = resumed;
	(*c.audit)(a);
}

} // namespace

std::optional<FsWalk> sup_walk(StepCtx &c, const VPath &path, AccessMask request)
{
	const Domain &d = c.self().domain;
	FsWalk w;
	std::vector<int> snap;
	bool resumed = false;

	if (c.resume && c.resume->in_walk) {
		/* [sup.pause] Continue the walk saved at the pause. */
		resumed = true;
		w = std::move(c.resume->walk);
		snap = std::move(c.resume->snapshot);
		c.resume->in_walk = false;
		c.note("[sup.pause] resumed after " + std::to_string(w.next) +
		       " walk steps");
	} else {
		w = start_fs_walk(c.s.vfs, d, path, request, c.erratum(3), c.explain);
		/* [sup.check.snapshot] capture every layer's committed ruleset. */
		snap = snapshot_of(c.s, d);
		if (c.step.pause && !c.resume && !c.walked) {
			c.walked = true;
			while (!w.done() && static_cast<int>(w.next) < *c.step.pause)
				walk_one(c, w, d, snap);
			Paused p;
			p.in_walk = true;
			p.walk = std::move(w);
			p.snapshot = std::move(snap);
			c.note("[sup.pause] paused after " + std::to_string(p.walk.next) +
			       " walk steps");
			pause_step(c, std::move(p));
			return std::nullopt;
		}
	}
	c.walked = true;
	const LayerMasks initial = resumed ? init_fs_masks(d, request) : w.masks;
	while (!w.done())
		walk_one(c, w, d, snap);
	if (c.audit && *c.audit)
		audit_walk(c, w, d, snap, path, initial, resumed);
	return w;
}

std::optional<int> sup_optional_recheck(StepCtx &c, const OpenFile &f,
					AccessMask right)
{
	const Domain &d = f.opener;
	bool supervised = false;

	if (c.p.variants.optional != OptionalVariant::operation_time)
		return std::nullopt;
	for (const auto &l : d.layers)
		supervised = supervised || (l->supervisor >= 0 &&
					    (layer_fs_handled(*l) & right));
	if (!supervised)
		return std::nullopt;
	const auto extra = sup_committed(c.s, d);
	FsWalk w = start_fs_walk(c.s.vfs, d, f.path, right, c.erratum(3));

	fs_walk_finish(w, c.s.vfs, d, extra, c.audit);
	c.note("[sup.optional.operation_time] " + format_fs(right) +
	       " checked again now, against the committed supervisor rules");
	for (auto &line : explain_fs_walk(w, c.s.vfs, d))
		c.note("  " + line);
	return w.allowed() ? 0 : EACCES;
}

void op_get_supervisee(StepCtx &c, const GetSupervisee &op)
{
	const int f = c.file_of(op.fd);

	/* [sup.ioctl] ioctl(2)'s fdget() does not return O_PATH files. */
	if (f < 0 || c.s.files[f].kind == FileKind::path) {
		c.fail(EBADF);
		return;
	}
	const OpenFile &of = c.s.files[f];
	if (of.kind != FileKind::ruleset || !c.s.rulesets[of.ruleset].is_supervisor) {
		c.note("[sup.ioctl] not a supervisor ruleset: no such ioctl");
		c.fail(ENOTTY);
		return;
	}
	if (op.flags) {
		c.note("[sup.ioctl] flags must be 0");
		c.fail(EINVAL);
		return;
	}
	Ruleset supervisee;
	const Ruleset &sup = c.s.rulesets[of.ruleset];
	supervisee.handled = sup.handled;
	supervisee.supervisor = sup.supervisor;
	supervisee.label = "supervisee of " + sup.label;
	c.s.rulesets.push_back(supervisee);
	c.add_file(OpenFile::of_ruleset(static_cast<int>(c.s.rulesets.size()) - 1));
	c.note("[sup.ioctl] a supervisee ruleset (no rules of its own yet), "
	       "linked to its supervisor");
	c.ok();
}

} // namespace lockstep

namespace lockstep {

namespace {

/* Tasks that may answer supervisor @sup: in a process holding its fd. */
std::vector<int> responders(const State &s, const Profile &p, int sup)
{
	std::vector<int> out;

	for (std::size_t t = 0; t < s.tasks.size(); t++) {
		const Process &proc = s.processes[s.tasks[t].process];
		bool holds = false;

		for (const auto &[fd, f] : proc.fds) {
			const OpenFile &of = s.files[f];

			holds = holds || (of.kind == FileKind::ruleset &&
					  s.rulesets[of.ruleset].is_supervisor &&
					  s.rulesets[of.ruleset].supervisor == sup);
		}
		if (holds && sup_valid_responder(s, p, static_cast<int>(t), sup))
			out.push_back(static_cast<int>(t));
	}
	return out;
}

bool holders_left(const State &s, int sup)
{
	for (const auto &proc : s.processes)
		for (const auto &[fd, f] : proc.fds) {
			const OpenFile &of = s.files[f];

			if (of.kind == FileKind::ruleset && of.ruleset >= 0 &&
			    s.rulesets[of.ruleset].is_supervisor &&
			    s.rulesets[of.ruleset].supervisor == sup)
				return true;
		}
	return false;
}

int supervisor_of_file(const State &s, const OpenFile &f)
{
	if (f.kind != FileKind::ruleset || f.ruleset < 0 ||
	    !s.rulesets[f.ruleset].is_supervisor)
		return -1;
	return s.rulesets[f.ruleset].supervisor;
}

} // namespace

int sup_denial(StepCtx &c, const LayerMasks &m, const Domain &d, bool net,
	       const std::string &object)
{
	int youngest = -1;

	for (std::size_t i = 0; i < m.n; i++)
		if (m.denied[i])
			youngest = static_cast<int>(i);
	if (youngest < 0 || d[youngest].supervisor < 0)
		return EACCES;
	const Layer &l = d[youngest];
	Supervisor &sup = c.s.supervisors[l.supervisor];
	const AccessMask quiet = net ? l.handled.quiet_net : l.handled.quiet_fs;

	if (!sup.notify) {
		c.note("[sup.notify.off] layer " + std::to_string(youngest + 1) +
		       "'s supervisor has no notifications: denied");
		return EACCES;
	}
	if (m.quiet[youngest] && (m.denied[youngest] & ~quiet) == 0) {
		c.note("[sup.notify.quiet] the object is quiet for layer " +
		       std::to_string(youngest + 1) + ": denied without an event");
		return EACCES;
	}
	if (responders(c.s, c.p, l.supervisor).empty()) {
		c.note("[sup.notify.nobody] no task can answer layer " +
		       std::to_string(youngest + 1) + "'s supervisor: denied at once");
		return EACCES;
	}
	Event ev;
	ev.id = sup.next_event++;
	ev.task = c.task;
	ev.access = m.denied[youngest];
	ev.net = net;
	ev.object = object;
	sup.queued.push_back(ev);
	Blocked b;
	b.supervisor = l.supervisor;
	b.event = ev.id;
	b.step = c.step;
	c.self().blocked = b;
	c.note("[sup.notify.youngest] event " + std::to_string(ev.id) + " to layer " +
	       std::to_string(youngest + 1) + "'s supervisor (" + sup.label + "): " +
	       (net ? format_net(ev.access) : format_fs(ev.access)) + " on " + object +
	       "; the task waits for the answer");
	return err_blocked;
}

bool sup_read_event(StepCtx &c, const OpenFile &f)
{
	const int id = supervisor_of_file(c.s, f);

	if (id < 0)
		return false;
	Supervisor &sup = c.s.supervisors[id];
	if (!sup.notify) {
		c.fail(EINVAL);
		return true;
	}
	if (!sup_valid_responder(c.s, c.p, c.task, id)) {
		c.note("[sup.acyclic] this task may not act as this supervisor");
		c.fail(EPERM);
		return true;
	}
	if (sup.queued.empty()) {
		c.note("[sup.notify.read] no event queued (the fd does not block)");
		c.fail(EAGAIN);
		return true;
	}
	const Event ev = sup.queued.front();
	sup.queued.erase(sup.queued.begin());
	sup.read.push_back(ev);
	c.note("[sup.notify.event] event " + std::to_string(ev.id) + " from " +
	       c.s.tasks[ev.task].name + ": " +
	       (ev.net ? format_net(ev.access) : format_fs(ev.access)) + " on " +
	       ev.object);
	c.ok();
	return true;
}

bool sup_answer_event(StepCtx &c, const OpenFile &f)
{
	const int id = supervisor_of_file(c.s, f);

	if (id < 0)
		return false;
	Supervisor &sup = c.s.supervisors[id];
	if (!sup.notify) {
		c.fail(EINVAL);
		return true;
	}
	if (!sup_valid_responder(c.s, c.p, c.task, id)) {
		c.note("[sup.acyclic] this task may not act as this supervisor");
		c.fail(EPERM);
		return true;
	}
	if (sup.read.empty()) {
		c.note("[sup.notify.answer] no event read and unanswered");
		c.fail(EINVAL);
		return true;
	}
	const Event ev = sup.read.front();
	sup.read.erase(sup.read.begin());
	Task &t = c.s.tasks[ev.task];
	if (!t.blocked || t.blocked->event != ev.id) {
		c.ok();
		return true;
	}
	/* [sup.notify.restart] The denied step runs again, with today's rules. */
	const Step step = t.blocked->step;
	/* Nothing observed; a named object: StepCtx keeps a reference to it. */
	const std::optional<Outcome> unobserved;

	t.blocked.reset();
	StepCtx inner(c.s, c.p, ev.task, step, unobserved, c.explain);
	inner.audit = c.audit;
	run_inner(inner);
	if (c.s.tasks[ev.task].blocked) {
		c.note("[sup.notify.restart] event " + std::to_string(ev.id) +
		       " answered; " + c.s.tasks[ev.task].name +
		       " was denied again and waits anew");
	} else {
		Blocked done;
		done.step = step;
		done.result = inner.chosen;
		done.why = std::move(inner.why);
		c.s.tasks[ev.task].blocked = std::move(done);
		c.note("[sup.notify.restart] event " + std::to_string(ev.id) +
		       " answered; " + c.s.tasks[ev.task].name + "'s step now gives " +
		       format_outcome(inner.chosen) + " (see resume)");
	}
	c.ok();
	return true;
}

void sup_teardown(State &s, std::vector<std::string> *why)
{
	for (std::size_t id = 0; id < s.supervisors.size(); id++) {
		Supervisor &sup = s.supervisors[id];

		if (sup.queued.empty() && sup.read.empty())
			continue;
		if (holders_left(s, static_cast<int>(id)))
			continue;
		for (auto &t : s.tasks) {
			if (!t.blocked || t.blocked->result ||
			    t.blocked->supervisor != static_cast<int>(id))
				continue;
			t.blocked->result = Outcome::error(EACCES);
			if (why)
				why->push_back("[sup.notify.teardown] " + t.name +
					       "'s pending event is denied: nobody holds " +
					       sup.label + " any more");
		}
		sup.queued.clear();
		sup.read.clear();
	}
}

namespace {

/* Whether process @proc holds an fd of supervisor @sup. */
bool process_holds(const State &s, const Process &proc, int sup)
{
	for (const auto &[fd, f] : proc.fds)
		if (supervisor_of_file(s, s.files[f]) == sup)
			return true;
	return false;
}

/*
 * [sup.acyclic.deadlock] Whether tasks that can still act (@live) can
 * release a wait for supervisor @sup: answer it (a live task that may act
 * as the supervisor, once it holds the fd: a live holder can pass the fd to
 * it with SCM_RIGHTS), or make the supervisor go away (every process
 * holding its fd has a live task, which can close it:
 * [sup.notify.teardown]).
 */
bool releasable(const State &s, const Profile &p, int sup,
		const std::vector<bool> &live)
{
	bool live_holder = false, every_holder_live = true, live_responder = false;

	for (const auto &proc : s.processes) {
		bool any = false;

		if (!process_holds(s, proc, sup))
			continue;
		for (std::size_t t = 0; t < s.tasks.size(); t++)
			any = any || (live[t] && &s.processes[s.tasks[t].process] == &proc);
		live_holder = live_holder || any;
		every_holder_live = every_holder_live && any;
	}
	for (std::size_t t = 0; t < s.tasks.size(); t++)
		live_responder = live_responder ||
				 (live[t] && sup_valid_responder(s, p, static_cast<int>(t), sup));
	return every_holder_live || (live_holder && live_responder);
}

} // namespace

/*
 * [sup.acyclic.deadlock] A waiting task is deadlocked when no task that can
 * act will ever release it (releasable()).  A task that merely has nobody
 * to answer it now is not: a supervisor that restricted itself further can
 * still close its fd, or pass it to a task that may answer.  The tasks
 * that can act are found as a fixpoint, so that what is left is a cycle of
 * waits (or waits on one).
 */
std::vector<int> sup_deadlocked(const State &s, const Profile &p)
{
	const std::size_t n = s.tasks.size();
	std::vector<bool> live(n, false);
	bool changed = true;

	for (std::size_t t = 0; t < n; t++)
		live[t] = !s.tasks[t].blocked || s.tasks[t].blocked->result.has_value();
	while (changed) {
		changed = false;
		for (std::size_t t = 0; t < n; t++) {
			if (live[t] || !releasable(s, p, s.tasks[t].blocked->supervisor, live))
				continue;
			live[t] = true;
			changed = true;
		}
	}
	std::vector<int> out;
	for (std::size_t t = 0; t < n; t++)
		if (!live[t])
			out.push_back(static_cast<int>(t));
	return out;
}

/*
 * [sup.acyclic] The wait-for graph: a waiting task waits for every task
 * that may answer its supervisor and holds its fd.  Waiting tasks on a
 * cycle of waits, or waiting for one, are what is left once the waiting
 * tasks that wait for no waiting task are removed, repeatedly.  With
 * @one_supervisor only waits between waiters of the same supervisor count:
 * a cycle of those is self-supervision.
 */
std::vector<int> sup_wait_cycle(const State &s, const Profile &p, bool one_supervisor)
{
	const std::size_t n = s.tasks.size();
	std::vector<bool> in(n);
	bool changed = true;
	const auto waits = [&](std::size_t t) {
		return s.tasks[t].blocked && !s.tasks[t].blocked->result;
	};

	for (std::size_t t = 0; t < n; t++)
		in[t] = waits(t);
	while (changed) {
		changed = false;
		for (std::size_t t = 0; t < n; t++) {
			const int sup = in[t] ? s.tasks[t].blocked->supervisor : -1;
			bool waits_for_one = false;

			if (!in[t])
				continue;
			for (const int u : responders(s, p, sup))
				waits_for_one = waits_for_one ||
						(in[u] && (!one_supervisor ||
							   s.tasks[u].blocked->supervisor == sup));
			if (!waits_for_one) {
				in[t] = false;
				changed = true;
			}
		}
	}
	std::vector<int> out;
	for (std::size_t t = 0; t < n; t++)
		if (in[t])
			out.push_back(static_cast<int>(t));
	return out;
}

} // namespace lockstep

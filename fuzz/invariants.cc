// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep fuzz - The model's internal invariants
 */
#include "fuzz/invariants.h"

#include "fuzz/harness.h"

#include <algorithm>
#include <cerrno>

namespace lockstep::fuzz {

namespace {

std::string layer_name(std::size_t i) { return "layer " + std::to_string(i + 1); }

/* What layer @i's own rules and @extra grant on @ino. */
AccessMask granted_on(const Domain &d, ExtraRules extra, std::size_t i, InodeId ino)
{
	AccessMask g = 0;
	const auto &own = d[i].rules.fs;

	if (const auto it = own.find(ino); it != own.end())
		g |= it->second.access;
	if (i < extra.size() && extra[i])
		if (const auto it = extra[i]->fs.find(ino); it != extra[i]->fs.end())
			g |= it->second.access;
	return g;
}

/* Everything layer @i could ever be granted, anywhere. */
AccessMask granted_anywhere(const Domain &d, const Rules *ever, std::size_t i)
{
	AccessMask g = 0;

	for (const auto &[ino, r] : d[i].rules.fs)
		g |= r.access;
	if (ever)
		for (const auto &[ino, r] : ever->fs)
			g |= r.access;
	return g;
}

/*
 * Every dentry a refer check may read for the side of @dir: its d_parent
 * chain to the root of its filesystem, and the walk from the mount's root
 * up (both erratum 3 behaviours): a superset, for an upper bound.
 */
std::vector<VPath> refer_side(const Vfs &vfs, VPath dir)
{
	std::vector<VPath> out;
	bool disconnected = false;

	for (int guard = 0; guard < 10000; guard++) {
		out.push_back(dir);
		if (vfs.is_fs_root(dir.dentry))
			break;
		dir.dentry = vfs.dentry(dir.dentry).parent;
	}
	const VPath root{dir.mnt, vfs.mount(dir.mnt).root};
	for (const bool e3 : {true, false})
		for (const auto &p : walk_sequence(vfs, root, e3, &disconnected))
			out.push_back(p);
	return out;
}

AccessMask remove_right(const Vfs &vfs, DentryId d)
{
	if (d < 0)
		return 0;
	return vfs.inode(vfs.dentry(d).inode).type == FileType::dir ? fs::remove_dir
								    : fs::remove_file;
}

/* The make right of @d's type, where no erratum changes it. */
AccessMask make_right(const Vfs &vfs, DentryId d)
{
	const FileType t = vfs.inode(vfs.dentry(d).inode).type;

	return t == FileType::chr ? 0 : make_access(t, false, true);
}

} // namespace

void Checker::attach(Model &m) const
{
	m.set_fs_audit([this](const FsAudit &a) { audit(a); });
}

void Checker::audit(const FsAudit &a) const
{
	audited_++;
	if (a.kind == FsAudit::Kind::walk)
		audit_walk(a);
	else
		audit_refer(a);
}

/*
 * [fs.walk.layers] Declaratively: layer i still denies what it denied at
 * the start minus the union of its rules on every dentry of the walk.
 */
void Checker::audit_walk(const FsAudit &a) const
{
	const Domain &d = *a.domain;
	const FsWalk &w = *a.walk;
	bool disconnected = false;
	const auto seq = walk_sequence(*a.vfs, a.start, a.erratum3_fixed, &disconnected);
	std::array<AccessMask, max_layers> expect{};
	bool allowed = true;

	if (a.initial.n != d.size())
		fail_current("audit: a walk's masks do not have one entry per layer");
	for (std::size_t i = 0; i < d.size(); i++) {
		AccessMask g = 0;

		if (a.resumed) {
			/* Paused in between: only bounded by every rule it could read. */
			const auto it = ever_committed_.find(d[i].supervisor);

			g = granted_anywhere(d, it == ever_committed_.end() ? nullptr : &it->second, i);
		} else {
			for (const auto &p : seq)
				g |= granted_on(d, a.extra, i, a.vfs->inode_of(p));
		}
		expect[i] = a.initial.denied[i] & ~g;
		allowed = allowed && !expect[i];
	}
	if (a.resumed) {
		if (w.allowed() && !allowed)
			fail_current("audit: a resumed walk was allowed although no rule of "
				     "some layer grants what it needs");
		return;
	}
	if (w.allowed() != allowed)
		fail_current(std::string("audit: the walk from ") + a.vfs->path_name(a.start) +
			     " was " + (w.allowed() ? "allowed" : "denied") +
			     " but the layers' rules on its dentries say " +
			     (allowed ? "allowed" : "denied"));
	if (allowed)
		return;
	for (std::size_t i = 0; i < d.size(); i++)
		if (w.masks.denied[i] != expect[i])
			fail_current("audit: " + layer_name(i) + " denies " +
				     format_fs(w.masks.denied[i]) + " after the walk from " +
				     a.vfs->path_name(a.start) + ", its rules say " +
				     format_fs(expect[i]));
}

/*
 * [refer.cross_dir] An allowed link or rename across directories: every
 * layer grants refer (and the make and remove rights) on both sides.
 */
void Checker::audit_refer(const FsAudit &a) const
{
	if (a.err != 0)
		return;
	const Vfs &vfs = *a.vfs;
	const Domain &d = *a.domain;
	const DentryId mroot = vfs.mount(a.new_dir.mnt).root;
	const DentryId old_parent = a.old_dentry == mroot ? a.old_dentry
							  : vfs.dentry(a.old_dentry).parent;
	AccessMask need1 = fs::refer, need2 = fs::refer | make_right(vfs, a.old_dentry);

	if (a.removable) {
		need1 |= remove_right(vfs, a.old_dentry);
		need2 |= remove_right(vfs, a.new_dentry);
	}
	if (a.exchange && a.new_dentry >= 0)
		need1 |= make_right(vfs, a.new_dentry);
	const auto side1 = refer_side(vfs, VPath{a.new_dir.mnt, old_parent});
	const auto side2 = refer_side(vfs, a.new_dir);
	for (std::size_t i = 0; i < d.size(); i++) {
		AccessMask g1 = 0, g2 = 0;

		for (const auto &p : side1)
			g1 |= granted_on(d, a.extra, i, vfs.inode_of(p));
		for (const auto &p : side2)
			g2 |= granted_on(d, a.extra, i, vfs.inode_of(p));
		const AccessMask miss1 = need1 & layer_fs_handled(d[i]) & ~g1;
		const AccessMask miss2 = need2 & layer_fs_handled(d[i]) & ~g2;
		if (miss1 || miss2)
			fail_current("audit: a refer across directories was allowed although " +
				     layer_name(i) + " grants no " + format_fs(miss1 | miss2) +
				     " on the " + (miss1 ? "source" : "destination") + " side");
	}
}

void Checker::begin(const State &s)
{
	ever_committed_.clear();
	staged_.clear();
	published_.clear();
	record(s);
}

/* Remember what the supervisors staged and published at this step's end. */
void Checker::record(const State &s)
{
	for (std::size_t id = 0; id < s.supervisors.size(); id++) {
		const Supervisor &sup = s.supervisors[id];
		auto &staged = staged_[static_cast<int>(id)];
		Rules &ever = ever_committed_[static_cast<int>(id)];

		if (staged.empty() || !(staged.back() == sup.staged))
			staged.push_back(sup.staged);
		for (const auto &pub : sup.published)
			for (const auto &[ino, r] : pub.fs)
				ever.fs[ino].access |= r.access;
	}
}

void Checker::after_step(const Step &step, const StepResult &r, const State &s)
{
	check_outcomes(r);
	check_domains(s);
	record(s);
	check_supervisors(step, r, s);
	for (std::size_t id = 0; id < s.supervisors.size(); id++)
		published_[static_cast<int>(id)] = s.supervisors[id].published;
}

void Checker::check_outcomes(const StepResult &r) const
{
	if (r.allowed.empty())
		fail_current("a step has no allowed outcome");
	if (!r.allowed.admits(r.chosen))
		fail_current("the model continued with " + format_outcome(r.chosen) +
			     ", which it does not allow (" + format_outcomes(r.allowed) + ")");
	for (const auto &o : r.allowed.items())
		if (!o.success() && errno_name(o.err).starts_with("errno "))
			fail_current("an allowed outcome has an unknown errno: " +
				     format_outcome(o));
}

void Checker::check_domains(const State &s) const
{
	for (const auto &t : s.tasks) {
		const Domain &d = t.domain;
		MergedFsRules expect;

		if (d.size() > max_layers)
			fail_current(t.name + " has more than 16 layers");
		for (std::size_t i = 0; i < d.size(); i++) {
			if (i && d[i].id <= d[i - 1].id)
				fail_current(t.name + "'s layer ids do not increase");
			if (d[i].supervisor >= static_cast<int>(s.supervisors.size()))
				fail_current(t.name + "'s " + layer_name(i) + " names no supervisor");
			for (const auto &[ino, rule] : d[i].rules.fs)
				expect[ino].push_back(LayerRule{static_cast<std::uint8_t>(i), rule});
		}
		if (d.empty())
			continue;
		if (!d.merged)
			fail_current(t.name + "'s domain has no merged rule index");
		bool same = d.merged->size() == expect.size();
		for (const auto &[ino, rules] : expect) {
			const auto it = d.merged->find(ino);

			same = same && it != d.merged->end() && it->second.size() == rules.size();
			for (std::size_t k = 0; same && k < rules.size(); k++)
				same = it->second[k].layer == rules[k].layer &&
				       it->second[k].rule == rules[k].rule;
		}
		if (!same)
			fail_current(t.name + "'s merged rule index differs from its layers' rules");
	}
}

namespace {

/* The supervisor behind @ref in @task's process, or -1. */
int supervisor_of(const State &s, const std::string &task, const FdRef &ref)
{
	const Ruleset *rs = ruleset_of(s, task, ref);

	return rs && rs->is_supervisor ? rs->supervisor : -1;
}

/* Whether some task is paused inside a commit (in-place shows it half done). */
bool commit_paused(const State &s)
{
	for (const auto &t : s.tasks) {
		if (!t.paused)
			continue;
		const auto *ar = std::get_if<AddRule>(&t.paused->step.op);

		if (ar && (ar->flags & rule_flag::commit_supervisor))
			return true;
	}
	return false;
}

} // namespace

void Checker::check_supervisors(const Step &step, const StepResult &r, const State &s) const
{
	const bool in_place = profile_.variants.commit == CommitVariant::in_place;
	const bool half_done = in_place && commit_paused(s);

	for (std::size_t id = 0; id < s.supervisors.size(); id++) {
		const Supervisor &sup = s.supervisors[id];
		const auto &staged = staged_.at(static_cast<int>(id));

		if (sup.current < -1 || sup.current >= static_cast<int>(sup.published.size()) ||
		    (sup.current >= 0) != !sup.published.empty())
			fail_current("supervisor " + sup.label + ": current ruleset out of range");
		if (in_place && sup.published.size() > 1)
			fail_current("supervisor " + sup.label + ": commit=in-place published "
				     "more than one ruleset");
		const auto prev = published_.find(static_cast<int>(id));
		if (!in_place && prev != published_.end()) {
			const auto &old = prev->second;

			if (old.size() > sup.published.size() ||
			    !std::equal(old.begin(), old.end(), sup.published.begin()))
				fail_current("supervisor " + sup.label + ": a published ruleset "
					     "changed (commit=copy-swap publishes new ones)");
		}
		if (sup.current < 0 || half_done)
			continue;
		const Rules &live = sup.published[sup.current];
		if (std::find(staged.begin(), staged.end(), live) == staged.end())
			fail_current("supervisor " + sup.label + ": the committed ruleset is "
				     "none of the rulesets staged so far");
	}
	/* [sup.commit] A successful commit publishes exactly what is staged. */
	const auto *ar = std::get_if<AddRule>(&step.op);
	if (!ar || !(ar->flags & rule_flag::commit_supervisor) || !r.chosen.success() ||
	    half_done)
		return;
	const int id = supervisor_of(s, step.task, ar->ruleset);
	if (id < 0)
		return;
	const Supervisor &sup = s.supervisors[id];
	if (sup.current < 0 || !(sup.published[sup.current] == sup.staged))
		fail_current("supervisor " + sup.label + ": a successful commit did not "
			     "publish the staged rules");
}

} // namespace lockstep::fuzz

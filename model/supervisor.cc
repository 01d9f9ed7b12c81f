// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep model - The supervisor extension (mutable domains)
 */
#include "model/supervisor.h"

#include "model/fs_check.h"

namespace lockstep {

namespace {

void apply_rule(Rules &rules, InodeId inode, std::uint16_t port,
		AccessMask access, bool quiet, bool intersect)
{
	auto update = [&](auto &map, auto key) {
		auto it = map.find(key);

		if (intersect) {
			/* [sup.intersect] AND, and drop a rule left empty. */
			if (it == map.end())
				return;
			it->second.access &= access;
			if (!it->second.access && !it->second.quiet)
				map.erase(it);
			return;
		}
		auto &r = map[key];
		r.access |= access;
		r.quiet = r.quiet || quiet;
	};

	if (inode >= 0)
		update(rules.fs, inode);
	else
		update(rules.net, port);
}

/* Whether @t's domain has a layer supervised by supervisor @sup. */
bool supervised_by(const Task &t, int sup)
{
	for (const auto &l : t.domain.layers)
		if (l->supervisor == sup)
			return true;
	return false;
}

/* [sup.commit] Publish the staged rules ([sup.acyclic] first). */
bool commit(StepCtx &c, int sup)
{
	if (c.p.variants.acyclic == AcyclicVariant::commit_outside &&
	    supervised_by(c.self(), sup)) {
		c.note("[sup.acyclic.commit_outside] the committing task is inside "
		       "a domain this supervisor supervises");
		c.fail(EPERM);
		return false;
	}
	Supervisor &s = c.s.supervisors[sup];
	s.committed = s.staged;
	s.committed_once = true;
	c.note("committed: " + std::to_string(s.committed.fs.size()) + " fs and " +
	       std::to_string(s.committed.net.size()) + " net rules now live");
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
	for (const auto &l : c.self().domain.layers)
		sup.creator_layers.push_back(l->id);
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
		c.note("[sup.commit] COMMIT on a ruleset that is not a supervisor");
		c.fail(EINVAL);
		return true;
	}
	if (op.type != rule_type::none)
		return false;
	if (!commit_flag || !op.attr_null) {
		c.note("[sup.commit] rule type 0 is only a commit-only call");
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
		c.note("[sup.intersect] rule narrowed");
		c.ok();
		return true;
	}
	Supervisor &s = c.s.supervisors[rs.supervisor];
	apply_rule(s.staged, inode, port, op.allowed, quiet, intersect);
	c.note("[sup.stage] rule staged, not visible until a commit");
	if (op.flags & rule_flag::commit_supervisor) {
		if (!commit(c, rs.supervisor))
			return true;
	}
	c.ok();
	return true;
}

int sup_check_restrict(StepCtx &c, const Ruleset &rs)
{
	if (rs.is_supervisor) {
		c.note("[sup.restrict.ebadfd] restrict_self() refuses a supervisor "
		       "ruleset fd");
		return EBADFD;
	}
	return 0;
}

void sup_on_restrict(StepCtx &, const Ruleset &)
{
}

std::vector<const Rules *> sup_committed(const State &s, const Domain &d)
{
	std::vector<const Rules *> out;
	bool any = false;

	for (const auto &l : d.layers) {
		const Rules *r = nullptr;

		if (l->supervisor >= 0 && s.supervisors[l->supervisor].committed_once)
			r = &s.supervisors[l->supervisor].committed;
		any = any || r;
		out.push_back(r);
	}
	if (!any)
		out.clear();
	return out;
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

	fs_walk_finish(w, c.s.vfs, d, extra);
	c.note("[sup.optional] optional=operation-time: " + format_fs(right) +
	       " checked again now");
	for (auto &line : explain_fs_walk(w, c.s.vfs, d))
		c.note("  " + line);
	return w.allowed() ? 0 : EACCES;
}

void op_get_supervisee(StepCtx &c, const GetSupervisee &op)
{
	const int f = c.file_of(op.fd);

	if (f < 0) {
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
	c.note("[sup.ioctl] a supervisee ruleset (no rules of its own yet)");
	c.ok();
}

void op_resume(StepCtx &c, const Resume &)
{
	c.note("no paused operation to resume");
	c.fail(EINVAL);
}

} // namespace lockstep

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep model - Filesystem access checks: the path walk
 */
#include "model/fs_check.h"

#include <cerrno>

namespace lockstep {

bool LayerMasks::allowed() const
{
	for (std::size_t i = 0; i < n; i++)
		if (denied[i])
			return false;
	return true;
}

AccessMask LayerMasks::any_denied() const
{
	AccessMask m = 0;

	for (std::size_t i = 0; i < n; i++)
		m |= denied[i];
	return m;
}

LayerMasks init_fs_masks(const Domain &d, AccessMask request)
{
	LayerMasks m;

	m.n = d.size();
	for (std::size_t i = 0; i < m.n; i++)
		m.denied[i] = request & layer_fs_handled(d[i]);
	return m;
}

LayerMasks init_net_masks(const Domain &d, AccessMask request)
{
	LayerMasks m;

	m.n = d.size();
	for (std::size_t i = 0; i < m.n; i++)
		m.denied[i] = request & d[i].handled.net;
	return m;
}

/*
 * [fs.walk.mounts] From a mount's root the walk jumps to the mount point
 * (which is hidden, so its own rules are skipped) and goes on with its
 * parent.  A directory whose dentry chain reaches its filesystem's root
 * without meeting the mount's root is disconnected: since erratum 3 the walk
 * continues at the mount's root; before, it stopped there and denied.
 */
std::optional<VPath> walk_up(const Vfs &vfs, VPath cur, bool erratum3_fixed,
			     bool *disconnected)
{
	*disconnected = false;
	while (vfs.is_mount_root(cur)) {
		const auto up = vfs.follow_up(cur);

		if (!up)
			return std::nullopt;
		cur = *up;
	}
	if (vfs.is_fs_root(cur.dentry)) {
		if (!erratum3_fixed) {
			*disconnected = true;
			return std::nullopt;
		}
		cur.dentry = vfs.mount(cur.mnt).root;
		return cur;
	}
	cur.dentry = vfs.dentry(cur.dentry).parent;
	return cur;
}

std::vector<VPath> walk_sequence(const Vfs &vfs, VPath cur, bool erratum3_fixed,
				 bool *stopped_disconnected)
{
	std::vector<VPath> seq;

	*stopped_disconnected = false;
	for (int guard = 0; guard < 100000; guard++) {
		seq.push_back(cur);
		const auto up = walk_up(vfs, cur, erratum3_fixed, stopped_disconnected);
		if (!up)
			break;
		cur = *up;
	}
	return seq;
}

bool unmask_inode(LayerMasks &masks, const Domain &d, InodeId inode,
		  ExtraRules extra, std::vector<std::vector<Grant>> *grants,
		  const VPath &at)
{
	auto apply = [&](std::size_t i, const RuleAccess &rule, bool supervisor) {
		const AccessMask cleared = masks.denied[i] & rule.access;

		masks.denied[i] &= ~rule.access;
		masks.quiet[i] = masks.quiet[i] || rule.quiet;
		if (grants && cleared)
			(*grants)[i].push_back(Grant{cleared, at, supervisor});
	};

	/* [fs.rule.inode] Keyed by inode: links and bind mounts share rules. */
	if (d.merged) {
		const auto it = d.merged->find(inode);

		if (it != d.merged->end())
			for (const auto &lr : it->second)
				if (lr.layer < masks.n)
					apply(lr.layer, lr.rule, false);
	} else {
		for (std::size_t i = 0; i < masks.n; i++) {
			const auto it = d[i].rules.fs.find(inode);

			if (it != d[i].rules.fs.end())
				apply(i, it->second, false);
		}
	}
	for (std::size_t i = 0; i < extra.size() && i < masks.n; i++) {
		if (!extra[i])
			continue;
		const auto it = extra[i]->fs.find(inode);

		if (it != extra[i]->fs.end())
			apply(i, it->second, true);
	}
	return masks.allowed();
}

FsWalk start_fs_walk(const Vfs &vfs, const Domain &d, const VPath &start,
		     AccessMask request, bool erratum3_fixed, bool record)
{
	FsWalk w;

	(void)vfs;
	w.request = request;
	w.masks = init_fs_masks(d, request);
	w.at = start;
	w.erratum3_fixed = erratum3_fixed;
	w.record = record;
	if (record)
		w.grants.resize(d.size());
	return w;
}

void fs_walk_step(FsWalk &w, const Vfs &vfs, const Domain &d, ExtraRules extra)
{
	if (w.done())
		return;
	unmask_inode(w.masks, d, vfs.inode_of(w.at), extra,
		     w.record ? &w.grants : nullptr, w.at);
	if (w.record)
		w.seq.push_back(w.at);
	w.next++;
	const auto up = walk_up(vfs, w.at, w.erratum3_fixed, &w.stopped_disconnected);
	if (up)
		w.at = *up;
	else
		w.ended = true;
}

void fs_walk_finish(FsWalk &w, const Vfs &vfs, const Domain &d, ExtraRules extra,
		    const FsAuditHook *audit)
{
	/* A walk finished from its start can be audited (see FsAudit). */
	const bool audited = audit && *audit && w.next == 0;
	const VPath start = w.at;
	const LayerMasks initial = w.masks;

	while (!w.done())
		fs_walk_step(w, vfs, d, extra);
	if (!audited)
		return;
	FsAudit a;
	a.vfs = &vfs;
	a.domain = &d;
	a.extra = extra;
	a.erratum3_fixed = w.erratum3_fixed;
	a.start = start;
	a.initial = initial;
	a.walk = &w;
	(*audit)(a);
}

AccessMask make_access(FileType type, bool whiteout, bool erratum4_fixed)
{
	switch (type) {
	case FileType::symlink:
		return fs::make_sym;
	case FileType::dir:
		return fs::make_dir;
	case FileType::chr:
		/* [erratum.4] whiteouts are S_IFCHR 0:0 but not devices. */
		if (whiteout && erratum4_fixed)
			return fs::make_reg;
		return fs::make_char;
	case FileType::blk:
		return fs::make_block;
	case FileType::fifo:
		return fs::make_fifo;
	case FileType::sock:
		return fs::make_sock;
	case FileType::reg:
		break;
	}
	return fs::make_reg;
}

namespace {

bool is_whiteout(const Inode &i)
{
	return i.type == FileType::chr && i.major == 0 && i.minor == 0;
}

AccessMask dentry_make_access(const Vfs &vfs, DentryId d, bool erratum4_fixed)
{
	const Inode &i = vfs.inode(vfs.dentry(d).inode);

	return make_access(i.type, is_whiteout(i), erratum4_fixed);
}

AccessMask maybe_remove(const Vfs &vfs, DentryId d)
{
	if (d < 0)
		return 0;
	return vfs.inode(vfs.dentry(d).inode).type == FileType::dir
		       ? fs::remove_dir
		       : fs::remove_file;
}

/* Linux's may_refer(): the child gains no right in its new parent. */
bool may_refer(const LayerMasks &src_parent, const LayerMasks &src_child,
	       const LayerMasks &new_parent, bool child_is_dir)
{
	for (std::size_t i = 0; i < max_layers; i++) {
		AccessMask child = src_parent.denied[i] & src_child.denied[i];
		AccessMask parent = new_parent.denied[i];

		if (!child_is_dir) {
			child &= fs::file_rights;
			parent &= fs::file_rights;
		}
		if ((child | parent) != parent)
			return false;
	}
	return true;
}

bool no_more_access(const LayerMasks &p1, const LayerMasks &c1, bool c1_dir,
		    const LayerMasks &p2, const LayerMasks *c2, bool c2_dir)
{
	if (!may_refer(p1, c1, p2, c1_dir))
		return false;
	return !c2 || may_refer(p2, *c2, p1, c2_dir);
}

/* Linux's scope_to_request(): forget the rights not requested. */
bool scope_to_request(AccessMask request, LayerMasks &m)
{
	for (std::size_t i = 0; i < m.n; i++)
		m.denied[i] &= request;
	return m.allowed();
}

bool is_eacces(const LayerMasks &m, AccessMask request)
{
	for (std::size_t i = 0; i < m.n; i++)
		if (m.denied[i] & request & ~fs::refer)
			return true;
	return false;
}

/* Linux's collect_domain_accesses(): walk a side up to the mount root. */
bool collect_domain_accesses(const Vfs &vfs, const Domain &d, DentryId mnt_root,
			     VPath dir, LayerMasks &masks, ExtraRules extra)
{
	masks = init_fs_masks(d, fs::all);
	while (true) {
		if (unmask_inode(masks, d, vfs.inode_of(dir), extra, nullptr, dir))
			return true;
		if (dir.dentry == mnt_root || vfs.is_fs_root(dir.dentry))
			return false;
		dir.dentry = vfs.dentry(dir.dentry).parent;
	}
}

LayerMasks child_masks(const Vfs &vfs, const Domain &d, DentryId child,
		       ExtraRules extra)
{
	LayerMasks m = init_fs_masks(d, fs::all);

	unmask_inode(m, d, vfs.dentry(child).inode, extra, nullptr, {});
	return m;
}

/*
 * The shared part of the walk, from the common mount's root upwards, with
 * the "no more access" comparison first at each step (Linux's
 * is_access_to_paths_allowed() with two requests).
 */
bool refer_walk(const Vfs &vfs, const Domain &d, VPath walker,
		AccessMask access1, LayerMasks &masks1, const LayerMasks &child1,
		bool child1_dir, AccessMask access2, LayerMasks &masks2,
		const LayerMasks *child2, bool child2_dir, bool erratum3_fixed,
		ExtraRules extra)
{
	bool allowed1 = masks1.allowed(), allowed2 = masks2.allowed();
	bool dom_check = true;
	bool disconnected = false;
	const auto seq = walk_sequence(vfs, walker, erratum3_fixed, &disconnected);

	for (const VPath &at : seq) {
		if (dom_check && no_more_access(masks1, child1, child1_dir, masks2,
						child2, child2_dir)) {
			dom_check = false;
			allowed1 = allowed1 || scope_to_request(access1, masks1);
			allowed2 = allowed2 || scope_to_request(access2, masks2);
			if (allowed1 && allowed2)
				return true;
		}
		allowed1 = allowed1 || unmask_inode(masks1, d, vfs.inode_of(at),
						    extra, nullptr, at);
		allowed2 = allowed2 || unmask_inode(masks2, d, vfs.inode_of(at),
						    extra, nullptr, at);
		if (allowed1 && allowed2)
			return true;
	}
	return false;
}

} // namespace

/*
 * [refer.same_dir] Within one directory only the make/remove rights are
 * needed.  [refer.cross_dir] Across directories REFER is needed on both
 * sides, and the moved object must not gain rights ([refer.no_gain]);
 * [refer.exdev] EACCES takes precedence over EXDEV.
 */
namespace {

ReferResult refer_decision(const Vfs &vfs, const Domain &d, const VPath &old_dir,
			   DentryId old_dentry, const VPath &new_dir,
			   DentryId new_dentry, bool removable, bool exchange,
			   bool whiteout, bool erratum3_fixed, bool erratum4_fixed,
			   ExtraRules extra, const FsAuditHook *audit)
{
	ReferResult r;
	AccessMask access1 = 0, access2;

	if (!domain_handles(d, fs::all, 0, 0))
		return r;
	/* [refer.exchange] The object arriving in the source directory. */
	if (exchange)
		access1 = dentry_make_access(vfs, new_dentry, erratum4_fixed);
	access2 = dentry_make_access(vfs, old_dentry, erratum4_fixed);
	/* [refer.link] link(2) removes nothing: no remove right. */
	if (removable) {
		access1 |= maybe_remove(vfs, old_dentry);
		access2 |= maybe_remove(vfs, new_dentry);
	}
	/*
	 * [erratum.4] [refer.whiteout] Since the fix, RENAME_WHITEOUT needs make_reg on the
	 * source directory; before it, the whiteout needed no right at all.
	 */
	if (whiteout && erratum4_fixed)
		access1 |= make_access(FileType::chr, true, erratum4_fixed);

	if (vfs.dentry(old_dentry).parent == new_dir.dentry) {
		FsWalk w = start_fs_walk(vfs, d, new_dir, access1 | access2,
					 erratum3_fixed);

		fs_walk_finish(w, vfs, d, extra, audit);
		r.lines = explain_fs_walk(w, vfs, d);
		r.lines.insert(r.lines.begin(),
			       "same directory: needs " + format_fs(access1 | access2) +
				       " on " + vfs.path_name(new_dir));
		r.err = w.allowed() ? 0 : EACCES;
		return r;
	}
	access1 |= fs::refer;
	access2 |= fs::refer;
	(void)old_dir;

	const VPath mnt_dir{new_dir.mnt, vfs.mount(new_dir.mnt).root};
	const DentryId old_parent = old_dentry == mnt_dir.dentry
					    ? old_dentry
					    : vfs.dentry(old_dentry).parent;
	LayerMasks masks1, masks2;
	const bool allow1 = collect_domain_accesses(
		vfs, d, mnt_dir.dentry, VPath{new_dir.mnt, old_parent}, masks1, extra);
	const bool allow2 = collect_domain_accesses(vfs, d, mnt_dir.dentry,
						    new_dir, masks2, extra);

	r.lines.push_back("across directories: source side needs " +
			  format_fs(access1) + ", destination side needs " +
			  format_fs(access2));
	if (allow1 && allow2) {
		r.lines.push_back("every handled right is granted on both sides");
		return r;
	}
	const LayerMasks c1 = child_masks(vfs, d, old_dentry, extra);
	const bool c1_dir = vfs.inode(vfs.dentry(old_dentry).inode).type == FileType::dir;
	LayerMasks c2;
	bool c2_dir = true;

	/* [refer.exchange] The other object must not gain rights either. */
	if (exchange) {
		c2 = child_masks(vfs, d, new_dentry, extra);
		c2_dir = vfs.inode(vfs.dentry(new_dentry).inode).type == FileType::dir;
	}
	if (refer_walk(vfs, d, mnt_dir, access1, masks1, c1, c1_dir, access2,
		       masks2, exchange ? &c2 : nullptr, c2_dir, erratum3_fixed,
		       extra)) {
		r.lines.push_back("both sides allow it and the object gains no right");
		return r;
	}
	for (std::size_t i = 0; i < masks1.n; i++) {
		const AccessMask m1 = masks1.denied[i] & access1;
		const AccessMask m2 = masks2.denied[i] & access2;

		if (m1 || m2)
			r.lines.push_back("layer " + std::to_string(i + 1) + " (" +
					  d[i].label + "): source side denies " +
					  format_fs(m1) + ", destination side denies " +
					  format_fs(m2));
	}
	if (is_eacces(masks1, access1) || is_eacces(masks2, access2)) {
		r.err = EACCES;
		r.lines.push_back("a right other than refer is denied: EACCES");
	} else {
		r.err = EXDEV;
		r.lines.push_back("only refer is missing, or the object would gain "
				  "rights: EXDEV");
	}
	return r;
}

} // namespace

ReferResult check_refer(const Vfs &vfs, const Domain &d, const VPath &old_dir,
			DentryId old_dentry, const VPath &new_dir,
			DentryId new_dentry, bool removable, bool exchange,
			bool whiteout, bool erratum3_fixed, bool erratum4_fixed,
			ExtraRules extra, const FsAuditHook *audit)
{
	ReferResult r = refer_decision(vfs, d, old_dir, old_dentry, new_dir,
				       new_dentry, removable, exchange, whiteout,
				       erratum3_fixed, erratum4_fixed, extra, audit);

	/* Across directories only: the same-directory walk audits itself. */
	if (audit && *audit && vfs.dentry(old_dentry).parent != new_dir.dentry &&
	    domain_handles(d, fs::all, 0, 0)) {
		FsAudit a;

		a.kind = FsAudit::Kind::refer;
		a.vfs = &vfs;
		a.domain = &d;
		a.extra = extra;
		a.erratum3_fixed = erratum3_fixed;
		a.old_dentry = old_dentry;
		a.new_dir = new_dir;
		a.new_dentry = new_dentry;
		a.removable = removable;
		a.exchange = exchange;
		a.err = r.err;
		(*audit)(a);
	}
	return r;
}

std::vector<std::string> explain_fs_walk(const FsWalk &w, const Vfs &vfs,
					 const Domain &d)
{
	std::vector<std::string> out;
	std::string walked;

	for (const auto &p : w.seq)
		walked += (walked.empty() ? "" : ", ") + vfs.path_name(p);
	for (std::size_t i = 0; i < d.size(); i++) {
		const AccessMask req = w.request & layer_fs_handled(d[i]);
		std::string line = "layer " + std::to_string(i + 1) + " (" +
				   d[i].label + "): ";

		if (!req) {
			out.push_back(line + "does not handle " + format_fs(w.request));
			continue;
		}
		std::string granted;
		static const std::vector<Grant> none;
		for (const auto &g : i < w.grants.size() ? w.grants[i] : none)
			granted += std::string(granted.empty() ? "" : "; ") +
				   format_fs(g.bits) + " granted by " +
				   (g.supervisor ? "its supervisor's rule on " : "rule on ") +
				   vfs.path_name(g.at);
		if (!granted.empty())
			line += granted;
		if (w.masks.denied[i]) {
			line += std::string(granted.empty() ? "" : "; ") + "missing " +
				format_fs(w.masks.denied[i]) + " (no rule on " +
				(walked.empty() ? std::string("the path") : walked) + ")";
		}
		out.push_back(line);
	}
	if (w.stopped_disconnected && !w.allowed())
		out.push_back("the walk stopped at a disconnected directory "
			      "(erratum 3 not fixed)");
	return out;
}

} // namespace lockstep

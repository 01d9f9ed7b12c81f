// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep model - The Landlock system calls
 *
 * Argument checks follow security/landlock/syscalls.c, in the same order,
 * since the order decides which errno a call with several faults gets.
 */
#include "model/step.h"
#include "model/supervisor.h"

#include <array>
#include <cstring>

namespace lockstep {

namespace {

/* Linux's PAGE_SIZE bound of copy_min_struct_from_user(). */
constexpr std::uint64_t page_size = 4096;
/* The attr fields a trace sets, in struct order. */
constexpr std::size_t attr_known = 48;

/*
 * [create.size] What the kernel reads of the attr: the first min(size,
 * ksize) bytes of the user buffer, zero-extended; bytes past ksize must be
 * zero (E2BIG).  Returns 0 or the errno.
 */
int read_attr(const CreateRuleset &op, std::uint64_t size, int abi, Handled &out)
{
	const std::size_t ksize = ruleset_attr_size(abi);
	const std::array<AccessMask, 6> fields{op.handled_fs, op.handled_net,
					       op.scoped,     op.quiet_fs,
					       op.quiet_net,  op.quiet_scoped};
	std::array<unsigned char, attr_known> user{};

	for (std::size_t f = 0; f < fields.size(); f++)
		for (std::size_t b = 0; b < 8; b++)
			user[f * 8 + b] = static_cast<unsigned char>(fields[f] >> (8 * b));

	if (size < 8)
		return EINVAL;
	if (size > page_size)
		return E2BIG;
	if (size > ksize) {
		for (std::size_t i = ksize; i < size && i < attr_known; i++)
			if (user[i])
				return E2BIG;
		if (size > attr_known && op.trailing_garbage)
			return E2BIG;
	}
	const std::size_t visible = std::min<std::uint64_t>(size, ksize);
	std::array<AccessMask, 6> seen{};

	for (std::size_t i = 0; i < visible && i < attr_known; i++)
		seen[i / 8] |= static_cast<AccessMask>(user[i]) << (8 * (i % 8));
	out = Handled{seen[0], seen[1], seen[2], seen[3], seen[4], seen[5]};
	return 0;
}

/* [create.flags] The VERSION and ERRATA queries. */
void query(StepCtx &c, const CreateRuleset &op, std::uint64_t size)
{
	if (!op.attr_null || size) {
		c.note("a query flag needs a NULL attr and a zero size");
		c.fail(EINVAL);
		return;
	}
	if (op.flags == create_flag::version) {
		c.note("ABI version query");
		c.decide(Outcome::ok(c.p.abi));
		return;
	}
	if (op.flags == create_flag::errata && c.p.errata_queryable) {
		c.note("errata query");
		c.decide(Outcome::ok(c.p.errata_mask()));
		return;
	}
	c.note("unknown flags " + std::to_string(op.flags) + " for ABI " +
	       std::to_string(c.p.abi));
	c.fail(EINVAL);
}

/* [create.masks] Checks of the attr's content. */
int check_handled(const Handled &h, int abi, std::string &why)
{
	if (h.fs & ~valid_fs_mask(abi)) {
		why = "handled_access_fs has rights unknown at ABI " + std::to_string(abi) +
		      ": " + format_fs(h.fs & ~valid_fs_mask(abi));
		return EINVAL;
	}
	if (h.net & ~valid_net_mask(abi)) {
		why = "handled_access_net has rights unknown at ABI " + std::to_string(abi) +
		      ": " + format_net(h.net & ~valid_net_mask(abi));
		return EINVAL;
	}
	if (h.scope & ~valid_scope_mask(abi)) {
		why = "scoped has scopes unknown at ABI " + std::to_string(abi) + ": " +
		      format_scope(h.scope & ~valid_scope_mask(abi));
		return EINVAL;
	}
	/* [create.quiet] quiet masks must be subsets of the handled ones. */
	if ((h.quiet_fs | h.fs) != h.fs || (h.quiet_net | h.net) != h.net ||
	    (h.quiet_scope | h.scope) != h.scope) {
		why = "a quiet_* mask is not a subset of the handled mask";
		return EINVAL;
	}
	/* [create.enomsg] landlock_create_ruleset(), after every mask check. */
	if (!h.fs && !h.net && !h.scope) {
		why = "nothing is handled";
		return ENOMSG;
	}
	return 0;
}

std::string label_of(const Step &step, const char *what)
{
	std::string name = step.bind.empty() ? what : step.bind;

	return name + ", line " + std::to_string(step.loc.line);
}

/* Linux's get_ruleset_from_fd(). */
int ruleset_of(StepCtx &c, const FdRef &ref, int &err)
{
	const int f = c.file_of(ref);

	/*
	 * [add_rule.fd] [restrict.fd] fdget() does not return O_PATH files:
	 * an O_PATH fd is as good as no fd here (EBADF), unlike the
	 * fdget_raw() of a rule's parent_fd.
	 */
	if (f < 0 || c.s.files[f].kind == FileKind::path) {
		err = EBADF;
		return -1;
	}
	if (c.s.files[f].kind != FileKind::ruleset) {
		err = EBADFD;
		return -1;
	}
	return c.s.files[f].ruleset;
}

} // namespace

void op_create_ruleset(StepCtx &c, const CreateRuleset &op)
{
	const std::uint64_t size = op.size.value_or(op.attr_null ? 0 : attr_known);
	Handled h;
	std::string why;

	/* [abi.disabled] is_initialized() comes before any argument. */
	if (c.p.abi == 0) {
		c.note("Landlock is disabled at boot");
		c.fail(EOPNOTSUPP);
		return;
	}
	if (op.flags && !(c.p.supervisor() && sup_is_create_flags(op.flags))) {
		query(c, op, size);
		return;
	}
	/* [create.attr_null] copy_min_struct_from_user(): before the size. */
	if (op.attr_null) {
		c.note("attr is NULL");
		c.fail(EFAULT);
		return;
	}
	if (const int err = read_attr(op, size, c.p.abi, h)) {
		c.note("attr size " + std::to_string(size) + " against the kernel's " +
		       std::to_string(ruleset_attr_size(c.p.abi)) + " bytes");
		c.fail(err);
		return;
	}
	if (const int err = check_handled(h, c.p.abi, why)) {
		c.note(why);
		c.fail(err);
		return;
	}
	Ruleset rs;
	rs.handled = h;
	rs.label = label_of(c.step, "ruleset");
	if (op.flags) {
		sup_create(c, rs, op.flags);
		return;
	}
	c.note("handles fs=" + format_fs(h.fs) + " net=" + format_net(h.net) +
	       " scoped=" + format_scope(h.scope));
	c.s.rulesets.push_back(rs);
	c.add_file(OpenFile::of_ruleset(static_cast<int>(c.s.rulesets.size()) - 1));
	c.ok();
}

namespace {

/* [add_rule.path] The parent of a path-beneath rule. */
bool rule_parent(StepCtx &c, const AddRule &op, VPath &parent)
{
	if (op.path) {
		const Lookup l = c.lookup(*op.path, lookup_flag::follow);

		if (l.err || !l.target) {
			c.note("cannot open the rule's parent with O_PATH");
			c.fail(l.err ? l.err : ENOENT);
			return false;
		}
		parent = *l.target;
		return true;
	}
	const int f = op.parent ? c.file_of(*op.parent) : -1;
	if (f < 0) {
		c.note("parent_fd is not an open fd");
		c.fail(EBADF);
		return false;
	}
	const OpenFile &of = c.s.files[f];
	if (of.kind != FileKind::fs && of.kind != FileKind::path) {
		/* Rulesets, pipes and sockets are internal filesystems. */
		c.note("parent_fd is not a file of a user-visible filesystem");
		c.fail(EBADFD);
		return false;
	}
	parent = of.path;
	return true;
}

void add_path_beneath(StepCtx &c, const AddRule &op, Ruleset &rs)
{
	VPath parent;

	/* [add_rule.attr] copy_from_user() of the attr comes first. */
	if (op.attr_null) {
		c.fail(EFAULT);
		return;
	}
	/* [add_rule.enomsg] An empty rule only makes sense with a flag. */
	if (!op.flags && !op.allowed) {
		c.note("empty allowed_access without flags");
		c.fail(ENOMSG);
		return;
	}
	/* [add_rule.subset] Only rights the ruleset handles. */
	if (op.allowed & ~rs.handled.fs) {
		c.note("allowed_access has rights the ruleset does not handle: " +
		       format_fs(op.allowed & ~rs.handled.fs));
		c.fail(EINVAL);
		return;
	}
	if ((op.flags & rule_flag::quiet) && !rs.handled.quiet_fs) {
		c.note("quiet flag on a ruleset without quiet_access_fs");
		c.fail(EINVAL);
		return;
	}
	if (!rule_parent(c, op, parent))
		return;
	if (!c.s.vfs.is_dir(parent) && (op.allowed & ~fs::file_rights)) {
		c.note("[rule.file_rights] a file only takes file rights, not " +
		       format_fs(op.allowed & ~fs::file_rights));
		c.fail(EINVAL);
		return;
	}
	if (sup_add_rule(c, op, rs, c.s.vfs.inode_of(parent), 0))
		return;
	RuleAccess &r = rs.rules.fs[c.s.vfs.inode_of(parent)];
	/* [add_rule.merge] landlock_store_rule() ORs the rights of one object. */
	r.access |= op.allowed;
	r.quiet = r.quiet || (op.flags & rule_flag::quiet);
	c.note("rule on " + c.s.vfs.path_name(parent) + ": " + format_fs(r.access));
	c.ok();
}

void add_net_port(StepCtx &c, const AddRule &op, Ruleset &rs)
{
	/* [add_rule.attr] copy_from_user() of the attr comes first. */
	if (op.attr_null) {
		c.fail(EFAULT);
		return;
	}
	/* [add_rule.enomsg] An empty rule only makes sense with a flag. */
	if (!op.flags && !op.allowed) {
		c.note("empty allowed_access without flags");
		c.fail(ENOMSG);
		return;
	}
	/* [add_rule.subset] Only rights the ruleset handles. */
	if (op.allowed & ~rs.handled.net) {
		c.note("allowed_access has rights the ruleset does not handle: " +
		       format_net(op.allowed & ~rs.handled.net));
		c.fail(EINVAL);
		return;
	}
	if ((op.flags & rule_flag::quiet) && !rs.handled.quiet_net) {
		c.note("quiet flag on a ruleset without quiet_access_net");
		c.fail(EINVAL);
		return;
	}
	/* [add_rule.port] After the quiet flag check. */
	if (op.port > 65535) {
		c.note("port above 65535");
		c.fail(EINVAL);
		return;
	}
	const auto port = static_cast<std::uint16_t>(op.port);
	if (sup_add_rule(c, op, rs, -1, port))
		return;
	RuleAccess &r = rs.rules.net[port];
	/* [add_rule.merge] landlock_store_rule() ORs the rights of one object. */
	r.access |= op.allowed;
	r.quiet = r.quiet || (op.flags & rule_flag::quiet);
	c.note("rule on port " + std::to_string(port) + ": " + format_net(r.access));
	c.ok();
}

} // namespace

void op_add_rule(StepCtx &c, const AddRule &op)
{
	int err = 0;

	/*
	 * [add_rule.path] The task opens a trace PATH with O_PATH before
	 * the call (so does the executor): that open's errors come first.
	 */
	if (op.type == rule_type::path_beneath && op.path && !op.parent &&
	    !op.attr_null) {
		const Lookup l = c.lookup(*op.path, lookup_flag::follow);

		if (l.err || !l.target) {
			c.note("cannot open the rule's parent with O_PATH");
			c.fail(l.err ? l.err : ENOENT);
			return;
		}
	}
	if (c.p.abi == 0) {
		c.fail(EOPNOTSUPP);
		return;
	}
	/* [add_rule.flags] Checked before the ruleset fd. */
	if (op.flags & ~valid_rule_flags(c.p.abi)) {
		c.note("flags unknown at ABI " + std::to_string(c.p.abi));
		c.fail(EINVAL);
		return;
	}
	const int rs = ruleset_of(c, op.ruleset, err);
	if (rs < 0) {
		c.note(err == EBADF ? "ruleset_fd is not an open fd"
				    : "ruleset_fd is not a ruleset");
		c.fail(err);
		return;
	}
	if (sup_add_rule_special(c, op, c.s.rulesets[rs]))
		return;
	if (op.type == rule_type::path_beneath) {
		add_path_beneath(c, op, c.s.rulesets[rs]);
	} else if (op.type == rule_type::net_port && c.p.abi >= 4) {
		add_net_port(c, op, c.s.rulesets[rs]);
	} else {
		/* [add_rule.type] Checked after the ruleset fd. */
		c.note("rule type " + std::to_string(op.type) + " unknown at ABI " +
		       std::to_string(c.p.abi));
		c.fail(EINVAL);
	}
}

namespace {

/* [restrict.tsync] Give every thread of the caller's process its result. */
void sync_threads(StepCtx &c)
{
	const Task &self = c.self();

	for (auto &t : c.s.tasks) {
		if (t.process != self.process)
			continue;
		t.domain = self.domain;
		t.log_subdomains_off = self.log_subdomains_off;
		t.no_new_privs = t.no_new_privs || self.no_new_privs;
	}
}

} // namespace

void op_restrict_self(StepCtx &c, const RestrictSelf &op)
{
	Task &self = c.self();
	const int fd = c.fd_number(op.ruleset);
	int err = 0;

	if (c.p.abi == 0) {
		c.fail(EOPNOTSUPP);
		return;
	}
	const bool bad_flags = op.flags & ~valid_restrict_flags(c.p.abi);
	/* [restrict.nnp_flag] ABI 11's flag fulfils the requirement itself. */
	const bool nnp_flag = (op.flags & restrict_flag::no_new_privs) &&
			      (valid_restrict_flags(c.p.abi) & restrict_flag::no_new_privs);
	const bool no_privs = !nnp_flag && !self.no_new_privs && !self.caps;
	/*
	 * [restrict.order] Until ABI 10 the no_new_privs / CAP_SYS_ADMIN
	 * requirement came first; ABI 11 checks the flags first, since its
	 * NO_NEW_PRIVS flag can fulfil the requirement (found by
	 * restrict/flags_checked_before_permission on 6.18, ABI 7).
	 */
	const bool flags_first = valid_restrict_flags(c.p.abi) & restrict_flag::no_new_privs;

	if (no_privs && (!flags_first || !bad_flags)) {
		c.note("[restrict.nnp] neither no_new_privs nor CAP_SYS_ADMIN");
		c.fail(EPERM);
		return;
	}
	if (bad_flags) {
		c.note("[restrict.flags] flags unknown at ABI " + std::to_string(c.p.abi));
		c.fail(EINVAL);
		return;
	}
	/* [restrict.log_only] fd -1 with only LOG_SUBDOMAINS_OFF (and TSYNC). */
	const bool no_ruleset =
		fd == -1 && (op.flags & ~restrict_flag::tsync) ==
				    restrict_flag::log_subdomains_off;
	int rs = -1;
	if (!no_ruleset) {
		rs = ruleset_of(c, op.ruleset, err);
		if (rs < 0) {
			c.note(err == EBADF ? "ruleset_fd is not an open fd"
					    : "ruleset_fd is not a ruleset");
			c.fail(err);
			return;
		}
		if (const int serr = sup_check_restrict(c, c.s.rulesets[rs])) {
			c.fail(serr);
			return;
		}
		if (self.domain.size() >= max_layers) {
			c.note("[restrict.e2big] already 16 layers");
			c.fail(E2BIG);
			return;
		}
	}
	/* [restrict.log_flags] The LOG_* flags only change what is audited. */
	if (op.flags & restrict_flag::log_subdomains_off)
		self.log_subdomains_off = true;
	if (rs >= 0) {
		const Ruleset &r = c.s.rulesets[rs];
		auto layer = std::make_shared<Layer>();

		layer->id = c.s.next_layer_id++;
		layer->handled = r.handled;
		layer->rules = r.rules;
		layer->supervisor = r.supervisor;
		layer->label = r.label + ", enforced line " +
			       std::to_string(c.step.loc.line);
		self.domain.push(layer);
		c.note("new layer " + std::to_string(self.domain.size()) + ": " +
		       layer->label);
	} else {
		c.note("no ruleset: only log_subdomains_off");
	}
	/* [restrict.nnp_flag] Set past the last point of failure. */
	if (op.flags & restrict_flag::no_new_privs)
		self.no_new_privs = true;
	if (op.flags & restrict_flag::tsync)
		sync_threads(c);
	c.ok();
}

/* [task.creds] prctl() and capset() change the calling thread only. */
void op_set_no_new_privs(StepCtx &c, const SetNoNewPrivs &)
{
	c.self().no_new_privs = true;
	c.ok();
}

void op_drop_caps(StepCtx &c, const DropCaps &)
{
	c.self().caps = false;
	c.ok();
}

} // namespace lockstep

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep executor - Landlock system calls and credentials
 */
#include "kernel/executor/ops.h"

#include "kernel/executor/uapi.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <vector>

namespace lockstep::exec {

namespace {

/* The kernel refuses sizes above a page before reading (E2BIG). */
constexpr std::size_t max_attr_buffer = 8192;

/*
 * openat2(RESOLVE_BENEATH) of a rule's parent: the path cannot leave its
 * directory even if the tree were not what the plan checked.
 */
long open_rule_parent(const Where &w)
{
	uapi::OpenHow how{O_PATH | O_CLOEXEC, 0, uapi::resolve_beneath};
	const long fd = syscall(uapi::nr_openat2, w.dirfd, w.rel, &how, sizeof how);

	if (fd < 0 && errno == ENOSYS)
		return openat(w.dirfd, w.rel, O_PATH | O_CLOEXEC);
	return fd;
}

long add_rule(int ruleset, std::uint32_t type, const void *attr, std::uint32_t flags)
{
	return syscall(uapi::nr_landlock_add_rule, ruleset, type, attr, flags);
}

Outcome add_path_beneath(Task &t, const AddRule &op, int ruleset)
{
	uapi::PathBeneathAttr attr{op.allowed, -1};

	if (op.attr_null)
		return result(add_rule(ruleset, op.type, nullptr, op.flags));
	if (op.parent) {
		attr.parent_fd = fd_of(t, *op.parent);
		return result(add_rule(ruleset, op.type, &attr, op.flags));
	}
	if (!op.path)
		return result(add_rule(ruleset, op.type, &attr, op.flags));
	const long parent = open_rule_parent(where(t, *op.path));

	if (parent < 0) {
		const Outcome o = result(parent);

		t.note = "opening " + op.path->path + " with O_PATH for the rule failed";
		return o;
	}
	attr.parent_fd = static_cast<int>(parent);
	const Outcome o = result(add_rule(ruleset, op.type, &attr, op.flags));

	close(static_cast<int>(parent));
	return o;
}

} // namespace

Outcome run(Task &, const CreateRuleset &op, std::size_t)
{
	const std::size_t size = op.size.value_or(op.attr_null ? 0 : sizeof(uapi::RulesetAttr));
	const uapi::RulesetAttr attr{op.handled_fs, op.handled_net, op.scoped,
				     op.quiet_fs,   op.quiet_net,   op.quiet_scoped};
	/* Usually on the stack: a task avoids the heap (see Where). */
	alignas(8) unsigned char small[sizeof attr + 16] = {};
	std::vector<unsigned char> large;
	unsigned char *buf = small;

	if (size > sizeof small) {
		large.resize(std::min(size, max_attr_buffer));
		buf = large.data();
	}
	std::copy_n(reinterpret_cast<const unsigned char *>(&attr), sizeof attr, buf);
	if (op.trailing_garbage)
		buf[sizeof attr] = 0x5a;
	return result(syscall(uapi::nr_landlock_create_ruleset, op.attr_null ? nullptr : buf,
			      size, op.flags));
}

Outcome run(Task &t, const AddRule &op, std::size_t)
{
	const int ruleset = fd_of(t, op.ruleset);

	if (op.type == rule_type::path_beneath)
		return add_path_beneath(t, op, ruleset);
	if (op.attr_null)
		return result(add_rule(ruleset, op.type, nullptr, op.flags));
	/* net_port, and the {u64, u64} layout for unknown types. */
	const uapi::NetPortAttr attr{op.allowed, op.port};

	return result(add_rule(ruleset, op.type, &attr, op.flags));
}

Outcome run(Task &t, const RestrictSelf &op, std::size_t)
{
	return result(syscall(uapi::nr_landlock_restrict_self, fd_of(t, op.ruleset), op.flags));
}

Outcome run(Task &, const SetNoNewPrivs &, std::size_t)
{
	return result(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
}

Outcome run(Task &, const DropCaps &, std::size_t)
{
	uapi::CapHeader hdr{uapi::capability_version_3, 0};
	uapi::CapData data[2] = {};

	return result(syscall(uapi::nr_capset, &hdr, data));
}

Outcome run(Task &t, const GetSupervisee &op, std::size_t)
{
	return result(ioctl(fd_of(t, op.fd), uapi::ioctl_get_supervisee, op.flags));
}

Outcome run(Task &t, const Resume &, std::size_t)
{
	/* The plan skips such traces; reaching this is a bug of ours. */
	t.note = "resume cannot be performed on a real kernel";
	return Outcome::error(ENOSYS);
}

} // namespace lockstep::exec

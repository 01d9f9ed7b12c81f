// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep model - Building a trace's file tree
 */
#include "model/model.h"

#include <cerrno>
#include <cstring>

namespace lockstep {

namespace {

std::string where(const Loc &loc)
{
	return "line " + std::to_string(loc.line) + ": ";
}

/* Split "/a/b/c" into the parent "/a/b" and the name "c". */
void split_last(const std::string &path, std::string &parent, std::string &name)
{
	const auto slash = path.rfind('/');

	parent = path.substr(0, slash);
	name = path.substr(slash + 1);
}

std::optional<std::string> add_node(State &s, const TreeNode &n)
{
	std::string parent, name;

	split_last(n.path, parent, name);
	const Lookup dir = s.vfs.resolve(s.vfs.root(), parent, lookup_flag::follow);
	if (dir.err || !dir.target || !s.vfs.is_dir(*dir.target))
		return where(n.loc) + "parent of " + n.path + " is not a directory";
	if (s.vfs.child(*dir.target, name))
		return where(n.loc) + n.path + " already exists";

	FileType type = FileType::dir;
	switch (n.kind) {
	case NodeKind::dir:
		type = FileType::dir;
		break;
	case NodeKind::file:
		type = FileType::reg;
		break;
	case NodeKind::symlink:
		type = FileType::symlink;
		break;
	case NodeKind::fifo:
		type = FileType::fifo;
		break;
	case NodeKind::chardev:
		type = FileType::chr;
		break;
	}
	const DentryId d = s.vfs.create(*dir.target, name, type);
	Inode &ino = s.vfs.inode(s.vfs.dentry(d).inode);

	ino.target = n.target;
	ino.exec = n.exec;
	ino.program = n.exec;
	ino.major = n.major;
	ino.minor = n.minor;
	return std::nullopt;
}

std::optional<std::string> add_mount(State &s, const TreeMount &m)
{
	const Lookup at = s.vfs.resolve(s.vfs.root(), m.path, lookup_flag::follow);

	if (at.err || !at.target || !s.vfs.is_dir(*at.target))
		return where(m.loc) + "mount point " + m.path + " is not a directory";
	if (m.kind == MountKind::tmpfs) {
		s.vfs.mount_tmpfs(*at.target);
		return std::nullopt;
	}
	const Lookup src = s.vfs.resolve(s.vfs.root(), m.source, lookup_flag::follow);
	if (src.err || !src.target || !s.vfs.is_dir(*src.target))
		return where(m.loc) + "bind source " + m.source + " is not a directory";
	s.vfs.mount_bind(*src.target, *at.target);
	return std::nullopt;
}

} // namespace

std::optional<std::string> Model::setup(const Trace &trace)
{
	for (const auto &entry : trace.tree) {
		const auto err = std::visit(
			[&](const auto &e) {
				if constexpr (std::is_same_v<std::decay_t<decltype(e)>, TreeNode>)
					return add_node(state_, e);
				else
					return add_mount(state_, e);
			},
			entry);
		if (err)
			return err;
	}
	return std::nullopt;
}

} // namespace lockstep

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep model - The filesystem the tasks see
 */
#include "model/vfs.h"

#include <cerrno>

namespace lockstep {

namespace {

/* Linux's MAXSYMLINKS: more nested or chained links give ELOOP. */
constexpr int max_symlinks = 40;

std::vector<std::string> split_path(std::string_view rel)
{
	std::vector<std::string> out;

	while (!rel.empty()) {
		const auto slash = rel.find('/');
		const auto part = rel.substr(0, slash);

		if (!part.empty())
			out.emplace_back(part);
		if (slash == std::string_view::npos)
			break;
		rel.remove_prefix(slash + 1);
	}
	return out;
}

Lookup fail(int err)
{
	Lookup r;

	r.err = err;
	return r;
}

} // namespace

Vfs::Vfs()
{
	/* The trace's root: the root dentry of the root mount, fs 0. */
	inodes_.push_back(Inode{FileType::dir, 0});
	dentries_.push_back(Dentry{0, 0, "", {}, true});
	mounts_.push_back(MountEntry{0, -1, -1, true});
}

std::optional<MountId> Vfs::mounted_on(MountId parent, DentryId d) const
{
	for (MountId m = static_cast<MountId>(mounts_.size()) - 1; m > 0; m--) {
		const MountEntry &mnt = mounts_[m];

		if (mnt.attached && mnt.parent == parent && mnt.mountpoint == d)
			return m;
	}
	return std::nullopt;
}

/* A dentry covered by a mount is never seen: lookups land on its root. */
VPath Vfs::cross_mounts(VPath p) const
{
	while (const auto m = mounted_on(p.mnt, p.dentry))
		p = VPath{*m, mounts_[*m].root};
	return p;
}

std::optional<VPath> Vfs::child(const VPath &dir, const std::string &name) const
{
	const auto &children = dentry(dir.dentry).children;
	const auto it = children.find(name);

	if (it == children.end())
		return std::nullopt;
	return cross_mounts(VPath{dir.mnt, it->second});
}

Lookup Vfs::resolve(const VPath &start, std::string_view rel,
		    unsigned flags) const
{
	/* Each recursion level follows one symlink: depth-first, like namei. */
	struct Walker {
		const Vfs &vfs;
		int links = 0;

		Lookup walk(VPath cur, const std::vector<std::string> &comps,
			    unsigned flags)
		{
			Lookup r;

			if (comps.empty()) {
				r.parent = cur;
				r.target = cur;
				return r;
			}
			for (std::size_t i = 0; i < comps.size(); i++) {
				const bool last = i + 1 == comps.size();

				if (!vfs.is_dir(cur))
					return fail(ENOTDIR);
				if (vfs.inode(vfs.inode_of(cur)).dead)
					return fail(ENOENT);
				const auto c = vfs.child(cur, comps[i]);
				const bool is_link =
					c && vfs.type_of(*c) == FileType::symlink;

				if (last && (!is_link || !(flags & lookup_flag::follow))) {
					r.parent = cur;
					r.last = comps[i];
					r.target = c;
					return r;
				}
				if (!c)
					return fail(ENOENT);
				if (!is_link) {
					cur = *c;
					continue;
				}
				if (++links > max_symlinks)
					return fail(ELOOP);
				const auto &target = vfs.inode(vfs.inode_of(*c)).target;
				Lookup sub = walk(cur, split_path(target),
						  last ? flags : lookup_flag::follow);
				if (sub.err || last)
					return sub;
				if (!sub.target)
					return fail(ENOENT);
				cur = *sub.target;
			}
			return r; /* not reached */
		}
	};

	return Walker{*this}.walk(start, split_path(rel), flags);
}

bool Vfs::is_mount_root(const VPath &p) const
{
	return mount(p.mnt).root == p.dentry;
}

std::optional<VPath> Vfs::follow_up(const VPath &p) const
{
	const MountEntry &m = mount(p.mnt);

	if (m.parent < 0)
		return std::nullopt;
	return VPath{m.parent, m.mountpoint};
}

bool Vfs::is_subdir(DentryId d, DentryId ancestor) const
{
	while (true) {
		if (d == ancestor)
			return true;
		if (is_fs_root(d))
			return false;
		d = dentry(d).parent;
	}
}

bool Vfs::is_mountpoint(DentryId d) const
{
	for (std::size_t m = 1; m < mounts_.size(); m++)
		if (mounts_[m].attached && mounts_[m].mountpoint == d)
			return true;
	return false;
}

bool Vfs::has_children(MountId m) const
{
	for (const auto &mnt : mounts_)
		if (mnt.attached && mnt.parent == m)
			return true;
	return false;
}

void Vfs::attach(DentryId d, DentryId parent, const std::string &name)
{
	dentries_[d].parent = parent;
	dentries_[d].name = name;
	dentries_[d].hashed = true;
	dentries_[parent].children[name] = d;
}

void Vfs::detach(DentryId d)
{
	Dentry &de = dentries_[d];
	auto &siblings = dentries_[de.parent].children;
	const auto it = siblings.find(de.name);

	if (it != siblings.end() && it->second == d)
		siblings.erase(it);
	de.hashed = false;
}

DentryId Vfs::create(const VPath &dir, const std::string &name, FileType type)
{
	const InodeId ino = static_cast<InodeId>(inodes_.size());

	inodes_.push_back(Inode{type, inode(inode_of(dir)).fs});
	return new_dentry(dir, name, ino);
}

DentryId Vfs::add_link(const VPath &dir, const std::string &name, InodeId ino)
{
	inodes_[ino].nlink++;
	return new_dentry(dir, name, ino);
}

DentryId Vfs::new_dentry(const VPath &dir, const std::string &name, InodeId ino)
{
	const DentryId d = static_cast<DentryId>(dentries_.size());

	dentries_.push_back(Dentry{ino, dir.dentry, name, {}, true});
	dentries_[dir.dentry].children[name] = d;
	return d;
}

void Vfs::unlink(DentryId d)
{
	inodes_[dentries_[d].inode].nlink--;
	detach(d);
}

void Vfs::rmdir(DentryId d)
{
	inodes_[dentries_[d].inode].dead = true;
	detach(d);
}

void Vfs::rename(DentryId from, const VPath &to_dir, const std::string &to_name)
{
	auto &children = dentries_[to_dir.dentry].children;
	const auto it = children.find(to_name);

	if (it != children.end() && it->second != from) {
		const DentryId victim = it->second;

		if (inodes_[dentries_[victim].inode].type == FileType::dir)
			inodes_[dentries_[victim].inode].dead = true;
		else
			inodes_[dentries_[victim].inode].nlink--;
		detach(victim);
	}
	detach(from);
	attach(from, to_dir.dentry, to_name);
}

void Vfs::exchange(DentryId a, DentryId b)
{
	const DentryId pa = dentries_[a].parent, pb = dentries_[b].parent;
	const std::string na = dentries_[a].name, nb = dentries_[b].name;

	detach(a);
	detach(b);
	attach(a, pb, nb);
	attach(b, pa, na);
}

MountId Vfs::mount_tmpfs(const VPath &at)
{
	const InodeId ino = static_cast<InodeId>(inodes_.size());
	const DentryId d = static_cast<DentryId>(dentries_.size());
	const MountId m = static_cast<MountId>(mounts_.size());

	inodes_.push_back(Inode{FileType::dir, next_fs_++});
	dentries_.push_back(Dentry{ino, d, "", {}, true});
	mounts_.push_back(MountEntry{d, at.mnt, at.dentry, true});
	return m;
}

MountId Vfs::mount_bind(const VPath &source, const VPath &at)
{
	const MountId m = static_cast<MountId>(mounts_.size());

	mounts_.push_back(MountEntry{source.dentry, at.mnt, at.dentry, true});
	return m;
}

void Vfs::umount(MountId m)
{
	mounts_.at(m).attached = false;
}

std::string Vfs::dentry_name(DentryId d) const
{
	std::string out;

	while (!is_fs_root(d)) {
		out = "/" + dentry(d).name + out;
		d = dentry(d).parent;
	}
	const int fs = inode(dentry(d).inode).fs;
	if (fs != 0)
		out = "<tmpfs " + std::to_string(fs) + ">" + (out.empty() ? "/" : out);
	return out.empty() ? "/" : out;
}

std::string Vfs::path_name(const VPath &p) const
{
	std::string out;
	VPath cur = p;

	for (int guard = 0; guard < 4096; guard++) {
		if (is_mount_root(cur)) {
			const auto up = follow_up(cur);

			if (!up)
				return out.empty() ? "/" : out;
			cur = *up;
			continue;
		}
		if (is_fs_root(cur.dentry)) {
			/* Disconnected from its mount: name it from its fs. */
			return dentry_name(cur.dentry) + out + " (disconnected)";
		}
		out = "/" + dentry(cur.dentry).name + out;
		cur.dentry = dentry(cur.dentry).parent;
	}
	return out;
}

} // namespace lockstep

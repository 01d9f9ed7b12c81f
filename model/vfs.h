/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep model - The filesystem the tasks see
 *
 * A small VFS: inodes, the dentries that name them, and mounts.  It is as
 * close to Linux's structures as Landlock's semantics need ([vfs]):
 * - rules are tied to inodes, so hard links share them;
 * - path walks follow dentries (d_parent) and jump from a mount's root to its
 *   mount point, so bind mounts change which ancestors are seen;
 * - a dentry moved out of a bind mount's subtree is "disconnected" from it.
 */
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockstep {

using InodeId = int;
using DentryId = int;
using MountId = int;

enum class FileType : std::uint8_t { dir, reg, symlink, fifo, sock, chr, blk };

struct Inode {
	Inode() = default;
	Inode(FileType t, int f) : type(t), fs(f) {}

	FileType type = FileType::reg;
	int fs = 0;		/* superblock */
	std::string target;	/* symlink */
	unsigned major = 0, minor = 0; /* device */
	bool exec = false;	/* mode 0755 (tree "file PATH exec") */
	bool program = false;	/* still holds the program (not truncated) */
	bool dead = false;	/* removed directory (IS_DEADDIR) */
	int nlink = 1;
};

/*
 * A name of an inode in a directory.  Directories have exactly one dentry;
 * the root of a filesystem is its own parent (IS_ROOT).
 */
struct Dentry {
	InodeId inode = -1;
	DentryId parent = -1;
	std::string name;
	std::map<std::string, DentryId> children;
	bool hashed = true; /* false once unlinked or removed */
};

struct MountEntry {
	DentryId root = -1;
	MountId parent = -1;	  /* -1: the namespace's root mount */
	DentryId mountpoint = -1; /* in the parent mount's filesystem */
	bool attached = true;
};

/* A location: a dentry seen through a mount (Linux's struct path). */
struct VPath {
	MountId mnt = -1;
	DentryId dentry = -1;
	bool operator==(const VPath &) const = default;
};

/* What path resolution found ([vfs.resolve]). */
struct Lookup {
	int err = 0;			/* ENOENT, ENOTDIR, ELOOP... */
	VPath parent;			/* the directory holding @last */
	std::string last;		/* the final component */
	std::optional<VPath> target;	/* the final object, if it exists */
};

namespace lookup_flag {
inline constexpr unsigned follow = 1u << 0;	/* follow a final symlink */
} // namespace lookup_flag

class Vfs {
public:
	Vfs();

	VPath root() const { return {0, 0}; }

	const Inode &inode(InodeId i) const { return inodes_.at(i); }
	Inode &inode(InodeId i) { return inodes_.at(i); }
	const Dentry &dentry(DentryId d) const { return dentries_.at(d); }
	const MountEntry &mount(MountId m) const { return mounts_.at(m); }
	InodeId inode_of(const VPath &p) const { return dentry(p.dentry).inode; }
	FileType type_of(const VPath &p) const { return inode(inode_of(p)).type; }
	bool is_dir(const VPath &p) const { return type_of(p) == FileType::dir; }

	/*
	 * Resolve @rel (components joined by '/', no "." or "..") from
	 * @start.  Intermediate symlinks are always followed; the last one
	 * only with lookup_flag::follow.
	 */
	Lookup resolve(const VPath &start, std::string_view rel,
		       unsigned flags) const;

	/*
	 * The topmost mount stacked on @p, or @p: what umount(2) names
	 * ([vfs.mount], LOOKUP_MOUNTPOINT crosses mounts on the last step).
	 */
	VPath topmost(const VPath &p) const { return cross_mounts(p); }

	/* Child named @name in directory @dir, crossing mounts, if any. */
	std::optional<VPath> child(const VPath &dir, const std::string &name) const;

	/* ---- Landlock's view of ancestry ([fs.walk.mounts]) ---- */
	bool is_mount_root(const VPath &p) const;
	bool is_fs_root(DentryId d) const { return dentry(d).parent == d; }
	/* The mount point a mount root leads up to, skipping hidden ones. */
	std::optional<VPath> follow_up(const VPath &p) const;
	/* Whether @d is inside the subtree of @ancestor (or equal). */
	bool is_subdir(DentryId d, DentryId ancestor) const;
	/* Whether @d is the mount point of an attached mount. */
	bool is_mountpoint(DentryId d) const;
	/* Mounts whose mountpoint or root is inside @m's subtree... (umount) */
	bool has_children(MountId m) const;

	/* ---- Changes ---- */
	DentryId create(const VPath &dir, const std::string &name, FileType type);
	DentryId add_link(const VPath &dir, const std::string &name, InodeId inode);
	void unlink(DentryId d);
	void rmdir(DentryId d);
	/* rename(2) without flags or with RENAME_NOREPLACE: @to may exist. */
	void rename(DentryId from, const VPath &to_dir, const std::string &to_name);
	void exchange(DentryId a, DentryId b);
	MountId mount_tmpfs(const VPath &at);
	MountId mount_bind(const VPath &source, const VPath &at);
	void umount(MountId m);

	/* "/a/b" as seen from the namespace root, for explanations. */
	std::string path_name(const VPath &p) const;
	/* Name of the dentry from its filesystem root ("/a/b" or "<tmpfs 2>/x"). */
	std::string dentry_name(DentryId d) const;
	std::size_t num_inodes() const { return inodes_.size(); }

private:
	std::vector<Inode> inodes_;
	std::vector<Dentry> dentries_;
	std::vector<MountEntry> mounts_;
	int next_fs_ = 1;

	std::optional<MountId> mounted_on(MountId parent, DentryId d) const;
	VPath cross_mounts(VPath p) const;
	void detach(DentryId d);
	DentryId new_dentry(const VPath &dir, const std::string &name, InodeId ino);
	void attach(DentryId d, DentryId parent, const std::string &name);
};

} // namespace lockstep

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep executor - Building and removing a trace's file tree
 */
#include "kernel/executor/tree.h"

#include "kernel/executor/elf.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace lockstep::exec {

namespace {

/* "/a/b" -> "a/b", relative to the root fd. */
std::string rel(const std::string &path) { return path == "/" ? "." : path.substr(1); }

bool write_file(int root_fd, const std::string &path, const void *data, std::size_t size,
		mode_t mode)
{
	const int fd = openat(root_fd, rel(path).c_str(),
			      O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0)
		return false;
	/* The worker's umask is 022: @mode (0644 or 0755) is kept as is. */
	const bool ok = write(fd, data, size) == static_cast<ssize_t>(size);
	const int err = errno;

	close(fd);
	errno = err;
	return ok;
}

/* Create one node; false with errno set on failure. */
bool make_node(const TreeNode &n, int root_fd)
{
	const std::string r = rel(n.path);

	switch (n.kind) {
	case NodeKind::dir:
		return mkdirat(root_fd, r.c_str(), 0755) == 0;
	case NodeKind::file:
		if (n.exec)
			return write_file(root_fd, n.path, tiny_elf.data(), tiny_elf.size(), 0755);
		return write_file(root_fd, n.path, plain_file_content,
				  sizeof plain_file_content - 1, 0644);
	case NodeKind::symlink:
		return symlinkat(n.target.c_str(), root_fd, r.c_str()) == 0;
	case NodeKind::fifo:
		return mkfifoat(root_fd, r.c_str(), 0644) == 0;
	case NodeKind::chardev:
		return mknodat(root_fd, r.c_str(), S_IFCHR | 0666, makedev(n.major, n.minor)) == 0;
	}
	errno = EINVAL;
	return false;
}

const char *node_word(NodeKind k)
{
	switch (k) {
	case NodeKind::dir:
		return "dir";
	case NodeKind::file:
		return "file";
	case NodeKind::symlink:
		return "symlink";
	case NodeKind::fifo:
		return "fifo";
	case NodeKind::chardev:
		return "chardev";
	}
	return "?";
}

/*
 * Mount with paths relative to the root fd, as steps do ("/" is "."): a
 * walk then starts on the root's own dentry, beneath any mount stacked on
 * it, like the model's ([vfs.mount]).  An absolute path would cross it.
 */
bool make_mount(const TreeMount &m, int root_fd)
{
	const int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	bool ok = here >= 0 && fchdir(root_fd) == 0;

	if (ok && m.kind == MountKind::tmpfs)
		ok = mount("tmpfs", rel(m.path).c_str(), "tmpfs", 0, nullptr) == 0;
	else if (ok)
		ok = mount(rel(m.source).c_str(), rel(m.path).c_str(), nullptr, MS_BIND,
			   nullptr) == 0;
	const int err = errno;

	if (here >= 0) {
		if (fchdir(here) != 0)
			ok = false;
		close(here);
	}
	errno = err;
	return ok;
}

/* Undo the octal escapes of /proc/self/mountinfo ("\040" for a space). */
std::string unescape(const std::string &s)
{
	std::string out;

	for (std::size_t i = 0; i < s.size(); i++) {
		if (s[i] == '\\' && i + 3 < s.size()) {
			out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
			i += 3;
		} else {
			out += s[i];
		}
	}
	return out;
}

/* The names in directory @fd, and whether each is a directory. */
bool list_dir(int fd, std::vector<std::pair<std::string, bool>> &entries)
{
	alignas(8) char buf[8192];
	long n;

	lseek(fd, 0, SEEK_SET);
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < n;) {
			const auto *d = reinterpret_cast<const dirent64 *>(buf + off);
			const std::string name = d->d_name;
			bool is_dir = d->d_type == DT_DIR;

			off += d->d_reclen;
			if (name == "." || name == "..")
				continue;
			if (d->d_type == DT_UNKNOWN) {
				struct stat st {};

				is_dir = fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
					 S_ISDIR(st.st_mode);
			}
			entries.emplace_back(name, is_dir);
		}
	}
	return n == 0;
}

} // namespace

std::optional<std::string> build_tree(const std::vector<TreeEntry> &tree, int root_fd)
{
	for (const auto &e : tree) {
		std::string what;
		bool ok;
		int line;

		if (const auto *n = std::get_if<TreeNode>(&e)) {
			ok = make_node(*n, root_fd);
			what = std::string(node_word(n->kind)) + " " + n->path;
			line = n->loc.line;
		} else {
			const auto &m = std::get<TreeMount>(e);

			ok = make_mount(m, root_fd);
			what = "mount " + std::string(m.kind == MountKind::tmpfs ? "tmpfs " : "bind ") +
			       (m.kind == MountKind::bind ? m.source + " " : "") + m.path;
			line = m.loc.line;
		}
		if (!ok)
			return "tree line " + std::to_string(line) + ": " + what + ": " +
			       errno_name(errno);
	}
	return std::nullopt;
}

void unmount_beneath(const std::string &path)
{
	std::ifstream in("/proc/self/mountinfo");
	std::vector<std::string> points;

	for (std::string line; std::getline(in, line);) {
		std::istringstream fields(line);
		std::string id, parent, dev, root, point;

		fields >> id >> parent >> dev >> root >> point;
		point = unescape(point);
		if (point == path || point.starts_with(path + "/"))
			points.push_back(point);
	}
	/* Deepest first; a lazy unmount also detaches what is beneath. */
	std::sort(points.begin(), points.end(),
		  [](const auto &a, const auto &b) { return a.size() > b.size(); });
	for (const auto &p : points)
		umount2(p.c_str(), MNT_DETACH);
}

bool remove_entries(int root_fd, const std::vector<TreeEntry> &tree)
{
	for (auto e = tree.rbegin(); e != tree.rend(); ++e) {
		const auto *n = std::get_if<TreeNode>(&*e);

		if (n && unlinkat(root_fd, rel(n->path).c_str(),
				  n->kind == NodeKind::dir ? AT_REMOVEDIR : 0) != 0)
			return false;
	}
	return true;
}

bool empty_dir(int fd)
{
	std::vector<std::pair<std::string, bool>> entries;
	bool ok = list_dir(fd, entries);

	for (const auto &[name, is_dir] : entries) {
		if (is_dir)
			ok = remove_tree(fd, name) && ok;
		else
			ok = unlinkat(fd, name.c_str(), 0) == 0 && ok;
	}
	return ok;
}

bool remove_tree(int dir_fd, const std::string &name)
{
	const int fd = openat(dir_fd, name.c_str(),
			      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return unlinkat(dir_fd, name.c_str(), 0) == 0;
	const bool ok = empty_dir(fd);

	close(fd);
	return unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) == 0 && ok;
}

} // namespace lockstep::exec

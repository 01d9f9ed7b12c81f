// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep repro - The trace's tree, as C
 *
 * The same nodes, contents and modes as kernel/executor/tree.cc, created
 * relative to the current directory (the reproducer's root).
 */
#include "kernel/repro/c_text.h"

#include "kernel/executor/elf.h"

namespace lockstep::repro {

namespace {

std::string rel(const std::string &path) { return c_string(path == "/" ? "." : path.substr(1)); }

/* The C call creating @n; 0 on success, like the system calls. */
std::string node_call(const TreeNode &n)
{
	switch (n.kind) {
	case NodeKind::dir:
		return "mkdir(" + rel(n.path) + ", 0755)";
	case NodeKind::file:
		if (n.exec)
			return "write_file(" + rel(n.path) + ", tiny_elf, sizeof(tiny_elf), 0755)";
		return "write_file(" + rel(n.path) + ", " + c_string(exec::plain_file_content) +
		       ", " + std::to_string(sizeof exec::plain_file_content - 1) + ", 0644)";
	case NodeKind::symlink:
		return "symlink(" + c_string(n.target) + ", " + rel(n.path) + ")";
	case NodeKind::fifo:
		return "mkfifo(" + rel(n.path) + ", 0644)";
	case NodeKind::chardev:
		return "mknod(" + rel(n.path) + ", S_IFCHR | 0666, makedev(" +
		       std::to_string(n.major) + ", " + std::to_string(n.minor) + "))";
	}
	return "-1";
}

std::string mount_call(const TreeMount &m)
{
	if (m.kind == MountKind::tmpfs)
		return "mount(\"tmpfs\", " + rel(m.path) + ", \"tmpfs\", 0, NULL)";
	return "mount(" + rel(m.source) + ", " + rel(m.path) + ", NULL, MS_BIND, NULL)";
}

} // namespace

std::string c_build_tree(const Trace &t)
{
	std::string out;

	for (const auto &e : t.tree) {
		std::string call;
		int line;

		if (const auto *n = std::get_if<TreeNode>(&e)) {
			call = node_call(*n);
			line = n->loc.line;
		} else {
			call = mount_call(std::get<TreeMount>(e));
			line = std::get<TreeMount>(e).loc.line;
		}
		out += "\tif (" + call + ") {\n\t\tperror(" +
		       c_string("tree line " + std::to_string(line)) + ");\n\t\treturn 1;\n\t}\n";
	}
	return out + "\treturn 0;\n";
}

} // namespace lockstep::repro

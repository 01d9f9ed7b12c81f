// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep trace language - Static checks
 */
#include "conformance/trace/validate.h"

namespace lockstep::trace {

namespace {

bool is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

const char *kind_name(NodeKind kind)
{
	switch (kind) {
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
 * The components of @path, which starts at @base in the word being checked
 * (for offsets).  Empty components are rejected rather than collapsed: a
 * trace author writing "a//b" most likely forgot a name.
 */
std::optional<Problem> check_components(std::string_view path, std::size_t base)
{
	std::size_t start = 0;

	while (true) {
		const auto slash = path.find('/', start);
		const auto comp = path.substr(start, slash - start);
		const std::size_t at = base + start;

		if (comp.empty() && slash == std::string_view::npos)
			return Problem{at - 1, "expected a path without a trailing '/'"};
		if (comp.empty())
			return Problem{at, "expected a path without empty components ('//')"};
		if (comp == ".")
			return Problem{at, "expected a path without '.' components"};
		if (comp == "..")
			return Problem{at, "expected a path without '..' components: "
					   "a trace cannot name anything outside its root"};
		if (slash == std::string_view::npos)
			return std::nullopt;
		start = slash + 1;
	}
}

} // namespace

bool is_name(std::string_view s)
{
	if (s.empty() || !is_name_start(s[0]))
		return false;
	for (const char c : s)
		if (!is_name_char(c))
			return false;
	return true;
}

std::optional<Problem> check_absolute_path(std::string_view path)
{
	if (!path.starts_with('/'))
		return Problem{0, "expected an absolute path ('/a/b')"};
	if (path == "/")
		return std::nullopt;
	return check_components(path.substr(1), 1);
}

std::optional<Problem> check_relative_path(std::string_view path)
{
	if (path.empty())
		return Problem{0, "expected a path after '/' ('$D/b/c')"};
	return check_components(path, 0);
}

std::optional<Problem> check_symlink_target(std::string_view target)
{
	std::size_t start = 0;

	if (target.empty())
		return Problem{0, "expected a symlink target"};
	if (target.starts_with('/'))
		return Problem{0, "expected a relative symlink target (relative to "
				  "the link's directory)"};
	while (start <= target.size()) {
		const auto slash = target.find('/', start);

		if (target.substr(start, slash - start) == "..")
			return Problem{start, "expected a symlink target without '..' "
					      "components"};
		if (slash == std::string_view::npos)
			break;
		start = slash + 1;
	}
	return std::nullopt;
}

std::string parent_path(std::string_view path)
{
	const auto slash = path.rfind('/');

	if (slash == 0 || slash == std::string_view::npos)
		return "/";
	return std::string(path.substr(0, slash));
}

Scope::Scope()
{
	tasks_.insert("main");
	nodes_.emplace("/", NodeKind::dir);
}

std::optional<std::string> Scope::add_task(std::string_view name)
{
	if (!tasks_.insert(std::string(name)).second)
		return "task '" + std::string(name) + "' already exists: expected a new name";
	return std::nullopt;
}

std::optional<std::string> Scope::use_task(std::string_view name) const
{
	if (tasks_.contains(name))
		return std::nullopt;
	return "unknown task '" + std::string(name) +
	       "': expected main or a task created by an earlier fork or thread step";
}

void Scope::bind_fd(std::string_view name) { fds_.insert(std::string(name)); }

std::optional<std::string> Scope::use_fd(std::string_view name) const
{
	if (fds_.contains(name))
		return std::nullopt;
	return "unknown fd '" + std::string(name) +
	       "': expected a name bound by an earlier step ('" +
	       std::string(name) + " = ...') or a number";
}

std::optional<std::string> Scope::add_node(std::string_view path, NodeKind kind)
{
	const auto parent = parent_path(path);
	const auto it = nodes_.find(parent);

	if (nodes_.contains(path))
		return "'" + std::string(path) + "' is already declared: expected a new path";
	if (it == nodes_.end())
		return "expected parent directory '" + parent +
		       "' to be declared (dir) before '" + std::string(path) + "'";
	if (it->second != NodeKind::dir)
		return "expected parent '" + parent + "' to be a dir, not a " +
		       kind_name(it->second);
	nodes_.emplace(std::string(path), kind);
	return std::nullopt;
}

std::optional<std::string> Scope::use_dir(std::string_view path) const
{
	const auto it = nodes_.find(path);

	if (it == nodes_.end())
		return "expected a declared dir: '" + std::string(path) +
		       "' is not declared";
	if (it->second != NodeKind::dir)
		return "expected a dir: '" + std::string(path) + "' is a " +
		       kind_name(it->second);
	return std::nullopt;
}

} // namespace lockstep::trace

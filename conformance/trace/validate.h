/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep trace language - Static checks
 *
 * What makes a syntactically correct trace meaningful, independently of any
 * kernel: names are well formed, paths stay beneath the trace's root, tasks
 * and fd names exist before they are used, and the tree is built parents
 * first.  The parser calls these checks as it reads each line, because it
 * knows the exact column of every word; they live here so that the rules
 * are in one place and can be tested on their own.
 */
#pragma once

#include "model/ops.h"

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace lockstep::trace {

/**
 * struct Problem - why a word is malformed
 *
 * @offset: 0-based offset in the word of the offending character.
 * @message: what was expected, for a "FILE:LINE:COL: ..." error.
 */
struct Problem {
	std::size_t offset = 0;
	std::string message;
	bool operator==(const Problem &) const = default;
};

/* A task or fd name: [A-Za-z_][A-Za-z0-9_]*. */
bool is_name(std::string_view s);

/* An absolute path in the trace's root: "/" or "/a/b", no ".", "..", "//". */
std::optional<Problem> check_absolute_path(std::string_view path);

/* The part after "$D/" of a relative path: "b/c", same rules. */
std::optional<Problem> check_relative_path(std::string_view path);

/* A symlink target: not empty, relative, without ".." components. */
std::optional<Problem> check_symlink_target(std::string_view target);

/* The parent directory of an absolute path other than "/" ("/" for "/a"). */
std::string parent_path(std::string_view path);

/**
 * class Scope - what the lines read so far have declared
 *
 * Tasks ("main" and those created by fork and thread), fd names bound by a
 * step (in any task: which process holds a name is the model's business)
 * and the nodes of the tree.  Each check returns the message of an error,
 * or nothing when all is well.
 */
class Scope {
public:
	Scope();

	/* A new task named @name (fork, thread): an error if it exists. */
	std::optional<std::string> add_task(std::string_view name);
	/* @name acts or is acted upon: it must exist. */
	std::optional<std::string> use_task(std::string_view name) const;

	/* A step binds @name (again, possibly). */
	void bind_fd(std::string_view name);
	/* @name is used as an fd: it must have been bound. */
	std::optional<std::string> use_fd(std::string_view name) const;

	/* The tree line at @path creates a node: new, with a dir as parent. */
	std::optional<std::string> add_node(std::string_view path, NodeKind kind);
	/* A tree mount needs @path to be a declared directory. */
	std::optional<std::string> use_dir(std::string_view path) const;

	bool operator==(const Scope &) const = default;

private:
	std::set<std::string, std::less<>> tasks_;
	std::set<std::string, std::less<>> fds_;
	std::map<std::string, NodeKind, std::less<>> nodes_;
};

} // namespace lockstep::trace

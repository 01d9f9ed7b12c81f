/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep executor - What a trace needs before it runs
 *
 * Before any process is forked, a trace is checked once: whether it can run
 * here at all (requirements, privilege, model-only steps), whether it is
 * safe (every path stays beneath the trace's root), and which task performs
 * each step.  Tasks are numbered in order of creation, main being 0; the
 * numbers index the mailbox slots.
 */
#pragma once

#include "model/ops.h"
#include "model/profile.h"

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace lockstep::exec {

/* The most tasks a trace may create, and steps it may have (mailbox). */
inline constexpr int max_tasks = 32;
inline constexpr std::size_t max_steps = 1024;
/* The most fd names a trace may use (each process has a table of them). */
inline constexpr int max_fd_names = 256;

/**
 * struct Plan - a checked trace, ready to run
 *
 * @skip: why the trace cannot run here ("needs root: mount").
 * @error: why the trace must not run at all (unsafe path, unknown task).
 * @task_names: index -> task name; [0] is "main".
 * @actor: per step, the index of the acting task.
 * @other: per step, the task created (fork, thread) or addressed (kill,
 *         tkill, pass_fd), else -1.
 * @has_mounts: the tree or a step mounts something (cleanup must unmount).
 * @passes_fds: a step is pass_fd (main needs the socket pair).
 * @mutates: a step may change the tree (create, remove, rename, write,
 *           mount...); when false, the tree is exactly as built afterwards.
 * @single_process: no fork and no exec: main is the only process.
 * @holds_names: a step makes a socket, which may hold a port or a name
 *               that the next trace could run into.
 * @fd_names: every fd name the trace binds or uses, in order of appearance.
 * @fd_ids: name -> its index in @fd_names (and in a process's table).
 */
struct Plan {
	std::optional<std::string> skip;
	std::optional<std::string> error;
	std::vector<std::string> task_names;
	std::vector<int> actor;
	std::vector<int> other;
	bool has_mounts = false;
	bool passes_fds = false;
	bool mutates = false;
	bool single_process = true;
	bool holds_names = false;
	std::vector<std::string> fd_names;
	std::unordered_map<std::string, int> fd_ids;
};

/**
 * make_plan() - check @t against the kernel @profile
 * @privileged: whether the worker may mount and create device nodes.
 */
Plan make_plan(const Trace &t, const Profile &profile, bool privileged);

/*
 * Why @path (a trace path, "/a/b" or relative "b/c" with @relative) is
 * unsafe, or nullopt: absolute when it should not be, or with "..".
 */
std::optional<std::string> unsafe_path(const std::string &path, bool relative);

} // namespace lockstep::exec

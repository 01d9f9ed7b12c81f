/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep executor - Root directories of traces, reused
 *
 * Each trace runs in its own root directory ("r<N>" in the worker's scratch
 * directory), empty but for the trace's tree.  Creating, opening, emptying
 * and removing a directory per trace costs system calls on the critical
 * path, so roots are kept: emptied after their trace, or even kept with
 * their tree when the trace left it untouched, for a later trace with the
 * same tree (families of traces share their fixtures).
 */
#pragma once

#include "model/ops.h"

#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace lockstep::exec {

/* A trace's root directory: its name in the scratch directory, and an fd. */
struct TraceDir {
	std::string name;
	std::string path;
	int fd = -1;
};

/**
 * class RootPool - root directories ready for traces
 *
 * Not thread-safe; lives in the worker process.
 */
class RootPool {
public:
	RootPool() = default;
	RootPool(int scratch_fd, std::string scratch) : fd_(scratch_fd), path_(std::move(scratch)) {}

	/*
	 * A root holding @tree: kept from an earlier trace with the same tree,
	 * or emptied and built now.  Returns the error, naming the tree line.
	 */
	std::optional<std::string> take(const std::vector<TreeEntry> &tree, TraceDir &d);

	/*
	 * Take back @d once its trace is over and its processes are reaped.
	 * @pristine: the trace changed nothing (Plan::mutates false, no mounts),
	 * so the root still holds exactly @tree.
	 */
	void give_back(TraceDir &&d, const std::vector<TreeEntry> &tree, bool pristine);

	/* How many roots hold a tree for reuse (tests). */
	std::size_t kept_trees() const;

private:
	struct Spare {
		TraceDir dir;
		std::optional<std::vector<TreeEntry>> tree; /* what it holds, if anything */
	};

	/* Roots kept with their tree; beyond, the oldest is emptied. */
	static constexpr std::size_t max_kept = 4;

	std::optional<std::string> make_root(TraceDir &d);
	bool empty_spare(Spare &s);
	void discard(TraceDir &d);

	int fd_ = -1;
	std::string path_;
	std::deque<Spare> spares_; /* oldest first */
	unsigned long made_ = 0;
};

} // namespace lockstep::exec

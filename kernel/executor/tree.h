/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep executor - A trace's file tree: building and removing it
 *
 * The worker builds the tree, unrestricted, in declaration order, beneath
 * the trace's root directory fd, before the first step; afterwards it
 * unmounts whatever the trace mounted there and removes the directory.
 * Nothing here follows a symbolic link out of the root: nodes are created
 * with *at() calls relative to the root fd, the plan has refused absolute
 * paths and "..", and removal never follows links.
 */
#pragma once

#include "model/ops.h"

#include <optional>
#include <string>
#include <vector>

namespace lockstep::exec {

/**
 * build_tree() - create @tree in the empty directory @root_fd
 *
 * Returns the error of the first entry that failed, naming its line
 * ("tree line 4: mkdir /a/b: EEXIST"), or nullopt.
 */
std::optional<std::string> build_tree(const std::vector<TreeEntry> &tree, int root_fd);

/* Lazily unmount every mount point at or beneath @path, deepest first. */
void unmount_beneath(const std::string &path);

/*
 * Empty @root_fd, assuming it holds exactly @tree (as built by
 * build_tree() and left alone since): one unlink per entry, newest first,
 * no directory reading.  Returns false at the first surprise; empty_dir()
 * must then finish the job.
 */
bool remove_entries(int root_fd, const std::vector<TreeEntry> &tree);

/* Remove everything in directory @fd, without following symbolic links. */
bool empty_dir(int fd);

/*
 * Remove @name in @dir_fd and everything beneath it, without following
 * symbolic links.  Returns false if something could not be removed.
 */
bool remove_tree(int dir_fd, const std::string &name);

} // namespace lockstep::exec

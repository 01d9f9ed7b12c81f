// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep executor - Root directories of traces, reused
 */
#include "kernel/executor/roots.h"

#include "kernel/executor/tree.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lockstep::exec {

std::optional<std::string> RootPool::make_root(TraceDir &d)
{
	d.name = "r" + std::to_string(made_++);
	d.path = path_ + "/" + d.name;
	if (mkdirat(fd_, d.name.c_str(), 0755) != 0)
		return "mkdir " + d.path + ": " + errno_name(errno);
	d.fd = openat(fd_, d.name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (d.fd < 0)
		return "open " + d.path + ": " + errno_name(errno);
	return std::nullopt;
}

/* Empty a kept root; false if it could not be emptied (then discarded). */
bool RootPool::empty_spare(Spare &s)
{
	if (!s.tree)
		return true;
	if (remove_entries(s.dir.fd, *s.tree) || empty_dir(s.dir.fd)) {
		s.tree.reset();
		return true;
	}
	discard(s.dir);
	return false;
}

void RootPool::discard(TraceDir &d)
{
	if (d.fd >= 0)
		close(d.fd);
	remove_tree(fd_, d.name);
	d = TraceDir{};
}

std::optional<std::string> RootPool::take(const std::vector<TreeEntry> &tree, TraceDir &d)
{
	auto same = std::find_if(spares_.begin(), spares_.end(),
				 [&](const Spare &s) { return s.tree && *s.tree == tree; });

	if (same != spares_.end()) {
		d = std::move(same->dir);
		spares_.erase(same);
		return std::nullopt;
	}
	/* An empty root, else the oldest kept one, emptied, else a new one. */
	auto empty = std::find_if(spares_.begin(), spares_.end(),
				  [](const Spare &s) { return !s.tree; });

	if (empty == spares_.end())
		empty = spares_.begin();
	while (empty != spares_.end() && !empty_spare(*empty))
		empty = spares_.erase(empty);
	std::optional<std::string> err;

	if (empty != spares_.end()) {
		d = std::move(empty->dir);
		spares_.erase(empty);
	} else {
		err = make_root(d);
	}
	return err ? err : build_tree(tree, d.fd);
}

void RootPool::give_back(TraceDir &&d, const std::vector<TreeEntry> &tree, bool pristine)
{
	if (d.fd < 0) {
		if (!d.name.empty())
			remove_tree(fd_, d.name);
		return;
	}
	if (pristine) {
		spares_.push_back(Spare{std::move(d), tree});
		if (kept_trees() > max_kept)
			for (auto &s : spares_)
				if (s.tree) {
					empty_spare(s);
					break;
				}
		std::erase_if(spares_, [](const Spare &s) { return s.dir.fd < 0; });
		return;
	}
	if (empty_dir(d.fd))
		spares_.push_back(Spare{std::move(d), std::nullopt});
	else
		discard(d);
}

std::size_t RootPool::kept_trees() const
{
	return static_cast<std::size_t>(
		std::count_if(spares_.begin(), spares_.end(), [](const Spare &s) { return s.tree.has_value(); }));
}

} // namespace lockstep::exec

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep executor - Static checks of a trace before it runs
 */
#include "kernel/executor/plan.h"

#include <map>
#include <string_view>
#include <type_traits>

namespace lockstep::exec {

namespace {

/* What the checks need to know about one operation. */
struct OpFacts {
	std::vector<const PathRef *> paths;
	const std::string *symlink_target = nullptr;
	const char *needs_root = nullptr; /* the operation, for the skip reason */
	bool mounts = false;
	const std::string *task = nullptr; /* created or addressed task */
	bool creates_task = false;
};

void add_addr(OpFacts &f, const SockAddr &a)
{
	if (a.family == AddrFamily::unix_path)
		f.paths.push_back(&a.path);
}

/* Whether @op may leave the tree different from what build_tree() made. */
bool mutates(const Op &op)
{
	if (const auto *o = std::get_if<Open>(&op))
		return o->flags & (open_flag::creat | open_flag::trunc);
	if (const auto *b = std::get_if<Bind>(&op))
		return b->addr.family == AddrFamily::unix_path;
	return std::holds_alternative<Write>(op) || std::holds_alternative<Truncate>(op) ||
	       std::holds_alternative<Ftruncate>(op) || std::holds_alternative<Mkdir>(op) ||
	       std::holds_alternative<Mknod>(op) || std::holds_alternative<Symlink>(op) ||
	       std::holds_alternative<Link>(op) || std::holds_alternative<Rename>(op) ||
	       std::holds_alternative<Unlink>(op) || std::holds_alternative<Rmdir>(op) ||
	       std::holds_alternative<Mount>(op) || std::holds_alternative<Umount>(op);
}

OpFacts facts(const Op &op)
{
	OpFacts f;

	std::visit(
		[&f](const auto &o) {
			using T = std::decay_t<decltype(o)>;

			if constexpr (std::is_same_v<T, AddRule>) {
				if (o.path)
					f.paths.push_back(&*o.path);
			} else if constexpr (std::is_same_v<T, Open> || std::is_same_v<T, Truncate> ||
					     std::is_same_v<T, Mkdir> || std::is_same_v<T, Unlink> ||
					     std::is_same_v<T, Rmdir> || std::is_same_v<T, Exec>) {
				f.paths.push_back(&o.path);
			} else if constexpr (std::is_same_v<T, Mknod>) {
				f.paths.push_back(&o.path);
				if (o.kind == MknodKind::chr)
					f.needs_root = "mknod char";
				if (o.kind == MknodKind::blk)
					f.needs_root = "mknod block";
			} else if constexpr (std::is_same_v<T, Symlink>) {
				f.paths.push_back(&o.path);
				f.symlink_target = &o.target;
			} else if constexpr (std::is_same_v<T, Link> || std::is_same_v<T, Rename>) {
				f.paths.push_back(&o.from);
				f.paths.push_back(&o.to);
			} else if constexpr (std::is_same_v<T, Mount>) {
				if (o.kind == MountKind::bind)
					f.paths.push_back(&o.source);
				f.paths.push_back(&o.path);
				f.needs_root = "mount";
				f.mounts = true;
			} else if constexpr (std::is_same_v<T, Umount>) {
				f.paths.push_back(&o.path);
				f.needs_root = "umount";
			} else if constexpr (std::is_same_v<T, Bind> || std::is_same_v<T, Connect>) {
				add_addr(f, o.addr);
			} else if constexpr (std::is_same_v<T, SendTo>) {
				if (o.addr)
					add_addr(f, *o.addr);
			} else if constexpr (std::is_same_v<T, Fork> || std::is_same_v<T, Thread>) {
				f.task = &o.name;
				f.creates_task = true;
			} else if constexpr (std::is_same_v<T, Kill>) {
				f.task = &o.target;
			} else if constexpr (std::is_same_v<T, PassFd>) {
				f.task = &o.to;
			} else if constexpr (std::is_same_v<T, Resume>) {
				f.task = &o.task;
			}
		},
		op);
	return f;
}

/* Call @f with every fd name @op uses (FdRef names, "$D" directories). */
template <class F> void for_each_fd_name(const Op &op, F f)
{
	std::visit(
		[&](const auto &o) {
			auto path = [&](const PathRef &p) {
				if (!p.at.empty())
					f(p.at);
			};
			auto fd = [&](const FdRef &r) {
				if (!r.is_raw())
					f(r.name);
			};
			if constexpr (requires { o.fd.name; })
				fd(o.fd);
			if constexpr (requires { o.ruleset.name; })
				fd(o.ruleset);
			if constexpr (requires { o.parent->name; })
				if (o.parent)
					fd(*o.parent);
			if constexpr (requires { o.path.at; })
				path(o.path);
			if constexpr (requires { o.path->at; })
				if (o.path)
					path(*o.path);
			if constexpr (requires { o.from.at; })
				path(o.from), path(o.to);
			if constexpr (requires { o.source.at; })
				path(o.source);
			if constexpr (requires { o.addr.path; })
				path(o.addr.path);
			if constexpr (requires { o.addr->path; })
				if (o.addr)
					path(o.addr->path);
		},
		op);
}

/* Number every fd name; false if there are too many. */
bool number_fd_names(const Trace &t, Plan &plan)
{
	auto add = [&](const std::string &name) {
		if (name.empty() || plan.fd_ids.count(name))
			return;
		plan.fd_ids.emplace(name, static_cast<int>(plan.fd_names.size()));
		plan.fd_names.push_back(name);
	};

	for (const auto &s : t.steps) {
		for_each_fd_name(s.op, add);
		add(s.bind);
	}
	return plan.fd_names.size() <= static_cast<std::size_t>(max_fd_names);
}

std::optional<std::string> requirement_skip(const Requirement &r, const Profile &p,
					    bool privileged)
{
	using K = Requirement::Kind;
	const std::string abi = std::to_string(p.abi);

	switch (r.kind) {
	case K::abi_at_least:
		if (p.abi < r.abi)
			return "needs Landlock ABI >= " + std::to_string(r.abi) +
			       " (kernel has " + abi + ")";
		break;
	case K::abi_at_most:
		if (p.abi > r.abi)
			return "needs Landlock ABI <= " + std::to_string(r.abi) +
			       " (kernel has " + abi + ")";
		break;
	case K::root:
		if (!privileged)
			return std::string("needs root (requires root)");
		break;
	case K::supervisor:
		if (p.abi < supervisor_abi)
			return "needs the supervisor extension (ABI " +
			       std::to_string(supervisor_abi) + ", kernel has " + abi + ")";
		break;
	case K::model_only:
		return "model only: " + (r.reason.empty() ? std::string("requires model") : r.reason);
	}
	return std::nullopt;
}

std::optional<std::string> tree_problem(const TreeEntry &e, bool privileged, Plan &plan)
{
	const int line = std::visit([](const auto &x) { return x.loc.line; }, e);
	const std::string where = "tree line " + std::to_string(line) + ": ";

	if (const auto *n = std::get_if<TreeNode>(&e)) {
		if (auto bad = unsafe_path(n->path, false))
			return where + *bad;
		if (n->kind == NodeKind::symlink)
			if (auto bad = unsafe_path(n->target, true))
				return where + "symlink target: " + *bad;
		if (n->kind == NodeKind::chardev && !privileged)
			plan.skip = "needs root: chardev " + n->path;
		return std::nullopt;
	}
	const auto &m = std::get<TreeMount>(e);

	plan.has_mounts = true;
	if (!privileged)
		plan.skip = "needs root: mount " + m.path;
	if (m.kind == MountKind::bind)
		if (auto bad = unsafe_path(m.source, false))
			return where + *bad;
	if (auto bad = unsafe_path(m.path, false))
		return where + *bad;
	return std::nullopt;
}

std::optional<std::string> step_problem(const Step &s, std::size_t index, bool privileged,
					Plan &plan, std::map<std::string, int> &tasks)
{
	const std::string where = "step " + std::to_string(index + 1) + " (line " +
				  std::to_string(s.loc.line) + "): ";
	const OpFacts f = facts(s.op);
	const auto actor = tasks.find(s.task);

	if (actor == tasks.end())
		return where + "task '" + s.task + "' does not exist yet";
	plan.actor.push_back(actor->second);
	plan.other.push_back(-1);
	for (const PathRef *p : f.paths)
		if (auto bad = unsafe_path(p->path, !p->at.empty()))
			return where + *bad;
	if (f.symlink_target)
		if (auto bad = unsafe_path(*f.symlink_target, true))
			return where + "symlink target: " + *bad;
	if (f.mounts)
		plan.has_mounts = true;
	if (std::holds_alternative<PassFd>(s.op))
		plan.passes_fds = true;
	if (mutates(s.op))
		plan.mutates = true;
	if (std::holds_alternative<Fork>(s.op) || std::holds_alternative<Exec>(s.op))
		plan.single_process = false;
	if (std::holds_alternative<Socket>(s.op))
		plan.holds_names = true;
	if (f.needs_root && !privileged && !plan.skip)
		plan.skip = std::string("needs root: ") + f.needs_root;
	if ((s.pause || std::holds_alternative<Resume>(s.op)) && !plan.skip)
		plan.skip = "interleaving points are model-only (pause/resume)";
	if (!f.task)
		return std::nullopt;
	if (f.creates_task) {
		if (tasks.count(*f.task))
			return where + "task '" + *f.task + "' exists already";
		if (static_cast<int>(plan.task_names.size()) >= max_tasks)
			return where + "more than " + std::to_string(max_tasks) + " tasks";
		tasks[*f.task] = static_cast<int>(plan.task_names.size());
		plan.task_names.push_back(*f.task);
	} else if (!tasks.count(*f.task)) {
		return where + "task '" + *f.task + "' does not exist yet";
	}
	plan.other.back() = tasks[*f.task];
	return std::nullopt;
}

} // namespace

std::optional<std::string> unsafe_path(const std::string &path, bool relative)
{
	if (path.find('\0') != std::string::npos)
		return "path '" + path + "' contains a NUL byte";
	if (relative && path.starts_with('/'))
		return "path '" + path + "' must be relative";
	if (!relative && !path.starts_with('/'))
		return "path '" + path + "' must start with '/'";
	for (std::size_t start = 0; start <= path.size();) {
		auto end = path.find('/', start);

		if (end == std::string::npos)
			end = path.size();
		if (std::string_view(path).substr(start, end - start) == "..")
			return "path '" + path + "' contains '..'";
		start = end + 1;
	}
	return std::nullopt;
}

Plan make_plan(const Trace &t, const Profile &profile, bool privileged)
{
	Plan plan;
	std::map<std::string, int> tasks{{"main", 0}};

	plan.task_names.push_back("main");
	if (t.steps.size() > max_steps) {
		plan.error = "more than " + std::to_string(max_steps) + " steps";
		return plan;
	}
	for (const auto &r : t.requires_)
		if (!plan.skip)
			plan.skip = requirement_skip(r, profile, privileged);
	for (const auto &e : t.tree)
		if (auto bad = tree_problem(e, privileged, plan)) {
			plan.error = *bad;
			return plan;
		}
	for (std::size_t i = 0; i < t.steps.size(); i++)
		if (auto bad = step_problem(t.steps[i], i, privileged, plan, tasks)) {
			plan.error = *bad;
			return plan;
		}
	if (!number_fd_names(t, plan))
		plan.error = "more than " + std::to_string(max_fd_names) + " fd names";
	return plan;
}

} // namespace lockstep::exec

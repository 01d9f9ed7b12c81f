// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep generator - Random valid traces
 */
#include "conformance/generate/generator.h"

#include "model/access.h"

#include <memory>

namespace lockstep::gen {

namespace {

/* The fixed tree every generated trace starts from. */
struct Tree {
	std::vector<std::string> dirs{"/", "/a", "/a/b", "/c", "/c/d"};
	std::vector<std::string> files{"/a/f", "/a/b/g", "/c/h", "/c/d/i"};
	std::string exe = "/a/b/x";
	std::string dev = "/c/null";
	std::string link = "/a/l";
};

/*
 * Builds one trace step by step, keeping track of what exists (names,
 * tasks, paths) so that every step it writes is well-formed.
 */
class Builder {
public:
	Builder(const Chooser &choose, const GenOptions &opts)
		: c_(choose), o_(opts)
	{
	}

	Trace build(const std::string &name);

private:
	const Chooser &c_;
	const GenOptions &o_;
	Trace t_;
	Tree tree_;
	std::vector<std::string> tasks_{"main"};
	std::vector<std::string> files_fds_, dir_fds_, dev_fds_, sockets_, rulesets_;
	std::vector<std::string> new_paths_;
	int counter_ = 0;

	std::uint64_t pick(std::uint64_t n) { return n ? c_(n) : 0; }
	bool chance(int percent) { return pick(100) < static_cast<std::uint64_t>(percent); }
	template <class T> const T &one_of(const std::vector<T> &v) { return v[pick(v.size())]; }
	std::string fresh(const char *prefix) { return prefix + std::to_string(++counter_); }

	void add(std::string task, Op op, std::string bind = {})
	{
		Step s;

		s.task = std::move(task);
		s.op = std::move(op);
		s.bind = std::move(bind);
		s.loc.line = static_cast<int>(t_.steps.size()) + 100;
		t_.steps.push_back(std::move(s));
	}

	AccessMask subset(AccessMask of)
	{
		AccessMask m = 0;

		for (int b = 0; b < 64; b++)
			if ((of >> b & 1) && chance(45))
				m |= 1ull << b;
		return m;
	}

	void make_tree();
	void make_layer(const std::string &task);
	std::string any_path();
	std::string new_path();
	void random_step();
	void fs_step(const std::string &task);
	void fd_step(const std::string &task);
	void net_step(const std::string &task);
	void scope_step(const std::string &task);
};

void Builder::make_tree()
{
	auto node = [&](NodeKind k, const std::string &p) {
		TreeNode n;

		n.kind = k;
		n.path = p;
		t_.tree.push_back(n);
	};

	for (std::size_t i = 1; i < tree_.dirs.size(); i++)
		node(NodeKind::dir, tree_.dirs[i]);
	for (const auto &f : tree_.files)
		node(NodeKind::file, f);
	TreeNode exe;
	exe.kind = NodeKind::file;
	exe.path = tree_.exe;
	exe.exec = true;
	t_.tree.push_back(exe);
	TreeNode link;
	link.kind = NodeKind::symlink;
	link.path = tree_.link;
	link.target = "b/g";
	t_.tree.push_back(link);
	if (o_.root) {
		node(NodeKind::chardev, tree_.dev);
		if (chance(25)) {
			TreeMount m;

			m.kind = MountKind::bind;
			m.source = "/a/b";
			m.path = "/c/d";
			t_.tree.push_back(m);
		}
	}
}

std::string Builder::any_path()
{
	switch (pick(6)) {
	case 0:
	case 1:
		return one_of(tree_.dirs);
	case 2:
	case 3:
		return one_of(tree_.files);
	case 4:
		return new_paths_.empty() ? tree_.link : one_of(new_paths_);
	default:
		return pick(2) ? tree_.exe : (o_.root ? tree_.dev : tree_.link);
	}
}

std::string Builder::new_path()
{
	std::string dir = one_of(tree_.dirs);
	std::string p = (dir == "/" ? "" : dir) + "/" + fresh("n");

	new_paths_.push_back(p);
	return p;
}

void Builder::make_layer(const std::string &task)
{
	const std::string r = fresh("r");
	CreateRuleset cr;

	cr.handled_fs = subset(valid_fs_mask(o_.abi));
	if (o_.net && chance(40))
		cr.handled_net = subset(valid_net_mask(o_.abi));
	if (o_.scopes && chance(40))
		cr.scoped = subset(valid_scope_mask(o_.abi));
	if (!cr.handled_fs && !cr.handled_net && !cr.scoped)
		cr.handled_fs = fs::read_file;
	add(task, cr, r);
	for (int n = static_cast<int>(pick(4)); n > 0; n--) {
		AddRule ar;

		ar.ruleset = FdRef{r, -1};
		if (cr.handled_net && chance(30)) {
			ar.type = rule_type::net_port;
			ar.port = 8000 + pick(3);
			ar.allowed = subset(cr.handled_net);
			if (!ar.allowed)
				ar.allowed = cr.handled_net & -cr.handled_net;
		} else {
			const bool dir = chance(75);
			const std::string p = dir ? one_of(tree_.dirs) : one_of(tree_.files);
			const AccessMask rights = cr.handled_fs & (dir ? fs::all : fs::file_rights);

			ar.path = PathRef{p, ""};
			ar.allowed = subset(rights);
			if (!ar.allowed && rights)
				ar.allowed = rights & -rights;
			if (!ar.allowed)
				continue;
		}
		add(task, ar);
	}
	RestrictSelf rs;
	rs.ruleset = FdRef{r, -1};
	add(task, rs);
	rulesets_.push_back(r);
}

void Builder::fs_step(const std::string &task)
{
	switch (pick(12)) {
	case 0:
	case 1:
	case 2: {
		Open op;

		op.path = PathRef{any_path(), ""};
		op.accmode = static_cast<unsigned>(pick(3));
		if (chance(20))
			op.flags |= open_flag::trunc;
		if (chance(15)) {
			op.path = PathRef{new_path(), ""};
			op.flags |= open_flag::creat;
		}
		if (chance(10))
			op.flags |= open_flag::directory;
		const std::string f = fresh("f");
		add(task, op, f);
		(op.accmode == 0 && !(op.flags & open_flag::creat) ? dir_fds_ : files_fds_)
			.push_back(f);
		if (op.path.path == tree_.dev)
			dev_fds_.push_back(f);
		return;
	}
	case 3:
		add(task, Mkdir{PathRef{new_path(), ""}});
		return;
	case 4: {
		Mknod op;

		op.path = PathRef{new_path(), ""};
		op.kind = static_cast<MknodKind>(pick(o_.root ? 6 : 3));
		if (op.kind == MknodKind::blk)
			op.kind = MknodKind::whiteout;
		add(task, op);
		return;
	}
	case 5:
		add(task, Symlink{PathRef{new_path(), ""}, "f"});
		return;
	case 6:
		add(task, Link{PathRef{one_of(tree_.files), ""}, PathRef{new_path(), ""}});
		return;
	case 7: {
		Rename op;
		const bool files = chance(60);

		op.from = PathRef{files ? one_of(tree_.files) : any_path(), ""};
		op.to = PathRef{chance(50) ? new_path() : any_path(), ""};
		const int f = static_cast<int>(pick(5));
		op.flags = f == 1 ? rename_flag::exchange
			 : f == 2 ? rename_flag::noreplace
			 : f == 3 ? rename_flag::whiteout
				  : 0;
		add(task, op);
		return;
	}
	case 8:
		add(task, Unlink{PathRef{any_path(), ""}});
		return;
	case 9:
		add(task, Rmdir{PathRef{chance(50) ? one_of(tree_.dirs) : any_path(), ""}});
		return;
	case 10:
		add(task, Truncate{PathRef{any_path(), ""}});
		return;
	default:
		add(task, Exec{PathRef{chance(70) ? tree_.exe : any_path(), ""}});
		return;
	}
}

void Builder::fd_step(const std::string &task)
{
	if (!dev_fds_.empty() && chance(40)) {
		Ioctl op;

		op.fd = FdRef{one_of(dev_fds_), -1};
		op.cmd = static_cast<IoctlCmd>(pick(8));
		add(task, op);
		return;
	}
	if (files_fds_.empty() && dir_fds_.empty()) {
		fs_step(task);
		return;
	}
	const std::string f = !files_fds_.empty() && (dir_fds_.empty() || chance(60))
				      ? one_of(files_fds_)
				      : one_of(dir_fds_);
	switch (pick(4)) {
	case 0:
		add(task, Ftruncate{FdRef{f, -1}});
		return;
	case 1:
		add(task, Readdir{FdRef{f, -1}});
		return;
	case 2:
		add(task, Write{FdRef{f, -1}});
		return;
	default:
		add(task, Ioctl{FdRef{f, -1}, static_cast<IoctlCmd>(pick(8))});
		return;
	}
}

void Builder::net_step(const std::string &task)
{
	static const SockKind inet[] = {SockKind::tcp4, SockKind::tcp6, SockKind::udp4,
					SockKind::udp6, SockKind::mptcp4};
	const int kinds = o_.abi >= 10 ? 5 : 5;
	const std::string s = fresh("s");
	Socket so;

	so.kind = inet[pick(kinds)];
	add(task, so, s);
	sockets_.push_back(s);
	SockAddr a;
	a.port = static_cast<std::uint16_t>(8000 + pick(3));
	if (chance(10))
		a.family = AddrFamily::unspec;
	if (chance(40)) {
		add(task, Bind{FdRef{s, -1}, a});
		if (chance(50))
			add(task, Listen{FdRef{s, -1}});
		return;
	}
	if (chance(50)) {
		add(task, Connect{FdRef{s, -1}, a});
		return;
	}
	SendTo st;
	st.fd = FdRef{s, -1};
	if (chance(80))
		st.addr = a;
	add(task, st);
}

void Builder::scope_step(const std::string &task)
{
	if (chance(50) && tasks_.size() > 1) {
		Kill k;

		k.target = one_of(tasks_);
		k.thread = chance(30);
		add(task, k);
		return;
	}
	/* An abstract server in one task, a client in another. */
	static const SockKind kinds[] = {SockKind::unix_stream, SockKind::unix_dgram};
	const SockKind kind = kinds[pick(2)];
	const std::string srv = fresh("u"), cli = fresh("u");
	const std::string owner = one_of(tasks_);
	SockAddr a;

	a.family = chance(70) ? AddrFamily::unix_abstract : AddrFamily::unix_path;
	a.name = "lockstep" + std::to_string(counter_);
	a.path = PathRef{new_path(), ""};
	add(owner, Socket{kind}, srv);
	add(owner, Bind{FdRef{srv, -1}, a});
	if (kind == SockKind::unix_stream)
		add(owner, Listen{FdRef{srv, -1}});
	add(task, Socket{kind}, cli);
	if (kind == SockKind::unix_dgram && chance(50)) {
		SendTo st;

		st.fd = FdRef{cli, -1};
		st.addr = a;
		add(task, st);
	} else {
		add(task, Connect{FdRef{cli, -1}, a});
	}
}

void Builder::random_step()
{
	const std::string task = one_of(tasks_);
	const int r = static_cast<int>(pick(100));

	if (r < 45)
		fs_step(task);
	else if (r < 60)
		fd_step(task);
	else if (r < 75 && o_.net && o_.abi >= 4)
		net_step(task);
	else if (r < 88 && o_.abi >= 6 && o_.scopes)
		scope_step(task);
	else
		fs_step(task);
}

Trace Builder::build(const std::string &name)
{
	t_.name = name;
	t_.doc.push_back("generated: " + name);
	make_tree();
	add("main", SetNoNewPrivs{});

	const int layers = static_cast<int>(pick(o_.max_layers + 1));
	for (int i = 0; i < layers; i++) {
		if (chance(25) && tasks_.size() < 3) {
			const std::string child = fresh("t");

			add(one_of(tasks_), chance(70) ? Op(Fork{child}) : Op(Thread{child}));
			tasks_.push_back(child);
		}
		make_layer(one_of(tasks_));
	}
	if (chance(30) && tasks_.size() < 3) {
		const std::string child = fresh("t");

		add("main", Fork{child});
		tasks_.push_back(child);
	}
	const int steps = 2 + static_cast<int>(pick(o_.max_steps));
	while (static_cast<int>(t_.steps.size()) < steps + layers * 3)
		random_step();
	return t_;
}

std::uint64_t splitmix(std::uint64_t &x)
{
	std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

} // namespace

Trace generate_trace(const Chooser &choose, const GenOptions &opts,
		     const std::string &name)
{
	Builder b(choose, opts);

	return b.build(name);
}

Chooser seeded_chooser(std::uint64_t seed)
{
	auto state = std::make_shared<std::uint64_t>(seed);

	return [state](std::uint64_t bound) { return splitmix(*state) % bound; };
}

std::vector<Trace> generate_campaign(std::size_t n, std::uint64_t seed,
				     const GenOptions &opts)
{
	std::vector<Trace> out;

	for (std::size_t i = 0; i < n; i++) {
		std::uint64_t s = seed ^ (0x5851f42d4c957f2dull * (i + 1));

		out.push_back(generate_trace(seeded_chooser(splitmix(s)), opts,
					     "gen-" + std::to_string(seed) + "-" +
						     std::to_string(i)));
	}
	return out;
}

} // namespace lockstep::gen

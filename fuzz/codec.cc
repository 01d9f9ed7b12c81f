// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep fuzz - Fuzzer bytes to valid traces, and back
 *
 * One function per part of a trace codes it in both directions (a Coder
 * either reads or writes), so that the decoder and the encoder cannot
 * drift apart.  Names, tasks and paths are indices into pools that both
 * directions build in the same order.
 */
#include "fuzz/codec.h"

#include "model/access.h"

#include <algorithm>
#include <array>
#include <csignal>
#include <map>
#include <set>
#include <string_view>
#include <utility>

namespace lockstep::fuzz {

/* ---- Bytes ---- */

int bytes_for(std::uint64_t bound)
{
	int n = 0;

	for (std::uint64_t max = bound - 1; bound > 1 && max; max >>= 8)
		n++;
	return n;
}

std::uint64_t ByteReader::choose(std::uint64_t bound)
{
	std::uint64_t v = 0;
	const int n = bytes_for(bound);

	for (int i = 0; i < n; i++)
		if (pos_ < data_.size())
			v |= static_cast<std::uint64_t>(data_[pos_++]) << (8 * i);
	return n ? v % bound : 0;
}

std::uint64_t ByteReader::raw64()
{
	std::uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		if (pos_ < data_.size())
			v |= static_cast<std::uint64_t>(data_[pos_++]) << (8 * i);
	return v;
}

void ByteWriter::put(std::uint64_t value, std::uint64_t bound)
{
	const int n = bytes_for(bound);

	for (int i = 0; i < n; i++)
		out_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

void ByteWriter::put_raw64(std::uint64_t value)
{
	for (int i = 0; i < 8; i++)
		out_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

/* ---- Header ---- */

Header decode_header(ByteReader &in)
{
	Header h;

	h.generator = in.choose(256) & 1;
	h.profile.abi = static_cast<int>(in.choose(supervisor_abi + 1));
	for (auto &e : h.profile.errata)
		e = static_cast<Erratum>(in.choose(3));
	const auto bits = in.choose(256);
	h.profile.errata_queryable = !(bits & 1);
	/* What `--profile errata=unknown` means: nothing is known. */
	if (!h.profile.errata_queryable)
		h.profile.errata.fill(Erratum::unknown);
	h.profile.root = !(bits & 2);
	h.explain = bits & 4;
	h.seed = static_cast<std::uint8_t>(in.choose(256));
	return h;
}

void encode_header(ByteWriter &out, const Header &h)
{
	out.put(h.generator, 256);
	out.put(static_cast<std::uint64_t>(h.profile.abi), supervisor_abi + 1);
	for (const auto e : h.profile.errata)
		out.put(static_cast<std::uint64_t>(e), 3);
	out.put((h.profile.errata_queryable ? 0 : 1) | (h.profile.root ? 0 : 2) |
			(h.explain ? 4 : 0),
		256);
	out.put(h.seed, 256);
}

namespace {

/* ---- Pools ---- */

/* Path components: every path of a decoded trace is made of these. */
constexpr std::array<std::string_view, 24> components{
	"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l",
	"m", "n", "o", "p", "q", "s", "u", "v", "w", "x", "y", "z",
};
/* Abstract UNIX socket names ("" is the empty name, "@" alone). */
constexpr std::array<std::string_view, 4> abstract_names{"", "u1", "u2", "u3"};
/* Raw fd numbers (error cases): the ones the corpus uses. */
constexpr std::array<int, 4> raw_fds{-1, 1000, -2, 8};

constexpr std::size_t max_components = 4;
constexpr std::size_t max_tree = 24;
constexpr std::size_t max_tasks = 8;
constexpr std::size_t max_requires = 3;

/* The prefix of fresh names bound by @op: "r1 = create_ruleset". */
const char *bind_prefix(const Op &op)
{
	if (std::holds_alternative<CreateRuleset>(op))
		return "r";
	if (std::holds_alternative<Open>(op))
		return "f";
	if (std::holds_alternative<Dup>(op))
		return "d";
	if (std::holds_alternative<Pipe>(op))
		return "p";
	if (std::holds_alternative<Socket>(op))
		return "s";
	if (std::holds_alternative<GetSupervisee>(op))
		return "e";
	if (std::holds_alternative<PassFd>(op))
		return "g";
	return nullptr;
}

std::vector<std::string> split(std::string_view path)
{
	std::vector<std::string> out;
	std::size_t start = 0;

	if (path.starts_with('/'))
		path.remove_prefix(1);
	while (!path.empty()) {
		const auto slash = path.find('/', start);

		out.emplace_back(path.substr(start, slash - start));
		if (slash == std::string_view::npos)
			break;
		start = slash + 1;
	}
	return out;
}

std::string join(const std::vector<std::string> &comps, bool absolute)
{
	std::string out;

	for (const auto &c : comps)
		out += (out.empty() && !absolute ? "" : "/") + c;
	return absolute && out.empty() ? "/" : out;
}

/* Default-construct alternative @i of Op. */
template <std::size_t... I> Op make_op(std::size_t i, std::index_sequence<I...>)
{
	Op op;

	((i == I ? (op = std::variant_alternative_t<I, Op>{}, 0) : 0), ...);
	return op;
}

/*
 * struct Coder - reads a trace from bytes, or writes one, with the same
 * calls; the pools follow the trace being coded.
 */
class Coder {
public:
	explicit Coder(ByteReader &in) : in_(&in) {}
	explicit Coder(ByteWriter &out) : out_(&out) {}

	bool decoding() const { return in_ != nullptr; }
	bool ok() const { return ok_; }
	const std::string &why() const { return why_; }

	void trace(Trace &t, std::size_t max_steps);

private:
	ByteReader *in_ = nullptr;
	ByteWriter *out_ = nullptr;
	bool ok_ = true;
	std::string why_;

	std::vector<std::string> nodes_{"/"};
	std::vector<std::string> dirs_{"/"};
	std::vector<std::string> names_;
	std::vector<std::string> tasks_{"main"};
	int fresh_ = 0;

	void fail(const std::string &why)
	{
		if (ok_)
			why_ = why;
		ok_ = false;
	}

	template <class T> void num(T &v, std::uint64_t bound)
	{
		if (in_) {
			v = static_cast<T>(in_->choose(bound));
			return;
		}
		const auto x = static_cast<std::uint64_t>(v);

		if (x >= bound && bound > 0)
			return fail("value " + std::to_string(x) + " out of range " +
				    std::to_string(bound));
		out_->put(x, bound);
	}

	/* A number usually below @small, else any 64-bit value. */
	template <class T> void wide(T &v, std::uint64_t small)
	{
		std::uint64_t x = static_cast<std::uint64_t>(v);
		bool big = !in_ && x >= small;

		num(big, 2);
		if (!big)
			num(x, small);
		else if (in_)
			x = in_->raw64();
		else
			out_->put_raw64(x);
		v = static_cast<T>(x);
	}

	void flag(bool &b) { num(b, 2); }

	template <class T> void optional(std::optional<T> &v, auto code)
	{
		bool has = v.has_value();

		flag(has);
		if (!has) {
			v.reset();
			return;
		}
		if (!v)
			v.emplace();
		code(*v);
	}

	/* @value is one of @pool, coded as its index. */
	template <class Pool> void pick(std::string &value, const Pool &pool)
	{
		std::size_t i = 0;

		if (!in_) {
			const auto it = std::find(pool.begin(), pool.end(), value);

			if (it == pool.end())
				return fail("'" + value + "' is not in its pool");
			i = static_cast<std::size_t>(it - pool.begin());
		}
		num(i, pool.size());
		if (in_)
			value = std::string(pool[i]);
	}

	void comps(std::string &path, bool absolute);
	void path(PathRef &p);
	void fd(FdRef &r);
	void task(std::string &name) { pick(name, tasks_); }
	void addr(SockAddr &a);
	void fs_mask(AccessMask &m) { wide(m, fs::all + 1); }
	void net_mask(AccessMask &m) { wide(m, net::all + 1); }
	void scope_mask(AccessMask &m) { wide(m, scope::all + 1); }

	void requirement(Requirement &r);
	void variants(std::optional<Variants> &v);
	bool tree_entry(TreeEntry &e);
	bool tree_node(TreeNode &n);
	void tree_mount(TreeMount &m);
	bool step(Step &s);
	bool bind(Step &s);

	void op(CreateRuleset &o);
	void op(AddRule &o);
	void op(RestrictSelf &o);
	void op(SetNoNewPrivs &) {}
	void op(DropCaps &) {}
	void op(Open &o);
	void op(Close &o) { fd(o.fd); }
	void op(Dup &o) { fd(o.fd); }
	void op(Pipe &) {}
	void op(Readdir &o) { fd(o.fd); }
	void op(Read &o) { fd(o.fd); }
	void op(Write &o) { fd(o.fd); }
	void op(Truncate &o) { path(o.path); }
	void op(Ftruncate &o) { fd(o.fd); }
	void op(Ioctl &o) { fd(o.fd), num(o.cmd, 8); }
	void op(Mkdir &o) { path(o.path); }
	void op(Mknod &o);
	void op(Symlink &o) { path(o.path), comps(o.target, false); }
	void op(Link &o) { path(o.from), path(o.to); }
	void op(Rename &o) { path(o.from), path(o.to), num(o.flags, 8); }
	void op(Unlink &o) { path(o.path); }
	void op(Rmdir &o) { path(o.path); }
	void op(Exec &o) { path(o.path); }
	void op(Mount &o);
	void op(Umount &o) { path(o.path); }
	void op(Socket &o) { num(o.kind, 9); }
	void op(Bind &o) { fd(o.fd), addr(o.addr); }
	void op(Listen &o) { fd(o.fd); }
	void op(Connect &o) { fd(o.fd), addr(o.addr); }
	void op(SendTo &o);
	void op(Kill &o) { task(o.target), flag(o.thread), num(o.sig, 65); }
	bool op(Fork &o) { return new_task(o.name); }
	bool op(Thread &o) { return new_task(o.name); }
	void op(PassFd &o) { fd(o.fd), task(o.to); }
	void op(GetSupervisee &o) { fd(o.fd), wide(o.flags, 4); }
	void op(Resume &o) { task(o.task); }

	bool new_task(std::string &name);
};

/*
 * A path made of pool components: 1..max for a relative one, 0..max for an
 * absolute one (0 components: "/").
 */
void Coder::comps(std::string &path, bool absolute)
{
	std::vector<std::string> parts = in_ ? std::vector<std::string>{} : split(path);
	const std::size_t min = absolute ? 0 : 1;
	std::size_t n = parts.size() - (in_ ? 0 : min);

	if (!in_ && (parts.size() < min || parts.size() > max_components))
		return fail("path '" + path + "' has too many components");
	num(n, max_components + 1 - min);
	parts.resize(n + min);
	for (auto &c : parts)
		pick(c, components);
	if (in_)
		path = join(parts, absolute);
}

/*
 * A PATH argument: a tree node (most useful), any absolute path, or a path
 * relative to a bound directory fd.
 */
void Coder::path(PathRef &p)
{
	bool relative = !p.at.empty();

	flag(relative);
	if (relative && in_ && names_.empty())
		relative = false;
	if (relative) {
		pick(p.at, names_);
		comps(p.path, false);
		return;
	}
	p.at.clear();
	bool any = !in_ && std::find(nodes_.begin(), nodes_.end(), p.path) == nodes_.end();

	flag(any);
	if (any)
		comps(p.path, true);
	else
		pick(p.path, nodes_);
}

void Coder::fd(FdRef &r)
{
	bool raw = r.is_raw();

	flag(raw);
	if (!raw && in_ && names_.empty()) {
		r = FdRef{"", -1};
		return;
	}
	if (!raw) {
		pick(r.name, names_);
		r.raw = -1;
		return;
	}
	std::size_t i = 0;
	if (!in_) {
		const auto it = std::find(raw_fds.begin(), raw_fds.end(), r.raw);

		if (it == raw_fds.end())
			return fail("raw fd " + std::to_string(r.raw) + " not in the pool");
		i = static_cast<std::size_t>(it - raw_fds.begin());
	}
	num(i, raw_fds.size());
	r.name.clear();
	r.raw = raw_fds[i];
}

/* Only the fields of the address's family are coded (the printer's view). */
void Coder::addr(SockAddr &a)
{
	num(a.family, 4);
	switch (a.family) {
	case AddrFamily::inet:
	case AddrFamily::unspec:
		num(a.port, 65536);
		flag(a.any);
		break;
	case AddrFamily::unix_path:
		path(a.path);
		break;
	case AddrFamily::unix_abstract:
		pick(a.name, abstract_names);
		break;
	}
	/*
	 * [net.unix.addrlen] An addrlen above 2 cuts or pads a UNIX name,
	 * so its meaning depends on the name's length, which the codec's
	 * name pools do not keep: such a trace is not carried.
	 */
	if (!decoding() && a.addrlen && *a.addrlen > 2 &&
	    (a.family == AddrFamily::unix_path || a.family == AddrFamily::unix_abstract))
		return fail("addrlen " + std::to_string(*a.addrlen) +
			    " on a UNIX name depends on the name's length");
	optional(a.addrlen, [&](unsigned &n) { num(n, 256); });
}

void Coder::requirement(Requirement &r)
{
	using K = Requirement::Kind;

	num(r.kind, 5);
	if (r.kind == K::abi_at_least || r.kind == K::abi_at_most)
		num(r.abi, supervisor_abi + 1);
	if (r.kind == K::model_only && in_)
		r.reason = "fuzz";
}

void Coder::variants(std::optional<Variants> &v)
{
	optional(v, [&](Variants &x) {
		num(x.check, 2);
		num(x.commit, 2);
		num(x.optional, 2);
		num(x.acyclic, 3);
	});
}

/* A tree node under a declared directory; false if it cannot be declared. */
bool Coder::tree_node(TreeNode &n)
{
	std::string parent = "/", name;

	if (!in_) {
		const auto slash = n.path.rfind('/');

		parent = slash == 0 ? "/" : n.path.substr(0, slash);
		name = n.path.substr(slash + 1);
	}
	pick(parent, dirs_);
	pick(name, components);
	if (in_)
		n.path = (parent == "/" ? "" : parent) + "/" + name;
	if (n.kind == NodeKind::symlink)
		comps(n.target, false);
	if (n.kind == NodeKind::chardev)
		num(n.major, 256), num(n.minor, 256);
	if (std::find(nodes_.begin(), nodes_.end(), n.path) != nodes_.end())
		return false;
	nodes_.push_back(n.path);
	if (n.kind == NodeKind::dir)
		dirs_.push_back(n.path);
	return true;
}

void Coder::tree_mount(TreeMount &m)
{
	if (m.kind == MountKind::bind)
		pick(m.source, dirs_);
	pick(m.path, dirs_);
}

/*
 * Tree entry kinds: dir, file, file exec, symlink, fifo, chardev, mount
 * tmpfs, mount bind.
 */
bool Coder::tree_entry(TreeEntry &e)
{
	static constexpr NodeKind node_kinds[] = {NodeKind::dir, NodeKind::file,
						  NodeKind::file, NodeKind::symlink,
						  NodeKind::fifo, NodeKind::chardev};
	int kind = 0;

	if (!in_) {
		if (const auto *m = std::get_if<TreeMount>(&e)) {
			kind = m->kind == MountKind::tmpfs ? 6 : 7;
		} else {
			const auto &n = std::get<TreeNode>(e);
			const int k = static_cast<int>(n.kind);

			kind = k == 0 ? 0 : k == 1 ? (n.exec ? 2 : 1) : k + 1;
		}
	}
	num(kind, 8);
	if (kind >= 6) {
		if (in_) {
			TreeMount m;

			m.kind = kind == 6 ? MountKind::tmpfs : MountKind::bind;
			e = m;
		}
		tree_mount(std::get<TreeMount>(e));
		return true;
	}
	if (in_) {
		TreeNode n;

		n.kind = node_kinds[kind];
		n.exec = kind == 2;
		e = n;
	}
	return tree_node(std::get<TreeNode>(e));
}

void Coder::op(CreateRuleset &o)
{
	fs_mask(o.handled_fs);
	net_mask(o.handled_net);
	scope_mask(o.scoped);
	fs_mask(o.quiet_fs);
	net_mask(o.quiet_net);
	scope_mask(o.quiet_scoped);
	flag(o.trailing_garbage);
	flag(o.attr_null);
	optional(o.size, [&](std::uint64_t &n) { wide(n, 128); });
	wide(o.flags, 16);
}

/* Forms: path_beneath PATH, path_beneath fd=FD, net_port, type=N. */
void Coder::op(AddRule &o)
{
	int form = o.path ? 0 : o.parent ? 1 : o.type == rule_type::net_port && !o.attr_null ? 2 : 3;

	fd(o.ruleset);
	num(form, 4);
	switch (form) {
	case 0:
		o.type = rule_type::path_beneath;
		if (in_)
			o.path.emplace();
		path(*o.path);
		fs_mask(o.allowed);
		break;
	case 1:
		o.type = rule_type::path_beneath;
		o.parent.emplace(o.parent.value_or(FdRef{}));
		fd(*o.parent);
		fs_mask(o.allowed);
		break;
	case 2:
		o.type = rule_type::net_port;
		wide(o.port, 65536);
		net_mask(o.allowed);
		break;
	default:
		wide(o.type, 4);
		flag(o.attr_null);
		wide(o.allowed, fs::all + 1);
		wide(o.port, 65536);
		break;
	}
	wide(o.flags, 8);
}

void Coder::op(RestrictSelf &o)
{
	fd(o.ruleset);
	wide(o.flags, 32);
}

void Coder::op(Open &o)
{
	path(o.path);
	num(o.accmode, 4);
	num(o.flags, 256);
	/* O_PATH is a mode of its own: the access mode is not written. */
	if (in_ && (o.flags & open_flag::path))
		o.accmode = 0;
}

void Coder::op(Mknod &o)
{
	path(o.path);
	num(o.kind, 6);
	if (o.kind == MknodKind::chr || o.kind == MknodKind::blk)
		num(o.major, 256), num(o.minor, 256);
}

void Coder::op(Mount &o)
{
	num(o.kind, 2);
	if (o.kind == MountKind::bind)
		path(o.source);
	path(o.path);
}

void Coder::op(SendTo &o)
{
	fd(o.fd);
	optional(o.addr, [&](SockAddr &a) { addr(a); });
}

/* fork NAME, thread NAME: a fresh task, unless there are enough. */
bool Coder::new_task(std::string &name)
{
	const std::string fresh = "t" + std::to_string(tasks_.size());

	if (!in_ && name != fresh)
		fail("task '" + name + "' is not the next fresh name " + fresh);
	if (tasks_.size() >= max_tasks) {
		if (!in_)
			fail("too many tasks");
		return false;
	}
	name = fresh;
	tasks_.push_back(name);
	return true;
}

/* NAME = ...: nothing, a fresh name, or a name bound before. */
bool Coder::bind(Step &s)
{
	const char *prefix = bind_prefix(s.op);
	const bool required = std::holds_alternative<PassFd>(s.op);

	if (!prefix)
		return true;
	std::size_t choice = 0;
	if (!in_) {
		const auto it = std::find(names_.begin(), names_.end(), s.bind);

		choice = s.bind.empty() ? 0 : it == names_.end() ? 1 : 2 + (it - names_.begin());
		if (required && choice == 0) {
			fail("pass_fd without a name");
			return false;
		}
	}
	num(choice, names_.size() + 2);
	if (required && choice == 0)
		choice = 1;
	if (choice == 0) {
		s.bind.clear();
		return true;
	}
	if (choice >= 2) {
		s.bind = names_[choice - 2];
		return true;
	}
	const std::string fresh = prefix + std::to_string(++fresh_);
	if (!in_ && s.bind != fresh)
		fail("name '" + s.bind + "' is not the next fresh name " + fresh);
	s.bind = fresh;
	names_.push_back(fresh);
	return true;
}

/* One step; false when the decoded step cannot be part of a valid trace. */
bool Coder::step(Step &s)
{
	std::size_t kind = s.op.index();
	bool kept = true;

	task(s.task);
	num(kind, std::variant_size_v<Op>);
	if (in_)
		s.op = make_op(kind, std::make_index_sequence<std::variant_size_v<Op>>{});
	std::visit(
		[&](auto &o) {
			if constexpr (std::is_same_v<decltype(op(o)), bool>)
				kept = op(o);
			else
				op(o);
		},
		s.op);
	optional(s.pause, [&](int &k) { num(k, 8); });
	/* The name is bound after the operation's own arguments are read. */
	return bind(s) && kept;
}

void Coder::trace(Trace &t, std::size_t max_steps)
{
	std::size_t n = t.requires_.size();

	num(n, max_requires + 1);
	t.requires_.resize(n);
	for (auto &r : t.requires_)
		requirement(r);
	variants(t.variants);
	n = t.tree.size();
	num(n, max_tree + 1);
	if (in_) {
		std::vector<TreeEntry> tree;

		for (std::size_t i = 0; i < n; i++) {
			TreeEntry e;

			if (tree_entry(e))
				tree.push_back(std::move(e));
		}
		t.tree = std::move(tree);
	} else {
		for (auto &e : t.tree)
			if (!tree_entry(e))
				fail("tree entry declared twice");
	}
	if (!in_) {
		for (auto &s : t.steps)
			if (!step(s))
				fail("a step the decoder would drop");
		return;
	}
	t.steps.clear();
	for (std::size_t i = 0; i < max_steps && !in_->exhausted(); i++) {
		Step s;

		if (step(s))
			t.steps.push_back(std::move(s));
	}
}

/* The kernel runs mainline traces: no interleaving points, no header. */
void make_mainline(Trace &t)
{
	std::erase_if(t.steps, [](const Step &s) { return std::holds_alternative<Resume>(s.op); });
	for (auto &s : t.steps)
		s.pause.reset();
	t.variants.reset();
	std::erase_if(t.requires_, [](const Requirement &r) {
		return r.kind != Requirement::Kind::root;
	});
}

/* ---- Canonical form: the corpus's names renamed into the pools ---- */

/* Call @f on every PATH argument of @op (not on symlink targets). */
template <class F> void each_path(Op &op, F f)
{
	std::visit(
		[&](auto &o) {
			using T = std::decay_t<decltype(o)>;
			auto addr = [&](SockAddr &a) {
				if (a.family == AddrFamily::unix_path)
					f(a.path);
			};
			if constexpr (requires { o.path.at; })
				f(o.path);
			if constexpr (requires { o.path->at; })
				if (o.path)
					f(*o.path);
			if constexpr (requires { o.from.at; })
				f(o.from), f(o.to);
			if constexpr (std::is_same_v<T, Mount>)
				if (o.kind == MountKind::bind)
					f(o.source);
			if constexpr (requires { o.addr.family; })
				addr(o.addr);
			if constexpr (requires { o.addr->family; })
				if (o.addr)
					addr(*o.addr);
		},
		op);
}

/* Call @f on every FD argument of @op. */
template <class F> void each_fd(Op &op, F f)
{
	std::visit(
		[&](auto &o) {
			if constexpr (requires { o.fd.raw; })
				f(o.fd);
			if constexpr (requires { o.ruleset.raw; })
				f(o.ruleset);
			if constexpr (requires { o.parent->raw; })
				if (o.parent)
					f(*o.parent);
		},
		op);
}

/* Call @f on every task argument of @op (kill, pass_fd, resume). */
template <class F> void each_task(Op &op, F f)
{
	std::visit(
		[&](auto &o) {
			using T = std::decay_t<decltype(o)>;
			if constexpr (std::is_same_v<T, Kill>)
				f(o.target);
			if constexpr (requires { o.to.size(); })
				f(o.to);
			if constexpr (requires { o.task.size(); })
				f(o.task);
		},
		op);
}

/* Call @f on every path-like string of @t, with whether it is relative. */
template <class F> void each_path_string(Trace &t, F f)
{
	for (auto &e : t.tree) {
		if (auto *n = std::get_if<TreeNode>(&e)) {
			f(n->path);
			if (n->kind == NodeKind::symlink)
				f(n->target);
		} else {
			auto &m = std::get<TreeMount>(e);

			if (m.kind == MountKind::bind)
				f(m.source);
			f(m.path);
		}
	}
	for (auto &s : t.steps) {
		each_path(s.op, [&](PathRef &p) { f(p.path); });
		if (auto *sl = std::get_if<Symlink>(&s.op))
			f(sl->target);
	}
}

class Renamer {
public:
	bool ok = true;
	std::string why;

	void fail(const std::string &w)
	{
		if (ok)
			why = w;
		ok = false;
	}

	/* Components in the pool keep their name; the others take free ones. */
	void plan_components(Trace &t)
	{
		std::vector<std::string> seen;

		each_path_string(t, [&](std::string &p) {
			for (auto &c : split(p))
				if (std::find(seen.begin(), seen.end(), c) == seen.end())
					seen.push_back(c);
		});
		std::set<std::string> taken;
		for (const auto &c : seen)
			if (std::find(components.begin(), components.end(), c) != components.end())
				comp_[c] = c, taken.insert(c);
		auto next = components.begin();
		for (const auto &c : seen) {
			if (comp_.count(c))
				continue;
			if (c.empty() || c == "." || c == "..") {
				fail("path component '" + c + "' cannot be renamed");
				return;
			}
			while (next != components.end() && taken.count(std::string(*next)))
				++next;
			if (next == components.end()) {
				fail("more than " + std::to_string(components.size()) +
				     " distinct path components");
				return;
			}
			comp_[c] = std::string(*next);
			taken.insert(std::string(*next));
		}
	}

	void rename_path(std::string &p)
	{
		auto parts = split(p);

		for (auto &c : parts)
			c = comp_.at(c);
		p = join(parts, p.starts_with('/'));
	}

	void rename_abstract(std::string &name)
	{
		if (name.empty())
			return;
		if (!abstract_.count(name)) {
			if (abstract_.size() + 1 >= abstract_names.size())
				return fail("too many abstract socket names");
			abstract_[name] = std::string(abstract_names[abstract_.size() + 1]);
		}
		name = abstract_[name];
	}

	void rename_fd(FdRef &r)
	{
		if (r.is_raw())
			return;
		if (!fds_.count(r.name))
			return fail("fd name '" + r.name + "' used before it is bound");
		r.name = fds_[r.name];
	}

	void rename_task(std::string &name)
	{
		if (!tasks_.count(name))
			return fail("task '" + name + "' used before it exists");
		name = tasks_[name];
	}

	void step(Step &s)
	{
		rename_task(s.task);
		each_fd(s.op, [&](FdRef &r) { rename_fd(r); });
		each_path(s.op, [&](PathRef &p) {
			if (!p.at.empty())
				p.at = fds_.count(p.at) ? fds_[p.at] : (fail("unbound $" + p.at), p.at);
		});
		each_task(s.op, [&](std::string &t) { rename_task(t); });
		std::visit(
			[&](auto &o) {
				if constexpr (requires { o.name.size(); }) {
					/* fork, thread: a fresh task */
					const std::string fresh = "t" + std::to_string(tasks_.size());
					tasks_[o.name] = fresh;
					o.name = fresh;
				}
				if constexpr (requires { o.addr.name; })
					if (o.addr.family == AddrFamily::unix_abstract)
						rename_abstract(o.addr.name);
				if constexpr (requires { o.addr->name; })
					if (o.addr && o.addr->family == AddrFamily::unix_abstract)
						rename_abstract(o.addr->name);
			},
			s.op);
		if (s.bind.empty())
			return;
		if (!fds_.count(s.bind))
			fds_[s.bind] = bind_prefix(s.op) + std::to_string(++fresh_);
		s.bind = fds_[s.bind];
	}

private:
	std::map<std::string, std::string> comp_, abstract_, fds_;
	std::map<std::string, std::string> tasks_{{"main", "main"}};
	int fresh_ = 0;
};

} // namespace

std::optional<Trace> canonicalize(const Trace &in, std::string *why)
{
	Trace t = in;
	Renamer r;

	t.name = trace_name;
	t.doc.clear();
	for (auto &req : t.requires_)
		if (req.kind == Requirement::Kind::model_only)
			req.reason = "fuzz";
	r.plan_components(t);
	if (r.ok)
		each_path_string(t, [&](std::string &p) { r.rename_path(p); });
	for (auto &s : t.steps) {
		s.expect.reset();
		s.loc = Loc{};
		if (r.ok)
			r.step(s);
	}
	if (!r.ok) {
		if (why)
			*why = r.why;
		return std::nullopt;
	}
	return t;
}

std::optional<Bytes> encode_input(const Trace &t, const Header &h, std::string *why)
{
	const auto canonical = canonicalize(t, why);

	if (!canonical)
		return std::nullopt;
	const auto body = encode_trace(*canonical, why);
	if (!body)
		return std::nullopt;
	ByteWriter out;
	Header ch = h;
	ch.generator = false;
	encode_header(out, ch);
	Bytes bytes = out.bytes();
	bytes.insert(bytes.end(), body->begin(), body->end());
	/* The decoder must give the canonical trace back. */
	DecodeOptions opts;
	opts.max_steps = SIZE_MAX;
	const Decoded back = decode_input(bytes, opts);
	if (!(back.trace == *canonical)) {
		if (why)
			*why = "the decoded trace differs from the canonical one";
		return std::nullopt;
	}
	return bytes;
}

Trace decode_trace(ByteReader &in, const DecodeOptions &opts)
{
	Trace t;
	Coder c(in);

	t.name = trace_name;
	c.trace(t, opts.max_steps);
	if (opts.mainline)
		make_mainline(t);
	return t;
}

void clear_unprinted(Trace &t)
{
	const auto clear = [](SockAddr &a) {
		if (a.family != AddrFamily::unix_abstract)
			a.name.clear();
		if (a.family != AddrFamily::unix_path)
			a.path = PathRef{};
	};

	for (auto &s : t.steps)
		std::visit([&](auto &op) {
			if constexpr (requires { op.addr.family; })
				clear(op.addr);
			else if constexpr (requires { op.addr->family; })
				if (op.addr)
					clear(*op.addr);
		}, s.op);
}

/*
 * Signals no task of the executor survives: SIGKILL and SIGSTOP, and
 * glibc's reserved 32 and 33, whose handlers sigaction() will not set
 * (kernel/executor/task.cc catches every other one).  The model has no
 * task death, so for the kernel kill and tkill send the default instead.
 */
void keep_tasks_alive(Trace &t)
{
	for (auto &s : t.steps)
		if (auto *k = std::get_if<Kill>(&s.op))
			if (k->sig == SIGKILL || k->sig == SIGSTOP || k->sig == 32 || k->sig == 33)
				k->sig = 0;
}

Trace decode_generated(ByteReader &in, int abi, bool root)
{
	gen::GenOptions o;

	o.abi = std::clamp(abi, 1, supervisor_abi);
	o.root = root;
	o.max_layers = static_cast<int>(in.choose(5));
	o.max_steps = 2 + static_cast<int>(in.choose(24));
	o.net = in.choose(2) == 0;
	o.scopes = in.choose(2) == 0;
	const gen::Chooser choose = [&in](std::uint64_t bound) { return in.choose(bound); };
	Trace t = gen::generate_trace(choose, o, trace_name);

	/* Generated steps carry fake line numbers: a parsed trace has real ones. */
	for (auto &s : t.steps)
		s.loc = Loc{};
	clear_unprinted(t);
	return t;
}

Decoded decode_input(std::span<const std::uint8_t> data, const DecodeOptions &opts)
{
	ByteReader in(data);
	Decoded d;

	d.header = decode_header(in);
	if (opts.profile)
		d.header.profile = *opts.profile;
	if (d.header.generator)
		d.trace = decode_generated(in, d.header.profile.abi, d.header.profile.root);
	else
		d.trace = decode_trace(in, opts);
	if (opts.mainline) {
		keep_tasks_alive(d.trace);
	}
	return d;
}

std::optional<Bytes> encode_trace(const Trace &canonical, std::string *why)
{
	ByteWriter out;
	Coder c(out);
	Trace t = canonical;

	c.trace(t, SIZE_MAX);
	if (!c.ok()) {
		if (why)
			*why = c.why();
		return std::nullopt;
	}
	return out.bytes();
}

Bytes generator_input(std::uint64_t seed, const Header &h)
{
	ByteWriter out;
	Header gh = h;

	gh.generator = true;
	encode_header(out, gh);
	/* The generator's defaults: 3 layers, 14 steps, net and scopes. */
	out.put(3, 5);
	out.put(12, 24);
	out.put(0, 2);
	out.put(0, 2);
	const gen::Chooser seeded = gen::seeded_chooser(seed);
	const gen::Chooser record = [&](std::uint64_t bound) {
		const std::uint64_t v = seeded(bound);

		out.put(v, bound);
		return v;
	};
	gen::GenOptions o;
	o.abi = std::clamp(h.profile.abi, 1, supervisor_abi);
	o.root = h.profile.root;
	gen::generate_trace(record, o, trace_name);
	return out.bytes();
}

} // namespace lockstep::fuzz

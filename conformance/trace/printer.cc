// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep trace language - Printer
 */
#include "conformance/trace/printer.h"

#include "conformance/trace/words.h"

#include <algorithm>
#include <vector>

namespace lockstep::trace {

namespace {

/* A line under construction: words joined by single spaces. */
class Words {
public:
	explicit Words(std::string first) : out_(std::move(first)) {}

	Words &add(const std::string &word)
	{
		out_ += ' ';
		out_ += word;
		return *this;
	}

	/* "KEY=VALUE", only when @present. */
	Words &option(bool present, std::string_view key, const std::string &value)
	{
		if (present)
			add(std::string(key) + "=" + value);
		return *this;
	}

	std::string str() const { return out_; }

private:
	std::string out_;
};

std::string hex(std::uint64_t v) { return format_mask({}, v); }

std::string device(unsigned major, unsigned minor)
{
	return std::to_string(major) + ":" + std::to_string(minor);
}

bool default_device(unsigned major, unsigned minor) { return major == 1 && minor == 3; }

/*
 * create_ruleset: with no mask, size or trailing garbage, the attr is NULL
 * exactly when flags= is the only argument (LANGUAGE.md), so "attr=null" is
 * printed only when not implied, and "fs=0" marks a zeroed attr passed
 * along with flags.
 */
std::string print_create_ruleset(const CreateRuleset &c)
{
	const bool masks = c.handled_fs || c.handled_net || c.scoped || c.quiet_fs ||
			   c.quiet_net || c.quiet_scoped;
	const bool bare = !masks && !c.size && !c.trailing_garbage;
	const bool implied_null = bare && c.flags;
	Words w("create_ruleset");

	w.option(bare && !c.attr_null && c.flags, "fs", "0");
	w.option(c.handled_fs, "fs", format_fs(c.handled_fs));
	w.option(c.handled_net, "net", format_net(c.handled_net));
	w.option(c.scoped, "scoped", format_scope(c.scoped));
	w.option(c.quiet_fs, "quiet_fs", format_fs(c.quiet_fs));
	w.option(c.quiet_net, "quiet_net", format_net(c.quiet_net));
	w.option(c.quiet_scoped, "quiet_scoped", format_scope(c.quiet_scoped));
	w.option(c.size.has_value(), "size", std::to_string(c.size.value_or(0)));
	w.option(c.flags, "flags", format_mask(create_flag_names(), c.flags));
	w.option(c.attr_null && !implied_null, "attr", "null");
	w.option(c.trailing_garbage, "trailing", "garbage");
	return w.str();
}

std::string rule_flags(std::uint32_t flags) { return format_mask(rule_flag_names(), flags); }

/*
 * add_rule: the named forms when they say everything the struct holds, the
 * raw "type=N" form otherwise (attr=null, unknown types).
 */
std::string print_add_rule(const AddRule &r)
{
	const bool one_parent = r.path.has_value() != r.parent.has_value();
	Words w("add_rule " + print_fd(r.ruleset));

	if (r.type == rule_type::path_beneath && !r.attr_null && !r.port && one_parent) {
		w.add("path_beneath");
		w.add(r.path ? print_path(*r.path) : "fd=" + print_fd(*r.parent));
		w.option(true, "fs", format_fs(r.allowed));
	} else if (r.type == rule_type::net_port && !r.attr_null && !r.path && !r.parent) {
		w.add("net_port").add(std::to_string(r.port));
		w.option(true, "net", format_net(r.allowed));
	} else {
		const bool net = r.type == rule_type::net_port;

		w.option(true, "type", std::to_string(r.type));
		w.option(r.attr_null, "attr", "null");
		w.option(r.allowed && !net, "fs", format_fs(r.allowed));
		w.option(r.allowed && net, "net", format_net(r.allowed));
		w.option(r.port, "port", std::to_string(r.port));
	}
	w.option(r.flags, "flags", rule_flags(r.flags));
	return w.str();
}

std::string print_open(const Open &o)
{
	const bool o_path = o.flags & open_flag::path;
	Words w("open " + print_path(o.path));

	w.add(std::string(o_path ? open_path_mode : word_of(open_mode_words, o.accmode)));
	for (const auto &f : open_flag_words)
		if (o.flags & f.value)
			w.add(std::string(f.name));
	return w.str();
}

std::string print_mknod(const Mknod &m)
{
	const bool dev = m.kind == MknodKind::chr || m.kind == MknodKind::blk;
	Words w("mknod " + print_path(m.path));

	w.add(std::string(word_of(mknod_kind_words, m.kind)));
	if (dev && !default_device(m.major, m.minor))
		w.add(device(m.major, m.minor));
	return w.str();
}

std::string print_rename(const Rename &r)
{
	Words w("rename " + print_path(r.from) + " " + print_path(r.to));

	for (const auto &f : rename_flag_words)
		if (r.flags & f.value)
			w.add(std::string(f.name));
	return w.str();
}

std::string print_mount(MountKind kind, const std::string &source,
			const std::string &path)
{
	if (kind == MountKind::bind)
		return "mount bind " + source + " " + path;
	return "mount tmpfs " + path;
}

std::string print_kill(const Kill &k)
{
	Words w(std::string(k.thread ? "tkill " : "kill ") + k.target);

	w.option(k.sig != 0, "sig", std::to_string(k.sig));
	return w.str();
}

/* The text of each operation, by type. */
struct OpPrinter {
	std::string operator()(const CreateRuleset &c) const { return print_create_ruleset(c); }
	std::string operator()(const AddRule &r) const { return print_add_rule(r); }

	std::string operator()(const RestrictSelf &r) const
	{
		return Words("restrict_self " + print_fd(r.ruleset))
			.option(r.flags, "flags", format_mask(restrict_flag_names(), r.flags))
			.str();
	}

	std::string operator()(const SetNoNewPrivs &) const { return "set_no_new_privs"; }
	std::string operator()(const DropCaps &) const { return "drop_caps"; }
	std::string operator()(const Open &o) const { return print_open(o); }
	std::string operator()(const Close &c) const { return "close " + print_fd(c.fd); }
	std::string operator()(const Dup &d) const { return "dup " + print_fd(d.fd); }
	std::string operator()(const Pipe &) const { return "pipe"; }
	std::string operator()(const Readdir &r) const { return "readdir " + print_fd(r.fd); }
	std::string operator()(const Read &r) const { return "read " + print_fd(r.fd); }
	std::string operator()(const Write &w) const { return "write " + print_fd(w.fd); }

	std::string operator()(const Truncate &t) const
	{
		return "truncate " + print_path(t.path);
	}

	std::string operator()(const Ftruncate &t) const
	{
		return "ftruncate " + print_fd(t.fd);
	}

	std::string operator()(const Ioctl &i) const
	{
		return "ioctl " + print_fd(i.fd) + " " +
		       std::string(word_of(ioctl_cmd_words, i.cmd));
	}

	std::string operator()(const Mkdir &m) const { return "mkdir " + print_path(m.path); }
	std::string operator()(const Mknod &m) const { return print_mknod(m); }

	std::string operator()(const Symlink &s) const
	{
		return "symlink " + print_path(s.path) + " -> " + s.target;
	}

	std::string operator()(const Link &l) const
	{
		return "link " + print_path(l.from) + " " + print_path(l.to);
	}

	std::string operator()(const Rename &r) const { return print_rename(r); }
	std::string operator()(const Unlink &u) const { return "unlink " + print_path(u.path); }
	std::string operator()(const Rmdir &r) const { return "rmdir " + print_path(r.path); }
	std::string operator()(const Exec &e) const { return "exec " + print_path(e.path); }

	std::string operator()(const Mount &m) const
	{
		return print_mount(m.kind, print_path(m.source), print_path(m.path));
	}

	std::string operator()(const Umount &u) const { return "umount " + print_path(u.path); }

	std::string operator()(const Socket &s) const
	{
		return "socket " + std::string(word_of(sock_kind_words, s.kind));
	}

	std::string operator()(const Bind &b) const
	{
		return "bind " + print_fd(b.fd) + " " + print_addr(b.addr);
	}

	std::string operator()(const Listen &l) const { return "listen " + print_fd(l.fd); }

	std::string operator()(const Connect &c) const
	{
		return "connect " + print_fd(c.fd) + " " + print_addr(c.addr);
	}

	std::string operator()(const SendTo &s) const
	{
		return "sendto " + print_fd(s.fd) + (s.addr ? " " + print_addr(*s.addr) : "");
	}

	std::string operator()(const Kill &k) const { return print_kill(k); }
	std::string operator()(const Fork &f) const { return "fork " + f.name; }
	std::string operator()(const Thread &t) const { return "thread " + t.name; }

	std::string operator()(const PassFd &p) const
	{
		return "pass_fd " + print_fd(p.fd) + " to " + p.to;
	}

	std::string operator()(const GetSupervisee &g) const
	{
		return Words("get_supervisee " + print_fd(g.fd))
			.option(g.flags, "flags", hex(g.flags))
			.str();
	}

	std::string operator()(const Resume &r) const { return "resume " + r.task; }
};

std::string print_variants(const Variants &v)
{
	std::string settings = format_variant_overrides(v);

	/* All defaults: one setting still says the trace is about variants. */
	if (settings.empty())
		settings = format_variants(v).substr(0, format_variants(v).find(','));
	std::replace(settings.begin(), settings.end(), ',', ' ');
	return "variant " + settings;
}

std::string print_doc_line(const std::string &line)
{
	return line.empty() ? "#" : "# " + line;
}

/* Appends @lines as a section, after a blank line if one came before. */
void add_section(std::string &out, const std::vector<std::string> &lines)
{
	if (lines.empty())
		return;
	if (!out.empty())
		out += '\n';
	for (const auto &l : lines)
		out += l + '\n';
}

} // namespace

std::string print_fd(const FdRef &fd)
{
	return fd.is_raw() ? std::to_string(fd.raw) : fd.name;
}

std::string print_path(const PathRef &path)
{
	return path.at.empty() ? path.path : "$" + path.at + "/" + path.path;
}

std::string print_addr(const SockAddr &a)
{
	std::string out;

	switch (a.family) {
	case AddrFamily::inet:
		out = (a.any ? "any:" : "") + std::to_string(a.port);
		break;
	case AddrFamily::unspec:
		out = (a.any ? "unspec-any:" : "unspec:") + std::to_string(a.port);
		break;
	case AddrFamily::unix_path:
		out = print_path(a.path);
		break;
	case AddrFamily::unix_abstract:
		out = "@" + a.name;
		break;
	}
	if (a.addrlen)
		out += " addrlen=" + std::to_string(*a.addrlen);
	return out;
}

std::string print_op(const Op &op) { return std::visit(OpPrinter{}, op); }

/* The keyword is the first word of the printed operation: one spelling only. */
std::string op_keyword(const Op &op)
{
	const std::string text = print_op(op);

	return text.substr(0, text.find(' '));
}

std::string print_step(const Step &step)
{
	std::string out = step.task + ": ";

	if (!step.bind.empty())
		out += step.bind + " = ";
	out += print_op(step.op);
	if (step.pause)
		out += " pause=" + std::to_string(*step.pause);
	if (step.expect)
		out += " => " + format_outcomes(*step.expect);
	return out;
}

std::string print_tree_entry(const TreeEntry &entry)
{
	if (const auto *m = std::get_if<TreeMount>(&entry))
		return print_mount(m->kind, m->source, m->path);
	const auto &n = std::get<TreeNode>(entry);

	switch (n.kind) {
	case NodeKind::dir:
		return "dir " + n.path;
	case NodeKind::file:
		return "file " + n.path + (n.exec ? " exec" : "");
	case NodeKind::symlink:
		return "symlink " + n.path + " -> " + n.target;
	case NodeKind::fifo:
		return "fifo " + n.path;
	case NodeKind::chardev:
		break;
	}
	if (default_device(n.major, n.minor))
		return "chardev " + n.path;
	return "chardev " + n.path + " " + device(n.major, n.minor);
}

std::string print_requirement(const Requirement &req)
{
	switch (req.kind) {
	case Requirement::Kind::abi_at_least:
		return "requires abi >= " + std::to_string(req.abi);
	case Requirement::Kind::abi_at_most:
		return "requires abi <= " + std::to_string(req.abi);
	case Requirement::Kind::root:
		return "requires root";
	case Requirement::Kind::supervisor:
		return "requires supervisor";
	case Requirement::Kind::model_only:
		break;
	}
	return "requires model " + req.reason;
}

std::string print_trace(const Trace &trace)
{
	std::vector<std::string> doc, header, tree, steps;
	std::string out;

	for (const auto &line : trace.doc)
		doc.push_back(print_doc_line(line));
	for (const auto &r : trace.requires_)
		header.push_back(print_requirement(r));
	if (trace.variants)
		header.push_back(print_variants(*trace.variants));
	for (const auto &e : trace.tree)
		tree.push_back(print_tree_entry(e));
	for (const auto &s : trace.steps)
		steps.push_back(print_step(s));
	for (const auto *section : {&doc, &header, &tree, &steps})
		add_section(out, *section);
	return out;
}

} // namespace lockstep::trace

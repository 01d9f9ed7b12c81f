// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep repro - One C `case` per step
 *
 * Each operation becomes the same raw system call the executor makes
 * (kernel/executor/ops_*.cc), written for a human: masks in hexadecimal
 * with their names in a comment, paths relative to the trace's root (the
 * current directory), fds in variables named after the trace's names.
 */
#include "kernel/repro/c_text.h"

#include "conformance/trace/printer.h"
#include "model/access.h"

#include <cstdio>
#include <functional>
#include <stdexcept>

namespace lockstep::repro {

namespace {

std::string hex(std::uint64_t v)
{
	char buf[32];

	std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
	return buf;
}

/* A mask in hexadecimal, then its names in a C comment. */
std::string mask(std::uint64_t v, std::string (*names)(AccessMask))
{
	if (!v)
		return "0";
	return hex(v) + " /* " + names(v) + " */";
}

std::string fd(const FdRef &f) { return f.is_raw() ? "(" + std::to_string(f.raw) + ")" : c_fd_var(f.name); }

/* Where a path argument points: a dirfd expression and a C literal. */
struct CPath {
	std::string dirfd;
	std::string rel;
};

CPath c_path(const PathRef &p)
{
	if (!p.at.empty())
		return {c_fd_var(p.at), c_string(p.path)};
	return {"AT_FDCWD", c_string(p.path == "/" ? "." : p.path.substr(1))};
}

/*
 * A call that takes a path relative to the cwd (truncate, mount): for
 * "$D/x", chdir to D for the time of the call, as the executor does.
 */
std::string cwd_call(const PathRef &p, const std::function<std::string(const std::string &)> &call)
{
	const CPath c = c_path(p);

	if (p.at.empty())
		return "r = " + call(c.rel) + ";\n";
	return "if (fchdir(" + c.dirfd + ")) {\n\t\t\tr = done(-1);\n\t\t} else {\n\t\t\tr = " +
	       call(c.rel) + ";\n\t\t\tif (fchdir(root_fd))\n\t\t\t\tperror(\"fchdir\");\n\t\t}\n";
}

std::string open_flags(const Open &op)
{
	static const char *const modes[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_WRONLY | O_RDWR"};
	static const std::pair<std::uint32_t, const char *> flags[] = {
		{open_flag::creat, "O_CREAT"},	 {open_flag::excl, "O_EXCL"},
		{open_flag::trunc, "O_TRUNC"},	 {open_flag::directory, "O_DIRECTORY"},
		{open_flag::nofollow, "O_NOFOLLOW"}, {open_flag::append, "O_APPEND"},
		{open_flag::nonblock, "O_NONBLOCK"},
	};
	std::string out = op.flags & open_flag::path ? "O_PATH" : modes[op.accmode & 3];

	out += " | O_CLOEXEC";
	for (const auto &[bit, name] : flags)
		if (op.flags & bit)
			out += std::string(" | ") + name;
	return out;
}

const char *ioctl_text(IoctlCmd c)
{
	switch (c) {
	case IoctlCmd::fioclex:
		return "0x5451 /* FIOCLEX */, 0";
	case IoctlCmd::fionclex:
		return "0x5450 /* FIONCLEX */, 0";
	case IoctlCmd::fionbio:
		return "0x5421 /* FIONBIO */, 1";
	case IoctlCmd::fioasync:
		return "0x5452 /* FIOASYNC */, 0";
	case IoctlCmd::fionread:
		return "0x541B /* FIONREAD */, 0";
	case IoctlCmd::fiqsize:
		return "0x5460 /* FIOQSIZE */, 0";
	case IoctlCmd::figetbsz:
		return "2 /* FIGETBSZ */, 0";
	case IoctlCmd::tcgets:
		return "0x5401 /* TCGETS */, 0";
	}
	return "0, 0";
}

const char *mknod_mode(MknodKind k)
{
	switch (k) {
	case MknodKind::reg:
		return "S_IFREG | 0644";
	case MknodKind::fifo:
		return "S_IFIFO | 0644";
	case MknodKind::sock:
		return "S_IFSOCK | 0644";
	case MknodKind::chr:
		return "S_IFCHR | 0666";
	case MknodKind::blk:
		return "S_IFBLK | 0666";
	case MknodKind::whiteout:
		return "S_IFCHR /* whiteout: 0:0 */";
	}
	return "0";
}

const char *socket_args(SockKind k)
{
	switch (k) {
	case SockKind::tcp4:
		return "AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0";
	case SockKind::tcp6:
		return "AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0";
	case SockKind::udp4:
		return "AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0";
	case SockKind::udp6:
		return "AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0";
	case SockKind::mptcp4:
		return "AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 262 /* IPPROTO_MPTCP */";
	case SockKind::mptcp6:
		return "AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 262 /* IPPROTO_MPTCP */";
	case SockKind::unix_stream:
		return "AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0";
	case SockKind::unix_dgram:
		return "AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0";
	case SockKind::unix_seqpacket:
		return "AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0";
	}
	return "-1, 0, 0";
}

/* bind/connect/sendto of @f to @a, as statements setting r. */
std::string addr_call(const char *call, const std::string &f, const SockAddr &a)
{
	std::string len = a.addrlen ? std::to_string(*a.addrlen) : "len";

	if (a.family == AddrFamily::unix_path) {
		const CPath p = c_path(a.path);

		return "r = sock_call_at(" + std::string(call) + ", " + f + ", " + p.dirfd + ", " +
		       p.rel + ", " + (a.addrlen ? std::to_string(*a.addrlen) : "-1") + ");\n";
	}
	std::string make;

	if (a.family == AddrFamily::unix_abstract) {
		make = "unix_addr(" + c_string(a.name) + ", 1, &ss)";
		if (a.addrlen)
			len = "abstract_len(" + f + ", " + std::to_string(*a.addrlen) + ")";
	} else {
		make = "inet_addr_for(" + f + ", " + (a.family == AddrFamily::unspec ? "1" : "0") +
		       ", " + (a.any ? "1" : "0") + ", " + std::to_string(a.port) + ", &ss)";
	}
	return "{\n\t\t\tstruct sockaddr_storage ss;\n\t\t\tsocklen_t len = " + make +
	       ";\n\n\t\t\t(void)len;\n\t\t\tr = sock_call(" + call + ", " + f + ", &ss, " + len +
	       ");\n\t\t}\n";
}

std::string create_ruleset(const CreateRuleset &op)
{
	const std::size_t size = op.size.value_or(op.attr_null ? 0 : 48);
	const std::string attr =
		"struct ll_ruleset_attr attr = {\n\t\t\t.handled_access_fs = " +
		mask(op.handled_fs, format_fs) + ",\n\t\t\t.handled_access_net = " +
		mask(op.handled_net, format_net) + ",\n\t\t\t.scoped = " +
		mask(op.scoped, format_scope) + ",\n\t\t\t.quiet_access_fs = " +
		mask(op.quiet_fs, format_fs) + ",\n\t\t\t.quiet_access_net = " +
		mask(op.quiet_net, format_net) + ",\n\t\t\t.quiet_scoped = " +
		mask(op.quiet_scoped, format_scope) + ",\n\t\t};\n";
	const std::string call = "syscall(NR_landlock_create_ruleset, ";

	if (op.attr_null)
		return "r = done(" + call + "NULL, " + std::to_string(size) + ", " + hex(op.flags) +
		       "));\n";
	/* The kernel reads at most a page; the buffer covers what it may read. */
	const std::size_t buf = std::min<std::size_t>(std::max<std::size_t>(size, 64), 8192);

	return "{\n\t\t\tstatic unsigned char buf[" + std::to_string(buf) + "];\n\t\t\t" + attr +
	       "\n\t\t\tmemcpy(buf, &attr, sizeof(attr));\n" +
	       (op.trailing_garbage ? "\t\t\tbuf[48] = 0x5a; /* trailing garbage */\n" : "") +
	       "\t\t\tr = done(" + call + "buf, " + std::to_string(size) + ", " + hex(op.flags) +
	       "));\n\t\t}\n";
}

std::string add_rule(const AddRule &op)
{
	const std::string rs = fd(op.ruleset);
	const std::string call = "syscall(NR_landlock_add_rule, " + rs + ", " +
				 std::to_string(op.type) + ", ";

	if (op.attr_null)
		return "r = done(" + call + "NULL, " + hex(op.flags) + "));\n";
	if (op.type == rule_type::path_beneath && op.path) {
		const CPath p = c_path(*op.path);

		return "r = add_path_beneath(" + rs + ", " + p.dirfd + ", " + p.rel + ", " +
		       mask(op.allowed, format_fs) + ", " + hex(op.flags) + ");\n";
	}
	if (op.type == rule_type::path_beneath) {
		const std::string parent = op.parent ? fd(*op.parent) : "-1";

		return "{\n\t\t\tstruct ll_path_beneath_attr attr = { " + mask(op.allowed, format_fs) +
		       ", " + parent + " };\n\n\t\t\tr = done(" + call + "&attr, " + hex(op.flags) +
		       "));\n\t\t}\n";
	}
	return "{\n\t\t\tstruct ll_net_port_attr attr = { " + mask(op.allowed, format_net) + ", " +
	       std::to_string(op.port) + " };\n\n\t\t\tr = done(" + call + "&attr, " +
	       hex(op.flags) + "));\n\t\t}\n";
}

std::string mount_op(const Mount &op)
{
	if (op.kind == MountKind::tmpfs)
		return cwd_call(op.path, [](const std::string &p) {
			return "done(mount(\"tmpfs\", " + p + ", \"tmpfs\", 0, NULL))";
		});
	const CPath src = c_path(op.source);

	if (op.source.at.empty() && op.path.at.empty())
		return cwd_call(op.path, [&](const std::string &p) {
			return "done(mount(" + src.rel + ", " + p + ", NULL, MS_BIND, NULL))";
		});
	const std::string dirfd = op.source.at.empty() ? "root_fd" : src.dirfd;

	return "{\n\t\t\tchar src[256];\n\n\t\t\tsnprintf(src, sizeof(src), \"/proc/self/fd/%d/%s\", " +
	       dirfd + ", " + src.rel + ");\n\t\t\t" +
	       cwd_call(op.path, [](const std::string &p) {
		       return "done(mount(src, " + p + ", NULL, MS_BIND, NULL))";
	       }) +
	       "\t\t}\n";
}

/* The statements computing r for @op (step @i). */
std::string op_text(const Op &op, const exec::Plan &plan, std::size_t i)
{
	const std::string other = std::to_string(plan.other[i]);

	return std::visit(
		[&](const auto &o) -> std::string {
			using T = std::decay_t<decltype(o)>;

			if constexpr (std::is_same_v<T, CreateRuleset>) {
				return create_ruleset(o);
			} else if constexpr (std::is_same_v<T, AddRule>) {
				return add_rule(o);
			} else if constexpr (std::is_same_v<T, RestrictSelf>) {
				return "r = done(syscall(NR_landlock_restrict_self, " + fd(o.ruleset) +
				       ", " + hex(o.flags) + "));\n";
			} else if constexpr (std::is_same_v<T, SetNoNewPrivs>) {
				return "r = done(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));\n";
			} else if constexpr (std::is_same_v<T, DropCaps>) {
				return "r = drop_caps();\n";
			} else if constexpr (std::is_same_v<T, GetSupervisee>) {
				return "r = done(ioctl(" + fd(o.fd) + ", LL_IOCTL_GET_SUPERVISEE, " +
				       hex(o.flags) + "));\n";
			} else if constexpr (std::is_same_v<T, Resume>) {
				throw std::invalid_argument("repro: resume is model-only");
			} else if constexpr (std::is_same_v<T, Open>) {
				const CPath p = c_path(o.path);

				return "r = done(openat(" + p.dirfd + ", " + p.rel + ", " +
				       open_flags(o) + ", 0644));\n";
			} else if constexpr (std::is_same_v<T, Close>) {
				return "r = done(close(" + fd(o.fd) + "));\n";
			} else if constexpr (std::is_same_v<T, Dup>) {
				return "r = done(fcntl(" + fd(o.fd) + ", F_DUPFD_CLOEXEC, 0));\n";
			} else if constexpr (std::is_same_v<T, Pipe>) {
				return "r = do_pipe();\n";
			} else if constexpr (std::is_same_v<T, Readdir>) {
				return "r = do_readdir(" + fd(o.fd) + ");\n";
			} else if constexpr (std::is_same_v<T, Read>) {
				return "r = read_one(" + fd(o.fd) + ");\n";
			} else if constexpr (std::is_same_v<T, Write>) {
				return "r = done(write(" + fd(o.fd) + ", \"x\", 1));\n";
			} else if constexpr (std::is_same_v<T, Truncate>) {
				return cwd_call(o.path, [](const std::string &p) {
					return "done(truncate(" + p + ", 0))";
				});
			} else if constexpr (std::is_same_v<T, Ftruncate>) {
				return "r = done(ftruncate(" + fd(o.fd) + ", 0));\n";
			} else if constexpr (std::is_same_v<T, Ioctl>) {
				return "r = do_ioctl(" + fd(o.fd) + ", " + ioctl_text(o.cmd) + ");\n";
			} else if constexpr (std::is_same_v<T, Mkdir>) {
				const CPath p = c_path(o.path);

				return "r = done(mkdirat(" + p.dirfd + ", " + p.rel + ", 0755));\n";
			} else if constexpr (std::is_same_v<T, Mknod>) {
				const CPath p = c_path(o.path);
				const std::string dev =
					o.kind == MknodKind::whiteout
						? "0"
						: "makedev(" + std::to_string(o.major) + ", " +
							  std::to_string(o.minor) + ")";

				return "r = done(mknodat(" + p.dirfd + ", " + p.rel + ", " +
				       mknod_mode(o.kind) + ", " + dev + "));\n";
			} else if constexpr (std::is_same_v<T, Symlink>) {
				const CPath p = c_path(o.path);

				return "r = done(symlinkat(" + c_string(o.target) + ", " + p.dirfd +
				       ", " + p.rel + "));\n";
			} else if constexpr (std::is_same_v<T, Link>) {
				const CPath a = c_path(o.from), b = c_path(o.to);

				return "r = done(linkat(" + a.dirfd + ", " + a.rel + ", " + b.dirfd +
				       ", " + b.rel + ", 0));\n";
			} else if constexpr (std::is_same_v<T, Rename>) {
				const CPath a = c_path(o.from), b = c_path(o.to);

				return "r = done(syscall(NR_renameat2, " + a.dirfd + ", " + a.rel +
				       ", " + b.dirfd + ", " + b.rel + ", " + hex(o.flags) +
				       " /* 1: NOREPLACE, 2: EXCHANGE, 4: WHITEOUT */));\n";
			} else if constexpr (std::is_same_v<T, Unlink> || std::is_same_v<T, Rmdir>) {
				const CPath p = c_path(o.path);

				return "r = done(unlinkat(" + p.dirfd + ", " + p.rel + ", " +
				       (std::is_same_v<T, Rmdir> ? "AT_REMOVEDIR" : "0") + "));\n";
			} else if constexpr (std::is_same_v<T, Exec>) {
				const CPath p = c_path(o.path);

				return "r = exec_at(" + p.dirfd + ", " + p.rel + ");\n";
			} else if constexpr (std::is_same_v<T, Mount>) {
				return mount_op(o);
			} else if constexpr (std::is_same_v<T, Umount>) {
				return cwd_call(o.path, [](const std::string &p) {
					return "done(umount2(" + p + ", 0))";
				});
			} else if constexpr (std::is_same_v<T, Socket>) {
				/* [net.tcp.close] as the executor: no TIME_WAIT */
				const bool tcp = o.kind == SockKind::tcp4 || o.kind == SockKind::tcp6 ||
						 o.kind == SockKind::mptcp4 || o.kind == SockKind::mptcp6;

				return std::string("r = done(") + (tcp ? "no_time_wait(" : "(") +
				       "socket(" + socket_args(o.kind) + ")));\n";
			} else if constexpr (std::is_same_v<T, Bind>) {
				return addr_call("CALL_BIND", fd(o.fd), o.addr);
			} else if constexpr (std::is_same_v<T, Connect>) {
				return addr_call("CALL_CONNECT", fd(o.fd), o.addr);
			} else if constexpr (std::is_same_v<T, SendTo>) {
				if (!o.addr)
					return "r = done(sendto(" + fd(o.fd) + ", \"x\", 1, 0, NULL, 0));\n";
				return addr_call("CALL_SENDTO", fd(o.fd), *o.addr);
			} else if constexpr (std::is_same_v<T, Listen>) {
				return "r = done(listen(" + fd(o.fd) + ", 16));\n";
			} else if constexpr (std::is_same_v<T, Kill>) {
				const std::string sig = o.sig ? std::to_string(o.sig) : "SIGURG";

				if (o.thread)
					return "r = done(syscall(SYS_tgkill, sh->pid[" + other +
					       "], sh->tid[" + other + "], " + sig + "));\n";
				return "r = done(kill(sh->pid[" + other + "], " + sig + "));\n";
			} else if constexpr (std::is_same_v<T, Fork>) {
				return "r = new_process(" + other + ");\n";
			} else if constexpr (std::is_same_v<T, Thread>) {
				return "r = new_thread(" + other + ");\n";
			} else if constexpr (std::is_same_v<T, PassFd>) {
				return "r = send_fd(" + fd(o.fd) + ");\n";
			}
		},
		op);
}

/* A comment that cannot close itself early. */
std::string comment(std::string s)
{
	for (std::size_t pos; (pos = s.find("*/")) != std::string::npos;)
		s.replace(pos, 2, "* /");
	return s;
}

} // namespace

std::string c_string(std::string_view s)
{
	std::string out = "\"";

	for (const unsigned char c : s) {
		if (c == '"' || c == '\\') {
			out += '\\';
			out += static_cast<char>(c);
		} else if (c < 0x20 || c >= 0x7f) {
			char buf[8];

			std::snprintf(buf, sizeof buf, "\\%03o", c);
			out += buf;
		} else {
			out += static_cast<char>(c);
		}
	}
	return out + "\"";
}

std::string c_fd_var(const std::string &name) { return "fd_" + name; }

bool uses_threads(const Trace &t)
{
	for (const auto &s : t.steps)
		if (std::holds_alternative<Thread>(s.op))
			return true;
	return false;
}

std::string c_step(const Trace &t, const exec::Plan &plan, std::size_t i)
{
	const Step &s = t.steps[i];
	std::string out = "\tcase " + std::to_string(i) + ": { /* " +
			  comment(trace::print_step(s)) + " */\n\t\tstruct result r;\n\n\t\t" +
			  op_text(s.op, plan, i);

	if (!s.bind.empty() && !std::holds_alternative<PassFd>(s.op))
		out += "\t\t" + c_fd_var(s.bind) +
		       (returns_fd(s.op) ? " = r.err ? -1 : (int)r.ret;\n" : " = -1;\n");
	return out + "\t\treturn r;\n\t}\n";
}

std::string c_receive(const Trace &t, std::size_t i)
{
	const std::string var = t.steps[i].bind.empty() ? "" : c_fd_var(t.steps[i].bind);
	const std::string bind = var.empty() ? "(void)" : var + " = ";

	return "\tcase " + std::to_string(i) + ": {\n\t\tstruct result r = done(0);\n\n\t\tif (!sent) {\n\t\t\t" +
	       (var.empty() ? std::string("return r;") : var + " = -1;\n\t\t\treturn r;") +
	       "\n\t\t}\n\t\t" + bind + "recv_fd(&r);\n\t\treturn r;\n\t}\n";
}

} // namespace lockstep::repro

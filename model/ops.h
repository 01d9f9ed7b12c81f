/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep model - Operations: the alphabet of traces
 *
 * One struct per operation a task can perform.  The trace language
 * (conformance/trace/) parses and prints them, the model computes their
 * allowed outcomes, the executor (kernel/executor/) performs them with raw
 * syscalls and the reproducer generator (kernel/repro/) writes them as C.
 * See conformance/LANGUAGE.md for the text form of each.
 */
#pragma once

#include "model/access.h"
#include "model/outcome.h"
#include "model/profile.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace lockstep {

/* Position in a trace file, for error messages and reports. */
struct Loc {
	int line = 0;
	int col = 0;
	/* Positions are not part of a trace's meaning: printed and re-parsed
	 * traces compare equal. */
	bool operator==(const Loc &) const { return true; }
};

/*
 * A file descriptor argument: a name bound earlier in the acting task's
 * process, or a raw number (-1, or a number that is not open: EBADF tests).
 */
struct FdRef {
	std::string name;
	int raw = -1;

	bool is_raw() const { return name.empty(); }
	bool operator==(const FdRef &) const = default;
};

/*
 * A path argument.  Without @at, @path is absolute within the trace's root
 * ("/a/b").  With @at, @path is relative to that directory fd ("b/c"), like
 * openat(2).  Paths never contain "..", and are always beneath the root.
 */
struct PathRef {
	std::string path;
	std::string at;
	bool operator==(const PathRef &) const = default;
};

/* ---- File tree set up before the first operation (unrestricted) ---- */

enum class NodeKind : std::uint8_t { dir, file, symlink, fifo, chardev };

struct TreeNode {
	NodeKind kind = NodeKind::dir;
	std::string path;
	std::string target;	/* symlink: relative target */
	bool exec = false;	/* file: a tiny executable program */
	unsigned major = 1, minor = 3; /* chardev: default /dev/null */
	Loc loc;
	bool operator==(const TreeNode &) const = default;
};

enum class MountKind : std::uint8_t { tmpfs, bind };

struct TreeMount {
	MountKind kind = MountKind::tmpfs;
	std::string source; /* bind only */
	std::string path;
	Loc loc;
	bool operator==(const TreeMount &) const = default;
};

using TreeEntry = std::variant<TreeNode, TreeMount>;

/* ---- Landlock system calls ---- */

/* landlock_create_ruleset(2) */
struct CreateRuleset {
	AccessMask handled_fs = 0;
	AccessMask handled_net = 0;
	AccessMask scoped = 0;
	AccessMask quiet_fs = 0;
	AccessMask quiet_net = 0;
	AccessMask quiet_scoped = 0;
	/* Non-zero bytes after the 48 known ones (needs a larger @size). */
	bool trailing_garbage = false;
	bool attr_null = false;
	/* Default: 48 when an attr is passed, 0 with attr_null. */
	std::optional<std::uint64_t> size;
	std::uint32_t flags = 0;
	bool operator==(const CreateRuleset &) const = default;
};

/* landlock_add_rule(2) */
struct AddRule {
	FdRef ruleset;
	std::uint32_t type = rule_type::path_beneath;
	/* path_beneath: the parent, opened with O_PATH by the acting task... */
	std::optional<PathRef> path;
	/* ...or an fd the task already holds. */
	std::optional<FdRef> parent;
	AccessMask allowed = 0;
	std::uint64_t port = 0;
	std::uint32_t flags = 0;
	bool attr_null = false;
	bool operator==(const AddRule &) const = default;
};

/* landlock_restrict_self(2) */
struct RestrictSelf {
	FdRef ruleset;
	std::uint32_t flags = 0;
	bool operator==(const RestrictSelf &) const = default;
};

/* prctl(PR_SET_NO_NEW_PRIVS, 1) */
struct SetNoNewPrivs {
	bool operator==(const SetNoNewPrivs &) const = default;
};

/* capset(2) dropping every capability of the calling thread. */
struct DropCaps {
	bool operator==(const DropCaps &) const = default;
};

/* ---- Filesystem ---- */

namespace open_flag {
inline constexpr std::uint32_t creat = 1u << 0;
inline constexpr std::uint32_t excl = 1u << 1;
inline constexpr std::uint32_t trunc = 1u << 2;
inline constexpr std::uint32_t directory = 1u << 3;
inline constexpr std::uint32_t nofollow = 1u << 4;
inline constexpr std::uint32_t append = 1u << 5;
inline constexpr std::uint32_t path = 1u << 6; /* O_PATH */
inline constexpr std::uint32_t nonblock = 1u << 7;
} // namespace open_flag

/* openat(2); @accmode is O_RDONLY (0), O_WRONLY (1), O_RDWR (2) or 3. */
struct Open {
	PathRef path;
	unsigned accmode = 0;
	std::uint32_t flags = 0;
	bool operator==(const Open &) const = default;
};

struct Close {
	FdRef fd;
	bool operator==(const Close &) const = default;
};

/* dup(2) */
struct Dup {
	FdRef fd;
	bool operator==(const Dup &) const = default;
};

/* pipe(2): binds the read end. */
struct Pipe {
	bool operator==(const Pipe &) const = default;
};

/* getdents64(2) on an open directory fd. */
struct Readdir {
	FdRef fd;
	bool operator==(const Readdir &) const = default;
};

/* read(2) and write(2) of one byte: never checked by Landlock after open. */
struct Read {
	FdRef fd;
	bool operator==(const Read &) const = default;
};

struct Write {
	FdRef fd;
	bool operator==(const Write &) const = default;
};

/* truncate(2) to length 0 */
struct Truncate {
	PathRef path;
	bool operator==(const Truncate &) const = default;
};

/* ftruncate(2) to length 0 */
struct Ftruncate {
	FdRef fd;
	bool operator==(const Ftruncate &) const = default;
};

/* The ioctl(2) commands traces can issue. */
enum class IoctlCmd : std::uint8_t {
	fioclex,
	fionclex,
	fionbio,
	fioasync,
	fionread,
	fiqsize,
	figetbsz,
	tcgets,
};

struct Ioctl {
	FdRef fd;
	IoctlCmd cmd = IoctlCmd::fionread;
	bool operator==(const Ioctl &) const = default;
};

struct Mkdir {
	PathRef path;
	bool operator==(const Mkdir &) const = default;
};

enum class MknodKind : std::uint8_t { reg, fifo, sock, chr, blk, whiteout };

struct Mknod {
	PathRef path;
	MknodKind kind = MknodKind::reg;
	unsigned major = 1, minor = 3;
	bool operator==(const Mknod &) const = default;
};

/* symlinkat(2): creates @path pointing to @target (relative, no ".."). */
struct Symlink {
	PathRef path;
	std::string target;
	bool operator==(const Symlink &) const = default;
};

struct Link {
	PathRef from;
	PathRef to;
	bool operator==(const Link &) const = default;
};

namespace rename_flag {
inline constexpr std::uint32_t noreplace = 1u << 0;
inline constexpr std::uint32_t exchange = 1u << 1;
inline constexpr std::uint32_t whiteout = 1u << 2;
} // namespace rename_flag

/* renameat2(2) */
struct Rename {
	PathRef from;
	PathRef to;
	std::uint32_t flags = 0;
	bool operator==(const Rename &) const = default;
};

struct Unlink {
	PathRef path;
	bool operator==(const Unlink &) const = default;
};

struct Rmdir {
	PathRef path;
	bool operator==(const Rmdir &) const = default;
};

/* execve(2) of @path by a short-lived child of the acting task. */
struct Exec {
	PathRef path;
	bool operator==(const Exec &) const = default;
};

/* mount(2): a new tmpfs at @path, or a bind mount of @source at @path. */
struct Mount {
	MountKind kind = MountKind::tmpfs;
	PathRef source;
	PathRef path;
	bool operator==(const Mount &) const = default;
};

/* umount2(2) */
struct Umount {
	PathRef path;
	bool operator==(const Umount &) const = default;
};

/* ---- Network and IPC ---- */

enum class SockKind : std::uint8_t {
	tcp4,
	tcp6,
	udp4,
	udp6,
	mptcp4, /* stream, IPPROTO_MPTCP: erratum 1 */
	mptcp6,
	unix_stream,
	unix_dgram,
	unix_seqpacket,
};

enum class AddrFamily : std::uint8_t {
	inet,	     /* the socket's own family (AF_INET or AF_INET6), loopback */
	unspec,	     /* AF_UNSPEC */
	unix_path,   /* a pathname UNIX socket */
	unix_abstract, /* an abstract UNIX socket ("@name") */
};

struct SockAddr {
	AddrFamily family = AddrFamily::inet;
	std::uint16_t port = 0;
	/* inet/unspec: the wildcard address instead of loopback. */
	bool any = false;
	/* unix_path: a path; unix_abstract: the name without '@'. */
	PathRef path;
	std::string name;
	/* Pass this addrlen instead of the natural one. */
	std::optional<unsigned> addrlen;
	bool operator==(const SockAddr &) const = default;
};

struct Socket {
	SockKind kind = SockKind::tcp4;
	bool operator==(const Socket &) const = default;
};

struct Bind {
	FdRef fd;
	SockAddr addr;
	bool operator==(const Bind &) const = default;
};

struct Listen {
	FdRef fd;
	bool operator==(const Listen &) const = default;
};

struct Connect {
	FdRef fd;
	SockAddr addr;
	bool operator==(const Connect &) const = default;
};

/* sendto(2) of one byte, to @addr or (without it) to the connected peer. */
struct SendTo {
	FdRef fd;
	std::optional<SockAddr> addr;
	bool operator==(const SendTo &) const = default;
};

/* kill(2) of @target's process, or tgkill(2) of the thread @target. */
struct Kill {
	std::string target;
	bool thread = false;
	int sig = 0; /* 0: the default, SIGURG */
	bool operator==(const Kill &) const = default;
};

/* ---- Tasks ---- */

/* fork(2): a new process whose only thread is named @name. */
struct Fork {
	std::string name;
	bool operator==(const Fork &) const = default;
};

/* pthread_create(3): a new thread @name in the acting task's process. */
struct Thread {
	std::string name;
	bool operator==(const Thread &) const = default;
};

/* Send @fd to @to with SCM_RIGHTS; it is bound there under the step's name. */
struct PassFd {
	FdRef fd;
	std::string to;
	bool operator==(const PassFd &) const = default;
};

/* ---- Supervisor extension (kernel/uapi/landlock_supervisor.h) ---- */

/* ioctl(fd, LANDLOCK_IOCTL_GET_SUPERVISEE_RULESET, flags) */
struct GetSupervisee {
	FdRef fd;
	std::uint32_t flags = 0;
	bool operator==(const GetSupervisee &) const = default;
};

/* Let a task paused by a step's "pause=K" finish that step. */
struct Resume {
	std::string task;
	bool operator==(const Resume &) const = default;
};

using Op = std::variant<CreateRuleset, AddRule, RestrictSelf, SetNoNewPrivs,
			DropCaps, Open, Close, Dup, Pipe, Readdir, Read, Write,
			Truncate, Ftruncate, Ioctl, Mkdir, Mknod, Symlink, Link,
			Rename, Unlink, Rmdir, Exec, Mount, Umount, Socket, Bind,
			Listen, Connect, SendTo, Kill, Fork, Thread, PassFd,
			GetSupervisee, Resume>;

/**
 * struct Step - one operation by one task, in trace order
 *
 * @task: the acting task ("main" unless the line says "NAME:").
 * @bind: name bound to the result (an fd) when the step succeeds.
 * @expect: outcomes pinned by the trace's author; the model must allow them
 *          and the kernel must produce one of them.
 * @pause: model only: stop the operation's path walk after this many steps
 *         (the task then resumes with a Resume step).
 */
struct Step {
	Loc loc;
	std::string task = "main";
	std::string bind;
	Op op;
	std::optional<OutcomeSet> expect;
	std::optional<int> pause;
	bool operator==(const Step &) const = default;
};

/* A Step built by a program rather than parsed (generators, proofs, tests). */
inline Step make_step(std::string task, Op op, std::string bind = {},
		      std::optional<int> pause = std::nullopt)
{
	Step s;

	s.task = std::move(task);
	s.op = std::move(op);
	s.bind = std::move(bind);
	s.pause = pause;
	return s;
}

/*
 * [trace.bind] Whether @op returns a new fd when it succeeds: only then is a
 * step's name bound to the return value.  Other successes (0, a byte count,
 * the ABI version or the errata mask) bind it to fd -1, as failures do.
 * pass_fd binds in the receiving task, by its own rule.
 */
inline bool returns_fd(const Op &op)
{
	if (const auto *c = std::get_if<CreateRuleset>(&op))
		return !(c->flags & (create_flag::version | create_flag::errata));
	return std::holds_alternative<Open>(op) || std::holds_alternative<Dup>(op) ||
	       std::holds_alternative<Pipe>(op) || std::holds_alternative<Socket>(op) ||
	       std::holds_alternative<GetSupervisee>(op);
}

/* A condition for running a trace at all ([trace.requires]). */
struct Requirement {
	enum class Kind : std::uint8_t {
		abi_at_least,
		abi_at_most,
		root,	    /* privileged operations: mounts, device nodes */
		supervisor, /* the supervisor extension */
		model_only, /* cannot be forced on a real kernel */
	} kind = Kind::abi_at_least;
	int abi = 0;
	std::string reason; /* model_only */
	Loc loc;
	bool operator==(const Requirement &) const = default;
};

/**
 * struct Trace - a parsed trace file
 *
 * @doc: the leading comment block (without "# "), which states what the
 *       case shows and its expected outcome, litmus-test style.
 * @variants: model variants this trace is about (supervisor design cases).
 */
struct Trace {
	std::string name;
	std::vector<std::string> doc;
	std::vector<Requirement> requires_;
	std::optional<Variants> variants;
	std::vector<TreeEntry> tree;
	std::vector<Step> steps;
	bool operator==(const Trace &) const = default;
};

} // namespace lockstep

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep executor - Filesystem operations
 */
#include "kernel/executor/ops.h"

#include "kernel/executor/uapi.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

namespace lockstep::exec {

namespace {

int open_flags(const Open &op)
{
	int flags = static_cast<int>(op.accmode) | O_CLOEXEC;

	if (op.flags & open_flag::path)
		flags = O_PATH | O_CLOEXEC;
	if (op.flags & open_flag::creat)
		flags |= O_CREAT;
	if (op.flags & open_flag::excl)
		flags |= O_EXCL;
	if (op.flags & open_flag::trunc)
		flags |= O_TRUNC;
	if (op.flags & open_flag::directory)
		flags |= O_DIRECTORY;
	if (op.flags & open_flag::nofollow)
		flags |= O_NOFOLLOW;
	if (op.flags & open_flag::append)
		flags |= O_APPEND;
	if (op.flags & open_flag::nonblock)
		flags |= O_NONBLOCK;
	return flags;
}

unsigned long ioctl_request(IoctlCmd cmd)
{
	switch (cmd) {
	case IoctlCmd::fioclex:
		return uapi::ioctl_fioclex;
	case IoctlCmd::fionclex:
		return uapi::ioctl_fionclex;
	case IoctlCmd::fionbio:
		return uapi::ioctl_fionbio;
	case IoctlCmd::fioasync:
		return uapi::ioctl_fioasync;
	case IoctlCmd::fionread:
		return uapi::ioctl_fionread;
	case IoctlCmd::fiqsize:
		return uapi::ioctl_fioqsize;
	case IoctlCmd::figetbsz:
		return uapi::ioctl_figetbsz;
	case IoctlCmd::tcgets:
		return uapi::ioctl_tcgets;
	}
	return 0;
}

mode_t mknod_mode(MknodKind kind)
{
	switch (kind) {
	case MknodKind::reg:
		return S_IFREG | 0644;
	case MknodKind::fifo:
		return S_IFIFO | 0644;
	case MknodKind::sock:
		return S_IFSOCK | 0644;
	case MknodKind::chr:
		return S_IFCHR | 0666;
	case MknodKind::blk:
		return S_IFBLK | 0666;
	case MknodKind::whiteout:
		return S_IFCHR; /* with device 0:0, like overlayfs */
	}
	return 0;
}

/* Above main's own fds (WorkerState::fd_base, 60 to 62). */
constexpr int exec_pipe_min_fd = 64;

/* The child of an exec step: only async-signal-safe calls after fork. */
[[noreturn]] void exec_child(const Where &w, const char *argv0, int err_pipe)
{
	char *const argv[] = {const_cast<char *>(argv0), nullptr};
	char *const envp[] = {nullptr};

	syscall(uapi::nr_execveat, w.dirfd, w.rel, argv, envp, 0);
	const int err = errno;

	(void)!write(err_pipe, &err, sizeof err);
	_exit(127);
}

} // namespace

Outcome run(Task &t, const Open &op, std::size_t)
{
	const Where w = where(t, op.path);

	return result(openat(w.dirfd, w.rel, open_flags(op), 0644));
}

Outcome run(Task &t, const Close &op, std::size_t) { return result(close(fd_of(t, op.fd))); }

Outcome run(Task &t, const Dup &op, std::size_t)
{
	return result(fcntl(fd_of(t, op.fd), F_DUPFD_CLOEXEC, 0));
}

Outcome run(Task &, const Pipe &, std::size_t)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) != 0)
		return result(-1);
	/* The write end stays open, unnamed, until the trace ends. */
	return Outcome::ok(fds[0]);
}

Outcome run(Task &t, const Readdir &op, std::size_t)
{
	alignas(8) char buf[4096];

	return result(syscall(SYS_getdents64, fd_of(t, op.fd), buf, sizeof buf));
}

Outcome run(Task &t, const Read &op, std::size_t)
{
	char c;

	return result(read(fd_of(t, op.fd), &c, 1));
}

Outcome run(Task &t, const Write &op, std::size_t)
{
	return result(write(fd_of(t, op.fd), "x", 1));
}

Outcome run(Task &t, const Truncate &op, std::size_t)
{
	return with_cwd(t, op.path, [](const char *p) { return result(truncate(p, 0)); });
}

Outcome run(Task &t, const Ftruncate &op, std::size_t)
{
	return result(ftruncate(fd_of(t, op.fd), 0));
}

Outcome run(Task &t, const Ioctl &op, std::size_t)
{
	/* Large enough for every argument: int, loff_t, struct termios. */
	alignas(8) char arg[64] = {};

	if (op.cmd == IoctlCmd::fionbio)
		*reinterpret_cast<int *>(arg) = 1;
	return result(ioctl(fd_of(t, op.fd), ioctl_request(op.cmd), arg));
}

Outcome run(Task &t, const Mkdir &op, std::size_t)
{
	const Where w = where(t, op.path);

	return result(mkdirat(w.dirfd, w.rel, 0755));
}

Outcome run(Task &t, const Mknod &op, std::size_t)
{
	const Where w = where(t, op.path);
	const dev_t dev = op.kind == MknodKind::whiteout ? 0 : makedev(op.major, op.minor);

	return result(mknodat(w.dirfd, w.rel, mknod_mode(op.kind), dev));
}

Outcome run(Task &t, const Symlink &op, std::size_t)
{
	const Where w = where(t, op.path);

	return result(symlinkat(op.target.c_str(), w.dirfd, w.rel));
}

Outcome run(Task &t, const Link &op, std::size_t)
{
	const Where from = where(t, op.from);
	const Where to = where(t, op.to);

	return result(linkat(from.dirfd, from.rel, to.dirfd, to.rel, 0));
}

Outcome run(Task &t, const Rename &op, std::size_t)
{
	const Where from = where(t, op.from);
	const Where to = where(t, op.to);
	unsigned flags = 0;

	if (op.flags & rename_flag::noreplace)
		flags |= uapi::rename_noreplace;
	if (op.flags & rename_flag::exchange)
		flags |= uapi::rename_exchange;
	if (op.flags & rename_flag::whiteout)
		flags |= uapi::rename_whiteout;
	return result(syscall(uapi::nr_renameat2, from.dirfd, from.rel, to.dirfd,
			      to.rel, flags));
}

Outcome run(Task &t, const Unlink &op, std::size_t)
{
	const Where w = where(t, op.path);

	return result(unlinkat(w.dirfd, w.rel, 0));
}

Outcome run(Task &t, const Rmdir &op, std::size_t)
{
	const Where w = where(t, op.path);

	return result(unlinkat(w.dirfd, w.rel, AT_REMOVEDIR));
}

Outcome run(Task &t, const Exec &op, std::size_t)
{
	const Where w = where(t, op.path);
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) != 0)
		return result(-1);
	/*
	 * [trace.bind] Out of the trace's way: a name whose fd was closed must
	 * not find this pipe at its number when execveat() resolves it.
	 */
	for (int &fd : fds) {
		const int high = fcntl(fd, F_DUPFD_CLOEXEC, exec_pipe_min_fd);

		if (high < 0) {
			const int err = errno;

			close(fds[0]);
			close(fds[1]);
			return Outcome::error(err);
		}
		close(fd);
		fd = high;
	}
	const pid_t child = fork();

	if (child == 0)
		exec_child(w, op.path.path.c_str(), fds[1]);
	close(fds[1]);
	if (child < 0) {
		close(fds[0]);
		return result(-1);
	}
	int err = 0;
	ssize_t n;

	while ((n = read(fds[0], &err, sizeof err)) < 0 && errno == EINTR) {
	}
	close(fds[0]);
	int status = 0;

	while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
	}
	if (n == sizeof err)
		return Outcome::error(err);
	if (WIFSIGNALED(status))
		t.note = "the program ran but was killed by signal " +
			 std::to_string(WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		t.note = "the program ran but exited with status " +
			 std::to_string(WEXITSTATUS(status));
	return Outcome::ok();
}

Outcome run(Task &t, const Mount &op, std::size_t)
{
	if (op.kind == MountKind::tmpfs)
		return with_cwd(t, op.path, [](const char *p) {
			return result(mount("tmpfs", p, "tmpfs", 0, nullptr));
		});
	/*
	 * Two paths, each possibly relative to its own fd, but one cwd: when
	 * either uses $D, name the source through its fd in /proc.
	 */
	const Where src = where(t, op.source);
	const bool plain = op.source.at.empty() && op.path.at.empty();
	const std::string source =
		plain ? std::string(src.rel)
		      : "/proc/self/fd/" + std::to_string(src.dirfd) + "/" + src.rel;

	return with_cwd(t, op.path, [&](const char *p) {
		return result(mount(source.c_str(), p, nullptr, MS_BIND, nullptr));
	});
}

Outcome run(Task &t, const Umount &op, std::size_t)
{
	return with_cwd(t, op.path, [](const char *p) { return result(umount2(p, 0)); });
}

} // namespace lockstep::exec

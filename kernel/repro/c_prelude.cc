// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep repro - The fixed part of every reproducer
 *
 * Plain C, no dependency but the C library: Landlock's uAPI is restated,
 * and every step is a raw system call.  The generator writes, around this
 * text, the tree, the fd variables, one `case` per step and the verdict.
 */
#include "kernel/repro/c_text.h"

namespace lockstep::repro {

const char *const c_includes = R"C(#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
)C";

const char *const c_runtime = R"C(
/* ---- Landlock uAPI (include/uapi/linux/landlock.h), restated ---- */
#define NR_landlock_create_ruleset 444
#define NR_landlock_add_rule 445
#define NR_landlock_restrict_self 446
#define NR_renameat2 316
#define NR_execveat 322
#define NR_capset 126
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2
#define LL_IOCTL_GET_SUPERVISEE ((unsigned long)('L' << 8) | 0x20)

struct ll_ruleset_attr {
	uint64_t handled_access_fs, handled_access_net, scoped;
	uint64_t quiet_access_fs, quiet_access_net, quiet_scoped;
};
struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));
struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

/* Helpers a given trace may not need: no warning for those. */
#define HELPER static __attribute__((unused))

/* A step that never returned, like the model's "BLOCKED". */
#define BLOCKED 100000
#define STEP_TIMEOUT_MS 2000

/* ---- Results ---- */
struct result {
	long ret;
	int err;
};

static struct result done(long ret)
{
	struct result r = { ret, ret < 0 ? errno : 0 };
	return r;
}

HELPER struct result fail(int err)
{
	struct result r = { -1, err };
	return r;
}

static const struct {
	int value;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" },
	{ EINTR, "EINTR" }, { EIO, "EIO" }, { ENXIO, "ENXIO" },
	{ E2BIG, "E2BIG" }, { ENOEXEC, "ENOEXEC" }, { EBADF, "EBADF" },
	{ ECHILD, "ECHILD" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
	{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
	{ EEXIST, "EEXIST" }, { EXDEV, "EXDEV" }, { ENODEV, "ENODEV" },
	{ ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" }, { EINVAL, "EINVAL" },
	{ ENFILE, "ENFILE" }, { EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" },
	{ ETXTBSY, "ETXTBSY" }, { EFBIG, "EFBIG" }, { ENOSPC, "ENOSPC" },
	{ ESPIPE, "ESPIPE" }, { EROFS, "EROFS" }, { EMLINK, "EMLINK" },
	{ EPIPE, "EPIPE" }, { ERANGE, "ERANGE" }, { ENAMETOOLONG, "ENAMETOOLONG" },
	{ ENOSYS, "ENOSYS" }, { ENOTEMPTY, "ENOTEMPTY" }, { ELOOP, "ELOOP" },
	{ EBADMSG, "EBADMSG" }, { ENOTSOCK, "ENOTSOCK" },
	{ EDESTADDRREQ, "EDESTADDRREQ" }, { EPROTOTYPE, "EPROTOTYPE" },
	{ ENOPROTOOPT, "ENOPROTOOPT" }, { EPROTONOSUPPORT, "EPROTONOSUPPORT" },
	{ EOPNOTSUPP, "EOPNOTSUPP" }, { EAFNOSUPPORT, "EAFNOSUPPORT" },
	{ EADDRINUSE, "EADDRINUSE" }, { EADDRNOTAVAIL, "EADDRNOTAVAIL" },
	{ ENETUNREACH, "ENETUNREACH" }, { ECONNRESET, "ECONNRESET" },
	{ EISCONN, "EISCONN" }, { ENOTCONN, "ENOTCONN" },
	{ ETIMEDOUT, "ETIMEDOUT" }, { ECONNREFUSED, "ECONNREFUSED" },
	{ EALREADY, "EALREADY" }, { EINPROGRESS, "EINPROGRESS" },
	{ BLOCKED, "BLOCKED" },
};

static void format_result(struct result r, char *buf, size_t size)
{
	size_t i;

	if (!r.err) {
		if (r.ret)
			snprintf(buf, size, "ok(%ld)", r.ret);
		else
			snprintf(buf, size, "ok");
		return;
	}
	for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].value == r.err) {
			snprintf(buf, size, "%s", errno_names[i].name);
			return;
		}
	snprintf(buf, size, "errno %d", r.err);
}

/* ---- Tasks: one command pipe and one result pipe each ---- */
struct shared {
	pid_t pid[NTASKS];
	pid_t tid[NTASKS];
	int ready[NTASKS];
};
static struct shared *sh;
static int cmd_pipe[NTASKS][2], res_pipe[NTASKS][2];
static int pass_sv[2]; /* pass_fd: sent on [0], received on [1] */
static int root_fd;    /* the trace's root; it is also the cwd */
static char abstract_prefix[64];

static struct result step(int i);
static struct result receive(int i, int sent);

static void announce(int k)
{
	sh->pid[k] = getpid();
	sh->tid[k] = (pid_t)syscall(SYS_gettid);
	__atomic_store_n(&sh->ready[k], 1, __ATOMIC_RELEASE);
}

static void wait_ready(int k)
{
	while (!__atomic_load_n(&sh->ready[k], __ATOMIC_ACQUIRE))
		sched_yield();
}

static void ignore_signal(int sig)
{
	(void)sig;
}

/* Tasks survive the signals a trace sends them, as in the executor. */
static void catch_signals(void)
{
	struct sigaction sa;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ignore_signal;
	sa.sa_flags = SA_RESTART;
	for (sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD &&
		    sig != SIGSEGV && sig != SIGBUS && sig != SIGILL && sig != SIGFPE)
			sigaction(sig, &sa, NULL);
}

/* Serve commands {kind, step, arg} as task @k until the end. */
static void task_loop(int k)
{
	int cmd[3];
	struct result r;

	announce(k);
	for (;;) {
		if (read(cmd_pipe[k][0], cmd, sizeof(cmd)) != sizeof(cmd))
			_exit(0);
		r = cmd[0] ? receive(cmd[1], cmd[2]) : step(cmd[1]);
		if (write(res_pipe[k][1], &r, sizeof(r)) != sizeof(r))
			_exit(0);
	}
}

#ifdef USE_THREADS
#include <pthread.h>
static void *thread_main(void *arg)
{
	task_loop((int)(long)arg);
	return NULL;
}

HELPER struct result new_thread(int k)
{
	pthread_t t;
	int err = pthread_create(&t, NULL, thread_main, (void *)(long)k);

	if (err)
		return fail(err);
	wait_ready(k);
	return done(0);
}
#endif

HELPER struct result new_process(int k)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid < 0)
		return done(-1);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		task_loop(k);
	}
	wait_ready(k);
	return done(0);
}

/* Run a command in task @k; a task that does not answer is BLOCKED. */
static struct result command(int k, int kind, int i, int arg)
{
	int cmd[3] = { kind, i, arg };
	struct pollfd p = { res_pipe[k][0], POLLIN, 0 };
	struct result r;

	if (write(cmd_pipe[k][1], cmd, sizeof(cmd)) != sizeof(cmd))
		return fail(EPIPE);
	if (poll(&p, 1, STEP_TIMEOUT_MS) != 1)
		return fail(BLOCKED);
	if (read(res_pipe[k][0], &r, sizeof(r)) != sizeof(r))
		return fail(ECHILD); /* the task died */
	return r;
}

/* ---- Helpers for the steps ---- */

/* The file of a tree's `file PATH exec`: a static x86-64 exit(0). */
HELPER const unsigned char tiny_elf[] = { TINY_ELF_BYTES };

HELPER int write_file(const char *path, const void *data, size_t size, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, data, size) == (ssize_t)size;
	close(fd);
	return ok ? 0 : -1;
}

HELPER struct result add_path_beneath(int ruleset, int dirfd, const char *path,
				      uint64_t allowed, uint32_t flags)
{
	struct ll_path_beneath_attr attr = { allowed, -1 };
	struct result r;

	attr.parent_fd = openat(dirfd, path, O_PATH | O_CLOEXEC);
	if (attr.parent_fd < 0) {
		printf("    (opening %s with O_PATH for the rule failed)\n", path);
		return done(-1);
	}
	r = done(syscall(NR_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &attr, flags));
	close(attr.parent_fd);
	return r;
}

HELPER struct result drop_caps(void)
{
	struct { uint32_t version; int pid; } hdr = { 0x20080522, 0 };
	struct { uint32_t effective, permitted, inheritable; } data[2];

	memset(data, 0, sizeof(data));
	return done(syscall(NR_capset, &hdr, data));
}

/* execve() in a child; ok if the program ran. */
HELPER struct result exec_at(int dirfd, const char *path)
{
	char *argv[] = { (char *)path, NULL };
	char *envp[] = { NULL };
	int p[2], err = 0, status = 0;
	ssize_t n;
	pid_t c;

	if (pipe2(p, O_CLOEXEC))
		return done(-1);
	/* As lockstep's executor: the pipe takes no number the trace may name. */
	for (int i = 0; i < 2; i++) {
		int high = fcntl(p[i], F_DUPFD_CLOEXEC, 64);

		close(p[i]);
		p[i] = high;
	}
	c = fork();
	if (c == 0) {
		syscall(NR_execveat, dirfd, path, argv, envp, 0);
		err = errno;
		if (write(p[1], &err, sizeof(err)) < 0)
			_exit(126);
		_exit(127);
	}
	close(p[1]);
	if (c < 0)
		return done(-1);
	n = read(p[0], &err, sizeof(err));
	close(p[0]);
	waitpid(c, &status, 0);
	if (n == sizeof(err))
		return fail(err);
	return done(0);
}

HELPER struct result do_ioctl(int fd, unsigned long cmd, int value)
{
	long long arg[8] = { value };

	return done(ioctl(fd, cmd, arg));
}

HELPER struct result read_one(int fd)
{
	char c;

	return done(read(fd, &c, 1));
}

HELPER struct result do_readdir(int fd)
{
	long long buf[512];

	return done(syscall(SYS_getdents64, fd, buf, sizeof(buf)));
}

HELPER struct result do_pipe(void)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC))
		return done(-1);
	return done(fds[0]); /* the write end stays open, unnamed */
}

/* An inet address in the family of socket @fd; AF_UNSPEC if @unspec. */
HELPER socklen_t inet_addr_for(int fd, int unspec, int any, int port,
			       struct sockaddr_storage *ss)
{
	int domain = AF_INET;
	socklen_t len = sizeof(domain);

	memset(ss, 0, sizeof(*ss));
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len))
		domain = AF_INET;
	if (domain == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = unspec ? AF_UNSPEC : AF_INET6;
		s6->sin6_port = htons(port);
		s6->sin6_addr = any ? in6addr_any : in6addr_loopback;
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = unspec ? AF_UNSPEC : AF_INET;
		s4->sin_port = htons(port);
		s4->sin_addr.s_addr = htonl(any ? INADDR_ANY : INADDR_LOOPBACK);
		return sizeof(*s4);
	}
}

/* A UNIX address: a path relative to the cwd, or an abstract name. */
HELPER socklen_t unix_addr(const char *name, int abstract, struct sockaddr_storage *ss)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)ss;
	char full[256];
	size_t n, skip = abstract ? 1 : 0;

	memset(ss, 0, sizeof(*ss));
	snprintf(full, sizeof(full), "%s%s", abstract ? abstract_prefix : "", name);
	n = strlen(full);
	if (n > sizeof(sun->sun_path) - skip)
		n = sizeof(sun->sun_path) - skip;
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path + skip, full, n);
	return offsetof(struct sockaddr_un, sun_path) + skip + n +
	       (!abstract && n < sizeof(sun->sun_path) ? 1 : 0);
}

/*
 * An explicit addrlen above 2 for an abstract name on a UNIX socket counts
 * the name as the trace wrote it: add the prefix that unix_addr() put
 * before it.
 */
HELPER socklen_t abstract_len(int fd, int addrlen)
{
	int domain = 0;
	socklen_t len = sizeof(domain);

	if (addrlen > 2 && !getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) &&
	    domain == AF_UNIX)
		return (socklen_t)(addrlen + strlen(abstract_prefix));
	return (socklen_t)addrlen;
}

enum sock_call { CALL_BIND, CALL_CONNECT, CALL_SENDTO };

HELPER struct result sock_call(enum sock_call call, int fd, struct sockaddr_storage *ss,
			       socklen_t len)
{
	struct sockaddr *sa = (struct sockaddr *)ss;

	switch (call) {
	case CALL_BIND:
		return done(bind(fd, sa, len));
	case CALL_CONNECT:
		return done(connect(fd, sa, len));
	default:
		return done(sendto(fd, "x", 1, 0, sa, len));
	}
}

/* With a UNIX path relative to a directory fd: chdir there for the call. */
HELPER struct result sock_call_at(enum sock_call call, int fd, int dirfd, const char *path,
				  int addrlen)
{
	struct sockaddr_storage ss;
	socklen_t len = unix_addr(path, 0, &ss);
	struct result r;

	if (dirfd != AT_FDCWD && fchdir(dirfd)) {
		/* As lockstep's executor: no directory there, name it via /proc. */
		char via[160];
		int n = snprintf(via, sizeof(via), "/proc/self/fd/%d/", dirfd);

		snprintf(via + n, sizeof(via) - n, "%s", path);
		len = unix_addr(via, 0, &ss);
		if (addrlen > 2 && addrlen <= (int)sizeof(struct sockaddr_un))
			addrlen = addrlen + n > (int)sizeof(struct sockaddr_un) ?
				  (int)sizeof(struct sockaddr_un) : addrlen + n;
		return sock_call(call, fd, &ss, addrlen >= 0 ? (socklen_t)addrlen : len);
	}
	r = sock_call(call, fd, &ss, addrlen >= 0 ? (socklen_t)addrlen : len);
	if (dirfd != AT_FDCWD && fchdir(root_fd))
		perror("fchdir back to the root");
	return r;
}

HELPER struct result send_fd(int fd)
{
	char byte = 'f';
	struct iovec iov = { &byte, 1 };
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	struct msghdr msg;
	struct cmsghdr *c;

	memset(&msg, 0, sizeof(msg));
	memset(&u, 0, sizeof(u));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	return done(sendmsg(pass_sv[0], &msg, 0) < 0 ? -1 : 0);
}

/* Receive a passed fd; -1 if none. */
HELPER int recv_fd(struct result *r)
{
	char byte;
	struct iovec iov = { &byte, 1 };
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	struct msghdr msg;
	struct cmsghdr *c;
	int fd = -1;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	if (recvmsg(pass_sv[1], &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT) < 0) {
		*r = done(-1);
		return -1;
	}
	c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	*r = fd < 0 ? fail(EBADMSG) : done(0);
	return fd;
}

/* As lockstep's executor: a TCP socket's close leaves no TIME_WAIT. */
HELPER int no_time_wait(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	return fd;
}

/* ---- Sandbox: as root, private mount and network namespaces ---- */
static char root_path[] = "/tmp/lockstep-repro.XXXXXX";
static int isolated;

static void loopback_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr))
		perror("SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP;
	if (s >= 0 && ioctl(s, SIOCSIFFLAGS, &ifr))
		perror("SIOCSIFFLAGS lo");
	if (s >= 0)
		close(s);
}

static void enter_root(void)
{
	if (!mkdtemp(root_path)) {
		perror("mkdtemp");
		exit(2);
	}
	if (geteuid() == 0) {
		if (unshare(CLONE_NEWNS | CLONE_NEWNET) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("tmpfs", root_path, "tmpfs", 0, "mode=0755")) {
			perror("setting up namespaces and a tmpfs");
			exit(2);
		}
		loopback_up();
		isolated = 1;
	} else {
		printf("note: not root, running in the host's namespaces\n");
	}
	if (chdir(root_path)) {
		perror("chdir");
		exit(2);
	}
	root_fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	umask(022);
	snprintf(abstract_prefix, sizeof(abstract_prefix), "lockstep-%d-0-", (int)getpid());
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

static void leave_root(void)
{
	if (chdir("/"))
		perror("chdir /");
	if (isolated) {
		umount2(root_path, MNT_DETACH);
		rmdir(root_path);
	} else {
		nftw(root_path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
}

static void setup_tasks(void)
{
	int k;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	for (k = 0; k < NTASKS; k++)
		if (pipe2(cmd_pipe[k], O_CLOEXEC) || pipe2(res_pipe[k], O_CLOEXEC)) {
			perror("pipe2");
			exit(2);
		}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pass_sv)) {
		perror("socketpair");
		exit(2);
	}
}
)C";

} // namespace lockstep::repro

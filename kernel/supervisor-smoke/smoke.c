// SPDX-License-Identifier: GPL-2.0-only
/*
 * supervisor-smoke - end-to-end smoke test of the Landlock supervisor patches
 *
 * Runs inside a VM booted on the patched kernel (static binary, run as root
 * by the VM runner's init) and prints KTAP.  It checks the uAPI of
 * kernel/uapi/landlock_supervisor.h end to end: create, stage, commit,
 * supervisee, restrict, accesses granted only after a commit, and the error
 * cases.  It is a smoke test for the patch series, not a replacement for the
 * model-driven conformance suite.
 *
 * Usage: smoke [-v] [DIR]   (DIR: scratch directory, default /tmp/ll-smoke)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../uapi/landlock_supervisor.h"

/* Mainline uAPI (Linux 7.3), defined here: the build host's headers are older. */
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2
#define LL_ADD_RULE_QUIET (1U << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_MAKE_REG (1ULL << 8)
#define LL_FS_REFER (1ULL << 13)
#define LL_FS_TRUNCATE (1ULL << 14)
#define LL_NET_BIND_TCP (1ULL << 0)

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
	uint64_t quiet_access_fs;
	uint64_t quiet_access_net;
	uint64_t quiet_scoped;
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

static int create_ruleset(const struct ll_ruleset_attr *attr, size_t size,
			  uint32_t flags)
{
	return syscall(__NR_landlock_create_ruleset, attr, size, flags);
}

static int add_rule(int fd, int type, const void *attr, uint32_t flags)
{
	return syscall(__NR_landlock_add_rule, fd, type, attr, flags);
}

static int restrict_self(int fd, uint32_t flags)
{
	return syscall(__NR_landlock_restrict_self, fd, flags);
}

static const char *dir = "/tmp/ll-smoke";
static int verbose;
static char path_a[256], path_b[256], path_af[256], path_bf[256];

static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* ---- helpers -------------------------------------------------------------- */

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			diag("%s:%d: check failed: %s (errno %d: %s)",     \
			     __func__, __LINE__, #cond, errno,             \
			     strerror(errno));                             \
			return -1;                                         \
		}                                                          \
	} while (0)

/* A call that must fail with @err. */
#define CHECK_ERR(call, err)                                               \
	do {                                                               \
		errno = 0;                                                 \
		long _r = (call);                                          \
		if (_r != -1 || errno != (err)) {                          \
			diag("%s:%d: %s returned %ld errno %d (%s), "      \
			     "expected errno %d (%s)",                     \
			     __func__, __LINE__, #call, _r, errno,         \
			     strerror(errno), (err), strerror(err));       \
			return -1;                                         \
		}                                                          \
	} while (0)

static int ruleset(uint64_t fs, uint64_t net, uint32_t flags)
{
	const struct ll_ruleset_attr attr = {
		.handled_access_fs = fs,
		.handled_access_net = net,
	};

	return create_ruleset(&attr, sizeof(attr), flags);
}

static int supervisor(uint64_t fs, uint64_t net)
{
	return ruleset(fs, net, LANDLOCK_CREATE_RULESET_SUPERVISOR);
}

static int supervisee(int sup)
{
	return ioctl(sup, LANDLOCK_IOCTL_GET_SUPERVISEE_RULESET, 0);
}

static int path_rule(int rs, const char *path, uint64_t access, uint32_t flags)
{
	struct ll_path_beneath_attr attr = { .allowed_access = access };
	int ret, saved;

	attr.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (attr.parent_fd < 0)
		return -1;
	ret = add_rule(rs, LL_RULE_PATH_BENEATH, &attr, flags);
	saved = errno;
	close(attr.parent_fd);
	errno = saved;
	return ret;
}

static int port_rule(int rs, uint16_t port, uint64_t access, uint32_t flags)
{
	const struct ll_net_port_attr attr = {
		.allowed_access = access,
		.port = port,
	};

	return add_rule(rs, LL_RULE_NET_PORT, &attr, flags);
}

static int commit(int sup)
{
	return add_rule(sup, 0, NULL, LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR);
}

static int enforce(int rs)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return restrict_self(rs, 0);
}

/* 0 if @path opens with @flags, else errno. */
static int try_open(const char *path, int flags)
{
	const int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* 0 if a TCP socket binds to @port on INADDR_ANY, else errno. */
static int try_bind(uint16_t port)
{
	const struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int ret = 0;

	if (s < 0)
		return errno;
	if (bind(s, (const struct sockaddr *)&addr, sizeof(addr)))
		ret = errno;
	close(s);
	return ret;
}

/*
 * A sandboxed child driven by the parent: for each command byte the parent
 * sends, the child runs probe(cmd) and sends back its result (an errno or 0).
 * The sandbox (restrict_self) is set up in the child by @setup.
 */
struct child {
	pid_t pid;
	int cmd;  /* parent -> child */
	int res;  /* child -> parent */
};

typedef int (*probe_fn)(int cmd, void *arg);

static int child_start(struct child *c, int (*setup)(void *), probe_fn probe,
		       void *arg)
{
	int to_child[2], to_parent[2];

	if (pipe2(to_child, O_CLOEXEC) || pipe2(to_parent, O_CLOEXEC))
		return -1;
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (!c->pid) {
		unsigned char cmd;
		int res = setup(arg);

		close(to_child[1]);
		close(to_parent[0]);
		if (write(to_parent[1], &res, sizeof(res)) != sizeof(res))
			_exit(1);
		while (read(to_child[0], &cmd, 1) == 1) {
			res = probe(cmd, arg);
			if (write(to_parent[1], &res, sizeof(res)) != sizeof(res))
				_exit(1);
		}
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);
	c->cmd = to_child[1];
	c->res = to_parent[0];
	/* The setup result. */
	{
		int res;

		if (read(c->res, &res, sizeof(res)) != sizeof(res))
			return -1;
		if (res) {
			errno = res;
			return -1;
		}
	}
	return 0;
}

/* Runs probe @cmd in the child; returns its result, or -1. */
static int child_ask(struct child *c, unsigned char cmd)
{
	int res;

	if (write(c->cmd, &cmd, 1) != 1)
		return -1;
	if (read(c->res, &res, sizeof(res)) != sizeof(res))
		return -1;
	return res;
}

static int child_stop(struct child *c)
{
	int status;

	close(c->cmd);
	close(c->res);
	if (waitpid(c->pid, &status, 0) != c->pid)
		return -1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/* Setups: restrict the child with the ruleset fd(s) in @arg. */
struct sandbox {
	int layers[4]; /* ruleset fds to enforce in order, -1 terminated */
	int sup;       /* supervisor fd (inherited), for probes */
};

static int setup_sandbox(void *arg)
{
	const struct sandbox *sb = arg;

	for (int i = 0; i < 4 && sb->layers[i] >= 0; i++)
		if (enforce(sb->layers[i]))
			return errno;
	return 0;
}

enum { P_READ_A, P_READ_B, P_WRITE_A, P_BIND, P_COMMIT, P_TRUNC_OPEN };

static int probe(int cmd, void *arg)
{
	const struct sandbox *sb = arg;

	switch (cmd) {
	case P_READ_A:
		return try_open(path_af, O_RDONLY);
	case P_READ_B:
		return try_open(path_bf, O_RDONLY);
	case P_WRITE_A:
		return try_open(path_af, O_WRONLY);
	case P_BIND:
		return try_bind(4242);
	case P_COMMIT:
		return commit(sb->sup) ? errno : 0;
	case P_TRUNC_OPEN: {
		/* Opens for writing, then ftruncate: the open-time decision. */
		const int fd = open(path_af, O_WRONLY | O_CLOEXEC);
		int ret = 0;

		if (fd < 0)
			return 1000 + errno;
		if (ftruncate(fd, 0))
			ret = errno;
		close(fd);
		return ret;
	}
	}
	return -1;
}

#define CHILD_EXPECT(c, cmd, want)                                         \
	do {                                                               \
		const int _got = child_ask((c), (cmd));                    \
		if (_got != (want)) {                                      \
			diag("%s:%d: probe %s: got %d (%s), expected %d",  \
			     __func__, __LINE__, #cmd, _got,               \
			     _got > 0 && _got < 1000 ? strerror(_got) : "",\
			     (want));                                      \
			return -1;                                         \
		}                                                          \
	} while (0)

/* ---- tests ---------------------------------------------------------------- */

static int test_abi_version(void)
{
	const int abi = create_ruleset(NULL, 0, LL_CREATE_RULESET_VERSION);

	diag("landlock ABI version: %d", abi);
	CHECK(abi == LANDLOCK_SUPERVISOR_ABI_VERSION);
	return 0;
}

static int test_create_flags(void)
{
	const struct ll_ruleset_attr attr = {
		.handled_access_fs = LL_FS_READ_FILE,
	};
	int fd;

	fd = create_ruleset(&attr, sizeof(attr),
			    LANDLOCK_CREATE_RULESET_SUPERVISOR);
	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
	close(fd);
	/* NOTIFICATION is accepted (and ignored) with SUPERVISOR. */
	fd = create_ruleset(&attr, sizeof(attr),
			    LANDLOCK_CREATE_RULESET_SUPERVISOR |
				    LANDLOCK_CREATE_RULESET_SUPERVISOR_NOTIFICATION);
	CHECK(fd >= 0);
	close(fd);
	CHECK_ERR(create_ruleset(&attr, sizeof(attr),
				 LANDLOCK_CREATE_RULESET_SUPERVISOR_NOTIFICATION),
		  EINVAL);
	CHECK_ERR(create_ruleset(&attr, sizeof(attr),
				 LANDLOCK_CREATE_RULESET_SUPERVISOR |
					 LL_CREATE_RULESET_VERSION),
		  EINVAL);
	CHECK_ERR(create_ruleset(&attr, sizeof(attr),
				 LANDLOCK_CREATE_RULESET_SUPERVISOR | (1U << 4)),
		  EINVAL);
	/* The attr is checked as for a ruleset. */
	CHECK_ERR(create_ruleset(NULL, sizeof(attr),
				 LANDLOCK_CREATE_RULESET_SUPERVISOR),
		  EFAULT);
	CHECK_ERR(ruleset(0, 0, LANDLOCK_CREATE_RULESET_SUPERVISOR), ENOMSG);
	CHECK_ERR(ruleset(1ULL << 63, 0, LANDLOCK_CREATE_RULESET_SUPERVISOR),
		  EINVAL);
	return 0;
}

static int test_supervisee_ioctl(void)
{
	const int sup = supervisor(LL_FS_READ_FILE, 0);
	const int plain = ruleset(LL_FS_READ_FILE, 0, 0);
	int s1, s2;

	CHECK(sup >= 0 && plain >= 0);
	s1 = supervisee(sup);
	s2 = supervisee(sup);
	CHECK(s1 >= 0 && s2 >= 0 && s1 != s2);
	CHECK(fcntl(s1, F_GETFD) == FD_CLOEXEC);
	CHECK_ERR(ioctl(sup, LANDLOCK_IOCTL_GET_SUPERVISEE_RULESET, 1), EINVAL);
	CHECK_ERR(ioctl(plain, LANDLOCK_IOCTL_GET_SUPERVISEE_RULESET, 0),
		  ENOTTY);
	CHECK_ERR(ioctl(s1, LANDLOCK_IOCTL_GET_SUPERVISEE_RULESET, 0), ENOTTY);
	/* ENOTTY comes before the argument check. */
	CHECK_ERR(ioctl(plain, LANDLOCK_IOCTL_GET_SUPERVISEE_RULESET, 1),
		  ENOTTY);
	close(s1);
	close(s2);
	close(sup);
	close(plain);
	return 0;
}

static int test_add_rule_flags(void)
{
	const int sup = supervisor(LL_FS_READ_FILE, 0);
	const int plain = ruleset(LL_FS_READ_FILE, 0, 0);
	const int see = supervisee(sup);
	struct ll_path_beneath_attr attr = { .allowed_access = LL_FS_READ_FILE };

	CHECK(sup >= 0 && plain >= 0 && see >= 0);
	attr.parent_fd = open(dir, O_PATH | O_CLOEXEC);
	CHECK(attr.parent_fd >= 0);
	/* Unknown flag. */
	CHECK_ERR(add_rule(sup, LL_RULE_PATH_BENEATH, &attr, 1U << 3), EINVAL);
	/* COMMIT on an ordinary ruleset (also a supervisee), even commit-only. */
	CHECK_ERR(add_rule(plain, 0, NULL, LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR),
		  EINVAL);
	CHECK_ERR(add_rule(see, LL_RULE_PATH_BENEATH, &attr,
			   LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR),
		  EINVAL);
	/* Rule type 0: only with COMMIT and a NULL attr. */
	CHECK_ERR(add_rule(sup, 0, NULL, 0), EINVAL);
	CHECK_ERR(add_rule(plain, 0, NULL, 0), EINVAL);
	CHECK_ERR(add_rule(sup, 0, &attr, LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR),
		  EINVAL);
	CHECK(commit(sup) == 0);
	CHECK(commit(sup) == 0);
	/* Staging and staging + commit. */
	CHECK(add_rule(sup, LL_RULE_PATH_BENEATH, &attr, 0) == 0);
	CHECK(add_rule(sup, LL_RULE_PATH_BENEATH, &attr,
		       LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR) == 0);
	/* Mainline checks still apply to a supervisor ruleset. */
	attr.allowed_access = LL_FS_WRITE_FILE;
	CHECK_ERR(add_rule(sup, LL_RULE_PATH_BENEATH, &attr,
			   LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR),
		  EINVAL);
	attr.allowed_access = 0;
	CHECK_ERR(add_rule(sup, LL_RULE_PATH_BENEATH, &attr, 0), ENOMSG);
	CHECK_ERR(add_rule(sup, LL_RULE_PATH_BENEATH, NULL,
			   LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR),
		  EFAULT);
	/* An empty access is fine with INTERSECT (or COMMIT). */
	CHECK(add_rule(sup, LL_RULE_PATH_BENEATH, &attr,
		       LANDLOCK_ADD_RULE_INTERSECT) == 0);
	CHECK(add_rule(plain, LL_RULE_PATH_BENEATH, &attr,
		       LANDLOCK_ADD_RULE_INTERSECT) == 0);
	CHECK(add_rule(sup, LL_RULE_PATH_BENEATH, &attr,
		       LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR) == 0);
	/* QUIET without quiet masks is still refused. */
	CHECK_ERR(add_rule(sup, LL_RULE_PATH_BENEATH, &attr,
			   LL_ADD_RULE_QUIET |
				   LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR),
		  EINVAL);
	close(attr.parent_fd);
	close(see);
	close(plain);
	close(sup);
	return 0;
}

static int test_restrict_supervisor_ebadfd(void)
{
	const int sup = supervisor(LL_FS_READ_FILE, 0);
	pid_t pid;
	int status;

	CHECK(sup >= 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(2);
		_exit(restrict_self(sup, 0) == -1 && errno == EBADFD ? 0 : 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(sup);
	return 0;
}

/* Stage, commit, intersect: what a supervised child can read. */
static int test_access_after_commit(void)
{
	const int sup = supervisor(LL_FS_READ_FILE | LL_FS_WRITE_FILE, 0);
	struct sandbox sb = { .layers = { supervisee(sup), -1 }, .sup = sup };
	struct child c;

	CHECK(sup >= 0 && sb.layers[0] >= 0);
	/* A rule committed before the child exists. */
	CHECK(path_rule(sup, path_b, LL_FS_READ_FILE,
			LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR) == 0);
	CHECK(child_start(&c, setup_sandbox, probe, &sb) == 0);
	CHILD_EXPECT(&c, P_READ_B, 0);
	CHILD_EXPECT(&c, P_READ_A, EACCES);
	/* Staged only: still denied. */
	CHECK(path_rule(sup, path_a, LL_FS_READ_FILE, 0) == 0);
	CHILD_EXPECT(&c, P_READ_A, EACCES);
	/* Committed: granted, for reading only. */
	CHECK(commit(sup) == 0);
	CHILD_EXPECT(&c, P_READ_A, 0);
	CHILD_EXPECT(&c, P_WRITE_A, EACCES);
	/* Widen, commit with the rule. */
	CHECK(path_rule(sup, path_a, LL_FS_WRITE_FILE,
			LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR) == 0);
	CHILD_EXPECT(&c, P_WRITE_A, 0);
	/* Narrow: intersect with WRITE keeps write, drops read. */
	CHECK(path_rule(sup, path_a, LL_FS_WRITE_FILE,
			LANDLOCK_ADD_RULE_INTERSECT |
				LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR) == 0);
	CHILD_EXPECT(&c, P_READ_A, EACCES);
	CHILD_EXPECT(&c, P_WRITE_A, 0);
	/* Empty intersection: the rule is gone. */
	CHECK(path_rule(sup, path_a, 0, LANDLOCK_ADD_RULE_INTERSECT) == 0);
	CHILD_EXPECT(&c, P_WRITE_A, 0); /* not committed yet */
	CHECK(commit(sup) == 0);
	CHILD_EXPECT(&c, P_WRITE_A, EACCES);
	CHILD_EXPECT(&c, P_READ_B, 0);
	/* A supervised task cannot commit. */
	CHILD_EXPECT(&c, P_COMMIT, EPERM);
	CHECK(child_stop(&c) == 0);
	close(sb.layers[0]);
	close(sup);
	return 0;
}

/* The supervisor extends its own layer only: other layers still apply. */
static int test_nested_layers(void)
{
	const int plain = ruleset(LL_FS_READ_FILE, 0, 0);
	const int sup1 = supervisor(LL_FS_READ_FILE, 0);
	const int sup2 = supervisor(LL_FS_READ_FILE, 0);
	struct sandbox sb = {
		.layers = { plain, supervisee(sup1), supervisee(sup2), -1 },
		.sup = sup1,
	};
	struct child c;

	CHECK(plain >= 0 && sup1 >= 0 && sup2 >= 0);
	CHECK(sb.layers[1] >= 0 && sb.layers[2] >= 0);
	CHECK(path_rule(plain, path_a, LL_FS_READ_FILE, 0) == 0);
	CHECK(child_start(&c, setup_sandbox, probe, &sb) == 0);
	CHILD_EXPECT(&c, P_READ_A, EACCES);
	CHECK(path_rule(sup2, path_a, LL_FS_READ_FILE,
			LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR) == 0);
	CHILD_EXPECT(&c, P_READ_A, EACCES);
	/* Layer 2's supervisor grants on the parent directory. */
	CHECK(path_rule(sup1, dir, LL_FS_READ_FILE,
			LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR) == 0);
	CHILD_EXPECT(&c, P_READ_A, 0);
	/* Layer 1 (no supervisor) still denies where it has no rule. */
	CHILD_EXPECT(&c, P_READ_B, EACCES);
	/* Both supervised layers are checked: drop layer 3's grant. */
	CHECK(path_rule(sup2, path_a, 0,
			LANDLOCK_ADD_RULE_INTERSECT |
				LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR) == 0);
	CHILD_EXPECT(&c, P_READ_A, EACCES);
	/* Each supervisor is refused from inside (the child's layers 2, 3). */
	CHILD_EXPECT(&c, P_COMMIT, EPERM);
	CHECK(child_stop(&c) == 0);
	for (int i = 0; i < 3; i++)
		close(sb.layers[i]);
	close(sup1);
	close(sup2);
	return 0;
}

static int test_net_port(void)
{
	const int sup = supervisor(0, LL_NET_BIND_TCP);
	struct sandbox sb = { .layers = { supervisee(sup), -1 }, .sup = sup };
	struct child c;

	CHECK(sup >= 0 && sb.layers[0] >= 0);
	CHECK(child_start(&c, setup_sandbox, probe, &sb) == 0);
	CHILD_EXPECT(&c, P_BIND, EACCES);
	CHECK(port_rule(sup, 4242, LL_NET_BIND_TCP, 0) == 0);
	CHILD_EXPECT(&c, P_BIND, EACCES);
	CHECK(commit(sup) == 0);
	CHILD_EXPECT(&c, P_BIND, 0);
	CHECK(port_rule(sup, 4242, 0,
			LANDLOCK_ADD_RULE_INTERSECT |
				LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR) == 0);
	CHILD_EXPECT(&c, P_BIND, EACCES);
	CHECK(child_stop(&c) == 0);
	close(sb.layers[0]);
	close(sup);
	return 0;
}

/* Truncate is decided at open time, with the rules committed then. */
static int test_optional_open_time(void)
{
	const int sup = supervisor(LL_FS_WRITE_FILE | LL_FS_TRUNCATE, 0);
	struct sandbox sb = { .layers = { supervisee(sup), -1 }, .sup = sup };
	struct child c;
	int fd;

	CHECK(sup >= 0 && sb.layers[0] >= 0);
	CHECK(path_rule(sup, path_a, LL_FS_WRITE_FILE,
			LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR) == 0);
	CHECK(child_start(&c, setup_sandbox, probe, &sb) == 0);
	CHILD_EXPECT(&c, P_TRUNC_OPEN, EACCES);
	CHECK(path_rule(sup, path_a, LL_FS_TRUNCATE,
			LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR) == 0);
	CHILD_EXPECT(&c, P_TRUNC_OPEN, 0);
	CHECK(child_stop(&c) == 0);
	/* A file opened before a commit keeps its open-time rights. */
	fd = -1;
	{
		const int sup2 = supervisor(LL_FS_WRITE_FILE | LL_FS_TRUNCATE, 0);
		const int see2 = supervisee(sup2);
		int pipefd[2];
		pid_t pid;
		int status;
		char go;

		CHECK(sup2 >= 0 && see2 >= 0 && !pipe(pipefd));
		CHECK(path_rule(sup2, path_a, LL_FS_WRITE_FILE,
				LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR) == 0);
		pid = fork();
		CHECK(pid >= 0);
		if (!pid) {
			close(pipefd[1]);
			if (enforce(see2))
				_exit(2);
			fd = open(path_af, O_WRONLY | O_CLOEXEC);
			if (fd < 0)
				_exit(3);
			if (read(pipefd[0], &go, 1) != 1)
				_exit(4);
			/* Truncate was committed after the open: denied. */
			_exit(ftruncate(fd, 0) == -1 && errno == EACCES ? 0 : 5);
		}
		close(pipefd[0]);
		usleep(100000);
		CHECK(path_rule(sup2, path_a, LL_FS_TRUNCATE,
				LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR) == 0);
		CHECK(write(pipefd[1], "x", 1) == 1);
		CHECK(waitpid(pid, &status, 0) == pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			diag("child exit status %d", WEXITSTATUS(status));
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		close(pipefd[1]);
		close(see2);
		close(sup2);
	}
	close(sb.layers[0]);
	close(sup);
	return 0;
}

/* INTERSECT on an ordinary ruleset. */
static int test_intersect_ordinary(void)
{
	const int rs = ruleset(LL_FS_READ_FILE | LL_FS_WRITE_FILE, 0, 0);
	struct sandbox sb = { .layers = { rs, -1 }, .sup = -1 };
	struct child c;

	CHECK(rs >= 0);
	CHECK(path_rule(rs, path_a, LL_FS_READ_FILE | LL_FS_WRITE_FILE, 0) == 0);
	CHECK(path_rule(rs, path_a, LL_FS_READ_FILE,
			LANDLOCK_ADD_RULE_INTERSECT) == 0);
	/* No rule on b: nothing changes. */
	CHECK(path_rule(rs, path_b, LL_FS_READ_FILE,
			LANDLOCK_ADD_RULE_INTERSECT) == 0);
	CHECK(child_start(&c, setup_sandbox, probe, &sb) == 0);
	CHILD_EXPECT(&c, P_READ_A, 0);
	CHILD_EXPECT(&c, P_WRITE_A, EACCES);
	CHILD_EXPECT(&c, P_READ_B, EACCES);
	CHECK(child_stop(&c) == 0);
	close(rs);
	return 0;
}

/* The committed rules outlive the supervisor's file descriptor. */
static int test_supervisor_closed(void)
{
	int sup = supervisor(LL_FS_READ_FILE, 0);
	struct sandbox sb = { .layers = { supervisee(sup), -1 }, .sup = -1 };
	struct child c;

	CHECK(sup >= 0 && sb.layers[0] >= 0);
	CHECK(path_rule(sup, path_a, LL_FS_READ_FILE,
			LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR) == 0);
	close(sup);
	CHECK(child_start(&c, setup_sandbox, probe, &sb) == 0);
	CHILD_EXPECT(&c, P_READ_A, 0);
	CHILD_EXPECT(&c, P_READ_B, EACCES);
	CHECK(child_stop(&c) == 0);
	close(sb.layers[0]);
	return 0;
}

/*
 * Atomicity: the supervisor moves its grant between a directory and a file
 * below it, many times, while a supervised child opens the file: every open
 * must succeed, since both rule sets allow it.  (Exercises RCU and the
 * snapshot references; the real stress test lives in the conformance suite.)
 */
static int test_commit_loop(void)
{
	const int sup = supervisor(LL_FS_READ_FILE, 0);
	struct sandbox sb = { .layers = { supervisee(sup), -1 }, .sup = sup };
	const int rounds = 300;
	pid_t pid;
	int status;

	CHECK(sup >= 0 && sb.layers[0] >= 0);
	CHECK(path_rule(sup, path_a, LL_FS_READ_FILE,
			LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		int denied = 0;

		if (setup_sandbox(&sb))
			_exit(2);
		for (int i = 0; i < rounds * 4; i++)
			denied += try_open(path_af, O_RDONLY) != 0;
		_exit(denied ? 1 : 0);
	}
	for (int i = 0; i < rounds; i++) {
		const char *from = i % 2 ? path_af : path_a;
		const char *to = i % 2 ? path_a : path_af;

		CHECK(path_rule(sup, to, LL_FS_READ_FILE, 0) == 0);
		CHECK(path_rule(sup, from, 0,
				LANDLOCK_ADD_RULE_INTERSECT |
					LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR) == 0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(sb.layers[0]);
	close(sup);
	return 0;
}

/* ---- audit ---------------------------------------------------------------- */

#ifndef AUDIT_LANDLOCK_ACCESS
#define AUDIT_LANDLOCK_ACCESS 1423
#endif

/* Registers the calling process as the audit daemon (or unregisters it). */
static int audit_set(int fd, uint32_t enabled, uint32_t pid)
{
	struct {
		struct nlmsghdr h;
		struct audit_status s;
	} msg = {
		.h = {
			.nlmsg_len = sizeof(msg),
			.nlmsg_type = AUDIT_SET,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		},
		.s = {
			.mask = AUDIT_STATUS_ENABLED | AUDIT_STATUS_PID,
			.enabled = enabled,
			.pid = pid,
		},
	};
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	char buf[8192];

	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&addr,
		   sizeof(addr)) != sizeof(msg))
		return -1;
	/* The ACK (an NLMSG_ERROR with error 0), after any queued record. */
	for (;;) {
		const ssize_t n = recv(fd, buf, sizeof(buf), 0);
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;

		if (n < (ssize_t)sizeof(*h))
			return -1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (e->error) {
				errno = -e->error;
				return -1;
			}
			return 0;
		}
	}
}

/*
 * Reads Landlock access records until one names @marker (a path suffix);
 * returns 1 if one naming @watch came before it, 0 if not, -1 if @marker's
 * record did not come within 3 s.
 */
static int audit_seen_before(int fd, const char *watch, const char *marker)
{
	char buf[8192];
	int seen = 0;

	for (;;) {
		const ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		const char *text;

		if (n < (ssize_t)NLMSG_HDRLEN)
			return -1;
		buf[n] = '\0';
		if (h->nlmsg_type != AUDIT_LANDLOCK_ACCESS)
			continue;
		text = NLMSG_DATA(h);
		if (verbose)
			diag("audit: %s", text);
		if (strstr(text, marker))
			return seen;
		if (strstr(text, watch))
			seen = 1;
	}
}

/*
 * An intersection that empties a rule removes it, quiet flag included
 * ([sup.intersect]): a denial below the directory is logged again.  This is
 * the only trace an emptied rule leaves (it grants nothing), so it is
 * checked through audit, which the conformance suite does not observe.
 * Control: while the quiet rule exists, the same denial is not logged.
 */
static int test_intersect_empty_rule_not_quiet(void)
{
	const struct ll_ruleset_attr attr = {
		.handled_access_fs = LL_FS_READ_FILE | LL_FS_WRITE_FILE,
		.quiet_access_fs = LL_FS_READ_FILE,
	};
	const int sup = create_ruleset(&attr, sizeof(attr),
				       LANDLOCK_CREATE_RULESET_SUPERVISOR);
	struct sandbox sb = { .layers = { supervisee(sup), -1 }, .sup = -1 };
	const struct timeval tv = { .tv_sec = 3 };
	const int au = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	char a_f[300], b_f[300];
	struct child c;
	int ret = -1, seen;

	CHECK(sup >= 0 && sb.layers[0] >= 0 && au >= 0);
	CHECK(setsockopt(au, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	snprintf(a_f, sizeof(a_f), "%s\"", path_af);
	snprintf(b_f, sizeof(b_f), "%s\"", path_bf);
	/* A quiet rule on /a that grants write_file only. */
	CHECK(path_rule(sup, path_a, LL_FS_WRITE_FILE,
			LL_ADD_RULE_QUIET |
				LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR) == 0);
	CHECK(child_start(&c, setup_sandbox, probe, &sb) == 0);
	if (audit_set(au, 1, getpid())) {
		diag("cannot register as the audit daemon: %s", strerror(errno));
		goto out;
	}
	CHILD_EXPECT(&c, P_READ_A, EACCES);
	CHILD_EXPECT(&c, P_READ_B, EACCES); /* logged: the marker */
	seen = audit_seen_before(au, a_f, b_f);
	if (seen) {
		diag("quiet rule: the denial of %s was %s", path_af,
		     seen > 0 ? "logged" : "not followed by the marker's record");
		goto out;
	}
	/* Empty it: the rule, and its quiet flag, are gone once committed. */
	CHECK(path_rule(sup, path_a, 0,
			LANDLOCK_ADD_RULE_INTERSECT |
				LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR) == 0);
	CHILD_EXPECT(&c, P_READ_A, EACCES);
	CHILD_EXPECT(&c, P_READ_B, EACCES);
	seen = audit_seen_before(au, a_f, b_f);
	if (seen != 1) {
		diag("emptied rule: the denial of %s was %s", path_af,
		     seen ? "not followed by the marker's record" :
			    "not logged (the emptied rule is still there, quiet)");
		goto out;
	}
	ret = 0;
out:
	audit_set(au, 0, 0);
	close(au);
	if (child_stop(&c))
		ret = -1;
	close(sb.layers[0]);
	close(sup);
	return ret;
}

struct test {
	const char *name;
	int (*fn)(void);
};

static const struct test tests[] = {
	{ "abi_version_12", test_abi_version },
	{ "create_supervisor_flags", test_create_flags },
	{ "get_supervisee_ioctl", test_supervisee_ioctl },
	{ "add_rule_flags_and_commit_only", test_add_rule_flags },
	{ "restrict_self_supervisor_ebadfd", test_restrict_supervisor_ebadfd },
	{ "access_after_commit_intersect_eperm", test_access_after_commit },
	{ "nested_supervised_layers", test_nested_layers },
	{ "net_port_committed_rule", test_net_port },
	{ "optional_rights_at_open_time", test_optional_open_time },
	{ "intersect_ordinary_ruleset", test_intersect_ordinary },
	{ "committed_rules_outlive_supervisor_fd", test_supervisor_closed },
	{ "commit_loop_atomic", test_commit_loop },
	{ "intersect_empty_rule_not_quiet",
	  test_intersect_empty_rule_not_quiet },
};

static int mkfile(const char *path)
{
	const int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	if (write(fd, "data\n", 5) != 5) {
		close(fd);
		return -1;
	}
	return close(fd);
}

int main(int argc, char **argv)
{
	const size_t n = sizeof(tests) / sizeof(tests[0]);
	int failed = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else
			dir = argv[i];
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("KTAP version 1\n1..%zu\n", n);
	snprintf(path_a, sizeof(path_a), "%s/a", dir);
	snprintf(path_b, sizeof(path_b), "%s/b", dir);
	snprintf(path_af, sizeof(path_af), "%s/a/f", dir);
	snprintf(path_bf, sizeof(path_bf), "%s/b/f", dir);
	mkdir(dir, 0755);
	mkdir(path_a, 0755);
	mkdir(path_b, 0755);
	if (mkfile(path_af) || mkfile(path_bf)) {
		diag("cannot create the scratch files in %s: %s", dir,
		     strerror(errno));
		for (size_t i = 0; i < n; i++)
			printf("not ok %zu %s # setup failed\n", i + 1,
			       tests[i].name);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		int ret;

		if (verbose)
			diag("running %s", tests[i].name);
		ret = tests[i].fn();
		/* Restore the file content for the next tests. */
		mkfile(path_af);
		printf("%sok %zu %s\n", ret ? "not " : "", i + 1, tests[i].name);
		failed += ret != 0;
	}
	diag("%zu passed, %d failed", n - failed, failed);
	return failed ? 1 : 0;
}

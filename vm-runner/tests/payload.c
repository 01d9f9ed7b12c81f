/*
 * A small static test payload for the VM runner (`--payload builtin:smoke`).
 *
 *   payload [ktap]   print a tiny KTAP v1 stream (with a nested subtest, a SKIP and an XFAIL),
 *                    the Landlock ABI, and check that Landlock really restricts; exit 0
 *   payload noise    the same, with kernel log lines written to /dev/kmsg between KTAP lines
 *   payload fail     a KTAP stream with one failure; exit 1
 *   payload panic    print a line, then crash the kernel (echo c > /proc/sysrq-trigger)
 *   payload hang     print a line, then sleep forever
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#define LANDLOCK_ACCESS_FS_WRITE_FILE (1ULL << 1)
#define LANDLOCK_ACCESS_FS_MAKE_REG (1ULL << 8)

struct ruleset_attr {
	uint64_t handled_access_fs;
};

static int noise;

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void kmsg(const char *msg)
{
	int fd;

	if (!noise)
		return;
	fd = open("/dev/kmsg", O_WRONLY);
	if (fd >= 0) {
		/* <4> = KERN_WARNING, shown at loglevel=5: lands on the console between our lines */
		char line[256];
		int n = snprintf(line, sizeof(line), "<4>lockstep-vm-test: %s\n", msg);

		if (write(fd, line, n) != n)
			out("# kmsg write failed: %s\n", strerror(errno));
		close(fd);
	} else {
		out("# kmsg open failed: %s\n", strerror(errno));
	}
}

/* 1 if a Landlock domain that handles file creation denies creating /tmp/denied. */
static int landlock_denies_create(void)
{
	struct ruleset_attr attr = { .handled_access_fs = LANDLOCK_ACCESS_FS_MAKE_REG |
							   LANDLOCK_ACCESS_FS_WRITE_FILE };
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		int rs = syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);

		if (rs < 0)
			_exit(2);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(__NR_landlock_restrict_self, rs, 0))
			_exit(3);
		if (open("/tmp/denied", O_CREAT | O_WRONLY, 0600) >= 0)
			_exit(4);
		_exit(errno == EACCES ? 0 : 5);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "ktap";
	long abi;
	int r;

	if (!strcmp(mode, "panic")) {
		int fd = open("/proc/sysrq-trigger", O_WRONLY);

		out("payload: crashing the kernel now\n");
		if (fd < 0 || write(fd, "c", 1) != 1)
			perror("sysrq-trigger");
		sleep(30);
		return 1;
	}
	if (!strcmp(mode, "hang")) {
		out("payload: sleeping forever\n");
		for (;;)
			pause();
	}
	noise = !strcmp(mode, "noise");

	abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	out("KTAP version 1\n");
	kmsg("noise between the version line and the plan");
	out("1..4\n");
	out("# landlock abi %ld\n", abi);
	out("%s 1 landlock-abi\n", abi >= 1 ? "ok" : "not ok");
	kmsg("noise before a nested block");
	out("  KTAP version 1\n");
	out("  1..3\n");
	out("  ok 1 nested-pass\n");
	kmsg("noise inside a nested block");
	out("  ok 2 nested-skip # SKIP not relevant here\n");
	out("  not ok 3 nested-xfail # XFAIL erratum 4\n");
	out("ok 2 nested\n");
	r = landlock_denies_create();
	out("# restrict_self child status %d\n", r);
	out("%s 3 landlock-denies-create\n", r == 0 ? "ok" : "not ok");
	if (!strcmp(mode, "fail")) {
		out("not ok 4 deliberate-failure\n");
		return 1;
	}
	/* a kernel line landing in the middle of a KTAP line (only in noise mode) */
	out("ok 4 ar");
	kmsg("noise in the middle of a line");
	out("gs%s%s\n", argc > 2 ? "-" : "", argc > 2 ? argv[2] : "");
	return 0;
}

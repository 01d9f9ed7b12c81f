// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep bench - The bare baseline of a conformance run
 *
 * What the cheapest possible Landlock test costs on this machine: fork,
 * create_ruleset, add_rule, restrict_self, two opens, exit, wait.  The
 * runner's throughput is printed as a ratio of this rate, measured in the
 * same run ([bench.runner]).  Usage: lockstep-baseline [SECONDS]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One trace: a child that sandboxes itself, opens twice and exits. */
static void one(const char *dir, const char *file)
{
	const pid_t pid = fork();

	if (pid == 0) {
		struct landlock_ruleset_attr attr = {
			.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE,
		};
		struct landlock_path_beneath_attr pb = {
			.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE,
		};
		int rs;

		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		rs = syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
		pb.parent_fd = open(dir, O_PATH | O_CLOEXEC);
		syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
		syscall(SYS_landlock_restrict_self, rs, 0);
		close(open(file, O_RDONLY | O_CLOEXEC));
		close(open("/", O_RDONLY | O_CLOEXEC));
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	const double seconds = argc > 1 ? atof(argv[1]) : 2.0;
	char tmpl[] = "/tmp/lockstep-baseline.XXXXXX";
	const char *dir = mkdtemp(tmpl);
	char file[256];
	long n = 0;
	double start, end;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: lockstep-baseline [SECONDS]\n");
		return 0;
	}
	if (!dir) {
		perror("lockstep-baseline: mkdtemp");
		return 2;
	}
	snprintf(file, sizeof(file), "%s/f", dir);
	close(open(file, O_CREAT | O_WRONLY, 0644));
	start = now();
	do {
		one(dir, file);
		n++;
	} while ((end = now()) - start < seconds);
	unlink(file);
	rmdir(dir);
	printf("%.0f\n", n / (end - start));
	return 0;
}

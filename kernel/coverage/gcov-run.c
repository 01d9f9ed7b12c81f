// SPDX-License-Identifier: GPL-2.0-only
/*
 * gcov-run: the VM payload of kernel/coverage/coverage.
 *
 *   gcov-run [-g [-r] [-d DIR]] [-t SECONDS] [-L LINK=TARGET]...
 *            CMD [ARGS...] [-- CMD [ARGS...]]...
 *
 * Runs each command in turn (cwd: the command's directory, because the
 * Landlock selftests exec ./true and friends), as one KTAP stream: the
 * command's own output indented by 2 (a subtest), then "ok N NAME" (exit 0),
 * "ok N NAME # SKIP" (exit 4, kselftest's KSFT_SKIP) or "not ok N NAME".
 *
 * With -g, it then dumps every *.gcda under /sys/kernel/debug/gcov/ (debugfs
 * is mounted here: vm-runner's init does not) on the console, as KTAP
 * diagnostics so that the stream stays valid:
 *
 *   # gcda-file PATH SIZE CRC32
 *   # gcda BASE64 (up to 76 characters a line)
 *   # gcda-end COUNT
 *
 * The console is the only channel out of the guest that the VM runner has;
 * the host decodes these lines (and checks size and CRC, since a kernel
 * message can land in the middle of a line).  -r resets the counters first
 * (by default boot-time coverage, e.g. Landlock's init, is kept).  -t kills a
 * command's process group after SECONDS (default 600).  -d DIR dumps DIR
 * instead of the debugfs directory (for the host-side test).  -L makes a symlink
 * first: the initramfs has no shell, and net_test brings lo up with
 * system("ip link set dev lo up"), so the host passes /bin/sh and /bin/ip as
 * links to a static busybox.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GCOV_ROOT "/sys/kernel/debug/gcov"
#define KSFT_SKIP 4

/* Where the .gcda are: GCOV_ROOT, or -d DIR (the host-side test). */
static const char *gcov_root = GCOV_ROOT;
static int ngcda;

static uint32_t crc32(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffff;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320 & -(c & 1));
	}
	return ~c;
}

static void put_base64(const unsigned char *p, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char line[80];
	size_t i = 0;

	while (i < n) {
		int l = 0;

		/* 57 input bytes = 76 output characters per line. */
		for (size_t end = i + 57 < n ? i + 57 : n; i < end; i += 3) {
			uint32_t v = p[i] << 16;

			v |= (i + 1 < n ? p[i + 1] : 0) << 8;
			v |= i + 2 < n ? p[i + 2] : 0;
			line[l++] = tab[v >> 18];
			line[l++] = tab[(v >> 12) & 63];
			line[l++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
			line[l++] = i + 2 < n ? tab[v & 63] : '=';
		}
		line[l] = '\0';
		printf("# gcda %s\n", line);
	}
}

/* debugfs gcov files have no size: read until EOF. */
static void dump_file(const char *path)
{
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0 || !buf) {
		printf("# gcov-run: %s: %s\n", path, strerror(errno));
		goto out;
	}
	while ((r = read(fd, buf + n, cap - n)) > 0) {
		n += r;
		if (n == cap) {
			unsigned char *b = realloc(buf, cap * 2);

			if (!b)
				goto out;
			buf = b;
			cap *= 2;
		}
	}
	printf("# gcda-file %s %zu %08x\n", path + strlen(gcov_root), n, crc32(buf, n));
	put_base64(buf, n);
	ngcda++;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
}

static void walk(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		/* Not ".*": the build tree's path can have a .cache in it. */
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		/* The .gcno entries are symlinks to the build tree: skip them. */
		if (e->d_type == DT_DIR)
			walk(path);
		else if (e->d_type == DT_REG && l > 5 && !strcmp(e->d_name + l - 5, ".gcda"))
			dump_file(path);
	}
	closedir(d);
}

/* Mount debugfs and check that this is a gcov kernel; optionally zero the counters. */
static int gcov_setup(int reset)
{
	if (strcmp(gcov_root, GCOV_ROOT))
		return 0;
	mkdir("/sys/kernel/debug", 0755);
	if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) && errno != EBUSY) {
		printf("gcov-run: mount debugfs: %s\n", strerror(errno));
		return -1;
	}
	if (access(GCOV_ROOT, F_OK)) {
		printf("gcov-run: no %s: not a CONFIG_GCOV_KERNEL kernel\n", GCOV_ROOT);
		return -1;
	}
	if (reset) {
		int fd = open(GCOV_ROOT "/reset", O_WRONLY);

		if (fd < 0 || write(fd, "1", 1) != 1)
			printf("gcov-run: reset: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

static pid_t child;

static void on_alarm(int sig)
{
	(void)sig;
	if (child > 0)
		kill(-child, SIGKILL);
}

/* Run argv with its output indented by 2 (a KTAP subtest); return its wait status. */
static int run_one(char **argv, unsigned int timeout)
{
	char *dir = strdup(argv[0]);
	int pfd[2], status = 0;
	char line[8192];
	FILE *in;

	if (!dir || pipe2(pfd, O_CLOEXEC))
		return 127 << 8;
	child = fork();
	if (child == 0) {
		setpgid(0, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		if (chdir(dirname(dir)))
			_exit(127);
		execv(argv[0], argv);
		fprintf(stderr, "gcov-run: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	if (child < 0) {
		close(pfd[0]);
		return 127 << 8;
	}
	setpgid(child, child);
	alarm(timeout);
	in = fdopen(pfd[0], "r");
	while (in && fgets(line, sizeof(line), in)) {
		size_t l = strlen(line);

		printf("  %s%s", line, l && line[l - 1] == '\n' ? "" : "\n");
	}
	if (in)
		fclose(in);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	alarm(0);
	/* Whatever the command left behind (daemons, stuck children). */
	kill(-child, SIGKILL);
	child = 0;
	free(dir);
	return status;
}

int main(int argc, char **argv)
{
	unsigned int timeout = 600;
	int opt, gcov = 0, reset = 0, ncmd = 0, failed = 0;
	char **cmd[64];

	while ((opt = getopt(argc, argv, "+gd:t:rL:")) != -1) {
		if (opt == 'g') {
			gcov = 1;
		} else if (opt == 'd') {
			gcov_root = optarg;
		} else if (opt == 't') {
			timeout = atoi(optarg);
		} else if (opt == 'r') {
			reset = 1;
		} else if (opt == 'L') {
			char *eq = strchr(optarg, '=');

			if (!eq) {
				fprintf(stderr, "gcov-run: -L LINK=TARGET\n");
				return 2;
			}
			*eq = '\0';
			if (symlink(eq + 1, optarg) && errno != EEXIST)
				fprintf(stderr, "gcov-run: symlink %s: %s\n", optarg, strerror(errno));
		} else {
			fprintf(stderr, "usage: gcov-run [-g [-r] [-d DIR]] [-t SECONDS] [-L LINK=TARGET]... "
				"CMD [ARGS...] [-- CMD...]...\n");
			return 2;
		}
	}
	/* Split argv at each "--" into NULL-terminated commands. */
	for (int i = optind, start = 1; i < argc && ncmd < 64; i++) {
		if (!strcmp(argv[i], "--")) {
			argv[i] = NULL;
			start = 1;
			continue;
		}
		if (start && argv[i][0] != '/') {
			fprintf(stderr, "gcov-run: %s: an absolute path is needed\n", argv[i]);
			return 2;
		}
		if (start)
			cmd[ncmd++] = &argv[i];
		start = 0;
	}
	if (!ncmd) {
		fprintf(stderr, "gcov-run: no command\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	if (gcov && gcov_setup(reset))
		return 1;

	printf("KTAP version 1\n1..%d\n", ncmd);
	for (int i = 0; i < ncmd; i++) {
		struct timespec t0, t1;
		const char *name = strrchr(cmd[i][0], '/') + 1;
		int st, rc;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		st = run_one(cmd[i], timeout);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		printf("# gcov-run: %s exit %d, %.1f s\n", name, rc,
		       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
		if (rc == 0)
			printf("ok %d %s\n", i + 1, name);
		else if (rc == KSFT_SKIP)
			printf("ok %d %s # SKIP exit %d\n", i + 1, name, rc);
		else
			printf("not ok %d %s\n", i + 1, name), failed++;
	}
	if (gcov) {
		walk(gcov_root);
		printf("# gcda-end %d\n", ngcda);
	}
	return failed ? 1 : 0;
}

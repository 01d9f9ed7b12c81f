// SPDX-License-Identifier: GPL-2.0-only
/*
 * supervisor-stress - concurrency stress of the Landlock supervisor patches
 *
 * Runs inside a VM booted on the patched kernel with at least 2 vCPUs
 * (static binary, run as root by the VM runner's init) and prints KTAP.
 *
 * Each scenario has a supervisor (the unrestricted parent, pinned to CPU 0)
 * that commits two (or, with two supervisors, four) rule states in a loop,
 * while supervised walkers, pinned to the other CPUs in turn, walk the
 * affected paths.  With check=snapshot and commit=copy-swap (the series'
 * defaults), every access check sees exactly one committed state, so every
 * outcome must be one that the model allows in one of the committed states.
 * Those sets are not computed here: they are the pinned outcomes of
 * conformance/cases/supervisor/stress_*_states.trace, which take the same
 * rules through the same states one after the other, and which
 * `lockstep check` proves consistent with the model (and `lockstep run`
 * checks sequentially on the kernel):
 *
 *   move    stress_move_states.trace        1 supervised layer, read_file
 *                                           moved between /a and /a/b
 *   layers  stress_two_layers_states.trace  2 supervised layers, 4 states
 *   refer   stress_refer_states.trace       renames between /a/b and /a/c
 *                                           (two walks, one snapshot)
 *   net     stress_net_port_states.trace    bind_tcp moved between ports
 *
 * A scenario stops at its first outcome outside the allowed set (it is then
 * "not ok", with the outcome, the probe and the time it took), or after its
 * time budget.
 *
 * Usage: stress [-v] [-t SECONDS] [-w WALKERS] [-s SCENARIO] [DIR]
 *   -t  time budget of each scenario (default 6)
 *   -w  supervised walker processes per scenario (default 3)
 *   -s  run only SCENARIO (move, layers, refer, net); repeatable
 *   DIR scratch directory (default /tmp/ll-stress)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../uapi/landlock_supervisor.h"

#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_REMOVE_FILE (1ULL << 5)
#define LL_FS_MAKE_REG (1ULL << 8)
#define LL_FS_REFER (1ULL << 13)
#define LL_NET_BIND_TCP (1ULL << 0)

#define MAX_WALKERS 8
#define MAX_PROBES 4
#define PORT_BASE 4000

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

static const char *dir = "/tmp/ll-stress";
static double budget = 6.0;
static int nwalkers = 3;
static int verbose;
static int ncpus;

/* ---- shared state ------------------------------------------------------- */

/* Bit of an outcome in an allowed set: OK, EACCES, anything else. */
#define A_OK (1U << 0)
#define A_EACCES (1U << 1)

struct probe_stats {
	unsigned long ok, eacces, other;
};

struct shared {
	volatile int stop;
	volatile int ready;
	/* First violation. */
	volatile int violated;
	char what[256];
	double when;
	struct probe_stats stats[MAX_WALKERS][MAX_PROBES];
	unsigned long iterations[MAX_WALKERS];
};

static struct shared *sh;
static struct timespec t_start;

static double elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t_start.tv_sec) +
	       (now.tv_nsec - t_start.tv_nsec) / 1e9;
}

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

/* ---- Landlock ----------------------------------------------------------- */

static int supervisor(uint64_t fs, uint64_t net)
{
	const struct ll_ruleset_attr attr = {
		.handled_access_fs = fs,
		.handled_access_net = net,
	};

	return syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr),
		       LANDLOCK_CREATE_RULESET_SUPERVISOR);
}

static int supervisee(int sup)
{
	return ioctl(sup, LANDLOCK_IOCTL_GET_SUPERVISEE_RULESET, 0);
}

static int path_rule(int rs, const char *rel, uint64_t access, uint32_t flags)
{
	struct ll_path_beneath_attr attr = { .allowed_access = access };
	char path[512];
	int ret, saved;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	attr.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (attr.parent_fd < 0)
		return -1;
	ret = syscall(__NR_landlock_add_rule, rs, LL_RULE_PATH_BENEATH, &attr,
		      flags);
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

	return syscall(__NR_landlock_add_rule, rs, LL_RULE_NET_PORT, &attr,
		       flags);
}

static int enforce(int rs)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return syscall(__NR_landlock_restrict_self, rs, 0);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu % ncpus, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* ---- probes ------------------------------------------------------------- */

/* 0 or errno. */
static int try_open(const char *rel)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

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

/* Records @err for probe @p of walker @w; 0 if it is in @allowed. */
static int record(int w, int p, const char *name, int err, unsigned int allowed)
{
	struct probe_stats *st = &sh->stats[w][p];
	unsigned int bit;

	if (!err) {
		st->ok++;
		bit = A_OK;
	} else if (err == EACCES) {
		st->eacces++;
		bit = A_EACCES;
	} else {
		st->other++;
		bit = 0;
	}
	if (bit & allowed)
		return 0;
	if (!__sync_lock_test_and_set(&sh->violated, 1)) {
		snprintf(sh->what, sizeof(sh->what),
			 "walker %d: %s gave %s, the model allows only%s%s",
			 w, name, err ? strerror(err) : "ok",
			 allowed & A_OK ? " ok" : "",
			 allowed & A_EACCES ? " EACCES" : "");
		sh->when = elapsed();
	}
	sh->stop = 1;
	return -1;
}

/* ---- scenarios ---------------------------------------------------------- */

struct scenario {
	const char *name;
	const char *trace;
	/* Number of states the committer cycles through. */
	int nstates;
	/* Creates the tree; 0 or -1. */
	int (*tree)(void);
	/* Creates the supervisors, commits the first state; 0 or -1. */
	int (*setup)(int sup[2]);
	/* Commits state @i (mod nstates), from the previous one; 0 or -1. */
	int (*commit)(const int sup[2], int i);
	/* One round of probes by walker @w; 0, or -1 on a violation. */
	int (*walk)(int w);
	const char *probe_names[MAX_PROBES];
};

static int mkdirs(const char *const *rels)
{
	char path[512];

	for (; *rels; rels++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *rels);
		if (mkdir(path, 0755) && errno != EEXIST)
			return -1;
	}
	return 0;
}

static int mkfile(const char *rel)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, "data\n", 5) != 5) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* move: read_file on /a (state 0) or on /a/b (state 1). */
static int move_tree(void)
{
	static const char *const dirs[] = { "a", "a/b", "a/b/c", "a/b/c/d",
					    NULL };

	if (mkdirs(dirs))
		return -1;
	return mkfile("a/b/c/d/f") || mkfile("a/g") || mkfile("h") ? -1 : 0;
}

static int move_setup(int sup[2])
{
	sup[0] = supervisor(LL_FS_READ_FILE, 0);
	sup[1] = -1;
	if (sup[0] < 0)
		return -1;
	return path_rule(sup[0], "a", LL_FS_READ_FILE,
			 LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR);
}

/* Moves @access from @from to @to in one commit. */
static int move_rule(int sup, const char *from, const char *to,
		     uint64_t access)
{
	if (path_rule(sup, to, access, 0))
		return -1;
	return path_rule(sup, from, 0,
			 LANDLOCK_ADD_RULE_INTERSECT |
				 LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR);
}

static int move_commit(const int sup[2], int i)
{
	return i % 2 ? move_rule(sup[0], "a", "a/b", LL_FS_READ_FILE) :
		       move_rule(sup[0], "a/b", "a", LL_FS_READ_FILE);
}

static int move_walk(int w)
{
	if (record(w, 0, "open /a/b/c/d/f", try_open("a/b/c/d/f"), A_OK))
		return -1;
	if (record(w, 1, "open /a/g", try_open("a/g"), A_OK | A_EACCES))
		return -1;
	return record(w, 2, "open /h", try_open("h"), A_EACCES);
}

/*
 * layers: two supervised layers; s1 grants read_file on /a or /a/b, s2 on
 * /a/b/c or /a.  States: (a, a/b/c), (a/b, a/b/c), (a/b, a), (a, a).
 */
static int layers_setup(int sup[2])
{
	sup[0] = supervisor(LL_FS_READ_FILE, 0);
	sup[1] = supervisor(LL_FS_READ_FILE, 0);
	if (sup[0] < 0 || sup[1] < 0)
		return -1;
	if (path_rule(sup[0], "a", LL_FS_READ_FILE,
		      LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR))
		return -1;
	return path_rule(sup[1], "a/b/c", LL_FS_READ_FILE,
			 LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR);
}

static int layers_commit(const int sup[2], int i)
{
	switch (i % 4) {
	case 1:
		return move_rule(sup[0], "a", "a/b", LL_FS_READ_FILE);
	case 2:
		return move_rule(sup[1], "a/b/c", "a", LL_FS_READ_FILE);
	case 3:
		return move_rule(sup[0], "a/b", "a", LL_FS_READ_FILE);
	default:
		return move_rule(sup[1], "a", "a/b/c", LL_FS_READ_FILE);
	}
}

static int layers_walk(int w)
{
	if (record(w, 0, "open /a/b/c/d/f", try_open("a/b/c/d/f"), A_OK))
		return -1;
	return record(w, 1, "open /a/g", try_open("a/g"), A_OK | A_EACCES);
}

/*
 * refer: refer, make_reg and remove_file on /a (state 0) or on /a/b and /a/c
 * (state 1); walker w renames x<w> between /a/b and /a/c.
 */
#define REFER_ACCESS (LL_FS_REFER | LL_FS_MAKE_REG | LL_FS_REMOVE_FILE)

static int refer_tree(void)
{
	static const char *const dirs[] = { "a", "a/b", "a/c", NULL };
	char rel[512];

	if (mkdirs(dirs))
		return -1;
	for (int w = 0; w < nwalkers; w++) {
		snprintf(rel, sizeof(rel), "%s/a/c/x%d", dir, w);
		unlink(rel);
		snprintf(rel, sizeof(rel), "a/b/x%d", w);
		if (mkfile(rel))
			return -1;
	}
	return 0;
}

static int refer_setup(int sup[2])
{
	sup[0] = supervisor(REFER_ACCESS, 0);
	sup[1] = -1;
	if (sup[0] < 0)
		return -1;
	return path_rule(sup[0], "a", REFER_ACCESS,
			 LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR);
}

static int refer_commit(const int sup[2], int i)
{
	const int s = sup[0];

	if (i % 2) {
		if (path_rule(s, "a/b", REFER_ACCESS, 0) ||
		    path_rule(s, "a/c", REFER_ACCESS, 0))
			return -1;
		return path_rule(s, "a", 0,
				 LANDLOCK_ADD_RULE_INTERSECT |
					 LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR);
	}
	if (path_rule(s, "a", REFER_ACCESS, 0) ||
	    path_rule(s, "a/b", 0, LANDLOCK_ADD_RULE_INTERSECT))
		return -1;
	return path_rule(s, "a/c", 0,
			 LANDLOCK_ADD_RULE_INTERSECT |
				 LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR);
}

static int refer_walk(int w)
{
	static int in_c; /* per walker process */
	char from[512], to[512];
	int err;

	snprintf(from, sizeof(from), "%s/a/%c/x%d", dir, in_c ? 'c' : 'b', w);
	snprintf(to, sizeof(to), "%s/a/%c/x%d", dir, in_c ? 'b' : 'c', w);
	err = rename(from, to) ? errno : 0;
	if (!err)
		in_c = !in_c;
	return record(w, 0, in_c ? "rename /a/b/x /a/c/x" :
				   "rename /a/c/x /a/b/x",
		      err, A_OK);
}

/* net: bind_tcp on PORT_BASE + 10w (state 0) or PORT_BASE + 10w + 1 (1). */
static int no_tree(void)
{
	return 0;
}

static int net_setup(int sup[2])
{
	sup[0] = supervisor(0, LL_NET_BIND_TCP);
	sup[1] = -1;
	if (sup[0] < 0)
		return -1;
	for (int w = 0; w < nwalkers; w++)
		if (port_rule(sup[0], PORT_BASE + 10 * w, LL_NET_BIND_TCP, 0))
			return -1;
	return syscall(__NR_landlock_add_rule, sup[0], LANDLOCK_RULE_NONE, NULL,
		       LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR);
}

static int net_commit(const int sup[2], int i)
{
	const int from = i % 2 ? 0 : 1, to = i % 2 ? 1 : 0;

	for (int w = 0; w < nwalkers; w++) {
		if (port_rule(sup[0], PORT_BASE + 10 * w + to, LL_NET_BIND_TCP,
			      0))
			return -1;
		if (port_rule(sup[0], PORT_BASE + 10 * w + from, 0,
			      LANDLOCK_ADD_RULE_INTERSECT))
			return -1;
	}
	return syscall(__NR_landlock_add_rule, sup[0], LANDLOCK_RULE_NONE, NULL,
		       LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR);
}

static int net_walk(int w)
{
	const uint16_t port = PORT_BASE + 10 * w;

	if (record(w, 0, "bind port 4000+10w", try_bind(port),
		   A_OK | A_EACCES))
		return -1;
	if (record(w, 1, "bind port 4001+10w", try_bind(port + 1),
		   A_OK | A_EACCES))
		return -1;
	return record(w, 2, "bind port 4002+10w", try_bind(port + 2), A_EACCES);
}

static const struct scenario scenarios[] = {
	{ "move", "stress_move_states.trace", 2, move_tree, move_setup,
	  move_commit, move_walk,
	  { "open /a/b/c/d/f", "open /a/g", "open /h" } },
	{ "layers", "stress_two_layers_states.trace", 4, move_tree,
	  layers_setup, layers_commit, layers_walk,
	  { "open /a/b/c/d/f", "open /a/g" } },
	{ "refer", "stress_refer_states.trace", 2, refer_tree, refer_setup,
	  refer_commit, refer_walk, { "rename" } },
	{ "net", "stress_net_port_states.trace", 2, no_tree, net_setup,
	  net_commit, net_walk,
	  { "bind 4000+10w", "bind 4001+10w", "bind 4002+10w" } },
};

#define NSCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

/* The supervised side: restrict, then fork the walkers; returns an exit status. */
static int sandbox(const struct scenario *sc, const int sup[2])
{
	int status, ret = 0;

	for (int i = 0; i < 2 && sup[i] >= 0; i++) {
		const int e = supervisee(sup[i]);

		if (e < 0 || enforce(e))
			return 2;
		close(e);
		close(sup[i]);
	}
	for (int w = 0; w < nwalkers; w++) {
		const pid_t pid = fork();

		if (pid < 0)
			return 2;
		if (!pid) {
			pin(w + 1);
			__sync_fetch_and_add(&sh->ready, 1);
			while (!sh->stop) {
				if (sc->walk(w))
					break;
				sh->iterations[w]++;
			}
			_exit(0);
		}
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			ret = 2;
	return ret;
}

static int run_scenario(const struct scenario *sc)
{
	int sup[2] = { -1, -1 }, status;
	unsigned long commits = 0, total = 0;
	pid_t pid;
	int ret = 0;

	memset(sh, 0, sizeof(*sh));
	if (sc->tree()) {
		diag("%s: cannot create the tree in %s: %s", sc->name, dir,
		     strerror(errno));
		return -1;
	}
	if (sc->setup(sup)) {
		diag("%s: setup: %s", sc->name, strerror(errno));
		return -1;
	}
	pin(0);
	clock_gettime(CLOCK_MONOTONIC, &t_start);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		_exit(sandbox(sc, sup));
	while (sh->ready < nwalkers && elapsed() < budget)
		usleep(1000);
	while (!sh->stop && elapsed() < budget) {
		if (sc->commit(sup, (int)commits + 1)) {
			diag("%s: commit %lu: %s", sc->name, commits + 1,
			     strerror(errno));
			ret = -1;
			break;
		}
		commits++;
	}
	sh->stop = 1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		diag("%s: the supervised walkers failed to start or crashed "
		     "(status 0x%x)", sc->name, status);
		ret = -1;
	}
	for (int i = 0; i < 2; i++)
		if (sup[i] >= 0)
			close(sup[i]);
	for (int w = 0; w < nwalkers; w++)
		total += sh->iterations[w];
	diag("%s: %lu commits, %lu walker rounds (%d walkers, %d CPUs) in "
	     "%.1f s; allowed sets: conformance/cases/supervisor/%s",
	     sc->name, commits, total, nwalkers, ncpus, elapsed(), sc->trace);
	for (int p = 0; p < MAX_PROBES && sc->probe_names[p]; p++) {
		struct probe_stats sum = { 0 };

		for (int w = 0; w < nwalkers; w++) {
			sum.ok += sh->stats[w][p].ok;
			sum.eacces += sh->stats[w][p].eacces;
			sum.other += sh->stats[w][p].other;
		}
		diag("%s:   %-16s ok %lu, EACCES %lu, other %lu", sc->name,
		     sc->probe_names[p], sum.ok, sum.eacces, sum.other);
	}
	if (sh->violated) {
		diag("%s: DIVERGENCE after %.3f s: %s", sc->name, sh->when,
		     sh->what);
		ret = -1;
	} else if (!ret && (!commits || !total)) {
		diag("%s: no concurrency (commits %lu, walker rounds %lu)",
		     sc->name, commits, total);
		ret = -1;
	}
	return ret;
}

int main(int argc, char **argv)
{
	const char *only[NSCENARIOS];
	size_t nonly = 0, n = 0, num = 0, skipped = 0;
	int opt, failed = 0;

	while ((opt = getopt(argc, argv, "vt:w:s:")) != -1) {
		switch (opt) {
		case 'v':
			verbose = 1;
			break;
		case 't':
			budget = atof(optarg);
			break;
		case 'w':
			nwalkers = atoi(optarg);
			if (nwalkers < 1 || nwalkers > MAX_WALKERS) {
				fprintf(stderr, "stress: -w 1..%d\n",
					MAX_WALKERS);
				return 2;
			}
			break;
		case 's':
			if (nonly < NSCENARIOS)
				only[nonly++] = optarg;
			break;
		default:
			fprintf(stderr, "usage: stress [-v] [-t SECONDS] "
					"[-w WALKERS] [-s SCENARIO] [DIR]\n");
			return 2;
		}
	}
	if (optind < argc)
		dir = argv[optind];
	setvbuf(stdout, NULL, _IOLBF, 0);
	ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpus < 1)
		ncpus = 1;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("stress: mmap");
		return 2;
	}
	mkdir(dir, 0755);
	for (size_t i = 0; i < NSCENARIOS; i++) {
		int sel = !nonly;

		for (size_t j = 0; j < nonly; j++)
			sel |= !strcmp(only[j], scenarios[i].name);
		n += sel;
	}
	printf("KTAP version 1\n1..%zu\n", n);
	for (size_t i = 0; i < NSCENARIOS; i++) {
		const struct scenario *sc = &scenarios[i];
		int sel = !nonly, ret;

		for (size_t j = 0; j < nonly; j++)
			sel |= !strcmp(only[j], sc->name);
		if (!sel)
			continue;
		/* On one CPU nothing runs in parallel: there is nothing to check. */
		if (ncpus < 2) {
			printf("ok %zu stress_%s # SKIP only %d CPU online: walkers "
			       "and commits cannot run in parallel\n", ++num,
			       sc->name, ncpus);
			skipped++;
			continue;
		}
		if (verbose)
			diag("running %s", sc->name);
		ret = run_scenario(sc);
		printf("%sok %zu stress_%s\n", ret ? "not " : "", ++num,
		       sc->name);
		failed += ret != 0;
	}
	diag("%zu passed, %d failed, %zu skipped", n - failed - skipped, failed,
	     skipped);
	return failed ? 1 : 0;
}

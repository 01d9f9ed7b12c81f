// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep bench - Model access decisions against the kernel's openat()
 *
 * The grid of Landlock's own microbenchmarks: a 16-layer domain, a path of
 * depth 10 or 29, 10 or 1,000 rules per layer.  For each point, the time of
 * one model access decision (the path walk of an open) is printed next to
 * the time of the same openat() on this kernel, measured in the same run
 * with the same layers, depth and rules: the model must never be the
 * bottleneck of a conformance run ([bench.model]).
 */
#include "model/fs_check.h"
#include "model/model.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <linux/landlock.h>
#include <string>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;
using namespace lockstep;

constexpr int layers = 16;

/* The trace: /d0/d1/.../d{depth-1}/f, each layer granting read_file on
 * @rules directories (the deepest one among them, so the walk is long). */
Trace grid_trace(int depth, int rules)
{
	Trace t;
	std::string path;

	for (int i = 0; i < depth; i++) {
		TreeNode n;

		path += "/d" + std::to_string(i);
		n.kind = NodeKind::dir;
		n.path = path;
		t.tree.push_back(n);
	}
	TreeNode f;
	f.kind = NodeKind::file;
	f.path = path + "/f";
	t.tree.push_back(f);
	for (int i = 0; i < rules; i++) {
		TreeNode n;

		n.kind = NodeKind::dir;
		n.path = "/r" + std::to_string(i);
		t.tree.push_back(n);
	}
	for (int l = 0; l < layers; l++) {
		const std::string r = "r" + std::to_string(l);
		Step cr;

		cr.bind = r;
		cr.op = CreateRuleset{fs::read_file, 0, 0, 0, 0, 0, false, false, {}, 0};
		t.steps.push_back(cr);
		for (int i = 0; i < rules; i++) {
			Step ar;
			AddRule op;

			op.ruleset = FdRef{r, -1};
			op.path = PathRef{i == 0 ? "/d0" : "/r" + std::to_string(i), ""};
			op.allowed = fs::read_file;
			ar.op = op;
			t.steps.push_back(ar);
		}
		Step rs;
		rs.op = RestrictSelf{FdRef{r, -1}, 0};
		t.steps.push_back(rs);
	}
	return t;
}

/*
 * Nanoseconds per model decision: the walk of an open of the deepest file
 * (start_fs_walk() and fs_walk_finish(), what Model::step() runs for it).
 */
double model_ns(int depth, int rules)
{
	const Trace t = grid_trace(depth, rules);
	Model m(host_reference_profile());
	std::string deep;

	m.set_explain(false);
	m.setup(t);
	for (const auto &s : t.steps)
		m.step(s);
	for (int i = 0; i < depth; i++)
		deep += "/d" + std::to_string(i);
	const State &st = m.state();
	const Domain &d = st.tasks[0].domain;
	const Lookup l = st.vfs.resolve(st.vfs.root(), deep + "/f", lookup_flag::follow);
	const int n = 200000;
	int allowed = 0;
	const auto start = Clock::now();
	for (int i = 0; i < n; i++) {
		FsWalk w = start_fs_walk(st.vfs, d, *l.target, fs::read_file, true, false);

		fs_walk_finish(w, st.vfs, d, {});
		allowed += w.allowed();
	}
	const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
	if (allowed != n || d.size() != layers)
		std::fprintf(stderr, "model_bench: unexpected decision (%d of %d allowed, %zu layers)\n",
			     allowed, n, d.size());
	return ns / n;
}

/* Nanoseconds per openat() of the same file on this kernel, same domain. */
double kernel_ns(int depth, int rules)
{
	char tmpl[] = "/tmp/lockstep-bench.XXXXXX";
	const char *root = mkdtemp(tmpl);
	std::string path = root ? root : "";
	int pipefd[2];

	if (!root || pipe(pipefd))
		return -1;
	std::string base = path;
	for (int i = 0; i < depth; i++) {
		path += "/d" + std::to_string(i);
		mkdir(path.c_str(), 0755);
	}
	const std::string file = path + "/f";
	close(open(file.c_str(), O_CREAT | O_WRONLY, 0644));
	for (int i = 1; i < rules; i++)
		mkdir((base + "/r" + std::to_string(i)).c_str(), 0755);

	const pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		for (int l = 0; l < layers; l++) {
			struct landlock_ruleset_attr attr = {};

			attr.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE;
			const int rs = syscall(SYS_landlock_create_ruleset, &attr, 8, 0);
			for (int i = 0; i < rules; i++) {
				const std::string p = i == 0 ? base + "/d0" : base + "/r" + std::to_string(i);
				struct landlock_path_beneath_attr pb = {};

				pb.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE;
				pb.parent_fd = open(p.c_str(), O_PATH | O_CLOEXEC);
				syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
				close(pb.parent_fd);
			}
			syscall(SYS_landlock_restrict_self, rs, 0);
			close(rs);
		}
		const int n = 20000;
		const auto start = Clock::now();
		for (int i = 0; i < n; i++)
			close(open(file.c_str(), O_RDONLY | O_CLOEXEC));
		const double ns =
			std::chrono::duration<double, std::nano>(Clock::now() - start).count() / n;
		(void)!write(pipefd[1], &ns, sizeof(ns));
		_exit(0);
	}
	double ns = -1;
	close(pipefd[1]);
	(void)!read(pipefd[0], &ns, sizeof(ns));
	close(pipefd[0]);
	waitpid(pid, nullptr, 0);
	std::string cmd = "rm -rf '" + base + "'";
	(void)!system(cmd.c_str());
	return ns;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc > 1 && (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h"))) {
		std::printf("usage: lockstep-model-bench\n\nModel access decisions per second "
			    "for a 16-layer domain (depth 10 and 29, 10 and 1,000\nrules per "
			    "layer), next to openat() on this kernel in the same run.\n");
		return 0;
	}
	std::printf("# model decision vs kernel openat(), 16 layers (same run)\n");
	std::printf("%-6s %-6s %14s %16s %14s %8s\n", "depth", "rules", "model ns/op",
		    "model decisions/s", "kernel ns/op", "ratio");
	for (const int depth : {10, 29}) {
		for (const int rules : {10, 1000}) {
			const double m = model_ns(depth, rules);
			const double k = kernel_ns(depth, rules);

			std::printf("%-6d %-6d %14.0f %16.0f %14.0f %8.3f\n", depth, rules, m,
				    1e9 / m, k, k > 0 ? m / k : 0.0);
		}
	}
	std::printf("# ratio = model time / kernel time for the same decision; "
		    "below 1, the model is faster\n");
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * A worker without privilege: no namespaces, privileged steps skipped.
 * Runs in a forked child that becomes `nobody`; the child reports through a
 * pipe, one line per problem.
 */
#include "exec_test_util.h"

#include <cerrno>
#include <filesystem>
#include <grp.h>
#include <sys/wait.h>

namespace lockstep::exec::test {
namespace {

constexpr uid_t nobody = 65534;

/* In the child: the checks, as lines of text ("" when all is well). */
std::string unprivileged_checks()
{
	std::string out;
	auto check = [&](bool ok, const std::string &what) {
		if (!ok)
			out += what + "\n";
	};
	std::string dir;
	{
		Worker w;

		check(w.error().empty(), "worker error: " + w.error());
		check(!w.privileged(), "worker is privileged");
		check(!w.profile().root, "profile says root");
		dir = w.scratch_dir();
		const TraceRun read = w.run(parse(R"(
dir  /a
file /a/f
main: set_no_new_privs
main: r1 = create_ruleset fs=read_file
main: add_rule r1 path_beneath /a fs=read_file
main: restrict_self r1
main: r2 = create_ruleset fs=read_file
main: restrict_self r2
main: f = open /a/f rdonly
)"));
		check(read.status == TraceRun::Status::completed, "read: " + read.message);
		check(outcome_of(read, 6) == "EACCES", "read: open gave " + outcome_of(read, 6));

		const TraceRun nnp = w.run(parse(R"(
main: r = create_ruleset fs=read_file
main: restrict_self r
)"));
		check(outcome_of(nnp, 1) == "EPERM", "restrict without nnp: " + outcome_of(nnp, 1));

		const TraceRun mount = w.run(parse("dir /m\nmain: mount tmpfs /m\n"));
		check(mount.status == TraceRun::Status::skipped, "mount was not skipped");
		check(mount.message == "needs root: mount", "mount: " + mount.message);

		const TraceRun dev = w.run(parse("chardev /null\nmain: f = open /null rdonly\n"));
		check(dev.message == "needs root: chardev /null", "chardev: " + dev.message);

		const TraceRun root = w.run(parse("requires root\nmain: drop_caps\n"));
		check(root.status == TraceRun::Status::skipped, "requires root was not skipped");

		const TraceRun whiteout = w.run(parse("dir /a\nmain: mknod /a/w whiteout\n"));
		check(whiteout.status == TraceRun::Status::completed,
		      "whiteout: " + whiteout.message);
	}
	check(!std::filesystem::exists(dir), "scratch dir left: " + dir);
	return out;
}

TEST(Unprivileged, SkipsWhatNeedsRootAndStillRuns)
{
	LOCKSTEP_NEEDS_ROOT();
	int p[2];

	ASSERT_EQ(pipe(p), 0);
	const pid_t child = fork();

	ASSERT_GE(child, 0);
	if (child == 0) {
		close(p[0]);
		std::string report = "could not become nobody\n";

		if (setgroups(0, nullptr) == 0 && setresgid(nobody, nobody, nobody) == 0 &&
		    setresuid(nobody, nobody, nobody) == 0)
			report = unprivileged_checks();
		if (write(p[1], report.data(), report.size()) < 0)
			_exit(3);
		_exit(report.empty() ? 0 : 1);
	}
	close(p[1]);
	std::string report;
	char buf[512];

	for (ssize_t n; (n = read(p[0], buf, sizeof buf)) > 0;)
		report.append(buf, static_cast<std::size_t>(n));
	close(p[0]);
	int status = 0;

	waitpid(child, &status, 0);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << report;
	EXPECT_EQ(report, "");
}

} // namespace
} // namespace lockstep::exec::test

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Traces on the running kernel: Landlock, files, exec, network, mounts.
 */
#include "exec_test_util.h"

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <sys/wait.h>

namespace lockstep::exec::test {
namespace {

class WorkerTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		if (!worker_.error().empty())
			GTEST_SKIP() << "worker: " << worker_.error();
		if (probe_kernel().profile.abi < 7)
			GTEST_SKIP() << "needs Landlock ABI >= 7";
	}

	TraceRun run(std::string_view text)
	{
		TraceRun r = worker_.run(parse(text));

		EXPECT_EQ(r.status, TraceRun::Status::completed) << r.message;
		return r;
	}

	Worker worker_;
};

TEST_F(WorkerTest, TwoLayerReadIsDenied)
{
	const TraceRun r = run(R"(
dir  /a
file /a/f
main: r1 = create_ruleset fs=read_file
main: add_rule r1 path_beneath /a fs=read_file
main: restrict_self r1
main: f0 = open /a/f rdonly
main: r2 = create_ruleset fs=read_file
main: restrict_self r2
main: f = open /a/f rdonly
)");
	ASSERT_EQ(r.steps.size(), 7u);
	for (std::size_t i = 0; i < 6; i++)
		EXPECT_TRUE(r.steps[i].outcome.success()) << i << ": " << outcome_of(r, i);
	EXPECT_EQ(r.steps[6].outcome, Outcome::error(EACCES));
	EXPECT_EQ(r.steps[6].status, StepRun::Status::done);
}

TEST_F(WorkerTest, VersionAndErrataQueries)
{
	const TraceRun r = run(R"(
main: create_ruleset flags=version
main: create_ruleset flags=errata
main: create_ruleset flags=version,errata
)");
	const Profile p = probe_kernel().profile;

	EXPECT_EQ(r.steps[0].outcome, Outcome::ok(p.abi));
	EXPECT_EQ(r.steps[1].outcome, Outcome::ok(p.errata_mask()));
	EXPECT_EQ(r.steps[2].outcome, Outcome::error(EINVAL));
}

TEST_F(WorkerTest, UnboundAndRawFdsGiveEbadf)
{
	const TraceRun r = run(R"(
main: restrict_self -1
main: close 1000
main: r = create_ruleset fs=0x100000
main: restrict_self r
)");
	EXPECT_EQ(r.steps[0].outcome, Outcome::error(EBADF));
	EXPECT_EQ(r.steps[1].outcome, Outcome::error(EBADF));
	EXPECT_EQ(r.steps[2].outcome, Outcome::error(EINVAL));
	/* A failed step binds its name to -1. */
	EXPECT_EQ(r.steps[3].outcome, Outcome::error(EBADF));
}

TEST_F(WorkerTest, TrailingGarbageAndSizes)
{
	const TraceRun r = run(R"(
main: create_ruleset fs=read_file size=64 trailing=garbage
main: r = create_ruleset fs=read_file size=64
main: create_ruleset fs=read_file size=8192
main: create_ruleset fs=read_file size=4
main: create_ruleset attr=null size=48
)");
	EXPECT_EQ(r.steps[0].outcome, Outcome::error(E2BIG));
	EXPECT_TRUE(r.steps[1].outcome.success()) << outcome_of(r, 1);
	EXPECT_EQ(r.steps[2].outcome, Outcome::error(E2BIG));
	EXPECT_EQ(r.steps[3].outcome, Outcome::error(EINVAL));
	EXPECT_EQ(r.steps[4].outcome, Outcome::error(EFAULT));
}

TEST_F(WorkerTest, RuleParentThatDoesNotExist)
{
	const TraceRun r = run(R"(
main: r = create_ruleset fs=read_file
main: add_rule r path_beneath /missing fs=read_file
)");
	EXPECT_EQ(r.steps[1].outcome, Outcome::error(ENOENT));
	EXPECT_NE(r.steps[1].note.find("O_PATH"), std::string::npos) << r.steps[1].note;
}

TEST_F(WorkerTest, ExecOfTheTinyProgram)
{
	const TraceRun r = run(R"(
dir  /bin
file /bin/true exec
file /bin/data
main: exec /bin/true
main: exec /bin/data
main: r = create_ruleset fs=execute
main: restrict_self r
main: exec /bin/true
)");
	EXPECT_EQ(r.steps[0].outcome, Outcome::ok()) << r.steps[0].note;
	EXPECT_TRUE(r.steps[0].note.empty()) << r.steps[0].note;
	EXPECT_EQ(r.steps[1].outcome, Outcome::error(EACCES)); /* mode 0644 */
	EXPECT_EQ(r.steps[4].outcome, Outcome::error(EACCES));
}

TEST_F(WorkerTest, FilesAndDirectories)
{
	const TraceRun r = run(R"(
dir  /a
file /a/f
symlink /a/l -> f
fifo /a/p
main: d = open /a rdonly directory
main: readdir d
main: g = open $d/f rdwr
main: write g
main: ftruncate g
main: truncate /a/f
main: ioctl g fionread
main: ioctl g tcgets
main: mkdir /a/sub
main: link /a/f /a/sub/f2
main: rename /a/sub/f2 /a/f3 noreplace
main: symlink /a/l2 -> f3
main: unlink /a/l2
main: rmdir /a/sub
main: mknod /a/s sock
main: h = open /a/l rdonly nofollow
main: dup g
main: close g
main: read g
)");
	const std::vector<std::string> want = {
		"ok", "ok", "ok", "ok(1)", "ok(0)", "ok(0)", "ok(0)", "ENOTTY", "ok(0)", "ok(0)",
		"ok(0)", "ok(0)", "ok(0)", "ok(0)", "ok(0)", "ELOOP", "ok", "ok(0)", "EBADF",
	};
	ASSERT_EQ(r.steps.size(), want.size());
	for (std::size_t i = 0; i < want.size(); i++) {
		std::string got = outcome_of(r, i);

		/* fds and byte counts vary: keep only "ok" for them. */
		if (want[i] == "ok" && got.starts_with("ok"))
			got = "ok";
		EXPECT_EQ(got, want[i]) << "step " << i + 1;
	}
}

TEST_F(WorkerTest, NetworkInItsOwnNamespace)
{
	LOCKSTEP_NEEDS_ROOT();
	const TraceRun r = run(R"(
main: r = create_ruleset net=bind_tcp,connect_tcp
main: add_rule r net_port 8080 net=bind_tcp
main: s = socket tcp4
main: bind s 8080
main: listen s
main: c = socket tcp4
main: connect c 8080
main: restrict_self r
main: t = socket tcp6
main: bind t 8081
main: bind t 8080
main: u = socket tcp4
main: connect u 8080
main: x = socket unix_stream
main: bind x @abstract
main: y = socket unix_dgram
main: bind y /sock
main: sendto y /sock
)");
	const std::vector<std::string> want = {
		"ok", "ok(0)", "ok", "ok(0)", "ok(0)", "ok", "ok(0)", "ok(0)", "ok", "EACCES",
		"ok(0)", "ok", "EACCES", "ok", "ok(0)", "ok", "ok(0)", "ok(1)",
	};
	ASSERT_EQ(r.steps.size(), want.size());
	for (std::size_t i = 0; i < want.size(); i++) {
		std::string got = outcome_of(r, i);

		if (want[i] == "ok" && got.starts_with("ok"))
			got = "ok";
		EXPECT_EQ(got, want[i]) << "step " << i + 1 << " " << r.steps[i].note;
	}
}

TEST_F(WorkerTest, MountsAreCleanedUp)
{
	LOCKSTEP_NEEDS_ROOT();
	const TraceRun r = run(R"(
dir /a
dir /b
dir /m
mount tmpfs /a
mount bind /a /b
main: mount tmpfs /m
main: mkdir /m/x
main: umount /b
main: r = create_ruleset fs=read_file
main: restrict_self r
main: mount tmpfs /m/x
)");
	EXPECT_EQ(outcome_of(r, 0), "ok(0)");
	EXPECT_EQ(outcome_of(r, 1), "ok(0)");
	EXPECT_EQ(outcome_of(r, 2), "ok(0)");
	EXPECT_EQ(outcome_of(r, 5), "EPERM");
	/* The next trace starts after the cleanup of this one. */
	run("main: create_ruleset flags=version\n");
	std::ifstream in("/proc/" + std::to_string(worker_.pid()) + "/mountinfo");
	std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	const std::string scratch = worker_.scratch_dir();

	EXPECT_NE(all.find(scratch), std::string::npos) << "the worker's own tmpfs";
	EXPECT_EQ(all.find(scratch + "/"), std::string::npos) << all;
}

/* Erratum 4: without the fix, creating a whiteout needs make_char. */
TEST_F(WorkerTest, WhiteoutNeedsMakeCharWithoutErratum4)
{
	const Profile p = probe_kernel().profile;

	if (p.erratum(4) == Erratum::unknown)
		GTEST_SKIP() << "erratum 4 unknown on this kernel";
	const TraceRun r = run(R"(
dir /a
main: r = create_ruleset fs=make_reg,make_char
main: add_rule r path_beneath /a fs=make_reg
main: restrict_self r
main: mknod /a/w whiteout
main: mknod /a/f reg
)");
	EXPECT_EQ(r.steps[3].outcome, p.erratum(4) == Erratum::fixed ? Outcome::ok(0)
								       : Outcome::error(EACCES));
	EXPECT_EQ(r.steps[4].outcome, Outcome::ok(0));
}

TEST_F(WorkerTest, NothingLeaksOntoTheHost)
{
	const std::string dir = worker_.scratch_dir();

	run(R"(
dir /a
file /a/f
main: mkdir /a/b
main: f = open /a/b/g wronly creat
)");
	if (worker_.privileged()) {
		EXPECT_TRUE(std::filesystem::is_empty(dir)) << dir;
	}
}

TEST(WorkerLifetime, ScratchDirectoryIsRemoved)
{
	std::string dir;
	{
		Worker w;

		ASSERT_TRUE(w.error().empty()) << w.error();
		dir = w.scratch_dir();
		EXPECT_TRUE(std::filesystem::is_directory(dir));
		w.run(parse("dir /a\nfile /a/f\nmain: f = open /a/f rdonly\n"));
	}
	EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
}

TEST(WorkerLifetime, ADeadWorkerIsReplaced)
{
	Worker w;

	ASSERT_TRUE(w.error().empty()) << w.error();
	const pid_t first = w.pid();
	const std::string first_dir = w.scratch_dir();

	kill(first, SIGKILL);
	/* The first run may reach the dying worker: then it is "crashed". */
	const TraceRun lost = w.run(parse("main: create_ruleset flags=version\n"));
	if (lost.status != TraceRun::Status::completed) {
		EXPECT_EQ(lost.status, TraceRun::Status::crashed);
		EXPECT_EQ(lost.message, "the worker process died");
	}
	const TraceRun r = w.run(parse("main: create_ruleset flags=version\n"));

	EXPECT_EQ(r.status, TraceRun::Status::completed) << r.message;
	EXPECT_NE(w.pid(), first);
	EXPECT_FALSE(std::filesystem::exists(first_dir)) << first_dir;
}

TEST(WorkerLifetime, ScratchBaseIsHonoured)
{
	const std::string base = ::testing::TempDir() + "/lockstep-base-" + std::to_string(getpid());

	std::filesystem::create_directory(base);
	{
		ExecOptions o;

		o.scratch_base = base;
		Worker w(o);
		ASSERT_TRUE(w.error().empty()) << w.error();
		EXPECT_EQ(w.scratch_dir().rfind(base + "/lockstep-", 0), 0u) << w.scratch_dir();
	}
	EXPECT_TRUE(std::filesystem::is_empty(base));
	std::filesystem::remove(base);
}

/*
 * A run killed with SIGKILL leaves its empty scratch directory: the next
 * worker removes such directories of dead pids, and nothing else.
 */
TEST(WorkerLifetime, StaleEmptyScratchIsSwept)
{
	namespace fs = std::filesystem;
	const std::string base = ::testing::TempDir() + "/lockstep-sweep-" + std::to_string(getpid());
	const pid_t dead = fork();

	if (dead == 0)
		_exit(0);
	ASSERT_GT(dead, 0);
	waitpid(dead, nullptr, 0);
	const std::string d = std::to_string(dead), live = std::to_string(getpid());

	fs::create_directory(base);
	fs::create_directory(base + "/lockstep-" + d + "-empty");
	fs::create_directory(base + "/lockstep-" + d + "-full");
	fs::create_directory(base + "/lockstep-" + d + "-full/x");
	fs::create_directory(base + "/lockstep-" + live + "-alive");
	fs::create_directory(base + "/lockstep-vm-" + d + "-other");
	{
		ExecOptions o;

		o.scratch_base = base;
		Worker w(o);
		ASSERT_TRUE(w.error().empty()) << w.error();
		EXPECT_EQ(w.scratch_dir().rfind(base + "/lockstep-" + live + "-", 0), 0u)
			<< w.scratch_dir();
	}
	EXPECT_FALSE(fs::exists(base + "/lockstep-" + d + "-empty"));
	EXPECT_TRUE(fs::exists(base + "/lockstep-" + d + "-full/x"));
	EXPECT_TRUE(fs::exists(base + "/lockstep-" + live + "-alive"));
	EXPECT_TRUE(fs::exists(base + "/lockstep-vm-" + d + "-other"));
	fs::remove_all(base);
}

TEST(WorkerLifetime, BadScratchBaseIsAnError)
{
	ExecOptions o;

	o.scratch_base = "/nonexistent/lockstep";
	Worker w(o);
	EXPECT_NE(w.error().find("mkdtemp"), std::string::npos) << w.error();
	const TraceRun r = w.run(parse("main: create_ruleset flags=version\n"));
	EXPECT_EQ(r.status, TraceRun::Status::setup_error);
	EXPECT_NE(r.message.find("mkdtemp"), std::string::npos) << r.message;
}

} // namespace
} // namespace lockstep::exec::test

namespace lockstep::exec::test {
namespace {

TEST(RunAll, SameResultsAsOneByOne)
{
	ExecOptions o;

	o.step_timeout = std::chrono::milliseconds(300);
	Worker w(o);
	ASSERT_TRUE(w.error().empty()) << w.error();
	const std::vector<Trace> traces = {
		parse("dir /a\nfile /a/f\nmain: f = open /a/f rdonly\nmain: read f\n"),
		parse("requires abi >= 99\nmain: set_no_new_privs\n"),
		parse("main: p = pipe\nmain: read p\n"),
		parse("dir /a\nmain: mkdir /a/b\nmain: f = open /a/b/c wronly creat\n"),
		parse("dir /a\nfile /a/f\nmain: f = open /a/f rdonly\nmain: read f\n"),
	};
	const std::vector<TraceRun> all = w.run_all(traces);

	ASSERT_EQ(all.size(), traces.size());
	EXPECT_EQ(all[0].status, TraceRun::Status::completed);
	EXPECT_EQ(outcome_of(all[0], 1), "ok(1)");
	EXPECT_EQ(all[1].status, TraceRun::Status::skipped);
	EXPECT_EQ(all[2].status, TraceRun::Status::timeout);
	EXPECT_EQ(all[3].status, TraceRun::Status::completed);
	EXPECT_EQ(outcome_of(all[3], 1).substr(0, 2), "ok");
	for (std::size_t i = 0; i < traces.size(); i++) {
		TraceRun one = w.run(traces[i]);

		EXPECT_EQ(one.status, all[i].status) << i;
		ASSERT_EQ(one.steps.size(), all[i].steps.size());
		for (std::size_t s = 0; s < one.steps.size(); s++)
			EXPECT_EQ(one.steps[s].outcome.err, all[i].steps[s].outcome.err) << i << "/" << s;
	}
}

/* Each trace starts after the previous one's processes are gone. */
TEST(RunAll, PortsAreFreeForTheNextTrace)
{
	LOCKSTEP_NEEDS_ROOT();
	Worker w;
	ASSERT_TRUE(w.error().empty()) << w.error();
	const Trace t = parse(R"(
dir /a
main: s = socket tcp4
main: bind s 8080
main: listen s
main: u = socket unix_stream
main: bind u @name
main: v = socket unix_stream
main: bind v /a/sock
)");
	const std::vector<Trace> traces(50, t);

	for (const auto &r : w.run_all(traces)) {
		ASSERT_EQ(r.status, TraceRun::Status::completed) << r.message;
		for (std::size_t i = 0; i < r.steps.size(); i++)
			EXPECT_TRUE(r.steps[i].outcome.success()) << i << ": " << outcome_of(r, i);
	}
}

/* The worker is a fresh program, not a copy of a large caller. */
TEST(RunAll, WorkerIsReexecuted)
{
	Worker w;
	ASSERT_TRUE(w.error().empty()) << w.error();
	std::ifstream in("/proc/" + std::to_string(w.pid()) + "/cmdline");
	std::string cmdline;

	std::getline(in, cmdline, '\0');
	EXPECT_EQ(cmdline, "lockstep-worker");
}

} // namespace
} // namespace lockstep::exec::test

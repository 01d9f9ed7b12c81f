// SPDX-License-Identifier: GPL-2.0-only
/*
 * Several tasks: fork, thread, signals between them, fd passing.
 */
#include "exec_test_util.h"

#include <cerrno>

namespace lockstep::exec::test {
namespace {

class TasksTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		if (!worker_.error().empty())
			GTEST_SKIP() << "worker: " << worker_.error();
		if (probe_kernel().profile.abi < 6)
			GTEST_SKIP() << "needs Landlock ABI >= 6 (scopes)";
	}

	TraceRun run(std::string_view text)
	{
		TraceRun r = worker_.run(parse(text));

		EXPECT_EQ(r.status, TraceRun::Status::completed) << r.message;
		return r;
	}

	Worker worker_;
};

TEST_F(TasksTest, SignalScopeBetweenProcesses)
{
	const TraceRun r = run(R"(
main: set_no_new_privs
main: fork child
main: r = create_ruleset scoped=signal
main: restrict_self r
main: kill child
child: kill main
main: kill main
)");
	EXPECT_EQ(r.steps[4].outcome, Outcome::error(EPERM));
	EXPECT_EQ(r.steps[5].outcome, Outcome::ok(0));
	EXPECT_EQ(r.steps[6].outcome, Outcome::ok(0));
}

/* Erratum 2: threads of one process may always signal each other. */
TEST_F(TasksTest, ThreadsSignalEachOtherAcrossDomains)
{
	const Profile p = probe_kernel().profile;

	if (p.erratum(2) != Erratum::fixed)
		GTEST_SKIP() << "erratum 2 is not fixed here";
	const TraceRun r = run(R"(
main: set_no_new_privs
main: thread t
t: r = create_ruleset scoped=signal
t: restrict_self r
t: tkill main
t: kill main
main: tkill t
)");
	EXPECT_EQ(r.steps[4].outcome, Outcome::ok(0));
	EXPECT_EQ(r.steps[5].outcome, Outcome::ok(0));
	EXPECT_EQ(r.steps[6].outcome, Outcome::ok(0));
}

TEST_F(TasksTest, NamesArePerProcess)
{
	const TraceRun r = run(R"(
dir  /a
file /a/f
main: f = open /a/f rdonly
main: fork child
main: thread t
main: g = open /a/f rdonly
child: read f
child: read g
t: read g
)");
	EXPECT_EQ(r.steps[4].outcome, Outcome::ok(1));
	/* g was bound in main's process after the fork. */
	EXPECT_EQ(r.steps[5].outcome, Outcome::error(EBADF));
	EXPECT_NE(r.steps[5].note.find("not bound"), std::string::npos) << r.steps[5].note;
	EXPECT_EQ(r.steps[6].outcome, Outcome::ok(1));
}

TEST_F(TasksTest, PassFd)
{
	const TraceRun r = run(R"(
dir  /a
file /a/f
main: fork child
main: r = create_ruleset fs=read_file
main: restrict_self r
child: f = open /a/f rdonly
child: g = pass_fd f to main
main: read g
main: h = pass_fd -1 to child
child: read h
main: x = open /a/f rdonly
)");
	EXPECT_EQ(r.steps[4].outcome, Outcome::ok());
	/* Landlock checks at open time: a passed fd keeps working. */
	EXPECT_EQ(r.steps[5].outcome, Outcome::ok(1));
	EXPECT_EQ(r.steps[6].outcome, Outcome::error(EBADF));
	EXPECT_EQ(r.steps[7].outcome, Outcome::error(EBADF));
	EXPECT_EQ(r.steps[8].outcome, Outcome::error(EACCES));
}

TEST_F(TasksTest, ForkFromAThread)
{
	const TraceRun r = run(R"(
main: thread t
t: fork child
child: set_no_new_privs
child: r = create_ruleset scoped=signal
child: restrict_self r
child: kill main
main: kill child
)");
	EXPECT_EQ(r.steps[5].outcome, Outcome::error(EPERM));
	EXPECT_EQ(r.steps[6].outcome, Outcome::ok(0));
}

TEST_F(TasksTest, AbstractUnixScope)
{
	const TraceRun r = run(R"(
main: s = socket unix_dgram
main: bind s @srv
main: fork child
child: set_no_new_privs
child: r = create_ruleset scoped=abstract_unix_socket
child: restrict_self r
child: c = socket unix_dgram
child: connect c @srv
child: sendto c @srv
main: sendto s @srv
)");
	EXPECT_EQ(r.steps[7].outcome, Outcome::error(EPERM));
	EXPECT_EQ(r.steps[8].outcome, Outcome::error(EPERM));
	EXPECT_EQ(r.steps[9].outcome, Outcome::ok(1));
}

/*
 * [trace.bind] The errata query returns a mask, not an fd: its name is fd -1
 * (close gives EBADF), although fd 7 (the mask of errata 1 to 3) is open.
 */
TEST_F(TasksTest, ErrataQueryNameIsNotAnFd)
{
	if (probe_kernel().profile.abi < 7)
		GTEST_SKIP() << "needs Landlock ABI >= 7 (the errata query)";
	const TraceRun r = run(R"(
main: e = create_ruleset flags=errata attr=null
main: f = open / path
main: g = dup f
main: h = dup f
main: i = dup f
main: j = dup f
main: close e
)");
	/* Errata 1 to 3 (mask 7) at least; fds 3 to 7 are f, g, h, i, j. */
	ASSERT_GE(r.steps[0].outcome.value.value_or(0), 7);
	EXPECT_EQ(r.steps[5].outcome, Outcome::ok(7));
	EXPECT_EQ(r.steps[6].outcome, Outcome::error(EBADF));
}

} // namespace
} // namespace lockstep::exec::test

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Steps that never return: the trace times out in time, and every process
 * of the trace is gone afterwards.
 */
#include "exec_test_util.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <thread>

namespace lockstep::exec::test {
namespace {

using namespace std::chrono_literals;

ExecOptions fast()
{
	ExecOptions o;

	o.step_timeout = 300ms;
	o.trace_timeout = 2000ms;
	return o;
}

/*
 * Runs @text while a thread watches the worker's children: returns the
 * run, and (in @group) the process group of the trace's main.
 */
TraceRun run_watched(Worker &w, std::string_view text, pid_t &group)
{
	std::atomic<bool> stop{false};
	std::atomic<pid_t> seen{0};
	const pid_t worker = w.pid();
	std::thread watcher([&] {
		while (!stop && !seen)
			for (pid_t p : children_of(worker))
				seen = p; /* main, the leader of its group */
	});
	const TraceRun r = w.run(parse(text));

	stop = true;
	watcher.join();
	group = seen;
	return r;
}

void expect_no_survivors(Worker &w, pid_t group)
{
	/* The next run starts after the last trace is reaped. */
	w.run(parse("main: create_ruleset flags=version\n"));
	EXPECT_TRUE(group_members(group).empty()) << "process group " << group;
	EXPECT_TRUE(children_of(w.pid()).empty());
}

TEST(Timeout, ReadOfAnEmptyPipeBlocks)
{
	Worker w(fast());
	pid_t group = 0;

	ASSERT_TRUE(w.error().empty()) << w.error();
	const auto start = std::chrono::steady_clock::now();
	const TraceRun r = run_watched(w, R"(
main: fork child
main: thread t
child: thread u
main: p = pipe
main: read p
main: close p
)",
				       group);
	const auto took = std::chrono::steady_clock::now() - start;

	EXPECT_EQ(r.status, TraceRun::Status::timeout) << r.message;
	ASSERT_EQ(r.steps.size(), 6u);
	EXPECT_EQ(r.steps[3].status, StepRun::Status::done);
	EXPECT_EQ(r.steps[4].status, StepRun::Status::timeout);
	EXPECT_EQ(r.steps[4].outcome, Outcome::error(err_blocked));
	EXPECT_EQ(r.steps[5].status, StepRun::Status::not_reached);
	EXPECT_NE(r.message.find("step 5"), std::string::npos) << r.message;
	EXPECT_LT(took, 1500ms);
	EXPECT_GE(took, 300ms);
	ASSERT_GT(group, 0) << "main was never seen";
	expect_no_survivors(w, group);
}

/* A hang in a forked process, in the middle of a batch of its steps. */
TEST(Timeout, HangInAForkedTask)
{
	Worker w(fast());
	pid_t group = 0;

	ASSERT_TRUE(w.error().empty()) << w.error();
	const TraceRun r = run_watched(w, R"(
dir  /d
fifo /d/p
main: fork child
child: set_no_new_privs
child: f = open /d/p rdonly
child: close f
)",
				       group);
	EXPECT_EQ(r.status, TraceRun::Status::timeout) << r.message;
	EXPECT_EQ(r.steps[1].outcome, Outcome::ok(0));
	EXPECT_EQ(r.steps[2].status, StepRun::Status::timeout);
	EXPECT_EQ(r.steps[3].status, StepRun::Status::not_reached);
	ASSERT_GT(group, 0);
	expect_no_survivors(w, group);
}

/* Each step has its own timeout, even in a batch of one task's steps. */
TEST(Timeout, TraceTimeoutBoundsManySteps)
{
	ExecOptions o;

	o.step_timeout = 1000ms;
	o.trace_timeout = 400ms;
	Worker w(o);
	ASSERT_TRUE(w.error().empty()) << w.error();
	const auto start = std::chrono::steady_clock::now();
	const TraceRun r = w.run(parse("main: p = pipe\nmain: read p\n"));

	EXPECT_EQ(r.status, TraceRun::Status::timeout);
	EXPECT_LT(std::chrono::steady_clock::now() - start, 900ms);
}

TEST(Timeout, WorkerKeepsWorkingAfterATimeout)
{
	Worker w(fast());

	ASSERT_TRUE(w.error().empty()) << w.error();
	w.run(parse("main: p = pipe\nmain: read p\n"));
	const TraceRun r = w.run(parse("main: create_ruleset flags=version\n"));
	EXPECT_EQ(r.status, TraceRun::Status::completed) << r.message;
	EXPECT_TRUE(r.steps[0].outcome.success());
}

} // namespace
} // namespace lockstep::exec::test

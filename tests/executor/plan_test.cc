// SPDX-License-Identifier: GPL-2.0-only
/*
 * The checks made before a trace runs (kernel/executor/plan.h).
 */
#include "exec_test_util.h"
#include "kernel/executor/plan.h"

namespace lockstep::exec::test {
namespace {

Profile abi(int n)
{
	Profile p;

	p.abi = n;
	return p;
}

TEST(Plan, UnsafePaths)
{
	EXPECT_FALSE(unsafe_path("/", false));
	EXPECT_FALSE(unsafe_path("/a/b", false));
	EXPECT_FALSE(unsafe_path("b/c", true));
	EXPECT_FALSE(unsafe_path("a..b/..c", true));
	EXPECT_TRUE(unsafe_path("..", true));
	EXPECT_TRUE(unsafe_path("a/..", true));
	EXPECT_TRUE(unsafe_path("/a/../b", false));
	EXPECT_TRUE(unsafe_path("/a", true));
	EXPECT_TRUE(unsafe_path("a", false));
	EXPECT_TRUE(unsafe_path(std::string("/a\0b", 4), false));
}

TEST(Plan, TasksAreNumberedInOrderOfCreation)
{
	const Trace t = parse(R"(
main: fork a
a: thread b
b: kill main
main: tkill b
)");
	const Plan p = make_plan(t, abi(7), true);

	EXPECT_FALSE(p.error);
	EXPECT_FALSE(p.skip);
	EXPECT_EQ(p.task_names, (std::vector<std::string>{"main", "a", "b"}));
	EXPECT_EQ(p.actor, (std::vector<int>{0, 1, 2, 0}));
	EXPECT_EQ(p.other, (std::vector<int>{1, 2, 0, 2}));
}

TEST(Plan, Requirements)
{
	const Trace newer = parse("requires abi >= 9\nmain: set_no_new_privs\n");
	const Trace older = parse("requires abi <= 5\nmain: set_no_new_privs\n");
	const Trace sup = parse("requires supervisor\nmain: set_no_new_privs\n");
	const Trace root = parse("requires root\nmain: drop_caps\n");

	EXPECT_EQ(make_plan(newer, abi(7), true).skip, "needs Landlock ABI >= 9 (kernel has 7)");
	EXPECT_FALSE(make_plan(newer, abi(9), true).skip);
	EXPECT_EQ(make_plan(older, abi(7), true).skip, "needs Landlock ABI <= 5 (kernel has 7)");
	EXPECT_TRUE(make_plan(sup, abi(11), true).skip);
	EXPECT_FALSE(make_plan(sup, abi(12), true).skip);
	EXPECT_FALSE(make_plan(root, abi(7), true).skip);
	EXPECT_TRUE(make_plan(root, abi(7), false).skip);
}

TEST(Plan, ModelOnlyTraces)
{
	const Trace model = parse("requires model needs a pause point\nmain: set_no_new_privs\n");

	EXPECT_EQ(make_plan(model, abi(7), true).skip, "model only: needs a pause point");

	Trace paused = parse("dir /a\nmain: f = open /a rdonly\n");
	paused.steps[0].pause = 1;
	EXPECT_EQ(make_plan(paused, abi(7), true).skip,
		  "interleaving points are model-only (pause/resume)");
}

TEST(Plan, PrivilegedSteps)
{
	const Trace mount = parse("dir /m\nmain: mount tmpfs /m\n");
	const Trace chr = parse("dir /d\nmain: mknod /d/c char 1:3\n");
	const Trace blk = parse("dir /d\nmain: mknod /d/b block 7:0\n");
	const Trace wo = parse("dir /d\nmain: mknod /d/w whiteout\n");

	EXPECT_EQ(make_plan(mount, abi(7), false).skip, "needs root: mount");
	EXPECT_TRUE(make_plan(mount, abi(7), true).has_mounts);
	EXPECT_EQ(make_plan(chr, abi(7), false).skip, "needs root: mknod char");
	EXPECT_EQ(make_plan(blk, abi(7), false).skip, "needs root: mknod block");
	EXPECT_FALSE(make_plan(wo, abi(7), false).skip);
}

TEST(Plan, TooManySteps)
{
	Trace t;

	t.steps.resize(max_steps + 1, Step{{}, "main", "", SetNoNewPrivs{}, {}, {}});
	EXPECT_TRUE(make_plan(t, abi(7), true).error);
}

} // namespace
} // namespace lockstep::exec::test

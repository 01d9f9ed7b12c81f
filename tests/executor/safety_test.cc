// SPDX-License-Identifier: GPL-2.0-only
/*
 * A trace can never reach outside its root: the parser refuses such traces,
 * and the executor refuses them again when they are built by hand.
 */
#include "exec_test_util.h"

#include <filesystem>

namespace lockstep::exec::test {
namespace {

class SafetyTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		if (!worker_.error().empty())
			GTEST_SKIP() << "worker: " << worker_.error();
	}

	void expect_refused(const Trace &t, const std::string &why)
	{
		const TraceRun r = worker_.run(t);

		EXPECT_EQ(r.status, TraceRun::Status::setup_error) << r.message;
		EXPECT_NE(r.message.find(why), std::string::npos) << r.message;
		for (const auto &s : r.steps)
			EXPECT_EQ(s.status, StepRun::Status::not_reached);
	}

	Worker worker_;
};

Trace with_tree(std::vector<TreeEntry> tree)
{
	Trace t;

	t.name = "unsafe";
	t.tree = std::move(tree);
	t.steps.push_back(Step{{}, "main", "", SetNoNewPrivs{}, {}, {}});
	return t;
}

Trace with_step(Op op)
{
	Trace t;

	t.name = "unsafe";
	t.steps.push_back(Step{{}, "main", "", std::move(op), {}, {}});
	return t;
}

TEST_F(SafetyTest, TreeSymlinkTargetWithDotDot)
{
	expect_refused(with_tree({TreeNode{NodeKind::symlink, "/l", "../x", false, 1, 3, {}}}),
		       "'..'");
}

TEST_F(SafetyTest, TreeSymlinkTargetAbsolute)
{
	expect_refused(with_tree({TreeNode{NodeKind::symlink, "/l", "/etc", false, 1, 3, {}}}),
		       "must be relative");
}

TEST_F(SafetyTest, TreePathWithDotDot)
{
	expect_refused(with_tree({TreeNode{NodeKind::dir, "/a/../../x", "", false, 1, 3, {}}}),
		       "'..'");
}

TEST_F(SafetyTest, TreePathRelative)
{
	expect_refused(with_tree({TreeNode{NodeKind::file, "x", "", false, 1, 3, {}}}),
		       "must start with '/'");
}

TEST_F(SafetyTest, BindMountSourceOutside)
{
	expect_refused(with_tree({TreeNode{NodeKind::dir, "/m", "", false, 1, 3, {}},
				  TreeMount{MountKind::bind, "/../../etc", "/m", {}}}),
		       "'..'");
}

TEST_F(SafetyTest, StepSymlinkTarget)
{
	expect_refused(with_step(Symlink{PathRef{"/l", ""}, "../../x"}), "'..'");
}

TEST_F(SafetyTest, StepPaths)
{
	expect_refused(with_step(Open{PathRef{"/../etc/passwd", ""}, 0, 0}), "'..'");
	expect_refused(with_step(Open{PathRef{"etc/passwd", ""}, 0, 0}), "must start with '/'");
	expect_refused(with_step(Open{PathRef{"/x", "D"}, 0, 0}), "must be relative");
	expect_refused(with_step(Rename{PathRef{"/a", ""}, PathRef{"/../b", ""}, 0}), "'..'");
	expect_refused(with_step(Mount{MountKind::bind, PathRef{"/..", ""}, PathRef{"/m", ""}}),
		       "'..'");
	SockAddr a;

	a.family = AddrFamily::unix_path;
	a.path = PathRef{"/../s", ""};
	expect_refused(with_step(Bind{FdRef{"", -1}, a}), "'..'");
}

TEST_F(SafetyTest, UnknownTask)
{
	Trace t = with_step(SetNoNewPrivs{});

	t.steps[0].task = "ghost";
	expect_refused(t, "task 'ghost'");
}

TEST_F(SafetyTest, NothingWasCreatedOutside)
{
	const auto parent = std::filesystem::path(worker_.scratch_dir()).parent_path();

	worker_.run(with_tree({TreeNode{NodeKind::file, "/../lockstep-escape", "", false, 1, 3, {}}}));
	EXPECT_FALSE(std::filesystem::exists(parent / "lockstep-escape"));
}

} // namespace
} // namespace lockstep::exec::test

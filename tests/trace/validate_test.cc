// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the static checks: names, paths, symlink targets, scopes.
 */
#include "conformance/trace/validate.h"

#include <gtest/gtest.h>

namespace lockstep::trace {
namespace {

TEST(Validate, Names)
{
	EXPECT_TRUE(is_name("r1"));
	EXPECT_TRUE(is_name("_x"));
	EXPECT_TRUE(is_name("Main_2"));
	EXPECT_FALSE(is_name(""));
	EXPECT_FALSE(is_name("1r"));
	EXPECT_FALSE(is_name("a-b"));
	EXPECT_FALSE(is_name("a:"));
}

TEST(Validate, AbsolutePathsAccepted)
{
	EXPECT_FALSE(check_absolute_path("/"));
	EXPECT_FALSE(check_absolute_path("/a"));
	EXPECT_FALSE(check_absolute_path("/a/b.c/..d"));
}

TEST(Validate, AbsolutePathProblemsPointAtTheComponent)
{
	EXPECT_EQ(check_absolute_path("a/b"),
		  (Problem{0, "expected an absolute path ('/a/b')"}));
	EXPECT_EQ(check_absolute_path("/a/../b"),
		  (Problem{3, "expected a path without '..' components: a trace "
			      "cannot name anything outside its root"}));
	EXPECT_EQ(check_absolute_path("/a/./b"),
		  (Problem{3, "expected a path without '.' components"}));
	EXPECT_EQ(check_absolute_path("/a//b"),
		  (Problem{3, "expected a path without empty components ('//')"}));
	EXPECT_EQ(check_absolute_path("//"),
		  (Problem{1, "expected a path without empty components ('//')"}));
	EXPECT_EQ(check_absolute_path("/a/b/"),
		  (Problem{4, "expected a path without a trailing '/'"}));
	EXPECT_EQ(check_absolute_path("/.."),
		  (Problem{1, "expected a path without '..' components: a trace "
			      "cannot name anything outside its root"}));
}

TEST(Validate, RelativePaths)
{
	EXPECT_FALSE(check_relative_path("b"));
	EXPECT_FALSE(check_relative_path("b/c"));
	EXPECT_EQ(check_relative_path("")->offset, 0u);
	EXPECT_EQ(check_relative_path("b/..")->offset, 2u);
	EXPECT_EQ(check_relative_path("/b")->offset, 0u);
	EXPECT_EQ(check_relative_path("b/")->offset, 1u);
}

TEST(Validate, SymlinkTargets)
{
	EXPECT_FALSE(check_symlink_target("f"));
	EXPECT_FALSE(check_symlink_target("d/f"));
	EXPECT_FALSE(check_symlink_target("./f"));
	EXPECT_FALSE(check_symlink_target("..f"));
	EXPECT_EQ(check_symlink_target("")->offset, 0u);
	EXPECT_EQ(check_symlink_target("/etc/passwd")->offset, 0u);
	EXPECT_EQ(check_symlink_target("d/../f")->offset, 2u);
	EXPECT_EQ(check_symlink_target("..")->offset, 0u);
	EXPECT_EQ(check_symlink_target("d/..")->offset, 2u);
}

TEST(Validate, ParentPath)
{
	EXPECT_EQ(parent_path("/a"), "/");
	EXPECT_EQ(parent_path("/a/b"), "/a");
	EXPECT_EQ(parent_path("/a/b/c"), "/a/b");
}

TEST(Validate, TasksMainExistsOthersOnceCreated)
{
	Scope scope;

	EXPECT_FALSE(scope.use_task("main"));
	EXPECT_TRUE(scope.use_task("child"));
	EXPECT_FALSE(scope.add_task("child"));
	EXPECT_FALSE(scope.use_task("child"));
	EXPECT_EQ(scope.add_task("child"),
		  "task 'child' already exists: expected a new name");
	EXPECT_TRUE(scope.add_task("main"));
}

TEST(Validate, FdNamesMustBeBoundAndMayBeRebound)
{
	Scope scope;

	EXPECT_EQ(scope.use_fd("r"),
		  "unknown fd 'r': expected a name bound by an earlier step "
		  "('r = ...') or a number");
	scope.bind_fd("r");
	EXPECT_FALSE(scope.use_fd("r"));
	scope.bind_fd("r");
	EXPECT_FALSE(scope.use_fd("r"));
}

TEST(Validate, TreeParentsFirst)
{
	Scope scope;

	EXPECT_EQ(scope.add_node("/a/f", NodeKind::file),
		  "expected parent directory '/a' to be declared (dir) before '/a/f'");
	EXPECT_FALSE(scope.add_node("/a", NodeKind::dir));
	EXPECT_FALSE(scope.add_node("/a/f", NodeKind::file));
	EXPECT_EQ(scope.add_node("/a/f", NodeKind::fifo),
		  "'/a/f' is already declared: expected a new path");
	EXPECT_EQ(scope.add_node("/a/f/g", NodeKind::file),
		  "expected parent '/a/f' to be a dir, not a file");
	EXPECT_EQ(scope.add_node("/", NodeKind::dir),
		  "'/' is already declared: expected a new path");
}

TEST(Validate, MountPointsAreDirs)
{
	Scope scope;

	EXPECT_FALSE(scope.use_dir("/"));
	EXPECT_EQ(scope.use_dir("/m"), "expected a declared dir: '/m' is not declared");
	ASSERT_FALSE(scope.add_node("/s", NodeKind::symlink));
	EXPECT_EQ(scope.use_dir("/s"), "expected a dir: '/s' is a symlink");
}

} // namespace
} // namespace lockstep::trace

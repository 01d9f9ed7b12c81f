// SPDX-License-Identifier: GPL-2.0-only
/*
 * Refer: link, rename and exchange, and the choice between EXDEV and
 * EACCES (SPEC.md chapter 9).
 */
#include "tests/model/model_test_util.h"

#include <gtest/gtest.h>

#include <string>

namespace lockstep {
namespace {

using testing::at_abi;
using testing::last;
using testing::profile;

const std::string tree = "dir /a\nfile /a/f\nfile /a/h\ndir /a/d\n"
			 "dir /b\nfile /b/g\ndir /b/e\n";

const std::string handled = "read_file,make_reg,make_dir,remove_file,remove_dir,refer";

/* @tree and a sandbox granting @on_a on /a and @on_b on /b ("0": none). */
std::string sandbox(const std::string &on_a, const std::string &on_b)
{
	std::string t = tree + "main: set_no_new_privs\n"
			       "main: r = create_ruleset fs=" + handled + "\n";

	if (on_a != "0")
		t += "main: add_rule r path_beneath /a fs=" + on_a + "\n";
	if (on_b != "0")
		t += "main: add_rule r path_beneath /b fs=" + on_b + "\n";
	return t + "main: restrict_self r\n";
}

// [refer.same_dir] Make and remove rights, no refer.
TEST(Refer, SameDirectoryNeedsNoRefer)
{
	EXPECT_PINS(Profile{}, sandbox("make_reg,remove_file", "0") +
				       "main: rename /a/f /a/n => ok\n"
				       "main: rename /a/n /a/h => ok\n"
				       "main: rename /a/d /a/x => EACCES\n");
	EXPECT_PINS(Profile{}, sandbox("make_dir,remove_dir", "0") +
				       "main: rename /a/d /a/x => ok\n"
				       "main: rename /a/f /a/n => EACCES\n");
	EXPECT_PINS(Profile{}, sandbox("make_reg", "0") + "main: rename /a/f /a/n => EACCES\n");
	EXPECT_PINS(Profile{}, sandbox("remove_file", "0") + "main: rename /a/f /a/n => EACCES\n");
}

// [refer.same_dir] The replaced object's remove right is needed too.
TEST(Refer, SameDirectoryReplacingNeedsItsRemoveRight)
{
	/* A file onto a directory: remove_dir for the directory... */
	EXPECT_PINS(Profile{}, sandbox("make_reg,remove_file", "0") +
				       "main: rename /a/f /a/d => EACCES\n");
	/* ...and once Landlock allows it, the VFS refuses (EISDIR). */
	EXPECT_PINS(Profile{}, sandbox("make_reg,remove_file,remove_dir", "0") +
				       "main: rename /a/f /a/d => EISDIR\n");
}

// [refer.cross_dir] Refer on both sides, make on the destination, remove on the source.
TEST(Refer, AcrossDirectoriesEachSideNeedsItsRights)
{
	EXPECT_PINS(Profile{}, sandbox("remove_file,refer", "make_reg,refer") +
				       "main: rename /a/f /b/n => ok\n");
	EXPECT_PINS(Profile{}, sandbox("remove_file", "make_reg,refer") +
				       "main: rename /a/f /b/n => EXDEV\n");
	EXPECT_PINS(Profile{}, sandbox("remove_file,refer", "make_reg") +
				       "main: rename /a/f /b/n => EXDEV\n");
	EXPECT_PINS(Profile{}, sandbox("refer", "make_reg,refer") +
				       "main: rename /a/f /b/n => EACCES\n");
	EXPECT_PINS(Profile{}, sandbox("remove_file,refer", "refer") +
				       "main: rename /a/f /b/n => EACCES\n");
	/* Replacing /b/g needs remove_file on /b too. */
	EXPECT_PINS(Profile{}, sandbox("remove_file,refer", "make_reg,refer") +
				       "main: rename /a/f /b/g => EACCES\n");
	EXPECT_PINS(Profile{}, sandbox("remove_file,refer", "make_reg,remove_file,refer") +
				       "main: rename /a/f /b/g => ok\n");
}

// [refer.cross_dir] Both sides are walked up to the common mount root.
TEST(Refer, RightsComeFromEachSideAncestors)
{
	EXPECT_PINS(Profile{}, tree + "main: set_no_new_privs\n"
				      "main: r = create_ruleset fs=" + handled + "\n"
				      "main: add_rule r path_beneath / fs=refer\n"
				      "main: add_rule r path_beneath /a fs=remove_file\n"
				      "main: add_rule r path_beneath /b/e fs=make_reg\n"
				      "main: restrict_self r\n"
				      "main: rename /a/f /b/e/n => ok\n"
				      "main: rename /a/h /b/n => EACCES\n");
}

// [refer.no_gain] A file may not gain rights by moving.
TEST(Refer, MovedFileMustNotGainRights)
{
	/* /b grants read_file, /a does not: f would gain it. */
	EXPECT_PINS(Profile{}, sandbox("remove_file,refer", "make_reg,refer,read_file") +
				       "main: rename /a/f /b/n => EXDEV\n"
				       "main: link /a/f /b/n => EXDEV\n");
	/* The other way round f loses read_file: allowed. */
	EXPECT_PINS(Profile{}, sandbox("remove_file,refer,read_file", "make_reg,refer") +
				       "main: rename /a/f /b/n => ok\n");
}

// [refer.no_gain] The object's own rule counts as what it had.
TEST(Refer, OwnRuleCountsForTheSource)
{
	EXPECT_PINS(Profile{}, tree + "main: set_no_new_privs\n"
				      "main: r = create_ruleset fs=" + handled + "\n"
				      "main: add_rule r path_beneath /a fs=remove_file,refer\n"
				      "main: add_rule r path_beneath /a/f fs=read_file\n"
				      "main: add_rule r path_beneath /b fs=make_reg,refer,read_file\n"
				      "main: restrict_self r\n"
				      "main: rename /a/f /b/n => ok\n"
				      "main: rename /a/h /b/m => EXDEV\n");
}

// [refer.no_gain] Only file rights count for a file, all for a directory.
TEST(Refer, DirectoriesCompareEveryRight)
{
	/* /b grants make_dir, which /a denies: a directory would gain it. */
	EXPECT_PINS(Profile{}, sandbox("remove_file,remove_dir,refer",
				       "make_reg,make_dir,refer") +
				       "main: rename /a/f /b/n => ok\n"
				       "main: rename /a/d /b/x => EXDEV\n");
	EXPECT_PINS(Profile{}, sandbox("remove_file,remove_dir,refer,make_dir,make_reg",
				       "make_reg,make_dir,refer") +
				       "main: rename /a/d /b/x => ok\n");
}

// [refer.exdev] EACCES takes precedence over EXDEV.
TEST(Refer, EaccesBeatsExdev)
{
	/* refer and remove_file missing on /a, gain on /b: still EACCES. */
	EXPECT_PINS(Profile{}, sandbox("0", "make_reg,refer,read_file") +
				       "main: rename /a/f /b/n => EACCES\n");
	/* Only refer missing: EXDEV. */
	EXPECT_PINS(Profile{}, sandbox("remove_file", "make_reg") +
				       "main: rename /a/f /b/n => EXDEV\n");
}

// [refer.exdev] Every layer is checked: the worst one decides.
TEST(Refer, SecondLayerMissingReferIsExdev)
{
	EXPECT_PINS(Profile{}, sandbox("make_reg,remove_file,refer", "make_reg,refer") +
				       "main: r2 = create_ruleset fs=make_reg,remove_file\n"
				       "main: add_rule r2 path_beneath / fs=make_reg,remove_file\n"
				       "main: restrict_self r2\n"
				       "main: rename /a/f /b/n => EXDEV\n"
				       "main: rename /a/h /a/n => ok\n");
}

// [refer.exchange] Each side needs the make right of what arrives.
TEST(Refer, ExchangeChecksBothObjects)
{
	EXPECT_PINS(Profile{}, sandbox("make_reg,remove_file,refer", "make_reg,remove_file,refer") +
				       "main: rename /a/f /b/g exchange => ok\n");
	EXPECT_PINS(Profile{}, sandbox("make_reg,remove_file,refer", "remove_file,refer") +
				       "main: rename /a/f /b/g exchange => EACCES\n");
	EXPECT_PINS(Profile{}, sandbox("remove_file,refer", "make_reg,remove_file,refer") +
				       "main: rename /a/f /b/g exchange => EACCES\n");
	/* A file and a directory: make_dir where the directory arrives. */
	const std::string full = "make_reg,make_dir,remove_file,remove_dir,refer";
	EXPECT_PINS(Profile{}, sandbox(full, full) + "main: rename /a/f /b/e exchange => ok\n");
	EXPECT_PINS(Profile{}, sandbox("make_reg,remove_file,remove_dir,refer", full) +
				       "main: rename /a/f /b/e exchange => EACCES\n");
}

// [refer.exchange] Neither object may gain rights.
TEST(Refer, ExchangeChecksGainBothWays)
{
	const std::string both = "make_reg,remove_file,refer";

	/* A plain rename /b/g -> /a is fine, but /b/g arriving in /a gains read_file. */
	EXPECT_PINS(Profile{}, sandbox(both + ",read_file", both) +
				       "main: rename /b/g /a/n => EXDEV\n"
				       "main: rename /a/f /b/n => ok\n");
	EXPECT_PINS(Profile{}, sandbox(both + ",read_file", both) +
				       "main: rename /a/f /b/g exchange => EXDEV\n");
	EXPECT_PINS(Profile{}, sandbox(both, both + ",read_file") +
				       "main: rename /a/f /b/g exchange => EXDEV\n");
}

// [refer.exchange] Within one directory.
TEST(Refer, ExchangeInOneDirectory)
{
	EXPECT_PINS(Profile{}, sandbox("make_reg,remove_file", "0") +
				       "main: rename /a/f /a/h exchange => ok\n"
				       "main: rename /a/f /a/d exchange => EACCES\n");
}

// [refer.whiteout] make_reg for the whiteout, since erratum 4.
TEST(Refer, WhiteoutRenameNeedsMakeRegSinceErratum4)
{
	const std::string same = sandbox("make_reg,remove_file", "0") +
				 "main: rename /a/f /a/n whiteout\n";
	const std::string cross = sandbox("remove_file,refer", "make_reg,refer") +
				  "main: rename /a/f /b/n whiteout\n";

	EXPECT_EQ(last(same, profile("errata=1+2+3+4")), "ok");
	EXPECT_EQ(last(same, profile("errata=1+2+3")), "ok");
	EXPECT_EQ(last(cross, profile("errata=1+2+3+4")), "EACCES");
	EXPECT_EQ(last(cross, profile("errata=1+2+3")), "ok");
	EXPECT_EQ(last(cross, profile("errata=1+2+3+?4")), "EACCES|ok");
}

// [refer.link] link needs make on the destination, refer across directories.
TEST(Refer, LinkNeedsNoRemoveRight)
{
	EXPECT_PINS(Profile{}, sandbox("refer", "make_reg,refer") +
				       "main: link /a/f /b/n => ok\n");
	EXPECT_PINS(Profile{}, sandbox("0", "make_reg,refer") +
				       "main: link /a/f /b/n => EXDEV\n");
	EXPECT_PINS(Profile{}, sandbox("refer", "refer") + "main: link /a/f /b/n => EACCES\n");
	EXPECT_PINS(Profile{}, sandbox("make_reg", "0") + "main: link /a/f /a/n => ok\n"
							  "main: link /b/g /b/n => EACCES\n");
}

// [refer.abi1] Reparenting is impossible at ABI 1.
TEST(Refer, Abi1CannotReparent)
{
	const std::string t = tree + "main: set_no_new_privs\n"
				     "main: r = create_ruleset fs=make_reg,remove_file\n"
				     "main: add_rule r path_beneath / fs=make_reg,remove_file\n"
				     "main: restrict_self r\n";

	EXPECT_PINS(at_abi(1), t + "main: rename /a/f /b/n => EXDEV\n"
				   "main: link /a/f /b/m => EXDEV\n"
				   "main: rename /a/f /a/n => ok\n"
				   "main: rename /a/d /b/x => EXDEV\n");
	/* Another right missing: EACCES. */
	EXPECT_PINS(at_abi(1), tree + "main: set_no_new_privs\n"
				      "main: r = create_ruleset fs=make_reg,remove_file\n"
				      "main: add_rule r path_beneath / fs=make_reg\n"
				      "main: restrict_self r\n"
				      "main: rename /a/f /b/n => EACCES\n");
	EXPECT_EQ(last("main: create_ruleset fs=refer\n", at_abi(1)), "EINVAL");
}

} // namespace
} // namespace lockstep

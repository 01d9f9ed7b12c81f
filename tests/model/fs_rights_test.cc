// SPDX-License-Identifier: GPL-2.0-only
/*
 * Each filesystem right on the operation it guards, the optional rights
 * decided at open time, and mount topology (SPEC.md chapters 7, 8, 10).
 */
#include "tests/model/model_test_util.h"

#include <gtest/gtest.h>

#include <string>

namespace lockstep {
namespace {

using testing::at_abi;
using testing::last;
using testing::profile;

const std::string tree = "dir /a\nfile /a/f\ndir /a/d\ndir /b\nfile /b/f\n"
			 "file /a/p exec\nchardev /a/null\n";

/* @tree, then a sandbox handling @handled that grants @granted on /a. */
std::string sandbox(const std::string &handled, const std::string &granted)
{
	std::string t = tree + "main: set_no_new_privs\n"
			       "main: r = create_ruleset fs=" + handled + "\n";

	if (granted != "0")
		t += "main: add_rule r path_beneath /a fs=" + granted + "\n";
	return t + "main: restrict_self r\n";
}

/* ---- 7. Filesystem rights on the operations they guard ---- */

// [fs.open] Read and write modes.
TEST(FsRights, OpenNeedsReadAndWriteRights)
{
	EXPECT_PINS(Profile{}, sandbox("read_file,write_file", "read_file") +
				       "main: f1 = open /a/f rdonly => ok\n"
				       "main: f2 = open /a/f wronly => EACCES\n"
				       "main: f3 = open /a/f rdwr => EACCES\n"
				       "main: f4 = open /b/f rdonly => EACCES\n"
				       "main: f5 = open /a/f wronly append => EACCES\n");
	EXPECT_PINS(Profile{}, sandbox("read_file,write_file", "read_file,write_file") +
				       "main: f1 = open /a/f rdwr => ok\n"
				       "main: f2 = open /a/f wronly => ok\n");
}

// [fs.open] O_WRONLY|O_RDWR asks for no right; rules on a file count.
TEST(FsRights, OpenAccmode3AndRulesOnFiles)
{
	EXPECT_PINS(Profile{}, tree + "main: set_no_new_privs\n"
				      "main: r = create_ruleset fs=read_file,write_file\n"
				      "main: add_rule r path_beneath /b/f fs=write_file\n"
				      "main: restrict_self r\n"
				      "main: f1 = open /a/f accmode3 => ok\n"
				      "main: f2 = open /b/f wronly => ok\n"
				      "main: f3 = open /b/f rdonly => EACCES\n");
}

// [fs.read_dir]
TEST(FsRights, OpeningADirectoryNeedsReadDir)
{
	EXPECT_PINS(Profile{}, sandbox("read_file,read_dir", "read_file") +
				       "main: d = open /a rdonly directory => EACCES\n"
				       "main: e = open /a/d rdonly => EACCES\n");
	EXPECT_PINS(Profile{}, sandbox("read_file,read_dir", "read_dir") +
				       "main: d = open /a/d rdonly directory => ok\n"
				       "main: readdir d => ok\n"
				       "main: f = open /a/f rdonly => EACCES\n");
}

// [fs.open.path]
TEST(FsRights, OpathIsNotChecked)
{
	EXPECT_PINS(at_abi(9), sandbox("all", "0") + "main: f = open /a/f path => ok\n"
						     "main: d = open /a path directory => ok\n"
						     "main: g = open /a/f rdonly => EACCES\n");
}

// [fs.read] read, write and getdents are decided at open time.
TEST(FsRights, ReadWriteReaddirAreNotChecked)
{
	EXPECT_PINS(Profile{}, tree + "main: f = open /a/f rdwr\n"
				      "main: d = open /a rdonly directory\n"
				      "main: set_no_new_privs\n"
				      "main: r = create_ruleset fs=read_file,write_file,read_dir\n"
				      "main: restrict_self r\n"
				      "main: read f => ok\n"
				      "main: write f => ok\n"
				      "main: readdir d => ok\n"
				      "main: g = open /a/f rdonly => EACCES\n");
}

// [fs.read] getdents on a directory removed since it was opened: ENOENT.
TEST(FsRights, ReaddirOfRemovedDirectoryIsEnoent)
{
	EXPECT_PINS(Profile{}, "dir /d\n"
			       "dir /d/e\n"
			       "main: f = open /d/e rdonly directory\n"
			       "main: readdir f => ok\n"
			       "main: rmdir /d/e\n"
			       "main: readdir f => ENOENT\n");
}

// [fs.exec] execute and read_file.
TEST(FsRights, ExecNeedsExecuteAndReadFile)
{
	EXPECT_PINS(Profile{}, sandbox("execute,read_file", "execute") +
				       "main: exec /a/p => EACCES\n");
	EXPECT_PINS(Profile{}, sandbox("execute,read_file", "read_file") +
				       "main: exec /a/p => EACCES\n");
	EXPECT_PINS(Profile{}, sandbox("execute,read_file", "execute,read_file") +
				       "main: exec /a/p => ok\n");
	EXPECT_PINS(Profile{}, sandbox("execute", "execute") + "main: exec /a/p => ok\n");
	EXPECT_PINS(Profile{}, sandbox("execute", "0") + "main: exec /a/p => EACCES\n");
}

/* Each way to create a name, and the right it needs on the parent. */
struct Maker {
	const char *right;
	const char *step;
};

const Maker makers[] = {
	{"make_dir", "main: mkdir /a/n"},
	{"make_reg", "main: mknod /a/n reg"},
	{"make_reg", "main: x = open /a/n wronly creat"},
	{"make_fifo", "main: mknod /a/n fifo"},
	{"make_sock", "main: mknod /a/n sock"},
	{"make_sock", "main: s = socket unix_stream\nmain: bind s /a/n"},
	{"make_char", "main: mknod /a/n char 1:3"},
	{"make_block", "main: mknod /a/n block 7:0"},
	{"make_sym", "main: symlink /a/n -> f"},
};

const char *all_make = "make_dir,make_reg,make_fifo,make_sock,make_char,make_block,make_sym";

// [fs.make] Each creation needs its own right, and only that one.
TEST(FsRights, EachCreationNeedsItsMakeRight)
{
	for (const auto &m : makers)
		for (const auto &granted : makers) {
			const bool same = std::string(m.right) == granted.right;

			EXPECT_EQ(last(sandbox(all_make, granted.right) + m.step + "\n"),
				  same ? "ok" : "EACCES")
				<< m.step << " with " << granted.right << " granted";
		}
}

// [fs.make] The right is checked on the parent, not on the new name.
TEST(FsRights, MakeIsCheckedOnTheParent)
{
	EXPECT_PINS(Profile{}, sandbox(all_make, "make_dir") + "main: mkdir /a/d/e => ok\n"
							       "main: mkdir /b/e => EACCES\n");
}

// [fs.remove]
TEST(FsRights, RemoveFileAndRemoveDir)
{
	EXPECT_PINS(Profile{}, sandbox("remove_file,remove_dir", "remove_file") +
				       "main: unlink /a/f => ok\n"
				       "main: rmdir /a/d => EACCES\n"
				       "main: unlink /b/f => EACCES\n");
	EXPECT_PINS(Profile{}, sandbox("remove_file,remove_dir", "remove_dir") +
				       "main: rmdir /a/d => ok\n"
				       "main: unlink /a/f => EACCES\n");
}

// [fs.truncate]
TEST(FsRights, TruncateNeedsTruncate)
{
	EXPECT_PINS(at_abi(3), sandbox("truncate,write_file", "write_file") +
				       "main: truncate /a/f => EACCES\n");
	EXPECT_PINS(at_abi(3), sandbox("truncate,write_file", "truncate") +
				       "main: truncate /a/f => ok\n"
				       "main: truncate /b/f => EACCES\n");
	/* Before ABI 3, truncation cannot be restricted. */
	EXPECT_PINS(at_abi(2), sandbox("write_file", "0") + "main: truncate /a/f => ok\n");
}

/* A listening pathname socket /a/sock created by main, unsandboxed. */
const std::string unix_server = "main: srv = socket unix_stream\n"
				"main: bind srv /a/sock\n"
				"main: listen srv\n";

// [fs.resolve_unix]
TEST(FsRights, ConnectingToPathnameSocketNeedsResolveUnix)
{
	const std::string head = tree + unix_server + "main: fork child\n"
						      "child: set_no_new_privs\n"
						      "child: r = create_ruleset fs=resolve_unix\n";

	EXPECT_PINS(at_abi(9), head + "child: restrict_self r\n"
				      "child: c = socket unix_stream\n"
				      "child: connect c /a/sock => EACCES\n");
	EXPECT_PINS(at_abi(9), head + "child: add_rule r path_beneath /a fs=resolve_unix\n"
				      "child: restrict_self r\n"
				      "child: c = socket unix_stream\n"
				      "child: connect c /a/sock => ok\n");
	/* Datagrams too. */
	EXPECT_PINS(at_abi(9), tree + "main: dg = socket unix_dgram\n"
				      "main: bind dg /a/dsock\n"
				      "main: fork child\n"
				      "child: set_no_new_privs\n"
				      "child: r = create_ruleset fs=resolve_unix\n"
				      "child: restrict_self r\n"
				      "child: u = socket unix_dgram\n"
				      "child: sendto u /a/dsock => EACCES\n");
	EXPECT_EQ(last("main: create_ruleset fs=resolve_unix\n", at_abi(8)), "EINVAL");
}

// [fs.resolve_unix] A server of the same domain is reachable without rule.
TEST(FsRights, ResolveUnixSkipsLayersSharedWithTheServer)
{
	const std::string head = tree + "main: set_no_new_privs\n"
					"main: r = create_ruleset fs=resolve_unix,make_sock\n"
					"main: add_rule r path_beneath /a fs=make_sock\n"
					"main: restrict_self r\n" +
				 unix_server;

	EXPECT_PINS(at_abi(9), head + "main: c = socket unix_stream\n"
				      "main: connect c /a/sock => ok\n");
	/* A nested domain shares layer 1 only: layer 2 needs a rule. */
	EXPECT_PINS(at_abi(9), head + "main: fork child\n"
				      "child: r2 = create_ruleset fs=resolve_unix\n"
				      "child: restrict_self r2\n"
				      "child: c = socket unix_stream\n"
				      "child: connect c /a/sock => EACCES\n");
	EXPECT_PINS(at_abi(9), head + "main: fork child\n"
				      "child: r2 = create_ruleset fs=resolve_unix\n"
				      "child: add_rule r2 path_beneath /a fs=resolve_unix\n"
				      "child: restrict_self r2\n"
				      "child: c = socket unix_stream\n"
				      "child: connect c /a/sock => ok\n");
}

// [erratum.4] mknod of a whiteout.
TEST(FsRights, WhiteoutNeedsMakeCharBeforeErratum4MakeRegAfter)
{
	const std::string reg = sandbox("make_reg,make_char", "make_reg") +
				"main: mknod /a/w whiteout\n";
	const std::string chr = sandbox("make_reg,make_char", "make_char") +
				"main: mknod /a/w whiteout\n";

	EXPECT_EQ(last(reg, profile("errata=1+2+3+4")), "ok");
	EXPECT_EQ(last(reg, profile("errata=1+2+3")), "EACCES");
	EXPECT_EQ(last(chr, profile("errata=1+2+3+4")), "EACCES");
	EXPECT_EQ(last(chr, profile("errata=1+2+3")), "ok");
	EXPECT_EQ(last(chr, profile("errata=1+2+3+?4")), "EACCES|ok");
}

/* ---- 8. Optional rights decided at open time ---- */

// [fs.optional] ftruncate uses the right recorded at open.
TEST(FsOptional, FtruncateUsesTheOpenTimeDecision)
{
	EXPECT_PINS(at_abi(3), sandbox("write_file,truncate", "write_file") +
				       "main: f = open /a/f wronly\n"
				       "main: ftruncate f => EACCES\n");
	EXPECT_PINS(at_abi(3), sandbox("write_file,truncate", "write_file,truncate") +
				       "main: f = open /a/f wronly\n"
				       "main: ftruncate f => ok\n");
	/* Opened before the sandbox: every right. */
	EXPECT_PINS(at_abi(3), tree + "main: f = open /a/f wronly\n"
				      "main: set_no_new_privs\n"
				      "main: r = create_ruleset fs=write_file,truncate\n"
				      "main: restrict_self r\n"
				      "main: ftruncate f => ok\n"
				      "main: truncate /a/f => EACCES\n");
}

// [fs.optional] The decision travels with the file.
TEST(FsOptional, TheDecisionTravelsWithTheFile)
{
	const std::string head = tree + "main: fork child\n"
					"main: set_no_new_privs\n"
					"main: r = create_ruleset fs=write_file,truncate\n"
					"main: add_rule r path_beneath /a fs=write_file\n"
					"main: restrict_self r\n";

	/* Opened sandboxed: denied even to an unsandboxed holder. */
	EXPECT_PINS(at_abi(3), head + "main: f = open /a/f wronly\n"
				      "main: g = dup f\n"
				      "main: ftruncate g => EACCES\n"
				      "main: h = pass_fd f to child\n"
				      "child: ftruncate h => EACCES\n");
	/* Opened unsandboxed: allowed even to a sandboxed holder. */
	EXPECT_PINS(at_abi(3), head + "child: f = open /a/f wronly\n"
				      "child: h = pass_fd f to main\n"
				      "main: ftruncate h => ok\n");
}

// [fs.optional] A right no layer handles is recorded as allowed.
TEST(FsOptional, UnhandledOptionalRightsAreRecorded)
{
	EXPECT_PINS(at_abi(3), sandbox("write_file", "write_file") +
				       "main: f = open /a/f wronly\n"
				       "main: ftruncate f => ok\n");
	EXPECT_PINS(at_abi(2), sandbox("write_file", "write_file") +
				       "main: f = open /a/f wronly\n"
				       "main: ftruncate f => ok\n");
}

// [fs.truncate.open]
TEST(FsOptional, OpenWithOtruncNeedsTruncate)
{
	EXPECT_PINS(at_abi(3), sandbox("read_file,write_file,truncate,make_reg",
				       "read_file,write_file,make_reg") +
				       "main: f1 = open /a/f wronly trunc => EACCES\n"
				       "main: f2 = open /a/f wronly => ok\n"
				       /* A new file is not truncated. */
				       "main: f3 = open /a/n wronly creat trunc => ok\n"
				       /* creat(2) of an existing file truncates it. */
				       "main: f4 = open /a/f wronly creat trunc => EACCES\n");
	/* Truncating needs no write_file. */
	EXPECT_PINS(at_abi(3), sandbox("read_file,write_file,truncate", "read_file,truncate") +
				       "main: f = open /a/f rdonly trunc => ok\n");
}

// [fs.ioctl] Devices opened without ioctl_dev.
TEST(FsOptional, DeviceIoctlNeedsIoctlDev)
{
	EXPECT_PINS(at_abi(5), sandbox("read_file,ioctl_dev", "read_file") +
				       "main: n = open /a/null rdonly => ok\n"
				       "main: ioctl n fionread => EACCES\n"
				       "main: f = open /a/f rdonly\n"
				       "main: ioctl f fionread => ok\n");
	EXPECT_PINS(at_abi(5), sandbox("read_file,ioctl_dev", "read_file,ioctl_dev") +
				       "main: n = open /a/null rdonly\n"
				       "main: ioctl n fionread => ENOTTY\n");
	/* Before ABI 5, ioctl cannot be restricted. */
	EXPECT_PINS(at_abi(4), sandbox("read_file", "read_file") +
				       "main: n = open /a/null rdonly\n"
				       "main: ioctl n fionread => ENOTTY\n");
	EXPECT_EQ(last("main: create_ruleset fs=ioctl_dev\n", at_abi(4)), "EINVAL");
}

// [fs.ioctl.masked]
TEST(FsOptional, SomeIoctlsAreAlwaysAllowed)
{
	EXPECT_PINS(at_abi(5), sandbox("read_file,ioctl_dev", "read_file") +
				       "main: n = open /a/null rdonly\n"
				       "main: ioctl n fioclex => ok\n"
				       "main: ioctl n fionclex => ok\n"
				       "main: ioctl n fionbio => ok\n"
				       "main: ioctl n fioasync => ok\n"
				       "main: ioctl n fiqsize => ENOTTY\n"
				       "main: ioctl n figetbsz => ok\n"
				       "main: ioctl n fionread => EACCES\n"
				       "main: ioctl n tcgets => EACCES\n");
}

/* ---- 10. Mount topology ---- */

// [fs.topology]
TEST(FsTopology, SandboxedTasksCannotMountOrUnmount)
{
	const std::string head = "dir /m\ndir /n\nmount tmpfs /n\nmain: set_no_new_privs\n";

	EXPECT_PINS(Profile{}, head + "main: r = create_ruleset fs=read_file\n"
				      "main: restrict_self r\n"
				      "main: mount tmpfs /m => EPERM\n"
				      "main: mount bind /n /m => EPERM\n"
				      "main: umount /n => EPERM\n");
	/* Handling no fs right does not prevent it. */
	EXPECT_PINS(Profile{}, head + "main: r = create_ruleset net=bind_tcp scoped=signal\n"
				      "main: restrict_self r\n"
				      "main: mount tmpfs /m => ok\n"
				      "main: umount /n => ok\n");
}

} // namespace
} // namespace lockstep

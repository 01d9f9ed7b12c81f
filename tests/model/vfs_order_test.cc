// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFS error ordering per operation: which errors come before Landlock's
 * check and which after (SPEC.md chapter 15).
 */
#include "tests/model/model_test_util.h"

#include <gtest/gtest.h>

#include <string>

namespace lockstep {
namespace {

using testing::at_abi;
using testing::last;
using testing::profile;

const std::string tree = "dir /a\nfile /a/f\ndir /a/d\nfile /a/d/x\ndir /a/e\n"
			 "symlink /a/l -> l\nsymlink /a/s -> f\nfifo /a/p\n"
			 "file /a/x exec\nfile /a/n\ndir /m\nmount tmpfs /m\n";

/* Every fs right of ABI 7 ("all" would add resolve_unix, of ABI 9). */
const std::string abi7_fs = "execute,write_file,read_file,read_dir,remove_dir,remove_file,"
			    "make_char,make_dir,make_reg,make_sock,make_fifo,make_block,"
			    "make_sym,refer,truncate,ioctl_dev";

/* @tree and a sandbox handling every fs right of ABI 7, granting @granted on /. */
std::string sandbox(const std::string &granted)
{
	std::string t = tree + "main: set_no_new_privs\n"
			       "main: r = create_ruleset fs=" + abi7_fs + " => ok\n";

	if (granted != "0")
		t += "main: add_rule r path_beneath / fs=" + granted + "\n";
	return t + "main: restrict_self r\n";
}

// [vfs.resolve] Resolution errors come before any Landlock check.
TEST(VfsOrder, ResolutionErrorsFirst)
{
	EXPECT_PINS(Profile{}, sandbox("0") + "main: f1 = open /a/f/x rdonly => ENOTDIR\n"
					      "main: f2 = open /a/nope/x rdonly => ENOENT\n"
					      "main: f3 = open /a/nope rdonly => ENOENT\n"
					      "main: f4 = open /a/l rdonly => ELOOP\n"
					      "main: mkdir /a/nope/d => ENOENT\n"
					      "main: unlink /a/f/x => ENOTDIR\n");
}

// [vfs.resolve] Final symlinks: followed or not, as the operation says.
TEST(VfsOrder, FinalSymlinks)
{
	EXPECT_PINS(Profile{}, tree + "main: f1 = open /a/s rdonly => ok\n"
				      "main: f2 = open /a/s rdonly nofollow => ELOOP\n"
				      "main: f3 = open /a/s path nofollow => ok\n"
				      "main: d = open /a/d rdonly directory\n"
				      "main: f4 = open $d/x rdonly => ok\n"
				      "main: g = open /a/f rdonly\n"
				      "main: f5 = open $g/x rdonly => ENOTDIR\n"
				      "main: unlink /a/s => ok\n"
				      "main: f6 = open /a/f rdonly => ok\n");
}

// [vfs.open] Flag and type errors before Landlock's open check.
TEST(VfsOrder, OpenErrorsBeforeLandlock)
{
	EXPECT_PINS(Profile{}, sandbox("0") + "main: f1 = open /a/f rdonly creat excl => EEXIST\n"
					      "main: f2 = open /a rdonly creat => EISDIR\n"
					      "main: f3 = open /a/f rdonly directory => ENOTDIR\n"
					      "main: f4 = open /a wronly => EISDIR\n"
					      "main: f5 = open /a rdonly trunc => EISDIR\n"
					      "main: f6 = open /a/f rdonly creat directory => EINVAL\n"
					      "main: f7 = open /a/new wronly creat => EACCES\n"
					      "main: f8 = open /a/f rdonly => EACCES\n");
	EXPECT_EQ(last(tree + "main: f = open /a/f rdonly creat directory\n", at_abi(3)),
		  "EINVAL|ENOTDIR");
}

// [vfs.open] Socket files, devices and FIFOs fail after Landlock.
TEST(VfsOrder, OpenErrorsAfterLandlock)
{
	const std::string head = tree + "chardev /a/z 0:0\n"
					"main: s = socket unix_stream\n"
					"main: bind s /a/sock\n";

	EXPECT_PINS(Profile{}, head + "main: set_no_new_privs\n"
				      "main: r = create_ruleset fs=read_file,write_file\n"
				      "main: restrict_self r\n"
				      "main: f1 = open /a/sock rdonly => EACCES\n"
				      "main: f2 = open /a/z rdonly => EACCES\n"
				      "main: f3 = open /a/p rdonly nonblock => EACCES\n");
	EXPECT_PINS(Profile{}, head + "main: set_no_new_privs\n"
				      "main: r = create_ruleset fs=read_file,write_file\n"
				      "main: add_rule r path_beneath / fs=read_file,write_file\n"
				      "main: restrict_self r\n"
				      "main: f1 = open /a/sock rdonly => ENXIO\n"
				      "main: f2 = open /a/z rdonly => ENXIO\n"
				      "main: f3 = open /a/p wronly nonblock => ENXIO\n"
				      "main: f4 = open /a/p rdonly nonblock => ok\n");
}

// [vfs.create] EEXIST before Landlock, EPERM for devices after it.
TEST(VfsOrder, CreateErrors)
{
	EXPECT_PINS(Profile{}, sandbox("0") + "main: mkdir /a/d => EEXIST\n"
					      "main: mknod /a/f fifo => EEXIST\n"
					      "main: symlink /a/s -> f => EEXIST\n"
					      "main: mkdir /a/q => EACCES\n");
	EXPECT_PINS(profile("root=0"), sandbox("make_char") + "main: mknod /a/c char 1:3 => EPERM\n");
	EXPECT_PINS(profile("root=0"), sandbox("make_reg") + "main: mknod /a/c char 1:3 => EACCES\n");
	EXPECT_PINS(profile("root=0,errata=1+2+3+4"),
		    sandbox("make_reg") + "main: mknod /a/w whiteout => ok\n");
}

// [vfs.remove] ENOENT before Landlock; type and busy errors after it.
TEST(VfsOrder, RemoveErrors)
{
	EXPECT_PINS(Profile{}, sandbox("0") + "main: unlink /a/nope => ENOENT\n"
					      "main: rmdir /a/nope => ENOENT\n"
					      "main: unlink /a/d => EACCES\n"
					      "main: rmdir /a/f => EACCES\n");
	EXPECT_PINS(Profile{}, sandbox("remove_file,remove_dir") + "main: unlink /a/d => EISDIR\n"
								   "main: rmdir /a/f => ENOTDIR\n"
								   "main: rmdir /a/d => ENOTEMPTY\n"
								   "main: rmdir /m => EBUSY\n"
								   "main: rmdir /a/e => ok\n");
}

// [vfs.root] The trace root cannot be removed.
TEST(VfsOrder, RmdirOfTheRootIsEinval)
{
	EXPECT_PINS(Profile{}, "main: rmdir / => EINVAL\n");
}

// [vfs.rename] Errors before the refer check.
TEST(VfsOrder, RenameErrorsBeforeLandlock)
{
	EXPECT_PINS(Profile{}, sandbox("0") + "main: rename /a/f /a/g noreplace exchange => EINVAL\n"
					      "main: rename /a/f /m/g => EXDEV\n"
					      "main: rename /a/nope /a/g => ENOENT\n"
					      "main: rename /a/f /a/nope exchange => ENOENT\n"
					      "main: rename /a/f /a/n noreplace => EEXIST\n"
					      "main: rename /a /a/d/y => EINVAL\n"
					      "main: rename /a/d/x /a => ENOTEMPTY\n"
					      "main: rename /a/f /a/g => EACCES\n");
}

// [vfs.rename] Errors after the refer check; same inode is a no-op.
TEST(VfsOrder, RenameErrorsAfterLandlock)
{
	const std::string all = "make_reg,make_dir,remove_file,remove_dir,refer";

	EXPECT_PINS(Profile{}, sandbox(all) + "main: rename /a/d /a/f => ENOTDIR\n"
					      "main: rename /a/f /a/e => EISDIR\n"
					      "main: rename /a/e /a/d => ENOTEMPTY\n"
					      "main: link /a/f /a/h\n"
					      "main: rename /a/f /a/h => ok\n"
					      "main: g = open /a/f rdonly => EACCES\n");
	EXPECT_PINS(Profile{}, sandbox("0") + "main: rename /a/d /a/f => EACCES\n");
}

// [vfs.link] ENOENT, EEXIST and EXDEV first; EPERM for a directory after.
TEST(VfsOrder, LinkErrors)
{
	EXPECT_PINS(Profile{}, sandbox("0") + "main: link /a/nope /a/g => ENOENT\n"
					      "main: link /a/f /a/n => EEXIST\n"
					      "main: link /a/f /m/g => EXDEV\n"
					      "main: link /a/d /a/g => EACCES\n");
	EXPECT_PINS(Profile{}, sandbox("make_dir,refer") + "main: link /a/d /a/g => EPERM\n");
}

// [vfs.truncate] truncate(2) and ftruncate(2).
TEST(VfsOrder, TruncateErrors)
{
	EXPECT_PINS(Profile{}, sandbox("0") + "main: truncate /a => EISDIR\n"
					      "main: truncate /a/p => EINVAL\n"
					      "main: truncate /a/f => EACCES\n");
	EXPECT_PINS(Profile{}, tree + "main: p = open /a/f path\n"
				      "main: r = open /a/f rdonly\n"
				      "main: set_no_new_privs\n"
				      "main: s = create_ruleset fs=truncate\n"
				      "main: restrict_self s\n"
				      "main: ftruncate p => EBADF\n"
				      "main: ftruncate r => EINVAL\n"
				      "main: ftruncate 99 => EBADF\n");
}

// [vfs.exec] Permission bits before Landlock, ETXTBSY and ENOEXEC after.
TEST(VfsOrder, ExecErrors)
{
	const auto r = testing::run(sandbox("execute,read_file") + "main: exec /a/f => EACCES\n"
								  "main: exec /a/d => EACCES\n"
								  "main: exec /a/x => ok\n");

	ASSERT_EQ(r.error, "");
	bool mode = false;
	for (const auto &line : r.results[r.results.size() - 3].why)
		mode = mode || line.find("permission bit") != std::string::npos;
	EXPECT_TRUE(mode) << "exec of a 0644 file is refused by the mode, not Landlock";
	EXPECT_PINS(Profile{}, sandbox("execute,read_file,write_file") +
				       "main: w = open /a/x wronly\n"
				       "main: exec /a/x => ETXTBSY\n"
				       "main: close w\n"
				       "main: exec /a/x => ok\n");
	EXPECT_PINS(Profile{}, sandbox("0") + "main: exec /a/x => EACCES\n");
}

// [vfs.mount] mount: Landlock first; umount: capability and EINVAL first.
TEST(VfsOrder, MountErrors)
{
	EXPECT_PINS(profile("root=0"), sandbox("0") + "main: mount tmpfs /a/e => EPERM\n"
						      "main: umount /a/e => EPERM\n");
	EXPECT_PINS(Profile{}, sandbox("0") + "main: umount /a/e => EINVAL\n"
					      "main: umount /m => EPERM\n");
	EXPECT_PINS(Profile{}, tree + "main: f = open /m/g wronly creat\n"
				      "main: umount /m => EBUSY\n"
				      "main: close f\n"
				      "main: umount /m => ok\n");
}

// [vfs.socket] UNIX lookups fail before resolve_unix and the scope.
TEST(VfsOrder, UnixSocketErrorsBeforeLandlock)
{
	const std::string head = tree + "main: dg = socket unix_dgram\n"
					"main: bind dg /a/dsock\n"
					"main: st = socket unix_stream\n"
					"main: bind st @notlistening\n"
					"main: fork child\n"
					"child: set_no_new_privs\n"
					"child: r = create_ruleset fs=resolve_unix "
					"scoped=abstract_unix_socket\n"
					"child: restrict_self r\n";

	EXPECT_PINS(at_abi(9), head + "child: c = socket unix_stream\n"
				      "child: connect c /a/f => ECONNREFUSED\n"
				      "child: connect c /a/nope => ENOENT\n"
				      "child: connect c /a/dsock => EPROTOTYPE\n"
				      "child: connect c @notlistening => ECONNREFUSED\n"
				      "child: connect c @nobody => ECONNREFUSED\n"
				      "child: u = socket unix_dgram\n"
				      "child: connect u /a/dsock => EACCES\n");
}

// [sock.unix.may_send] A connected datagram socket takes datagrams from its peer only.
TEST(VfsOrder, ConnectedDatagramSocketRefusesOthers)
{
	EXPECT_PINS(Profile{}, "main: a = socket unix_dgram\n"
			       "main: bind a @a\n"
			       "main: b = socket unix_dgram\n"
			       "main: bind b @b\n"
			       "main: connect a @b => ok\n"
			       "main: c = socket unix_dgram\n"
			       "main: sendto c @a => EPERM\n"
			       "main: connect c @a => EPERM\n"
			       "main: sendto b @a => ok\n"
			       "main: sendto c @b => ok\n");
}


// [vfs.pipe] Bytes wait in a pipe or an open FIFO; a FIFO's buffer goes with
// its last fd; the read end of pipe(2) takes the lower number.
TEST(VfsOrder, PipeAndFifoBuffers)
{
	EXPECT_PINS(Profile{}, "main: p = pipe\n"
			       "main: read p => BLOCKED\n");
	EXPECT_PINS(Profile{}, "main: p = pipe\n"
			       "main: write 4 => ok\n"
			       "main: write 4 => ok\n"
			       "main: read p => ok\n"
			       "main: read p => ok\n"
			       "main: close 4 => ok\n"
			       "main: read p => ok\n"
			       "main: q = pipe\n"
			       "main: close q => ok\n"
			       "main: write 5 => EPIPE\n");
	EXPECT_PINS(Profile{}, "fifo /q\n"
			       "main: f = open /q rdwr\n"
			       "main: write f => ok\n"
			       "main: close f => ok\n"
			       "main: f = open /q rdwr nonblock\n"
			       "main: read f => EAGAIN\n");
}
} // namespace
} // namespace lockstep

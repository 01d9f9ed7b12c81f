// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the parser's error messages: the exact "FILE:LINE:COL: ..." line
 * for each kind of error.  The prelude (trace_test_util.h) is 8 lines long,
 * so a step appended to it is on line 9.
 */
#include "conformance/trace/parser.h"

#include "trace_test_util.h"

#include <gtest/gtest.h>

namespace lockstep::trace {
namespace {

using testing::error_of;
using testing::prelude;

struct ErrorCase {
	const char *what;
	bool with_prelude;
	const char *text;
	const char *message;
};

void PrintTo(const ErrorCase &c, std::ostream *os) { *os << c.what; }

constexpr std::string_view fs_names =
	"execute, write_file, read_file, read_dir, remove_dir, remove_file, "
	"make_char, make_dir, make_reg, make_sock, make_fifo, make_block, make_sym, "
	"refer, truncate, ioctl_dev, resolve_unix, all or a number";

const std::string fs_name_error =
	"t.trace:9:39: expected an fs access right (" + std::string(fs_names) +
	"), got 'wirte_file'";

const ErrorCase error_cases[] = {
	/* Operations and arguments */
	{"unknown operation", true, "main: opne /a rdonly",
	 "t.trace:9:7: unknown operation 'opne'"},
	{"missing argument", true, "main: close",
	 "t.trace:9:12: expected FD (usage: close FD)"},
	{"extra argument", true, "main: close f g",
	 "t.trace:9:15: expected no more arguments, got 'g' (usage: close FD)"},
	{"tabs count as one column", true, "main:\tclose\tf\tg",
	 "t.trace:9:15: expected no more arguments, got 'g' (usage: close FD)"},
	{"empty step", true, "main:", "t.trace:9:6: expected an operation after 'main:'"},
	{"binding without operation", true, "main: x =",
	 "t.trace:9:10: expected an operation after '='"},
	{"bad open mode", true, "main: x = open /a/f readonly",
	 "t.trace:9:21: expected MODE (rdonly, wronly, rdwr, accmode3 or path), got "
	 "'readonly'"},
	{"bad open flag", true, "main: x = open /a/f rdonly create",
	 "t.trace:9:28: expected an open flag (creat, excl, trunc, directory, "
	 "nofollow, append or nonblock), got 'create'"},
	{"repeated open flag", true, "main: x = open /a/f rdonly creat creat",
	 "t.trace:9:34: 'creat' given twice"},
	{"mknod device on a fifo", true, "main: mknod /a/p fifo 1:3",
	 "t.trace:9:23: expected no more arguments: only char and block devices "
	 "have a MAJ:MIN"},
	{"bad ioctl", true, "main: ioctl f FIONREAD",
	 "t.trace:9:15: expected CMD (fioclex, fionclex, fionbio, fioasync, "
	 "fionread, fiqsize, figetbsz or tcgets), got 'FIONREAD'"},

	/* Tasks and fd names */
	{"unknown task prefix", true, "ghost: pipe",
	 "t.trace:9:1: unknown task 'ghost': expected main or a task created by an "
	 "earlier fork or thread step"},
	{"task created twice", true, "main: fork child",
	 "t.trace:9:12: task 'child' already exists: expected a new name"},
	{"main is created already", false, "main: thread main",
	 "t.trace:1:14: task 'main' already exists: expected a new name"},
	{"bad task name", false, "main: fork 2x",
	 "t.trace:1:12: expected a task name ([A-Za-z_][A-Za-z0-9_]*), got '2x'"},
	{"bad task prefix", false, "1x: pipe",
	 "t.trace:1:1: expected a task name before ':', got '1x:'"},
	{"task used before its fork", false, "child: pipe\nmain: fork child",
	 "t.trace:1:1: unknown task 'child': expected main or a task created by an "
	 "earlier fork or thread step"},
	{"kill of an unknown task", true, "main: kill ghost",
	 "t.trace:9:12: unknown task 'ghost': expected main or a task created by an "
	 "earlier fork or thread step"},
	{"unbound fd", true, "main: close q",
	 "t.trace:9:13: unknown fd 'q': expected a name bound by an earlier step "
	 "('q = ...') or a number"},
	{"fd bound by a later step", false, "main: close r\nmain: r = pipe",
	 "t.trace:1:13: unknown fd 'r': expected a name bound by an earlier step "
	 "('r = ...') or a number"},
	{"a name is bound after its step", false, "main: r = dup r",
	 "t.trace:1:15: unknown fd 'r': expected a name bound by an earlier step "
	 "('r = ...') or a number"},
	{"fd number out of range", true, "main: close 99999999999",
	 "t.trace:9:13: expected an fd number (a 32-bit integer), got '99999999999'"},
	{"binding a non-fd", true, "main: x = close f",
	 "t.trace:9:7: expected no 'NAME =': close does not return a file descriptor"},
	{"bad binding name", true, "main: 1x = pipe",
	 "t.trace:9:7: expected a name before '=' ([A-Za-z_][A-Za-z0-9_]*), got '1x'"},
	{"pass_fd needs a name", true, "main: pass_fd s to child",
	 "t.trace:9:7: expected 'NAME =' before pass_fd: the name it binds in the "
	 "receiving task"},
	{"pass_fd needs 'to'", true, "main: y = pass_fd s child",
	 "t.trace:9:21: expected 'to', got 'child'"},

	/* Paths */
	{"dot-dot component", true, "main: x = open /a/../etc rdonly",
	 "t.trace:9:19: expected a path without '..' components: a trace cannot "
	 "name anything outside its root"},
	{"dot component", true, "main: mkdir /a/./b",
	 "t.trace:9:16: expected a path without '.' components"},
	{"empty component", true, "main: mkdir /a//b",
	 "t.trace:9:16: expected a path without empty components ('//')"},
	{"trailing slash", true, "main: mkdir /a/b/",
	 "t.trace:9:17: expected a path without a trailing '/'"},
	{"relative path without fd", true, "main: mkdir a/b",
	 "t.trace:9:13: expected PATH (/abs or $D/rel), got 'a/b'"},
	{"dollar path with unbound fd", true, "main: mkdir $q/x",
	 "t.trace:9:14: unknown fd 'q': expected a name bound by an earlier step "
	 "('q = ...') or a number"},
	{"dollar path without slash", true, "main: mkdir $d",
	 "t.trace:9:15: expected '/' and a path relative to 'd' ($D/b/c)"},
	{"dollar path without relative part", true, "main: mkdir $d/",
	 "t.trace:9:16: expected a path after '/' ('$D/b/c')"},
	{"dollar path with dot-dot", true, "main: mkdir $d/x/..",
	 "t.trace:9:18: expected a path without '..' components: a trace cannot "
	 "name anything outside its root"},
	{"symlink target with dot-dot", false, "dir /a\nsymlink /a/l -> ../x",
	 "t.trace:2:17: expected a symlink target without '..' components"},
	{"absolute symlink target", true, "main: symlink /a/l -> /etc/passwd",
	 "t.trace:9:23: expected a relative symlink target (relative to the link's "
	 "directory)"},
	{"symlink without arrow", true, "main: symlink /a/l f",
	 "t.trace:9:20: expected '->', got 'f'"},

	/* Masks, numbers, options */
	{"misspelt right", true, "main: x = create_ruleset fs=read_file,wirte_file",
	 fs_name_error.c_str()},
	{"empty mask item", true, "main: x = create_ruleset fs=read_file,",
	 "t.trace:9:39: expected a name after ','"},
	{"unknown option", true, "main: restrict_self r flag=tsync",
	 "t.trace:9:23: unknown argument 'flag=' (usage: restrict_self FD "
	 "[flags=FLAGS])"},
	{"word where an option goes", true, "main: restrict_self r tsync",
	 "t.trace:9:23: expected KEY=VALUE, got 'tsync' (usage: restrict_self FD "
	 "[flags=FLAGS])"},
	{"option given twice", true, "main: restrict_self r flags=0 flags=tsync",
	 "t.trace:9:31: 'flags=' given twice"},
	{"flags above 32 bits", true, "main: restrict_self r flags=0x100000000",
	 "t.trace:9:29: expected a 32-bit value"},
	{"bad size", true, "main: x = create_ruleset size=big",
	 "t.trace:9:31: expected a number from 0 to 18446744073709551615, got 'big'"},
	{"attr other than null", true, "main: x = create_ruleset attr=nul",
	 "t.trace:9:31: expected attr=null, got 'attr=nul'"},
	{"bad rule kind", true, "main: add_rule r path /a",
	 "t.trace:9:18: expected path_beneath, net_port or type=N, got 'path'"},
	{"path_beneath without fs=", true, "main: add_rule r path_beneath /a",
	 "t.trace:9:33: expected fs=MASK (usage: add_rule FD path_beneath "
	 "PATH|fd=FD fs=MASK [flags=FLAGS], add_rule FD net_port PORT net=MASK "
	 "[flags=FLAGS] or add_rule FD type=N [attr=null] [fs=MASK] [net=MASK] "
	 "[port=N] [flags=FLAGS])"},
	{"net_port with an fs mask", true, "main: add_rule r net_port 80 fs=execute",
	 "t.trace:9:30: unknown argument 'fs=' (usage: add_rule FD path_beneath "
	 "PATH|fd=FD fs=MASK [flags=FLAGS], add_rule FD net_port PORT net=MASK "
	 "[flags=FLAGS] or add_rule FD type=N [attr=null] [fs=MASK] [net=MASK] "
	 "[port=N] [flags=FLAGS])"},
	{"raw rule with fs= and net=", true, "main: add_rule r type=3 fs=execute net=bind_tcp",
	 "t.trace:9:36: expected fs= or net=, not both: they set the same "
	 "allowed_access"},
	{"bad rule flag", true, "main: add_rule r net_port 80 net=bind_tcp flags=quite",
	 "t.trace:9:49: expected an add_rule flag (quiet, commit, intersect, all or "
	 "a number), got 'quite'"},

	/* Addresses and signals */
	{"port above 65535", true, "main: bind s 65536",
	 "t.trace:9:14: expected a port from 0 to 65535, got '65536'"},
	{"bad any port", true, "main: bind s any:x",
	 "t.trace:9:18: expected a port from 0 to 65535, got 'x'"},
	{"bad address", true, "main: connect s localhost",
	 "t.trace:9:17: expected ADDR (PORT, any:PORT, unspec:PORT, unspec-any:PORT, "
	 "/path, $D/path or @name), got 'localhost'"},
	{"bad signal", true, "main: kill child sig=TERM",
	 "t.trace:9:22: expected a signal number, got 'TERM'"},

	/* Expected outcomes and pauses */
	{"misspelt errno", true, "main: x = open /a rdonly => EACESS",
	 "t.trace:9:29: expected an outcome (ok, ok(N), N or an errno name such as "
	 "EACCES), got 'EACESS'"},
	{"nothing after the arrow", true, "main: pipe =>",
	 "t.trace:9:14: expected an outcome (ok, ok(N), N or an errno name such as "
	 "EACCES) after '=>'"},
	{"nothing after a bar", true, "main: pipe => EPERM|",
	 "t.trace:9:21: expected an outcome (ok, ok(N), N or an errno name such as "
	 "EACCES) after '|'"},
	{"leading bar", true, "main: pipe => |EPERM",
	 "t.trace:9:15: expected an outcome (ok, ok(N), N or an errno name such as "
	 "EACCES) before '|'"},
	{"missing bar", true, "main: pipe => EPERM EACCES",
	 "t.trace:9:21: expected '|' between outcomes, got 'EACCES'"},
	{"arrow glued to outcome", true, "main: pipe =>EACCES",
	 "t.trace:9:14: expected a space after '=>'"},
	{"pause twice", true, "main: pipe pause=1 pause=2", "t.trace:9:20: 'pause=' given twice"},
	{"bad pause", true, "main: pipe pause=x",
	 "t.trace:9:18: expected a number of path walk steps, got 'x'"},

	/* Sections, header and tree */
	{"header after the first step", true, "requires root",
	 "t.trace:9:1: expected 'TASK:' prefix: header and tree lines must come "
	 "before the first step"},
	{"tree after the first step", true, "dir /z",
	 "t.trace:9:1: expected 'TASK:' prefix: header and tree lines must come "
	 "before the first step"},
	{"header after the tree", false, "dir /a\nrequires root",
	 "t.trace:2:1: expected a tree line or a step: header lines (requires, "
	 "variant) must come before the tree"},
	{"operation without task", false, "open /a rdonly",
	 "t.trace:1:1: expected 'TASK:' prefix before operation 'open' (main: open ...)"},
	{"prefix glued to operation", false, "main:open /a rdonly",
	 "t.trace:1:6: expected a space after 'main:'"},
	{"unknown line", false, "frobnicate /a",
	 "t.trace:1:1: expected a step ('TASK: OPERATION ...'), a header line "
	 "(requires, variant) or a tree line (dir, file, symlink, fifo, chardev, "
	 "mount), got 'frobnicate'"},
	{"bad abi comparison", false, "requires abi > 3",
	 "t.trace:1:14: expected '>=' or '<=', got '>'"},
	{"bad abi number", false, "requires abi >= -1",
	 "t.trace:1:17: expected an ABI version (a number), got '-1'"},
	{"unknown requirement", false, "requires network",
	 "t.trace:1:10: expected abi, root, supervisor or model after 'requires', "
	 "got 'network'"},
	{"model without reason", false, "requires model # none",
	 "t.trace:1:15: expected a reason: why the trace cannot run on a kernel "
	 "(usage: requires abi >= N, requires abi <= N, requires root, requires "
	 "supervisor or requires model REASON...)"},
	{"unknown variant value", false, "variant check=sometimes",
	 "t.trace:1:15: unknown value 'sometimes' for check (known: snapshot, "
	 "per-step)"},
	{"unknown variant", false, "variant color=red",
	 "t.trace:1:9: unknown variant 'color' (known: check, commit, optional, "
	 "acyclic)"},
	{"variant set twice", false, "variant check=snapshot\nvariant check=per-step",
	 "t.trace:2:9: variant 'check' given twice"},
	{"empty variant line", false, "variant",
	 "t.trace:1:8: expected KEY=VALUE (check=, commit=, optional=, acyclic=) "
	 "(usage: variant KEY=VALUE...)"},
	{"tree parent missing", false, "file /a/f",
	 "t.trace:1:6: expected parent directory '/a' to be declared (dir) before "
	 "'/a/f'"},
	{"tree parent not a dir", false, "file /f\nfile /f/g",
	 "t.trace:2:6: expected parent '/f' to be a dir, not a file"},
	{"tree path twice", false, "dir /a\nfifo /a",
	 "t.trace:2:6: '/a' is already declared: expected a new path"},
	{"tree path relative to an fd", false, "dir $d/x",
	 "t.trace:1:5: expected an absolute path ('/a/b')"},
	{"mount on a file", false, "file /f\nmount tmpfs /f",
	 "t.trace:2:13: expected a dir: '/f' is a file"},
	{"bind mount of an undeclared dir", false, "dir /m\nmount bind /s /m",
	 "t.trace:2:12: expected a declared dir: '/s' is not declared"},
	{"bad mount kind", false, "dir /m\nmount proc /m",
	 "t.trace:2:7: expected tmpfs or bind, got 'proc'"},
	{"bad device number", false, "chardev /c 1-3",
	 "t.trace:1:12: expected a device number MAJ:MIN (like 1:3), got '1-3'"},
	{"file with a bad word", false, "file /f exe",
	 "t.trace:1:9: expected 'exec' or end of line, got 'exe'"},
	{"tree line with extra words", false, "dir /a /b",
	 "t.trace:1:8: expected no more arguments, got '/b' (usage: dir PATH)"},
};

class Errors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(Errors, ExactMessage)
{
	const ErrorCase &c = GetParam();
	const std::string text =
		(c.with_prelude ? std::string(prelude) : std::string()) + c.text + "\n";

	EXPECT_EQ(error_of(text), c.message);
}

INSTANTIATE_TEST_SUITE_P(Trace, Errors, ::testing::ValuesIn(error_cases));

TEST(Errors, FormatWithoutPosition)
{
	EXPECT_EQ((ParseError{"x.trace", 0, 0, "cannot read: Permission denied"}).format(),
		  "x.trace: cannot read: Permission denied");
	EXPECT_EQ((ParseError{"x.trace", 3, 7, "expected FD"}).format(),
		  "x.trace:3:7: expected FD");
}

TEST(Errors, FileNameIsTheOneGiven)
{
	const ParseResult r = parse_trace("main: nope\n", "cases/fs/a.trace");

	ASSERT_FALSE(r.ok());
	EXPECT_EQ(r.error().format(), "cases/fs/a.trace:1:7: unknown operation 'nope'");
	EXPECT_EQ(r.error().line, 1);
	EXPECT_EQ(r.error().col, 7);
}

TEST(Errors, FirstErrorWins)
{
	EXPECT_EQ(error_of("main: nope\nmain: close q\n"), "t.trace:1:7: unknown operation 'nope'");
}

TEST(Errors, PreludeItselfParses)
{
	EXPECT_EQ(error_of(prelude), "");
}

} // namespace
} // namespace lockstep::trace

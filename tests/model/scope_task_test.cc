// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scopes (abstract UNIX sockets, signals) across processes and threads,
 * and what tasks inherit (SPEC.md chapters 12 and 13).
 */
#include "tests/model/model_test_util.h"

#include <gtest/gtest.h>

#include <string>

namespace lockstep {
namespace {

using testing::at_abi;
using testing::last;
using testing::profile;

/* @task restricts itself with a ruleset scoping @scope. */
std::string scoped(const std::string &task, const std::string &scope)
{
	return task + ": set_no_new_privs\n" + task + ": s_" + task +
	       " = create_ruleset scoped=" + scope + "\n" + task + ": restrict_self s_" +
	       task + "\n";
}

/* ---- 12. Scopes ---- */

// [scope.signal]
TEST(Scope, SignalOutOfTheDomainIsEperm)
{
	EXPECT_PINS(Profile{}, "main: fork child\n" + scoped("child", "signal") +
				       "child: kill main => EPERM\n"
				       "child: tkill main => EPERM\n"
				       "main: kill child => ok\n"
				       "child: kill child => ok\n");
	EXPECT_EQ(last("main: create_ruleset scoped=signal\n", at_abi(5)), "E2BIG");
	EXPECT_EQ(last("main: create_ruleset scoped=signal size=24\n", at_abi(5)), "E2BIG");
}

// [scope.signal] Another scope does not restrict signals.
TEST(Scope, AbstractUnixScopeDoesNotRestrictSignals)
{
	EXPECT_PINS(Profile{}, "main: fork child\n" + scoped("child", "abstract_unix_socket") +
				       "child: kill main => ok\n");
}

// [scope.hierarchy] Nested domains are reachable, parents and siblings not.
TEST(Scope, NestedDomainsAreInScope)
{
	EXPECT_PINS(Profile{}, scoped("main", "signal") + "main: fork child\n" +
				       scoped("child", "signal") +
				       "main: kill child => ok\n"
				       "child: kill main => EPERM\n");
	EXPECT_PINS(Profile{}, "main: fork c1\nmain: fork c2\n" + scoped("c1", "signal") +
				       scoped("c2", "signal") + "c1: kill c2 => EPERM\n"
							       "c2: kill c1 => EPERM\n"
							       "main: kill c1 => ok\n");
}

// [scope.hierarchy] The deepest layer that scopes decides.
TEST(Scope, DeepestScopingLayerDecides)
{
	/* child adds an unscoped layer below main's scoping one. */
	EXPECT_PINS(Profile{}, scoped("main", "signal") + "main: fork child\n"
							  "child: u = create_ruleset fs=read_file\n"
							  "child: restrict_self u\n"
							  "child: kill main => ok\n"
							  "main: kill child => ok\n");
	/* A sibling in the same scoping domain, each with its own extra layer. */
	EXPECT_PINS(Profile{}, scoped("main", "signal") + "main: fork c1\nmain: fork c2\n"
							  "c1: u = create_ruleset fs=read_file\n"
							  "c1: restrict_self u\n"
							  "c2: v = create_ruleset fs=read_file\n"
							  "c2: restrict_self v\n"
							  "c1: kill c2 => ok\n");
}

/* An abstract stream server @srv and datagram socket @dg, by main. */
const std::string servers = "main: srv = socket unix_stream\n"
			    "main: bind srv @srv\n"
			    "main: listen srv\n"
			    "main: dg = socket unix_dgram\n"
			    "main: bind dg @dg\n";

// [scope.unix]
TEST(Scope, AbstractSocketsOutOfTheDomainAreEperm)
{
	EXPECT_PINS(Profile{}, servers + "main: fork child\n" +
				       scoped("child", "abstract_unix_socket") +
				       "child: c = socket unix_stream\n"
				       "child: connect c @srv => EPERM\n"
				       "child: u = socket unix_dgram\n"
				       "child: sendto u @dg => EPERM\n"
				       "child: connect u @dg => EPERM\n"
				       "main: c2 = socket unix_stream\n"
				       "main: connect c2 @srv => ok\n");
	/* The signal scope does not restrict sockets. */
	EXPECT_PINS(Profile{}, servers + "main: fork child\n" + scoped("child", "signal") +
				       "child: c = socket unix_stream\n"
				       "child: connect c @srv => ok\n");
}

// [scope.unix] A server created inside the domain is reachable.
TEST(Scope, AbstractServerInsideTheDomain)
{
	EXPECT_PINS(Profile{}, "main: fork child\n" + scoped("child", "abstract_unix_socket") +
				       "child: srv = socket unix_stream\n"
				       "child: bind srv @in\n"
				       "child: listen srv\n"
				       "child: c = socket unix_stream\n"
				       "child: connect c @in => ok\n"
				       "main: c2 = socket unix_stream\n"
				       "main: connect c2 @in => ok\n");
}

// [scope.unix] Pathname sockets are not scoped.
TEST(Scope, PathnameSocketsAreNotScoped)
{
	EXPECT_PINS(Profile{}, "dir /a\nmain: srv = socket unix_stream\n"
			       "main: bind srv /a/sock\n"
			       "main: listen srv\n"
			       "main: fork child\n" +
				       scoped("child", "abstract_unix_socket") +
				       "child: c = socket unix_stream\n"
				       "child: connect c /a/sock => ok\n");
}

// [scope.unix.peer] Sends to the connected peer are not checked.
TEST(Scope, ConnectedPeerIsNotRechecked)
{
	EXPECT_PINS(Profile{}, servers + "main: fork child\n"
					 "child: u = socket unix_dgram\n"
					 "child: connect u @dg\n"
					 "child: c = socket unix_stream\n"
					 "child: connect c @srv\n" +
				       scoped("child", "abstract_unix_socket") +
				       "child: sendto u => ok\n"
				       "child: sendto u @dg => ok\n"
				       "child: sendto c => ok\n");
}

// [scope.signal.thread] Threads of one process, erratum 2.
TEST(Scope, ThreadsOfOneProcessSinceErratum2)
{
	const std::string t = "main: thread w\n" + scoped("w", "signal") +
			      "w: tkill main\n";

	EXPECT_EQ(last(t, profile("errata=1+2+3")), "ok");
	EXPECT_EQ(last(t, profile("errata=1+3")), "EPERM");
	EXPECT_EQ(last(t, profile("errata=1+?2+3")), "ok|EPERM");
	/* kill() of the own process: also a thread of the same process. */
	EXPECT_EQ(last("main: thread w\n" + scoped("w", "signal") + "w: kill main\n",
		       profile("errata=1+3")),
		  "EPERM");
	/* The unsandboxed thread may always signal the sandboxed one. */
	EXPECT_EQ(last("main: thread w\n" + scoped("w", "signal") + "main: tkill w\n",
		       profile("errata=1+3")),
		  "ok");
}

// [scope.signal.thread] Other processes are scoped either way.
TEST(Scope, ForkedProcessIsScopedWithOrWithoutErratum2)
{
	const std::string t = "main: fork child\n" + scoped("child", "signal") +
			      "child: thread w\n"
			      "w: kill main\n";

	EXPECT_EQ(last(t, profile("errata=1+2+3")), "EPERM");
	EXPECT_EQ(last(t, profile("errata=1+3")), "EPERM");
	/* The thread inherited the domain: same domain as its process. */
	EXPECT_EQ(last(t + "w: tkill child\n", profile("errata=1+3")), "ok");
}

/* ---- 13. Tasks ---- */

const std::string tree = "dir /a\nfile /a/f\ndir /b\nfile /b/f\n";
const std::string sandbox_a = "main: set_no_new_privs\n"
			      "main: r = create_ruleset fs=read_file\n"
			      "main: add_rule r path_beneath /a fs=read_file\n"
			      "main: restrict_self r\n";

// [task.fork] Domains are inherited at fork, not later.
TEST(Task, ForkInheritsTheDomain)
{
	EXPECT_PINS(Profile{}, tree + "main: fork before\n" + sandbox_a +
				       "main: fork after\n"
				       "after: f = open /b/f rdonly => EACCES\n"
				       "before: g = open /b/f rdonly => ok\n");
}

// [task.fork] A copy of the fd table, sharing the open files.
TEST(Task, ForkCopiesTheFdTable)
{
	EXPECT_PINS(Profile{}, tree + "main: f = open /a/f rdonly\n"
				      "main: fork child\n"
				      "child: read f => ok\n"
				      "child: close f => ok\n"
				      "main: read f => ok\n"
				      "child: g = open /b/f rdonly\n"
				      "main: read g => EBADF\n");
}

// [task.fork] no_new_privs and capabilities are inherited.
TEST(Task, ForkInheritsCredentials)
{
	EXPECT_PINS(profile("root=0"), "main: set_no_new_privs\n"
				       "main: fork child\n"
				       "child: r = create_ruleset fs=read_file\n"
				       "child: restrict_self r => ok\n");
	EXPECT_PINS(profile("root=1"), "main: drop_caps\n"
				       "main: fork child\n"
				       "child: r = create_ruleset fs=read_file\n"
				       "child: restrict_self r => EPERM\n");
}

// [task.thread] Threads share fds; each restricts only itself.
TEST(Task, ThreadsShareFdsNotRestrictions)
{
	EXPECT_PINS(Profile{}, tree + "main: thread w\n"
				      "w: f = open /a/f rdonly\n"
				      "main: read f => ok\n"
				      "w: set_no_new_privs\n"
				      "w: r = create_ruleset fs=read_file\n"
				      "w: restrict_self r\n"
				      "w: g = open /b/f rdonly => EACCES\n"
				      "main: h = open /b/f rdonly => ok\n"
				      "w: thread w2\n"
				      "w2: i = open /b/f rdonly => EACCES\n");
}

// [task.pass_fd] SCM_RIGHTS is not restricted.
TEST(Task, PassingFdsIsNotRestricted)
{
	EXPECT_PINS(Profile{}, tree + "main: fork child\n" + sandbox_a +
				       "child: f = open /b/f rdonly\n"
				       "child: g = pass_fd f to main => ok\n"
				       "main: read g => ok\n"
				       "main: h = open /b/f rdonly => EACCES\n"
				       "main: x = pass_fd 99 to child => EBADF\n"
				       "child: read x => EBADF\n");
}

// [task.fd_number] A closed fd's number is reused by the next open.
TEST(Task, NewFdsTakeTheLowestFreeNumber)
{
	const auto r = testing::run(tree + "main: f = open /a/f rdonly => ok\n"
					   "main: close f => ok\n"
					   "main: g = open /b/f wronly => ok\n"
					   "main: write f => ok\n"
					   "main: h = open /a/f rdonly => ok\n");

	ASSERT_EQ(r.error, "");
	const auto &names = r.model.state().processes[0].names;
	EXPECT_EQ(names.at("f"), 3);
	EXPECT_EQ(names.at("g"), 3);
	EXPECT_EQ(names.at("h"), 4);
	/* f now names the file opened for writing as g. */
	EXPECT_EQ(format_outcomes(r.results[3].allowed), "ok");
}

// [task.creds] Credentials change per thread.
TEST(Task, NoNewPrivsAndCapsArePerThread)
{
	EXPECT_PINS(profile("root=0"), "main: thread w\n"
				       "main: set_no_new_privs\n"
				       "main: r = create_ruleset fs=read_file\n"
				       "w: restrict_self r => EPERM\n"
				       "main: restrict_self r => ok\n");
	EXPECT_PINS(profile("root=1"), "main: thread w\n"
				       "main: drop_caps\n"
				       "main: r = create_ruleset fs=read_file\n"
				       "main: restrict_self r => EPERM\n"
				       "w: restrict_self r => ok\n"
				       "main: mknod /c char 1:3 => EPERM\n");
}

} // namespace
} // namespace lockstep

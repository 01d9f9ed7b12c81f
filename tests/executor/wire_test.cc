// SPDX-License-Identifier: GPL-2.0-only
/*
 * Traces and results survive the trip to the worker process unchanged.
 */
#include "exec_test_util.h"
#include "kernel/executor/wire.h"

#include <set>
#include <sys/socket.h>
#include <thread>

namespace lockstep::exec::test {
namespace {

SockAddr addr()
{
	SockAddr a;

	a.family = AddrFamily::unix_abstract;
	a.port = 8080;
	a.any = true;
	a.path = PathRef{"s", "D"};
	a.name = "name";
	a.addrlen = 7;
	return a;
}

/* One operation of every kind, no field left at its default. */
std::vector<Op> every_op()
{
	const FdRef fd{"f", 3};
	const PathRef path{"/a/b", ""};
	const PathRef rel{"b/c", "D"};

	return {
		CreateRuleset{1, 2, 3, 4, 5, 6, true, true, 64, 7},
		AddRule{fd, 2, rel, FdRef{"", 1000}, 0x44, 65536, 3, true},
		RestrictSelf{fd, 9},
		SetNoNewPrivs{},
		DropCaps{},
		Open{path, 3, 0x7f},
		Close{fd},
		Dup{fd},
		Pipe{},
		Readdir{fd},
		Read{fd},
		Write{fd},
		Truncate{rel},
		Ftruncate{fd},
		Ioctl{fd, IoctlCmd::tcgets},
		Mkdir{path},
		Mknod{rel, MknodKind::blk, 7, 9},
		Symlink{path, "x/y"},
		Link{path, rel},
		Rename{rel, path, 5},
		Unlink{path},
		Rmdir{rel},
		Exec{path},
		Mount{MountKind::bind, rel, path},
		Umount{path},
		Socket{SockKind::mptcp6},
		Bind{fd, addr()},
		Listen{fd},
		Connect{fd, addr()},
		SendTo{fd, addr()},
		Kill{"t", true, 10},
		Fork{"child"},
		Thread{"t"},
		PassFd{fd, "child"},
		GetSupervisee{fd, 4},
		Resume{"t"},
	};
}

Trace big_trace()
{
	Trace t;

	t.name = "everything";
	t.doc = {"line one", "line two"};
	t.requires_.push_back(Requirement{Requirement::Kind::model_only, 3, "why", {4, 5}});
	t.variants = Variants{CheckVariant::per_step, CommitVariant::in_place,
			      OptionalVariant::operation_time, AcyclicVariant::none};
	t.tree.push_back(TreeNode{NodeKind::chardev, "/c", "", true, 4, 5, {1, 2}});
	t.tree.push_back(TreeMount{MountKind::bind, "/a", "/b", {2, 1}});
	for (auto &op : every_op())
		t.steps.push_back(Step{{9, 9}, "t", "n", op,
				       OutcomeSet{Outcome::ok(7), Outcome::error(13)}, 2});
	return t;
}

TEST(Wire, EveryOperationRoundTrips)
{
	const Trace t = big_trace();
	std::set<std::size_t> kinds;
	Trace back;

	for (const auto &s : t.steps)
		kinds.insert(s.op.index());
	EXPECT_EQ(kinds.size(), std::variant_size_v<Op>) << "every_op() misses an operation";
	ASSERT_TRUE(decode(encode(t), back));
	EXPECT_EQ(back, t);
	EXPECT_EQ(back.steps[3].loc.line, 9) << "locations travel too";
}

TEST(Wire, TruncatedOrPaddedInputIsRefused)
{
	const std::string bytes = encode(big_trace());
	Trace back;

	for (std::size_t n = 0; n < bytes.size(); n += 7)
		EXPECT_FALSE(decode(std::string_view(bytes).substr(0, n), back)) << n;
	EXPECT_FALSE(decode(bytes + "x", back));
}

TEST(Wire, ResultsAndHello)
{
	TraceRun r;
	TraceRun back;
	Hello h{"oops", true, Profile{}};
	Hello hback;

	r.status = TraceRun::Status::timeout;
	r.message = "m";
	r.steps = {StepRun{StepRun::Status::done, Outcome::ok(3), "note"},
		   StepRun{StepRun::Status::timeout, Outcome::error(err_blocked), ""}};
	r.seconds = 1.5;
	h.profile.errata[1] = Erratum::unknown;
	ASSERT_TRUE(decode(encode(r), back));
	EXPECT_EQ(back, r);
	ASSERT_TRUE(decode(encode(h), hback));
	EXPECT_EQ(hback, h);
}

TEST(Wire, Framing)
{
	int sv[2];
	std::string got;
	const std::string big(200000, 'b');

	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	Channel a(sv[0]), b(sv[1]);

	EXPECT_EQ(b.receive(got, 0), Channel::Got::timeout);
	EXPECT_EQ(b.receive(got, 20), Channel::Got::timeout);
	EXPECT_TRUE(a.send("hello"));
	EXPECT_TRUE(a.send(""));
	ASSERT_EQ(b.receive(got, -1), Channel::Got::message);
	EXPECT_EQ(got, "hello");
	ASSERT_EQ(b.receive(got, 0), Channel::Got::message) << "already buffered";
	EXPECT_EQ(got, "");
	/* Larger than a socket buffer: sent and read in pieces. */
	std::thread sender([&] { EXPECT_TRUE(a.send(big)); });
	ASSERT_EQ(b.receive(got, 5000), Channel::Got::message);
	sender.join();
	EXPECT_EQ(got, big);
	close(sv[0]);
	EXPECT_EQ(b.receive(got, -1), Channel::Got::eof);
	EXPECT_FALSE(b.send("x")) << "no SIGPIPE, an error";
	close(sv[1]);
}

} // namespace
} // namespace lockstep::exec::test

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the trace printer: canonical form, and print -> parse round trips.
 */
#include "conformance/trace/printer.h"

#include "conformance/trace/parser.h"
#include "trace_test_util.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <random>

namespace lockstep::trace {
namespace {

using testing::parse_ok;
using testing::step_of;

/* Every operation and argument form, in canonical form. */
constexpr std::string_view every_form =
	"# kitchen sink\n"
	"#\n"
	"#  every form of every line\n"
	"\n"
	"requires abi >= 4\n"
	"requires abi <= 11\n"
	"requires root\n"
	"requires supervisor\n"
	"requires model two  walks interleave\n"
	"variant check=per-step commit=in-place optional=operation-time acyclic=none\n"
	"\n"
	"dir /a\n"
	"file /a/f\n"
	"file /a/x exec\n"
	"symlink /a/l -> f\n"
	"symlink /a/m -> ./sub/f\n"
	"fifo /a/p\n"
	"chardev /a/null\n"
	"chardev /a/zero 1:5\n"
	"dir /b\n"
	"mount tmpfs /b\n"
	"mount bind /a /b\n"
	"\n"
	"main: r = create_ruleset fs=execute,read_file net=bind_tcp scoped=signal "
	"quiet_fs=read_file quiet_net=bind_tcp quiet_scoped=abstract_unix_socket\n"
	"main: v = create_ruleset flags=version => ok(7)\n"
	"main: e = create_ruleset attr=null\n"
	"main: e = create_ruleset fs=0 flags=errata\n"
	"main: e = create_ruleset size=0 attr=null\n"
	"main: e = create_ruleset fs=0x100000 size=64 flags=supervisor,0x100 attr=null "
	"trailing=garbage => E2BIG|EINVAL\n"
	"main: e = create_ruleset\n"
	"main: d = open /a path directory\n"
	"main: add_rule r path_beneath /a fs=read_file,read_dir\n"
	"main: add_rule r path_beneath $d/f fs=0 flags=quiet\n"
	"main: add_rule r path_beneath fd=d fs=execute flags=commit\n"
	"main: add_rule -1 path_beneath fd=-1 fs=0x20000\n"
	"main: add_rule r net_port 70000 net=bind_tcp,connect_tcp flags=intersect\n"
	"main: add_rule r type=0 attr=null flags=commit\n"
	"main: add_rule r type=2 attr=null net=bind_tcp port=80\n"
	"main: add_rule r type=7 fs=read_file flags=0x8\n"
	"main: add_rule r type=1 attr=null fs=execute\n"
	"main: restrict_self r flags=log_same_exec_off,log_new_exec_on,log_subdomains_off,"
	"tsync,no_new_privs\n"
	"main: restrict_self -1 => EBADF\n"
	"main: set_no_new_privs\n"
	"main: drop_caps\n"
	"main: f = open /a/f rdonly\n"
	"main: f = open $d/n wronly creat excl trunc directory nofollow append nonblock\n"
	"main: f = open /a rdwr\n"
	"main: f = open /a accmode3 => EINVAL\n"
	"main: f = open /a/p rdonly => BLOCKED\n"
	"main: close f\n"
	"main: g = dup 1000 => EBADF\n"
	"main: p = pipe\n"
	"main: read p\n"
	"main: write p\n"
	"main: readdir d\n"
	"main: truncate /a/f\n"
	"main: ftruncate f\n"
	"main: ioctl f fioclex\n"
	"main: ioctl f fionclex\n"
	"main: ioctl f fionbio\n"
	"main: ioctl f fioasync\n"
	"main: ioctl f fionread\n"
	"main: ioctl f fiqsize\n"
	"main: ioctl f figetbsz\n"
	"main: ioctl f tcgets => ENOTTY\n"
	"main: mkdir /a/dd\n"
	"main: mknod /a/n1 reg\n"
	"main: mknod /a/n2 fifo\n"
	"main: mknod /a/n3 sock\n"
	"main: mknod /a/n4 char\n"
	"main: mknod /a/n5 block 8:0\n"
	"main: mknod /a/n6 whiteout\n"
	"main: symlink /a/s -> f\n"
	"main: link /a/f $d/g\n"
	"main: rename /a/f /b/f\n"
	"main: rename /a/f /b/f noreplace exchange whiteout => EINVAL\n"
	"main: unlink /a/f\n"
	"main: rmdir /a/dd\n"
	"main: exec /a/x\n"
	"main: mount tmpfs /a\n"
	"main: mount bind $d/x /b\n"
	"main: umount /a\n"
	"main: s = socket tcp4\n"
	"main: s = socket tcp6\n"
	"main: s = socket udp4\n"
	"main: s = socket udp6\n"
	"main: s = socket mptcp4\n"
	"main: s = socket mptcp6\n"
	"main: s = socket unix_stream\n"
	"main: s = socket unix_dgram\n"
	"main: s = socket unix_seqpacket\n"
	"main: bind s 8080\n"
	"main: bind s any:0\n"
	"main: connect s unspec:80\n"
	"main: connect s unspec-any:65535 addrlen=16\n"
	"main: bind s /a/sock\n"
	"main: connect s $d/sock addrlen=3\n"
	"main: connect s @name\n"
	"main: listen s\n"
	"main: sendto s\n"
	"main: sendto s @ addrlen=2\n"
	"main: fork child\n"
	"child: thread worker\n"
	"main: kill child\n"
	"worker: tkill main sig=9\n"
	"child: kill main sig=-1 => EINVAL\n"
	"child: y = pass_fd s to main\n"
	"main: close y\n"
	"main: x = get_supervisee r\n"
	"main: x = get_supervisee r flags=0x3 => EINVAL\n"
	"worker: f = open /a/f rdonly pause=3 => EACCES\n"
	"main: resume worker\n";

TEST(Printer, EveryFormIsAFixedPoint)
{
	const Trace t = parse_ok(every_form);

	EXPECT_EQ(print_trace(t), every_form);
}

TEST(Printer, EveryFormRoundTrips)
{
	const Trace t = parse_ok(every_form);
	const Trace again = parse_ok(print_trace(t));

	EXPECT_EQ(again, t);
	/* Not vacuous: traces do differ when a single step does. */
	Trace other = t;
	other.steps.back().task = "child";
	EXPECT_NE(other, t);
}

TEST(Printer, EveryOperationTypeIsCovered)
{
	const Trace t = parse_ok(every_form);
	std::vector<bool> seen(std::variant_size_v<Op>);

	for (const auto &s : t.steps)
		seen[s.op.index()] = true;
	for (std::size_t i = 0; i < seen.size(); i++)
		EXPECT_TRUE(seen[i]) << "no step of Op alternative " << i;
}

TEST(Printer, CanonicalFormReordersAndDropsDefaults)
{
	const Trace t = parse_ok("# doc\n"
				 "dir /a\n"
				 "main: r = create_ruleset flags=0 fs=0x4 size=48\n"
				 "main: add_rule r path_beneath /a flags=0 fs=read_file\n"
				 "main:\tx = open /a pause=0 rdonly => EACCES | EXDEV|EACCES\n"
				 "main: kill main sig=0\n"
				 "main: restrict_self r flags=0\n");

	EXPECT_EQ(print_trace(t), "# doc\n"
				  "\n"
				  "dir /a\n"
				  "\n"
				  "main: r = create_ruleset fs=read_file size=48\n"
				  "main: add_rule r path_beneath /a fs=read_file\n"
				  "main: x = open /a rdonly pause=0 => EACCES|EXDEV\n"
				  "main: kill main\n"
				  "main: restrict_self r\n");
}

TEST(Printer, OnlyFlagsZeroIsPrintedAsAttrNull)
{
	const Step s = step_of("main: x = create_ruleset flags=0");

	EXPECT_EQ(print_step(s), "main: x = create_ruleset attr=null");
}

TEST(Printer, DefaultVariantsStillSayVariant)
{
	const Trace t = parse_ok("variant commit=copy-swap\n");

	EXPECT_EQ(print_trace(t), "variant check=snapshot\n");
	EXPECT_EQ(parse_ok(print_trace(t)), t);
}

TEST(Printer, DocAloneAndEmptyTrace)
{
	EXPECT_EQ(print_trace(parse_ok("# only doc\n#\n")), "# only doc\n#\n");
	EXPECT_EQ(print_trace(parse_ok("")), "");
}

TEST(Printer, OpAndKeyword)
{
	const Op op = Kill{"c", true, 10};

	EXPECT_EQ(print_op(op), "tkill c sig=10");
	EXPECT_EQ(op_keyword(op), "tkill");
	EXPECT_EQ(op_keyword(Op{CreateRuleset{}}), "create_ruleset");
	EXPECT_EQ(op_keyword(Op{SetNoNewPrivs{}}), "set_no_new_privs");
}

TEST(Printer, TreeEntriesAndRequirements)
{
	EXPECT_EQ(print_tree_entry(TreeNode{NodeKind::chardev, "/c", "", false, 0, 0, {}}),
		  "chardev /c 0:0");
	EXPECT_EQ(print_tree_entry(TreeMount{MountKind::bind, "/a", "/b", {}}),
		  "mount bind /a /b");
	EXPECT_EQ(print_requirement(Requirement{Requirement::Kind::abi_at_most, 3, "", {}}),
		  "requires abi <= 3");
}

/* A step built in code, printed, then parsed back after the prelude. */
void expect_round_trip(const Step &step)
{
	const std::string line = print_step(step);
	const Step back = step_of(line);

	EXPECT_EQ(back, step) << line;
	EXPECT_EQ(print_step(back), line);
}

TEST(Printer, RawValuesRoundTrip)
{
	CreateRuleset c;
	AddRule r;
	Step s;

	c.handled_fs = fs::read_file | (1ull << 40);
	c.handled_net = 0xffffffffffffffffull;
	c.scoped = 0x80;
	c.flags = 0x80000000u;
	c.size = 0xffffffffffffffffull;
	s.op = c;
	expect_round_trip(s);
	r.ruleset = FdRef{"", -2147483647 - 1};
	r.type = rule_type::net_port;
	r.port = 0xffffffffffffffffull;
	r.allowed = 1ull << 63;
	r.flags = 0xfffffff8u;
	s.op = r;
	expect_round_trip(s);
	s.op = RestrictSelf{FdRef{"", 2147483647}, 0x100};
	expect_round_trip(s);
	s.op = GetSupervisee{FdRef{"", -1}, 0xffffffffu};
	expect_round_trip(s);
}

TEST(Printer, RawValuesPrintAsHexRemainders)
{
	Step s;

	s.op = CreateRuleset{fs::read_file | 0x100000, 0, 0, 0, 0, 0, false, false,
			     std::nullopt, create_flag::version | 0x40};
	EXPECT_EQ(print_step(s), "main: create_ruleset fs=read_file,0x100000 "
				 "flags=version,0x40");
	s.op = AddRule{FdRef{"", -1}, rule_type::net_port, {}, {}, 0, 65536, 0, false};
	EXPECT_EQ(print_step(s), "main: add_rule -1 net_port 65536 net=0");
}

TEST(Printer, AddRuleThatNoNamedFormHoldsUsesTheRawType)
{
	Step s;
	AddRule r;

	r.ruleset = FdRef{"r", -1};
	r.type = rule_type::path_beneath;
	r.allowed = fs::execute;
	s.op = r; /* no parent at all */
	EXPECT_EQ(print_step(s), "main: add_rule r type=1 fs=execute");
	expect_round_trip(s);
	r.type = rule_type::net_port;
	r.attr_null = true;
	r.port = 443;
	s.op = r;
	EXPECT_EQ(print_step(s), "main: add_rule r type=2 attr=null net=bind_tcp port=443");
	expect_round_trip(s);
}

TEST(Printer, CreateRulesetAttrShapesRoundTrip)
{
	Step s;

	for (int bits = 0; bits < 64; bits++) {
		CreateRuleset c;

		c.attr_null = bits & 1;
		c.flags = (bits & 2) ? create_flag::version : 0;
		if (bits & 4)
			c.size = (bits & 32) ? 0 : 24;
		c.trailing_garbage = bits & 8;
		c.scoped = (bits & 16) ? scope::signal : 0;
		s.op = c;
		expect_round_trip(s);
	}
}

/* Random values in every field the text form can express. */
class RandomSteps {
public:
	explicit RandomSteps(unsigned seed) : rng_(seed) {}

	std::uint64_t u64() { return rng_(); }
	std::uint64_t sparse() { return u64() & u64() & u64(); }
	bool coin() { return u64() & 1; }

	CreateRuleset create_ruleset()
	{
		CreateRuleset c;

		c.handled_fs = coin() ? sparse() : 0;
		c.handled_net = coin() ? sparse() : 0;
		c.scoped = coin() ? sparse() : 0;
		c.quiet_fs = coin() ? sparse() : 0;
		c.quiet_net = coin() ? sparse() : 0;
		c.quiet_scoped = coin() ? sparse() : 0;
		c.trailing_garbage = coin();
		c.attr_null = coin();
		if (coin())
			c.size = u64() % 4 ? u64() % 100 : u64();
		c.flags = coin() ? static_cast<std::uint32_t>(sparse()) : 0;
		return c;
	}

	AddRule add_rule()
	{
		AddRule r;

		r.ruleset = coin() ? FdRef{"r", -1} : FdRef{"", static_cast<int>(u64())};
		r.type = coin() ? static_cast<std::uint32_t>(u64() % 4) : static_cast<std::uint32_t>(u64());
		r.allowed = sparse();
		r.flags = static_cast<std::uint32_t>(sparse());
		r.attr_null = coin();
		r.port = coin() ? u64() % 70000 : 0;
		if (r.type == rule_type::path_beneath && !r.attr_null && !r.port) {
			if (coin())
				r.path = PathRef{"/a/f", ""};
			else
				r.parent = FdRef{"d", -1};
		}
		return r;
	}

	SockAddr addr()
	{
		SockAddr a;

		a.family = static_cast<AddrFamily>(u64() % 4);
		if (a.family == AddrFamily::unix_path)
			a.path = coin() ? PathRef{"/a/s", ""} : PathRef{"s", "d"};
		else if (a.family == AddrFamily::unix_abstract)
			a.name = coin() ? "srv" : "";
		else {
			a.port = static_cast<std::uint16_t>(u64());
			a.any = coin();
		}
		if (coin())
			a.addrlen = static_cast<unsigned>(u64() % 200);
		return a;
	}

private:
	std::mt19937_64 rng_;
};

TEST(Printer, RandomStepsRoundTrip)
{
	RandomSteps gen(20261129);

	for (int i = 0; i < 300; i++) {
		Step s;

		s.op = gen.create_ruleset();
		s.bind = gen.coin() ? "x" : "";
		s.pause = gen.coin() ? std::optional<int>(static_cast<int>(gen.u64() % 9))
				     : std::nullopt;
		expect_round_trip(s);
		s.bind.clear();
		s.op = gen.add_rule();
		expect_round_trip(s);
		s.op = Connect{FdRef{"s", -1}, gen.addr()};
		expect_round_trip(s);
	}
}

TEST(Printer, ExpectationsRoundTrip)
{
	Step s;

	s.op = Pipe{};
	s.expect = OutcomeSet{Outcome::ok(-1), Outcome::error(EPERM), Outcome::ok(),
			      Outcome::error(EOWNERDEAD)};
	EXPECT_EQ(print_step(s), "main: pipe => ok(-1)|EPERM|ok|EOWNERDEAD");
	expect_round_trip(s);
}

} // namespace
} // namespace lockstep::trace

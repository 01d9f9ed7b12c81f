// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the trace parser: what each line form means (model/ops.h).
 */
#include "conformance/trace/parser.h"

#include "trace_test_util.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace lockstep::trace {
namespace {

using testing::error_of;
using testing::parse_ok;
using testing::step_of;

/* The operation of @line (after the prelude) as an @T, failing if it is not. */
template <typename T>
T op_of(std::string_view line)
{
	const Step s = step_of(line);
	const T *op = std::get_if<T>(&s.op);

	EXPECT_NE(op, nullptr) << line;
	return op ? *op : T{};
}

FdRef named(std::string name) { return FdRef{std::move(name), -1}; }
FdRef raw(int fd) { return FdRef{"", fd}; }
PathRef absolute(std::string path) { return PathRef{std::move(path), ""}; }
PathRef at(std::string dir, std::string path) { return PathRef{std::move(path), std::move(dir)}; }

TEST(Parser, LanguageExample)
{
	const Trace t = parse_ok("# fs/read_denied_by_second_layer\n"
				 "#\n"
				 "# Two layers both handle read_file; only the first grants it on /a.\n"
				 "# Expected: the open is denied (EACCES) because layer 2 has no rule.\n"
				 "dir  /a\n"
				 "file /a/f\n"
				 "\n"
				 "main: r1 = create_ruleset fs=read_file\n"
				 "main: add_rule r1 path_beneath /a fs=read_file\n"
				 "main: restrict_self r1 flags=0\n"
				 "main: r2 = create_ruleset fs=read_file\n"
				 "main: restrict_self r2\n"
				 "main: f = open /a/f rdonly => EACCES\n",
				 "read_denied_by_second_layer");

	EXPECT_EQ(t.name, "read_denied_by_second_layer");
	EXPECT_EQ(t.doc, (std::vector<std::string>{
				 "fs/read_denied_by_second_layer", "",
				 "Two layers both handle read_file; only the first grants it on /a.",
				 "Expected: the open is denied (EACCES) because layer 2 has no rule."}));
	ASSERT_EQ(t.tree.size(), 2u);
	EXPECT_EQ(std::get<TreeNode>(t.tree[0]).path, "/a");
	EXPECT_EQ(std::get<TreeNode>(t.tree[1]).kind, NodeKind::file);
	ASSERT_EQ(t.steps.size(), 6u);
	EXPECT_EQ(t.steps[0].bind, "r1");
	EXPECT_EQ(t.steps[0].loc.line, 8);
	EXPECT_EQ(t.steps[5].task, "main");
	EXPECT_EQ(t.steps[5].expect, OutcomeSet(Outcome::error(EACCES)));
	EXPECT_FALSE(t.steps[4].expect);
}

TEST(Parser, NameDefaultsToTheFileStem)
{
	EXPECT_EQ(trace_name("cases/fs/two_layers.trace"), "two_layers");
	EXPECT_EQ(trace_name("two_layers.trace"), "two_layers");
	EXPECT_EQ(trace_name("dir/notes.txt"), "notes.txt");
	EXPECT_EQ(parse_trace("", "x/y/z.trace").trace().name, "z");
	EXPECT_EQ(parse_trace("", "x/y/z.trace", "fs/z").trace().name, "fs/z");
}

TEST(Parser, DocIsOnlyTheFirstCommentBlock)
{
	const Trace t = parse_ok("\n# first\n# block\n\n# not doc\ndir /a # nor this\n");

	EXPECT_EQ(t.doc, (std::vector<std::string>{"first", "block"}));
}

TEST(Parser, NoDocWhenTheFileStartsWithALine)
{
	EXPECT_TRUE(parse_ok("dir /a\n# late\n").doc.empty());
}

TEST(Parser, Requirements)
{
	const Trace t = parse_ok("requires abi >= 4\n"
				 "requires abi <= 0x6\n"
				 "requires root\n"
				 "requires supervisor\n"
				 "requires model  interleaving of  two walks # why\n");

	ASSERT_EQ(t.requires_.size(), 5u);
	EXPECT_EQ(t.requires_[0].kind, Requirement::Kind::abi_at_least);
	EXPECT_EQ(t.requires_[0].abi, 4);
	EXPECT_EQ(t.requires_[1].kind, Requirement::Kind::abi_at_most);
	EXPECT_EQ(t.requires_[1].abi, 6);
	EXPECT_EQ(t.requires_[2].kind, Requirement::Kind::root);
	EXPECT_EQ(t.requires_[3].kind, Requirement::Kind::supervisor);
	EXPECT_EQ(t.requires_[4].kind, Requirement::Kind::model_only);
	EXPECT_EQ(t.requires_[4].reason, "interleaving of  two walks");
}

TEST(Parser, VariantsAccumulateOverLines)
{
	const Trace t = parse_ok("variant check=per-step optional=operation-time\n"
				 "variant acyclic=none\n");
	Variants want;

	want.check = CheckVariant::per_step;
	want.optional = OptionalVariant::operation_time;
	want.acyclic = AcyclicVariant::none;
	EXPECT_EQ(t.variants, want);
	EXPECT_FALSE(parse_ok("dir /a\n").variants);
}

TEST(Parser, TreeLines)
{
	const Trace t = parse_ok("dir /a\n"
				 "file /a/f\n"
				 "file /a/x exec\n"
				 "symlink /a/l -> f\n"
				 "fifo /a/p\n"
				 "chardev /a/null\n"
				 "chardev /a/zero 1:5\n"
				 "dir /m\n"
				 "mount tmpfs /m\n"
				 "mount bind /a /m\n");

	ASSERT_EQ(t.tree.size(), 10u);
	EXPECT_EQ(std::get<TreeNode>(t.tree[0]), (TreeNode{NodeKind::dir, "/a", "", false, 1, 3, {}}));
	EXPECT_EQ(std::get<TreeNode>(t.tree[1]).kind, NodeKind::file);
	EXPECT_FALSE(std::get<TreeNode>(t.tree[1]).exec);
	EXPECT_TRUE(std::get<TreeNode>(t.tree[2]).exec);
	EXPECT_EQ(std::get<TreeNode>(t.tree[3]).kind, NodeKind::symlink);
	EXPECT_EQ(std::get<TreeNode>(t.tree[3]).target, "f");
	EXPECT_EQ(std::get<TreeNode>(t.tree[4]).kind, NodeKind::fifo);
	EXPECT_EQ(std::get<TreeNode>(t.tree[5]).major, 1u);
	EXPECT_EQ(std::get<TreeNode>(t.tree[5]).minor, 3u);
	EXPECT_EQ(std::get<TreeNode>(t.tree[6]).minor, 5u);
	EXPECT_EQ(std::get<TreeMount>(t.tree[8]).kind, MountKind::tmpfs);
	EXPECT_EQ(std::get<TreeMount>(t.tree[8]).path, "/m");
	EXPECT_EQ(std::get<TreeMount>(t.tree[9]), (TreeMount{MountKind::bind, "/a", "/m", {}}));
	EXPECT_EQ(std::get<TreeMount>(t.tree[9]).loc.line, 10);
}

TEST(Parser, StepPrefixBindingAndLocation)
{
	const Trace t = parse_ok("main: fork c\n  c:  x = dup 3\n");

	ASSERT_EQ(t.steps.size(), 2u);
	EXPECT_EQ(t.steps[1].task, "c");
	EXPECT_EQ(t.steps[1].bind, "x");
	EXPECT_EQ(t.steps[1].loc.line, 2);
	EXPECT_EQ(t.steps[1].loc.col, 3);
	EXPECT_EQ(std::get<Dup>(t.steps[1].op).fd, raw(3));
}

TEST(Parser, CreateRulesetMasks)
{
	const auto c = op_of<CreateRuleset>(
		"main: x = create_ruleset fs=read_file,write_file net=bind_tcp "
		"scoped=signal quiet_fs=0x10000 quiet_net=all quiet_scoped=abstract_unix_socket");

	EXPECT_EQ(c.handled_fs, fs::read_file | fs::write_file);
	EXPECT_EQ(c.handled_net, net::bind_tcp);
	EXPECT_EQ(c.scoped, scope::signal);
	EXPECT_EQ(c.quiet_fs, 0x10000u);
	EXPECT_EQ(c.quiet_net, net::all);
	EXPECT_EQ(c.quiet_scoped, scope::abstract_unix_socket);
	EXPECT_FALSE(c.attr_null);
	EXPECT_FALSE(c.size);
	EXPECT_EQ(c.flags, 0u);
}

TEST(Parser, CreateRulesetOptionsInAnyOrder)
{
	EXPECT_EQ(op_of<CreateRuleset>("main: create_ruleset net=bind_tcp fs=execute"),
		  op_of<CreateRuleset>("main: create_ruleset fs=execute net=bind_tcp"));
}

TEST(Parser, CreateRulesetFlagsAloneIsTheNullAttrQuery)
{
	const auto c = op_of<CreateRuleset>("main: create_ruleset flags=version");

	EXPECT_TRUE(c.attr_null);
	EXPECT_FALSE(c.size);
	EXPECT_EQ(c.flags, create_flag::version);
}

TEST(Parser, CreateRulesetFlagsWithAnAttr)
{
	const auto c = op_of<CreateRuleset>("main: create_ruleset fs=0 flags=version,errata");

	EXPECT_FALSE(c.attr_null);
	EXPECT_EQ(c.handled_fs, 0u);
	EXPECT_EQ(c.flags, create_flag::version | create_flag::errata);
}

TEST(Parser, CreateRulesetAttrNullSizeTrailing)
{
	const auto n = op_of<CreateRuleset>("main: create_ruleset attr=null");
	const auto s = op_of<CreateRuleset>(
		"main: create_ruleset fs=all size=0x40 trailing=garbage flags=supervisor");
	const auto z = op_of<CreateRuleset>("main: create_ruleset");

	EXPECT_TRUE(n.attr_null);
	EXPECT_FALSE(n.size);
	EXPECT_EQ(s.handled_fs, fs::all);
	EXPECT_EQ(s.size, 64u);
	EXPECT_TRUE(s.trailing_garbage);
	EXPECT_FALSE(s.attr_null);
	EXPECT_EQ(s.flags, create_flag::supervisor);
	EXPECT_EQ(z, CreateRuleset{});
}

TEST(Parser, AddRulePathBeneath)
{
	const auto p = op_of<AddRule>("main: add_rule r path_beneath /a fs=read_file,read_dir");
	const auto q = op_of<AddRule>("main: add_rule r path_beneath $d/f fs=execute flags=quiet");
	const auto f = op_of<AddRule>("main: add_rule r path_beneath fd=d fs=0");
	const auto g = op_of<AddRule>("main: add_rule -1 path_beneath fd=-1 fs=read_file");

	EXPECT_EQ(p.ruleset, named("r"));
	EXPECT_EQ(p.type, rule_type::path_beneath);
	EXPECT_EQ(p.path, absolute("/a"));
	EXPECT_FALSE(p.parent);
	EXPECT_EQ(p.allowed, fs::read_file | fs::read_dir);
	EXPECT_EQ(q.path, at("d", "f"));
	EXPECT_EQ(q.flags, rule_flag::quiet);
	EXPECT_EQ(f.parent, named("d"));
	EXPECT_FALSE(f.path);
	EXPECT_EQ(f.allowed, 0u);
	EXPECT_EQ(g.ruleset, raw(-1));
	EXPECT_EQ(g.parent, raw(-1));
}

TEST(Parser, AddRuleNetPort)
{
	const auto n = op_of<AddRule>(
		"main: add_rule r net_port 70000 net=bind_tcp,connect_tcp flags=commit,intersect");

	EXPECT_EQ(n.type, rule_type::net_port);
	EXPECT_EQ(n.port, 70000u);
	EXPECT_EQ(n.allowed, net::bind_tcp | net::connect_tcp);
	EXPECT_EQ(n.flags, rule_flag::commit_supervisor | rule_flag::intersect);
	EXPECT_FALSE(n.path);
	EXPECT_FALSE(n.parent);
}

TEST(Parser, AddRuleRawType)
{
	const auto c = op_of<AddRule>("main: add_rule r type=0 attr=null flags=commit");
	const auto t = op_of<AddRule>("main: add_rule r type=3 fs=read_file port=8 flags=0x80");
	const auto n = op_of<AddRule>("main: add_rule r type=2 net=connect_tcp");

	EXPECT_EQ(c.type, 0u);
	EXPECT_TRUE(c.attr_null);
	EXPECT_EQ(c.flags, rule_flag::commit_supervisor);
	EXPECT_EQ(t.type, 3u);
	EXPECT_EQ(t.allowed, fs::read_file);
	EXPECT_EQ(t.port, 8u);
	EXPECT_EQ(t.flags, 0x80u);
	EXPECT_FALSE(t.attr_null);
	EXPECT_EQ(n.allowed, net::connect_tcp);
}

TEST(Parser, RestrictSelfAndPrivileges)
{
	const auto r = op_of<RestrictSelf>(
		"main: restrict_self r flags=log_same_exec_off,tsync,no_new_privs");

	EXPECT_EQ(r.ruleset, named("r"));
	EXPECT_EQ(r.flags, restrict_flag::log_same_exec_off | restrict_flag::tsync |
				   restrict_flag::no_new_privs);
	EXPECT_EQ(op_of<RestrictSelf>("main: restrict_self -1").ruleset, raw(-1));
	op_of<SetNoNewPrivs>("main: set_no_new_privs");
	op_of<DropCaps>("main: drop_caps");
}

TEST(Parser, OpenModesAndFlags)
{
	const auto o = op_of<Open>("main: x = open /a/n wronly creat excl trunc append");
	const auto p = op_of<Open>("main: x = open $d/f path nofollow");

	EXPECT_EQ(o.path, absolute("/a/n"));
	EXPECT_EQ(o.accmode, 1u);
	EXPECT_EQ(o.flags, open_flag::creat | open_flag::excl | open_flag::trunc |
				   open_flag::append);
	EXPECT_EQ(p.path, at("d", "f"));
	EXPECT_EQ(p.accmode, 0u);
	EXPECT_EQ(p.flags, open_flag::path | open_flag::nofollow);
	EXPECT_EQ(op_of<Open>("main: open / rdonly directory").flags, open_flag::directory);
	EXPECT_EQ(op_of<Open>("main: open /a rdwr").accmode, 2u);
	EXPECT_EQ(op_of<Open>("main: open /a accmode3").accmode, 3u);
	EXPECT_EQ(op_of<Open>("main: open /a/p rdonly nonblock").flags, open_flag::nonblock);
}

TEST(Parser, FdOperations)
{
	EXPECT_EQ(op_of<Close>("main: close f").fd, named("f"));
	EXPECT_EQ(op_of<Dup>("main: g = dup 1000").fd, raw(1000));
	op_of<Pipe>("main: p = pipe");
	EXPECT_EQ(op_of<Readdir>("main: readdir d").fd, named("d"));
	EXPECT_EQ(op_of<Read>("main: read f").fd, named("f"));
	EXPECT_EQ(op_of<Write>("main: write -1").fd, raw(-1));
	EXPECT_EQ(op_of<Ftruncate>("main: ftruncate f").fd, named("f"));
	EXPECT_EQ(op_of<Truncate>("main: truncate /a/f").path, absolute("/a/f"));
}

TEST(Parser, Ioctl)
{
	const auto i = op_of<Ioctl>("main: ioctl f figetbsz");

	EXPECT_EQ(i.fd, named("f"));
	EXPECT_EQ(i.cmd, IoctlCmd::figetbsz);
	EXPECT_EQ(op_of<Ioctl>("main: ioctl f tcgets").cmd, IoctlCmd::tcgets);
}

TEST(Parser, DirectoryOperations)
{
	EXPECT_EQ(op_of<Mkdir>("main: mkdir $d/new").path, at("d", "new"));
	EXPECT_EQ(op_of<Unlink>("main: unlink /a/f").path, absolute("/a/f"));
	EXPECT_EQ(op_of<Rmdir>("main: rmdir /a").path, absolute("/a"));
	EXPECT_EQ(op_of<Exec>("main: exec /a/f").path, absolute("/a/f"));
	EXPECT_EQ(op_of<Umount>("main: umount /a").path, absolute("/a"));
}

TEST(Parser, Mknod)
{
	const auto c = op_of<Mknod>("main: mknod /a/c char 4:64");
	const auto w = op_of<Mknod>("main: mknod /a/w whiteout");

	EXPECT_EQ(c.kind, MknodKind::chr);
	EXPECT_EQ(c.major, 4u);
	EXPECT_EQ(c.minor, 64u);
	EXPECT_EQ(w.kind, MknodKind::whiteout);
	EXPECT_EQ(op_of<Mknod>("main: mknod /a/b block").kind, MknodKind::blk);
	EXPECT_EQ(op_of<Mknod>("main: mknod /a/s sock").kind, MknodKind::sock);
}

TEST(Parser, LinksAndRenames)
{
	const auto s = op_of<Symlink>("main: symlink /a/l -> sub/f");
	const auto l = op_of<Link>("main: link /a/f $d/g");
	const auto r = op_of<Rename>("main: rename /a/f /b exchange noreplace");

	EXPECT_EQ(s.path, absolute("/a/l"));
	EXPECT_EQ(s.target, "sub/f");
	EXPECT_EQ(l.from, absolute("/a/f"));
	EXPECT_EQ(l.to, at("d", "g"));
	EXPECT_EQ(r.to, absolute("/b"));
	EXPECT_EQ(r.flags, rename_flag::exchange | rename_flag::noreplace);
	EXPECT_EQ(op_of<Rename>("main: rename /a /b").flags, 0u);
}

TEST(Parser, Mounts)
{
	const auto t = op_of<Mount>("main: mount tmpfs /a");
	const auto b = op_of<Mount>("main: mount bind $d/x /a");

	EXPECT_EQ(t.kind, MountKind::tmpfs);
	EXPECT_EQ(t.path, absolute("/a"));
	EXPECT_EQ(b.kind, MountKind::bind);
	EXPECT_EQ(b.source, at("d", "x"));
	EXPECT_EQ(b.path, absolute("/a"));
}

TEST(Parser, Sockets)
{
	EXPECT_EQ(op_of<Socket>("main: u = socket unix_seqpacket").kind,
		  SockKind::unix_seqpacket);
	EXPECT_EQ(op_of<Socket>("main: u = socket mptcp6").kind, SockKind::mptcp6);
	EXPECT_EQ(op_of<Listen>("main: listen s").fd, named("s"));
}

TEST(Parser, Addresses)
{
	const auto loop = op_of<Bind>("main: bind s 8080").addr;
	const auto any = op_of<Connect>("main: connect s any:0x50").addr;
	const auto uns = op_of<Connect>("main: connect s unspec:1").addr;
	const auto unsany = op_of<Bind>("main: bind s unspec-any:65535 addrlen=16").addr;
	const auto path = op_of<Bind>("main: bind s $d/sock").addr;
	const auto abstract = op_of<Connect>("main: connect s @srv addrlen=3").addr;

	EXPECT_EQ(loop, (SockAddr{AddrFamily::inet, 8080, false, {}, "", std::nullopt}));
	EXPECT_EQ(any, (SockAddr{AddrFamily::inet, 80, true, {}, "", std::nullopt}));
	EXPECT_EQ(uns, (SockAddr{AddrFamily::unspec, 1, false, {}, "", std::nullopt}));
	EXPECT_EQ(unsany, (SockAddr{AddrFamily::unspec, 65535, true, {}, "", 16u}));
	EXPECT_EQ(path, (SockAddr{AddrFamily::unix_path, 0, false, at("d", "sock"), "",
				  std::nullopt}));
	EXPECT_EQ(abstract, (SockAddr{AddrFamily::unix_abstract, 0, false, {}, "srv", 3u}));
	EXPECT_EQ(op_of<Bind>("main: bind s /a/sock").addr.path, absolute("/a/sock"));
}

TEST(Parser, SendTo)
{
	EXPECT_FALSE(op_of<SendTo>("main: sendto s").addr);
	EXPECT_EQ(op_of<SendTo>("main: sendto s 53 addrlen=0").addr->addrlen, 0u);
}

TEST(Parser, Signals)
{
	const auto k = op_of<Kill>("main: kill child");
	const auto t = op_of<Kill>("child: tkill worker sig=9");

	EXPECT_EQ(k, (Kill{"child", false, 0}));
	EXPECT_EQ(t, (Kill{"worker", true, 9}));
	EXPECT_EQ(op_of<Kill>("main: kill main sig=-1").sig, -1);
}

TEST(Parser, PassFdBindsInTheReceiver)
{
	const Trace t = parse_ok("main: fork c\n"
				 "c: thread t\n"
				 "t: s = socket unix_stream\n"
				 "t: y = pass_fd s to main\n"
				 "main: close y\n"
				 "main: resume t\n");

	ASSERT_EQ(t.steps.size(), 6u);
	EXPECT_EQ(std::get<Fork>(t.steps[0].op).name, "c");
	EXPECT_EQ(std::get<Thread>(t.steps[1].op).name, "t");
	EXPECT_EQ(t.steps[3].bind, "y");
	EXPECT_EQ(std::get<PassFd>(t.steps[3].op), (PassFd{named("s"), "main"}));
	EXPECT_EQ(std::get<Resume>(t.steps[5].op).task, "t");
}

TEST(Parser, Supervisor)
{
	const auto g = op_of<GetSupervisee>("main: x = get_supervisee r flags=0x2");

	EXPECT_EQ(g.fd, named("r"));
	EXPECT_EQ(g.flags, 2u);
	EXPECT_EQ(op_of<GetSupervisee>("main: x = get_supervisee r").flags, 0u);
}

TEST(Parser, ExpectAlternatives)
{
	const OutcomeSet want{Outcome::error(EACCES), Outcome::error(EXDEV)};

	EXPECT_EQ(step_of("main: rename /a/f /b => EACCES|EXDEV").expect, want);
	EXPECT_EQ(step_of("main: rename /a/f /b => EACCES | EXDEV").expect, want);
	EXPECT_EQ(step_of("main: rename /a/f /b => EACCES |EXDEV").expect, want);
	EXPECT_EQ(step_of("main: x = create_ruleset flags=version => ok(7)").expect,
		  OutcomeSet(Outcome::ok(7)));
	EXPECT_EQ(step_of("main: x = create_ruleset flags=version => 7").expect,
		  OutcomeSet(Outcome::ok(7)));
	EXPECT_EQ(step_of("main: x = open /a rdonly => ok|ENOENT").expect,
		  (OutcomeSet{Outcome::ok(), Outcome::error(ENOENT)}));
}

TEST(Parser, PauseAnywhereAmongArguments)
{
	const Step a = step_of("main: x = open /a/f pause=2 rdonly => EACCES");
	const Step b = step_of("main: x = open /a/f rdonly pause=2 => EACCES");

	EXPECT_EQ(a.pause, 2);
	EXPECT_EQ(a, b);
	EXPECT_FALSE(step_of("main: x = open /a/f rdonly").pause);
}

TEST(Parser, NamesMayBeRebound)
{
	const Trace t = parse_ok("main: r = create_ruleset fs=execute\n"
				 "main: r = dup r\n"
				 "main: close r\n");

	EXPECT_EQ(t.steps.size(), 3u);
}

TEST(Parser, FileReadErrors)
{
	const ParseResult r = parse_trace_file("/nonexistent/dir/x.trace");

	ASSERT_FALSE(r.ok());
	EXPECT_EQ(r.error().format(),
		  "/nonexistent/dir/x.trace: cannot read: No such file or directory");
	EXPECT_EQ(parse_trace_file("/").error().format(), "/: cannot read: Is a directory");
}

} // namespace
} // namespace lockstep::trace

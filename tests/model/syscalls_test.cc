// SPDX-License-Identifier: GPL-2.0-only
/*
 * Profiles, ABI gating and errata, and the three Landlock system calls
 * (SPEC.md chapters 1 to 4).
 */
#include "tests/model/model_test_util.h"

#include "model/access.h"

#include <gtest/gtest.h>

#include <string>

namespace lockstep {
namespace {

using testing::at_abi;
using testing::last;
using testing::profile;
using testing::run;

/* A task that may call restrict_self, with a ruleset r handling read_file. */
const std::string nnp_r = "main: set_no_new_privs\n"
			  "main: r = create_ruleset fs=read_file\n";

/* ---- 1. Profiles, ABI gating and errata ---- */

// [profile.abi]
TEST(Profile, HostReferenceIsAbi7Errata123Root)
{
	const Profile p = host_reference_profile();

	EXPECT_EQ(p.abi, 7);
	EXPECT_EQ(p.erratum(1), Erratum::fixed);
	EXPECT_EQ(p.erratum(2), Erratum::fixed);
	EXPECT_EQ(p.erratum(3), Erratum::fixed);
	EXPECT_EQ(p.erratum(4), Erratum::not_fixed);
	EXPECT_TRUE(p.root);
	EXPECT_EQ(format_profile(p), "abi=7,errata=1+2+3");
}

// [profile.abi]
TEST(Profile, ParsesAbiErrataAndRoot)
{
	const Profile p = profile("abi=3,errata=2+?4,root=0");

	EXPECT_EQ(p.abi, 3);
	EXPECT_EQ(p.erratum(1), Erratum::not_fixed);
	EXPECT_EQ(p.erratum(2), Erratum::fixed);
	EXPECT_EQ(p.erratum(4), Erratum::unknown);
	EXPECT_FALSE(p.root);
	std::string error;
	EXPECT_FALSE(parse_profile("abi=13", &error));
	EXPECT_FALSE(parse_profile("errata=5", &error));
}

// [profile.abi] Without root, no CAP_SYS_ADMIN: restrict_self needs nnp.
TEST(Profile, RootGivesCapSysAdmin)
{
	const std::string t = "main: r = create_ruleset fs=read_file\n"
			      "main: restrict_self r\n";

	EXPECT_EQ(last(t, profile("root=1")), "ok");
	EXPECT_EQ(last(t, profile("root=0")), "EPERM");
}

// [abi.disabled]
TEST(Abi, DisabledAtBootGivesEopnotsupp)
{
	EXPECT_PINS(at_abi(0), "main: create_ruleset flags=version => EOPNOTSUPP\n"
			       "main: create_ruleset fs=read_file => EOPNOTSUPP\n"
			       "main: create_ruleset attr=null => EOPNOTSUPP\n"
			       "main: add_rule 3 type=7 attr=null => EOPNOTSUPP\n"
			       "main: restrict_self -1 flags=0xffff => EOPNOTSUPP\n");
}

/* "ok" at ABIs that know the feature, "EINVAL" below. */
std::string gated(int abi, int since) { return abi >= since ? "ok" : "EINVAL"; }

// [abi.gating] Every fs right, at every mainline ABI.
TEST(Abi, FsRightsGatedByVersion)
{
	for (int abi = 1; abi <= max_mainline_abi; abi++)
		for (const auto &n : fs_access_names())
			EXPECT_EQ(last("main: create_ruleset fs=" + std::string(n.name) + "\n",
				       at_abi(abi)),
				  gated(abi, n.since_abi))
				<< n.name << " at ABI " << abi;
}

// [abi.gating] Net rights and scopes.
TEST(Abi, NetRightsAndScopesGatedByVersion)
{
	const struct {
		std::string attr;
		int since;
	} cases[] = {
		{"net=bind_tcp", 4},	     {"net=connect_tcp", 4},
		{"net=bind_udp", 10},	     {"net=connect_send_udp", 10},
		{"scoped=abstract_unix_socket", 6}, {"scoped=signal", 6},
	};

	for (int abi = 1; abi <= max_mainline_abi; abi++)
		for (const auto &c : cases) {
			/* Below the field's ABI the attr is too big (E2BIG). */
			const std::string size = c.attr[0] == 'n' ? "16" : "24";
			const std::string t = "main: create_ruleset fs=execute " + c.attr +
					      " size=" + size + "\n";
			std::string want = gated(abi, c.since);

			if (abi < (c.attr[0] == 'n' ? 4 : 6))
				want = "E2BIG";
			EXPECT_EQ(last(t, at_abi(abi)), want) << c.attr << " at ABI " << abi;
		}
}

// [abi.gating] restrict_self() flags.
TEST(Abi, RestrictFlagsGatedByVersion)
{
	for (int abi = 1; abi <= max_mainline_abi; abi++)
		for (const auto &n : restrict_flag_names())
			EXPECT_EQ(last(nnp_r + "main: restrict_self r flags=" +
					       std::string(n.name) + "\n",
				       at_abi(abi)),
				  gated(abi, n.since_abi))
				<< n.name << " at ABI " << abi;
}

// [abi.gating] The quiet rule flag (10) and the net_port rule type (4).
TEST(Abi, RuleFlagAndRuleTypeGatedByVersion)
{
	for (int abi = 1; abi <= max_mainline_abi; abi++) {
		const std::string quiet = abi >= 10 ? " quiet_fs=read_file" : "";
		const std::string t = "main: r = create_ruleset fs=read_file" + quiet +
				      "\nmain: add_rule r path_beneath / fs=read_file flags=quiet\n";

		EXPECT_EQ(last(t, at_abi(abi)), gated(abi, 10)) << "ABI " << abi;
		/* An empty net rule: ENOMSG once the type exists. */
		EXPECT_EQ(last(nnp_r + "main: add_rule r net_port 80 net=0\n", at_abi(abi)),
			  abi >= 4 ? "ENOMSG" : "EINVAL")
			<< "ABI " << abi;
	}
}

// [abi.gating] [create.size] The attr size each ABI knows.
TEST(Abi, AttrSizeGrowsWithFeatures)
{
	EXPECT_EQ(ruleset_attr_size(1), 8u);
	EXPECT_EQ(ruleset_attr_size(3), 8u);
	EXPECT_EQ(ruleset_attr_size(4), 16u);
	EXPECT_EQ(ruleset_attr_size(5), 16u);
	EXPECT_EQ(ruleset_attr_size(6), 24u);
	EXPECT_EQ(ruleset_attr_size(9), 24u);
	EXPECT_EQ(ruleset_attr_size(10), 48u);
	EXPECT_EQ(ruleset_attr_size(11), 48u);
}

// [profile.errata] [create.errata] The query answers the fixed errata.
TEST(Errata, QueryReturnsFixedMask)
{
	EXPECT_EQ(last("main: create_ruleset flags=errata\n"), "ok(7)");
	EXPECT_EQ(last("main: create_ruleset flags=errata\n", profile("errata=none")), "ok(0)");
	EXPECT_EQ(last("main: create_ruleset flags=errata\n", profile("errata=1+3+4")),
		  "ok(13)");
	/* A queryable kernel with an unknown erratum answers either mask. */
	EXPECT_PINS(profile("errata=1+?2"), "main: create_ruleset flags=errata => ok(1)|ok(3)\n");
}

// [profile.errata] Unknown errata are evaluated in every world.
TEST(Errata, UnknownExpandsToBothWorlds)
{
	EXPECT_EQ(concrete_profiles(profile("errata=1+2+3")).size(), 1u);
	EXPECT_EQ(concrete_profiles(profile("errata=1+?2+3")).size(), 2u);
	EXPECT_EQ(concrete_profiles(profile("errata=unknown")).size(), 16u);
}

// [profile.errata] The union of both worlds' outcomes is allowed.
TEST(Errata, UnknownAllowsBothOutcomes)
{
	const std::string t = "main: thread w\n"
			      "w: set_no_new_privs\n"
			      "w: r = create_ruleset scoped=signal\n"
			      "w: restrict_self r\n"
			      "w: tkill main\n";

	EXPECT_EQ(last(t, profile("errata=1+2+3")), "ok");
	EXPECT_EQ(last(t, profile("errata=1+3")), "EPERM");
	const OutcomeSet both = testing::last_allowed(t, profile("errata=1+?2+3"));
	EXPECT_EQ(both.size(), 2u);
	EXPECT_TRUE(both.admits(Outcome::ok()));
	EXPECT_TRUE(both.admits(Outcome::error(EPERM)));
}

/* ---- 2. landlock_create_ruleset ---- */

// [create.flags]
TEST(CreateRuleset, VersionQueryAtEveryAbi)
{
	for (int abi = 1; abi <= max_mainline_abi; abi++)
		EXPECT_EQ(last("main: create_ruleset flags=version\n", at_abi(abi)),
			  "ok(" + std::to_string(abi) + ")");
}

// [create.flags]
TEST(CreateRuleset, QueryFlagsNeedNullAttrAndZeroSize)
{
	EXPECT_PINS(Profile{}, "main: create_ruleset fs=0 flags=version => EINVAL\n"
			       "main: create_ruleset attr=null size=8 flags=version => EINVAL\n"
			       "main: create_ruleset attr=null size=8 flags=errata => EINVAL\n"
			       "main: create_ruleset flags=version,errata => EINVAL\n"
			       "main: create_ruleset flags=0x10 => EINVAL\n"
			       "main: create_ruleset fs=read_file flags=0x10 => EINVAL\n");
}

// [create.errata]
TEST(CreateRuleset, ErrataQueryRefusedWhenNotQueryable)
{
	EXPECT_EQ(last("main: create_ruleset flags=errata\n", profile("errata=unknown")),
		  "EINVAL");
	/* Backported: a kernel of an older ABI may answer. */
	EXPECT_EQ(last("main: create_ruleset flags=errata\n", profile("abi=4,errata=1+3")),
		  "ok(5)");
}

// [create.attr_null]
TEST(CreateRuleset, NullAttrIsEfaultBeforeSize)
{
	EXPECT_PINS(Profile{}, "main: create_ruleset attr=null => EFAULT\n"
			       "main: create_ruleset attr=null size=2 => EFAULT\n"
			       "main: create_ruleset attr=null size=5000 => EFAULT\n");
}

// [create.size]
TEST(CreateRuleset, SizeBounds)
{
	EXPECT_PINS(Profile{}, "main: create_ruleset fs=read_file size=7 => EINVAL\n"
			       "main: create_ruleset fs=read_file size=8 => ok\n"
			       "main: create_ruleset fs=read_file size=4097 => E2BIG\n"
			       "main: create_ruleset fs=read_file size=4096 => ok\n"
			       "main: create_ruleset fs=read_file size=64 => ok\n"
			       "main: create_ruleset fs=read_file size=64 trailing=garbage => E2BIG\n");
}

// [create.size] Bytes past the kernel's struct must be zero...
TEST(CreateRuleset, NonZeroBytesPastKernelStructAreE2big)
{
	const std::string quiet = "main: create_ruleset fs=read_file quiet_fs=read_file\n";
	const std::string net = "main: create_ruleset fs=read_file net=bind_tcp\n";

	EXPECT_EQ(last(quiet, at_abi(9)), "E2BIG");
	EXPECT_EQ(last(quiet, at_abi(10)), "ok");
	EXPECT_EQ(last(net, at_abi(3)), "E2BIG");
	EXPECT_EQ(last(net, at_abi(4)), "ok");
}

// [create.size] ...and fields past @size are read as zero.
TEST(CreateRuleset, FieldsPastSizeAreZero)
{
	/* Only handled_access_fs is seen: the net right is not handled. */
	EXPECT_PINS(at_abi(4), "main: set_no_new_privs\n"
			       "main: r = create_ruleset fs=read_file net=bind_tcp size=8 => ok\n"
			       "main: restrict_self r\n"
			       "main: s = socket tcp4\n"
			       "main: bind s 8080 => ok\n");
	/* scoped is past 16 bytes: nothing is handled. */
	EXPECT_EQ(last("main: create_ruleset scoped=signal size=16\n", at_abi(6)), "ENOMSG");
}

// [create.masks]
TEST(CreateRuleset, UnknownBitsAreEinval)
{
	EXPECT_EQ(last("main: create_ruleset fs=0x20000\n", at_abi(11)), "EINVAL");
	EXPECT_EQ(last("main: create_ruleset net=0x10\n", at_abi(11)), "EINVAL");
	EXPECT_EQ(last("main: create_ruleset scoped=0x4\n", at_abi(11)), "EINVAL");
	/* Checked before ENOMSG: an unknown scope alone is not "empty". */
	EXPECT_EQ(last("main: create_ruleset scoped=0x4\n", at_abi(6)), "EINVAL");
	EXPECT_EQ(last("main: create_ruleset fs=refer\n", at_abi(1)), "EINVAL");
}

// [create.quiet]
TEST(CreateRuleset, QuietMasksMustBeSubsets)
{
	EXPECT_PINS(at_abi(10),
		    "main: create_ruleset fs=read_file quiet_fs=write_file => EINVAL\n"
		    "main: create_ruleset fs=read_file quiet_net=bind_tcp => EINVAL\n"
		    "main: create_ruleset fs=read_file quiet_scoped=signal => EINVAL\n"
		    "main: create_ruleset fs=read_file,write_file quiet_fs=read_file => ok\n"
		    "main: create_ruleset net=bind_udp quiet_net=bind_udp => ok\n"
		    "main: create_ruleset scoped=signal quiet_scoped=signal => ok\n"
		    "main: create_ruleset quiet_fs=read_file => EINVAL\n");
}

// [create.enomsg]
TEST(CreateRuleset, NothingHandledIsEnomsg)
{
	EXPECT_PINS(at_abi(11), "main: create_ruleset => ENOMSG\n"
				"main: create_ruleset fs=0 net=0 scoped=0 => ENOMSG\n"
				"main: create_ruleset fs=execute => ok\n"
				"main: create_ruleset net=connect_tcp => ok\n"
				"main: create_ruleset scoped=signal => ok\n");
}

/* ---- 3. landlock_add_rule ---- */

// [add_rule.flags] Checked before the ruleset fd.
TEST(AddRule, UnknownFlagsBeforeFd)
{
	EXPECT_EQ(last(nnp_r + "main: add_rule r path_beneath / fs=read_file flags=quiet\n",
		       at_abi(9)),
		  "EINVAL");
	EXPECT_EQ(last("main: add_rule 99 path_beneath / fs=read_file flags=0x8\n", at_abi(11)),
		  "EINVAL");
	EXPECT_EQ(last("main: add_rule 99 path_beneath / fs=read_file flags=0\n", at_abi(11)),
		  "EBADF");
}

// [add_rule.fd]
TEST(AddRule, RulesetFdMustBeARuleset)
{
	EXPECT_PINS(Profile{}, "file /f\n"
			       "main: f = open /f rdonly\n"
			       "main: add_rule 99 path_beneath / fs=read_file => EBADF\n"
			       "main: add_rule -1 path_beneath / fs=read_file => EBADF\n"
			       "main: add_rule f path_beneath / fs=read_file => EBADFD\n"
			       "main: p = open /f path\n"
			       "main: add_rule p path_beneath / fs=read_file => EBADF\n");
}

// [add_rule.type]
TEST(AddRule, UnknownTypeAfterFd)
{
	EXPECT_PINS(Profile{}, "main: r = create_ruleset fs=read_file\n"
			       "main: add_rule r type=3 fs=read_file => EINVAL\n"
			       "main: add_rule r type=0 attr=null => EINVAL\n"
			       "main: add_rule 99 type=3 fs=read_file => EBADF\n");
	EXPECT_EQ(last(nnp_r + "main: add_rule r net_port 80 net=bind_tcp\n", at_abi(3)),
		  "EINVAL");
}

// [add_rule.attr]
TEST(AddRule, NullAttrIsEfault)
{
	EXPECT_PINS(Profile{}, "main: r = create_ruleset fs=read_file net=bind_tcp\n"
			       "main: add_rule r type=1 attr=null => EFAULT\n"
			       "main: add_rule r type=2 attr=null => EFAULT\n");
}

// [add_rule.enomsg]
TEST(AddRule, EmptyAccessWithoutFlagsIsEnomsg)
{
	EXPECT_PINS(at_abi(10), "main: r = create_ruleset fs=read_file net=bind_tcp\n"
				"main: add_rule r path_beneath / fs=0 => ENOMSG\n"
				"main: add_rule r net_port 80 net=0 => ENOMSG\n"
				"main: add_rule r net_port 70000 net=0 => ENOMSG\n"
				"main: q = create_ruleset fs=read_file quiet_fs=read_file\n"
				"main: add_rule q path_beneath / fs=0 flags=quiet => ok\n");
}

// [add_rule.subset]
TEST(AddRule, AccessMustBeHandled)
{
	EXPECT_PINS(Profile{}, "main: r = create_ruleset fs=read_file net=bind_tcp\n"
			       "main: add_rule r path_beneath / fs=write_file => EINVAL\n"
			       "main: add_rule r path_beneath / fs=read_file,write_file => EINVAL\n"
			       "main: add_rule r net_port 80 net=connect_tcp => EINVAL\n"
			       "main: add_rule r path_beneath / fs=read_file => ok\n"
			       "main: add_rule r net_port 80 net=bind_tcp => ok\n");
}

// [rule.quiet]
TEST(AddRule, QuietNeedsQuietMaskOfItsType)
{
	EXPECT_PINS(at_abi(10),
		    "main: r = create_ruleset fs=read_file net=bind_tcp quiet_net=bind_tcp\n"
		    "main: add_rule r path_beneath / fs=read_file flags=quiet => EINVAL\n"
		    "main: add_rule r net_port 80 net=bind_tcp flags=quiet => ok\n"
		    "main: q = create_ruleset fs=read_file quiet_fs=read_file\n"
		    "main: add_rule q path_beneath / fs=read_file flags=quiet => ok\n"
		    "main: add_rule q net_port 80 net=0 flags=quiet => EINVAL\n");
}

// [rule.quiet] Sticky, and without effect on outcomes.
TEST(AddRule, QuietIsStickyAndChangesNoOutcome)
{
	const auto r = run("dir /a\nfile /a/f\nfile /g\n"
			   "main: set_no_new_privs\n"
			   "main: q = create_ruleset fs=read_file quiet_fs=read_file\n"
			   "main: add_rule q path_beneath /a fs=read_file flags=quiet\n"
			   "main: add_rule q path_beneath /a fs=read_file\n"
			   "main: restrict_self q\n"
			   "main: f = open /a/f rdonly => ok\n"
			   "main: g = open /g rdonly => EACCES\n",
			   at_abi(10));

	ASSERT_EQ(r.error, "");
	const auto &rules = r.model.state().rulesets.at(0).rules.fs;
	ASSERT_EQ(rules.size(), 1u);
	EXPECT_TRUE(rules.begin()->second.quiet);
	EXPECT_EQ(format_outcomes(r.results[5].allowed), "ok");
	EXPECT_EQ(format_outcomes(r.results[6].allowed), "EACCES");
}

// [add_rule.path]
TEST(AddRule, ParentFdKinds)
{
	EXPECT_PINS(Profile{}, "dir /a\n"
			       "main: r = create_ruleset fs=read_file\n"
			       "main: d = open /a path directory\n"
			       "main: p = pipe\n"
			       "main: s = socket unix_stream\n"
			       "main: add_rule r path_beneath fd=d fs=read_file => ok\n"
			       "main: add_rule r path_beneath fd=99 fs=read_file => EBADF\n"
			       "main: add_rule r path_beneath fd=r fs=read_file => EBADFD\n"
			       "main: add_rule r path_beneath fd=p fs=read_file => EBADFD\n"
			       "main: add_rule r path_beneath fd=s fs=read_file => EBADFD\n"
			       "main: add_rule r path_beneath /a fs=read_file => ok\n"
			       "main: add_rule r path_beneath /nope fs=read_file => ENOENT\n");
}

// [add_rule.path] The O_PATH open of a trace PATH comes before the call.
TEST(AddRule, PathOpenErrorsComeFirst)
{
	EXPECT_PINS(Profile{}, "file /f\n"
			       "main: r = create_ruleset fs=read_file\n"
			       "main: add_rule 99 path_beneath /nope fs=read_file => ENOENT\n"
			       "main: add_rule r path_beneath /nope fs=0 => ENOENT\n"
			       "main: add_rule r path_beneath /f/x fs=read_file => ENOTDIR\n");
	EXPECT_EQ(last("main: add_rule 3 path_beneath /nope fs=read_file\n", at_abi(0)),
		  "ENOENT");
}

// [rule.file_rights]
TEST(AddRule, FileRulesOnlyTakeFileRights)
{
	EXPECT_PINS(at_abi(9), "dir /a\n"
			       "file /a/f\n"
			       "main: r = create_ruleset fs=all\n"
			       "main: add_rule r path_beneath /a/f fs=read_dir => EINVAL\n"
			       "main: add_rule r path_beneath /a/f fs=make_reg => EINVAL\n"
			       "main: add_rule r path_beneath /a/f fs=refer => EINVAL\n"
			       "main: add_rule r path_beneath /a/f "
			       "fs=execute,write_file,read_file,truncate,ioctl_dev,resolve_unix => ok\n"
			       "main: add_rule r path_beneath /a fs=all => ok\n"
			       "main: add_rule r path_beneath fd=99 fs=read_dir => EBADF\n");
}

// [add_rule.port]
TEST(AddRule, PortAbove65535IsEinval)
{
	EXPECT_PINS(at_abi(4), "main: r = create_ruleset net=bind_tcp\n"
			       "main: add_rule r net_port 65536 net=bind_tcp => EINVAL\n"
			       "main: add_rule r net_port 65535 net=bind_tcp => ok\n"
			       "main: add_rule r net_port 0 net=bind_tcp => ok\n"
			       "main: add_rule r net_port 70000 net=connect_tcp => EINVAL\n");
}

// [add_rule.merge]
TEST(AddRule, RulesOnTheSameObjectAccumulate)
{
	const auto r = run("dir /a\nfile /a/f\n"
			   "main: set_no_new_privs\n"
			   "main: r = create_ruleset fs=read_file,write_file\n"
			   "main: add_rule r path_beneath /a fs=read_file\n"
			   "main: d = open /a path\n"
			   "main: add_rule r path_beneath fd=d fs=write_file\n"
			   "main: restrict_self r\n"
			   "main: f = open /a/f rdwr => ok\n");

	ASSERT_EQ(r.error, "");
	EXPECT_EQ(format_outcomes(r.results.back().allowed), "ok");
	const auto &rules = r.model.state().rulesets.at(0).rules.fs;
	ASSERT_EQ(rules.size(), 1u);
	EXPECT_EQ(rules.begin()->second.access, fs::read_file | fs::write_file);
}

/* ---- 4. landlock_restrict_self ---- */

// [restrict.flags]
TEST(RestrictSelf, UnknownFlagsAreEinval)
{
	EXPECT_EQ(last("main: restrict_self 99 flags=0x100\n", profile("root=1")), "EINVAL");
	EXPECT_EQ(last(nnp_r + "main: restrict_self r flags=log_same_exec_off\n", at_abi(6)),
		  "EINVAL");
	EXPECT_EQ(last(nnp_r + "main: restrict_self r flags=log_same_exec_off\n", at_abi(7)),
		  "ok");
}

// [restrict.order] EPERM before EINVAL until ABI 10, after it from ABI 11.
TEST(RestrictSelf, PermissionAndFlagsOrderDependsOnAbi)
{
	for (int abi = 1; abi <= max_mainline_abi; abi++) {
		const Profile user = profile("root=0,abi=" + std::to_string(abi));

		EXPECT_EQ(last("main: restrict_self 99 flags=0x100\n", user),
			  abi >= 11 ? "EINVAL" : "EPERM")
			<< "ABI " << abi;
		EXPECT_EQ(last("main: restrict_self -1 flags=0xffffffff\n", user),
			  abi >= 11 ? "EINVAL" : "EPERM")
			<< "ABI " << abi;
	}
}

// [restrict.nnp]
TEST(RestrictSelf, NeedsNoNewPrivsOrCapSysAdmin)
{
	const Profile user = profile("root=0");

	EXPECT_PINS(user, "main: r = create_ruleset fs=read_file\n"
			  "main: restrict_self r => EPERM\n"
			  "main: restrict_self 99 => EPERM\n"
			  "main: set_no_new_privs\n"
			  "main: restrict_self r => ok\n");
	EXPECT_PINS(profile("root=1"), "main: r = create_ruleset fs=read_file\n"
				       "main: restrict_self r => ok\n");
}

// [restrict.nnp_flag]
TEST(RestrictSelf, NoNewPrivsFlagSetsItOnlyOnSuccess)
{
	const Profile user = profile("abi=11,root=0");

	EXPECT_PINS(user, "main: r = create_ruleset fs=read_file\n"
			  "main: restrict_self 99 flags=no_new_privs => EBADF\n"
			  "main: restrict_self r => EPERM\n"
			  "main: restrict_self r flags=no_new_privs => ok\n"
			  "main: restrict_self r => ok\n");
}

// [restrict.fd]
TEST(RestrictSelf, RulesetFdMustBeARuleset)
{
	EXPECT_PINS(Profile{}, "file /f\n"
			       "main: f = open /f rdonly\n"
			       "main: p = open /f path\n"
			       "main: restrict_self 99 => EBADF\n"
			       "main: restrict_self -1 => EBADF\n"
			       "main: restrict_self p => EBADF\n"
			       "main: restrict_self f => EBADFD\n");
}

// [restrict.log_only]
TEST(RestrictSelf, MinusOneWithLogSubdomainsOffOnly)
{
	const auto r = run("main: restrict_self -1 flags=log_subdomains_off => ok\n"
			   "main: restrict_self -1 flags=log_subdomains_off,tsync => ok\n"
			   "main: restrict_self -1 flags=log_same_exec_off => EBADF\n"
			   "main: restrict_self -1 flags=tsync => EBADF\n"
			   "main: restrict_self -1 flags=log_subdomains_off,log_new_exec_on => EBADF\n",
			   at_abi(8));

	ASSERT_EQ(r.error, "");
	EXPECT_EQ(format_outcomes(r.results[0].allowed), "ok");
	EXPECT_EQ(format_outcomes(r.results[1].allowed), "ok");
	EXPECT_EQ(format_outcomes(r.results[2].allowed), "EBADF");
	EXPECT_EQ(format_outcomes(r.results[3].allowed), "EBADF");
	EXPECT_EQ(format_outcomes(r.results[4].allowed), "EBADF");
	EXPECT_TRUE(r.model.state().tasks[0].domain.empty());
	EXPECT_TRUE(r.model.state().tasks[0].log_subdomains_off);
}

// [restrict.e2big]
TEST(RestrictSelf, SixteenLayersAtMost)
{
	std::string t = nnp_r;

	for (int i = 0; i < 16; i++)
		t += "main: restrict_self r => ok\n";
	t += "main: restrict_self r => E2BIG\n";
	t += "main: restrict_self 99 => EBADF\n";
	EXPECT_PINS(Profile{}, t);
}

/* Two directories; ruleset r handles read_file and grants it on /a only. */
const std::string two_dirs = "dir /a\nfile /a/f\ndir /b\nfile /b/f\n";
const std::string r_grants_a = "main: r = create_ruleset fs=read_file\n"
			       "main: add_rule r path_beneath /a fs=read_file\n";

// [restrict.tsync] Siblings get the caller's new domain.
TEST(RestrictSelf, TsyncRestrictsSiblingThreads)
{
	const std::string head = two_dirs + "main: thread w\nmain: fork child\n" + r_grants_a;

	EXPECT_PINS(at_abi(8), head + "main: restrict_self r flags=tsync\n"
				      "w: f = open /b/f rdonly => EACCES\n"
				      "w: g = open /a/f rdonly => ok\n"
				      "child: h = open /b/f rdonly => ok\n");
	EXPECT_PINS(at_abi(8), head + "main: restrict_self r\n"
				      "w: f = open /b/f rdonly => ok\n"
				      "main: g = open /b/f rdonly => EACCES\n");
	EXPECT_EQ(last(head + "main: restrict_self r flags=tsync\n", at_abi(7)), "EINVAL");
}

// [restrict.tsync] A sibling's own domain is replaced, not stacked.
TEST(RestrictSelf, TsyncReplacesSiblingDomains)
{
	EXPECT_PINS(at_abi(8), two_dirs + "main: thread w\n"
					  "w: rw = create_ruleset fs=write_file\n"
					  "w: restrict_self rw\n"
					  "w: f1 = open /a/f wronly => EACCES\n" +
					  r_grants_a +
					  "main: restrict_self r flags=tsync\n"
					  "w: f2 = open /a/f wronly => ok\n"
					  "w: f3 = open /b/f rdonly => EACCES\n");
}

// [restrict.tsync] no_new_privs reaches the siblings too.
TEST(RestrictSelf, TsyncPropagatesNoNewPrivs)
{
	const Profile user = profile("abi=11,root=0");
	const std::string head = two_dirs + "main: thread w\n" + r_grants_a;

	EXPECT_PINS(user, head + "main: restrict_self r flags=tsync,no_new_privs\n"
				 "w: restrict_self r => ok\n");
	EXPECT_PINS(user, head + "main: set_no_new_privs\n"
				 "main: restrict_self r flags=tsync\n"
				 "w: restrict_self r => ok\n");
	EXPECT_PINS(user, head + "main: restrict_self r flags=no_new_privs\n"
				 "w: restrict_self r => EPERM\n");
}

// [restrict.log_flags]
TEST(RestrictSelf, LogFlagsChangeNoDecision)
{
	const std::string flags[] = {"0", "log_same_exec_off", "log_new_exec_on",
				     "log_subdomains_off",
				     "log_same_exec_off,log_new_exec_on,log_subdomains_off"};

	for (const auto &f : flags)
		EXPECT_PINS(at_abi(7), two_dirs + "main: set_no_new_privs\n" + r_grants_a +
					       "main: restrict_self r flags=" + f + " => ok\n"
					       "main: fa = open /a/f rdonly => ok\n"
					       "main: fb = open /b/f rdonly => EACCES\n");
}

} // namespace
} // namespace lockstep

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the supervisor extension's model (SPEC.md chapter 16).
 *
 * Each test runs a small trace in the model with a supervisor profile
 * (abi=12) and checks the outcomes of its steps; tests of a variant pair
 * run the same trace under both settings and check that they differ where
 * the chapter says they do.
 */
#include "conformance/trace/parser.h"
#include "model/model.h"
#include "model/supervisor.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lockstep {
namespace {

Profile sup_profile(const std::string &variants = "")
{
	std::string error;
	auto p = parse_profile("abi=12" + (variants.empty() ? "" : "," + variants), &error);

	EXPECT_TRUE(p) << error;
	return *p;
}

/* The outcome the model follows at each step of @text. */
std::vector<std::string> run(const std::string &text, const Profile &p,
			     Model *out = nullptr)
{
	const auto parsed = trace::parse_trace(text, "t.trace");
	std::vector<std::string> outcomes;

	EXPECT_TRUE(parsed.ok()) << parsed.error().format();
	if (!parsed.ok())
		return outcomes;
	Model m(p);
	EXPECT_FALSE(m.setup(parsed.trace()));
	for (const auto &s : parsed.trace().steps)
		outcomes.push_back(format_outcome(m.step(s).chosen));
	if (out)
		*out = m;
	return outcomes;
}

std::string last(const std::vector<std::string> &v)
{
	return v.empty() ? "" : v.back();
}

/* A supervised child and its supervisor s (read_file on /a/b/f). */
const std::string supervised = R"(dir /a
dir /a/b
file /a/b/f

main: s = create_ruleset fs=read_file,write_file,truncate flags=supervisor
main: e = get_supervisee s
main: fork child
child: set_no_new_privs
child: restrict_self e
)";

/* [sup.abi] The flags exist at ABI 12 only. */
TEST(SupervisorUapi, SupervisorFlagNeedsAbi12)
{
	const std::string t = "main: s = create_ruleset fs=read_file flags=supervisor\n";

	EXPECT_EQ(last(run(t, sup_profile())), "ok");
	Profile mainline = sup_profile();
	mainline.abi = 11;
	EXPECT_EQ(last(run(t, mainline)), "EINVAL");
}

/* [sup.create] The attr is checked as mainline; other flag mixes are EINVAL. */
TEST(SupervisorUapi, CreateChecksAttrAndFlags)
{
	const Profile p = sup_profile();

	EXPECT_EQ(last(run("main: s = create_ruleset fs=0 flags=supervisor\n", p)), "ENOMSG");
	EXPECT_EQ(last(run("main: s = create_ruleset fs=0x100000 flags=supervisor\n", p)),
		  "EINVAL");
	EXPECT_EQ(last(run("main: s = create_ruleset fs=read_file "
			   "flags=supervisor_notification\n",
			   p)),
		  "EINVAL");
	EXPECT_EQ(last(run("main: s = create_ruleset fs=read_file flags=supervisor,version\n", p)),
		  "EINVAL");
	EXPECT_EQ(last(run("main: s = create_ruleset fs=read_file "
			   "flags=supervisor,supervisor_notification\n",
			   p)),
		  "ok");
}

/* [sup.stage] Staged rules are not seen until a commit. [sup.commit] */
TEST(SupervisorUapi, StagedRulesNeedCommit)
{
	const auto out = run(supervised + R"(main: add_rule s path_beneath /a fs=read_file
child: f = open /a/b/f rdonly
main: add_rule s type=0 attr=null flags=commit
child: g = open /a/b/f rdonly
)",
			     sup_profile());

	ASSERT_EQ(out.size(), 9u);
	EXPECT_EQ(out[6], "EACCES");
	EXPECT_EQ(out[8], "ok");
}

/* [sup.commit.only] [sup.commit.flag] */
TEST(SupervisorUapi, CommitOnlyForms)
{
	const auto out = run(R"(main: s = create_ruleset fs=read_file flags=supervisor
main: r = create_ruleset fs=read_file
main: add_rule s type=0 attr=null flags=commit
main: add_rule r type=0 attr=null flags=commit
main: add_rule s type=0 attr=null
main: add_rule s type=0 fs=read_file flags=commit
main: add_rule r path_beneath / fs=read_file flags=commit
)",
			     sup_profile());

	EXPECT_EQ(out, (std::vector<std::string>{"ok", "ok", "ok", "EINVAL", "EINVAL",
						 "EINVAL", "EINVAL"}));
}

/* [sup.intersect] Narrow, remove when empty, no-op without a rule. */
TEST(SupervisorUapi, IntersectNarrowsAndRemoves)
{
	Model m(sup_profile());
	const auto out = run(R"(dir /a
dir /b

main: r = create_ruleset fs=read_file,write_file
main: add_rule r path_beneath /a fs=read_file,write_file
main: add_rule r path_beneath /a fs=read_file flags=intersect
main: add_rule r path_beneath /b fs=read_file flags=intersect
main: add_rule r path_beneath /a fs=0 flags=intersect
main: add_rule r path_beneath /a fs=0
)",
			     sup_profile(), &m);

	EXPECT_EQ(out, (std::vector<std::string>{"ok", "ok", "ok", "ok", "ok", "ENOMSG"}));
	EXPECT_TRUE(m.state().rulesets.at(0).rules.fs.empty());
}

/* [sup.ioctl] EBADF (O_PATH too), ENOTTY, then EINVAL for flags; many supervisees. */
TEST(SupervisorUapi, GetSuperviseeErrors)
{
	const auto out = run(R"(main: r = create_ruleset fs=read_file
main: s = create_ruleset fs=read_file flags=supervisor
main: x = get_supervisee r flags=1
main: y = get_supervisee s flags=1
main: e1 = get_supervisee s
main: e2 = get_supervisee s
main: p = open / path
main: z = get_supervisee p
)",
			     sup_profile());

	EXPECT_EQ(out, (std::vector<std::string>{"ok", "ok", "ENOTTY", "EINVAL", "ok", "ok", "ok",
						 "EBADF"}));
}

/* [sup.restrict] [sup.restrict.ebadfd] */
TEST(SupervisorUapi, RestrictTakesSuperviseeNotSupervisor)
{
	Model m(sup_profile());
	const auto out = run(R"(main: set_no_new_privs
main: s = create_ruleset fs=read_file flags=supervisor
main: restrict_self s
main: e = get_supervisee s
main: restrict_self e
)",
			     sup_profile(), &m);

	EXPECT_EQ(out[2], "EBADFD");
	EXPECT_EQ(out[4], "ok");
	ASSERT_EQ(m.state().tasks[0].domain.size(), 1u);
	EXPECT_EQ(m.state().tasks[0].domain[0].supervisor, 0);
}

/*
 * [sup.check] Own rules or the supervisor's, per layer: a supervisor never
 * grants what another layer denies.
 */
TEST(SupervisorCheck, PerLayerOwnOrSupervisor)
{
	const auto out = run(R"(dir /a
file /a/f
dir /b
file /b/g

main: s = create_ruleset fs=read_file flags=supervisor
main: add_rule s path_beneath /b fs=read_file flags=commit
main: e = get_supervisee s
main: add_rule e path_beneath /a fs=read_file
main: set_no_new_privs
main: r = create_ruleset fs=read_file
main: add_rule r path_beneath /a fs=read_file
main: restrict_self r
main: restrict_self e
main: f = open /a/f rdonly
main: g = open /b/g rdonly
)",
			     sup_profile("acyclic=none"));

	EXPECT_EQ(out[9], "ok");     /* both layers grant /a (layer 2: own rule) */
	EXPECT_EQ(out[10], "EACCES"); /* layer 1 denies /b */
}

const std::string seed_race = supervised + R"(main: add_rule s path_beneath /a fs=read_file flags=commit
child: f = open /a/b/f rdonly pause=2
main: add_rule s path_beneath /a fs=0 flags=intersect
main: add_rule s path_beneath /a/b fs=read_file flags=commit
main: resume child
)";

/* [sup.check.snapshot] [sup.check.per_step] [sup.pause] The RFC's race. */
TEST(SupervisorCheck, SnapshotVersusPerStep)
{
	const auto snap = run(seed_race, sup_profile("check=snapshot"));
	const auto step = run(seed_race, sup_profile("check=per-step"));

	EXPECT_EQ(snap[6], "PAUSED");
	EXPECT_EQ(last(snap), "ok");
	EXPECT_EQ(last(step), "EACCES");
}

/* [sup.pause] A paused task cannot act; resuming twice is EINVAL. */
TEST(SupervisorCheck, PausedTaskWaitsForResume)
{
	const auto out = run(supervised + R"(child: f = open /a/b/f rdonly pause=1
child: g = open /a/b/f rdonly
main: resume child
main: resume child
)",
			     sup_profile());

	EXPECT_EQ(out[5], "PAUSED");
	EXPECT_EQ(out[6], "PAUSED");
	EXPECT_EQ(out[7], "EACCES");
	EXPECT_EQ(out[8], "EINVAL");
}

const std::string half_commit = supervised + R"(main: add_rule s path_beneath /a fs=read_file flags=commit
main: add_rule s path_beneath /a fs=0 flags=intersect
main: add_rule s path_beneath /a/b fs=read_file
main: add_rule s type=0 attr=null flags=commit pause=1
child: f = open /a/b/f rdonly
main: resume main
)";

/* [sup.commit.copy_swap] [sup.commit.in_place] Half a commit is visible in place. */
TEST(SupervisorCommit, CopySwapVersusInPlace)
{
	const auto swap = run(half_commit, sup_profile("commit=copy-swap"));
	const auto inplace = run(half_commit, sup_profile("commit=in-place"));

	EXPECT_EQ(swap[9], "ok");
	EXPECT_EQ(inplace[9], "EACCES");
	/* Even a snapshot refers to the ruleset being edited in place. */
	const auto inplace_snap = run(half_commit, sup_profile("commit=in-place,check=snapshot"));
	EXPECT_EQ(inplace_snap[9], "EACCES");
}

const std::string late_truncate = R"(dir /a
file /a/f

main: s = create_ruleset fs=write_file,truncate flags=supervisor
main: add_rule s path_beneath /a fs=write_file flags=commit
main: e = get_supervisee s
main: fork child
child: set_no_new_privs
child: restrict_self e
child: f = open /a/f wronly
main: add_rule s path_beneath /a fs=truncate flags=commit
child: ftruncate f
)";

/* [sup.optional] [sup.optional.operation_time] */
TEST(SupervisorOptional, OpenTimeVersusOperationTime)
{
	EXPECT_EQ(last(run(late_truncate, sup_profile("optional=open-time"))), "EACCES");
	EXPECT_EQ(last(run(late_truncate, sup_profile("optional=operation-time"))), "ok");
}

const std::string notified = R"(dir /a
file /a/f

main: s = create_ruleset fs=read_file,remove_file quiet_fs=read_file flags=supervisor,supervisor_notification
main: e = get_supervisee s
main: fork child
child: set_no_new_privs
child: restrict_self e
)";

/*
 * [sup.notify] [sup.notify.youngest] [sup.notify.event] [sup.notify.read]
 * [sup.notify.answer] [sup.notify.restart]
 */
TEST(SupervisorNotify, EventReadAnsweredRestarted)
{
	Model m(sup_profile());
	const auto out = run(notified + R"(child: f = open /a/f rdonly
main: read s
main: read s
main: add_rule s path_beneath /a fs=read_file flags=commit
main: write s
main: write s
main: resume child
)",
			     sup_profile(), &m);

	EXPECT_EQ(out, (std::vector<std::string>{"ok", "ok", "ok", "ok", "ok", "BLOCKED", "ok",
						 "EAGAIN", "ok", "ok", "EINVAL", "ok"}));
}

/* [sup.notify.quiet] A quiet object is denied without an event. */
TEST(SupervisorNotify, QuietDeniesAtOnce)
{
	const auto out = run(notified + R"(main: add_rule s path_beneath /a fs=0 flags=quiet,commit
child: f = open /a/f rdonly
)",
			     sup_profile());

	EXPECT_EQ(last(out), "EACCES");
}

/* [sup.notify.off] Without the notification flag: EACCES, and read is EINVAL. */
TEST(SupervisorNotify, NoNotificationFlag)
{
	const auto out = run(supervised + R"(child: f = open /a/b/f rdonly
main: read s
)",
			     sup_profile());

	EXPECT_EQ(out[5], "EACCES");
	EXPECT_EQ(out[6], "EINVAL");
}

/* [sup.notify.teardown] Closing the last supervisor fd denies the waiter. */
TEST(SupervisorNotify, TeardownDenies)
{
	const auto out = run(notified + R"(child: close s
child: f = open /a/f rdonly
main: close s
main: resume child
)",
			     sup_profile());

	EXPECT_EQ(out[6], "BLOCKED");
	EXPECT_EQ(last(out), "EACCES");
}

const std::string self_supervised = R"(dir /a
file /a/f

main: s = create_ruleset fs=read_file flags=supervisor,supervisor_notification
main: e = get_supervisee s
main: set_no_new_privs
main: restrict_self e
main: f = open /a/f rdonly
)";

/*
 * [sup.acyclic.none] [sup.acyclic.deadlock] A self-supervised task waits for
 * itself; [sup.acyclic.commit_outside] [sup.notify.nobody] the default rule
 * denies at once.
 */
TEST(SupervisorAcyclic, SelfSupervision)
{
	Model none(sup_profile());
	EXPECT_EQ(last(run(self_supervised, sup_profile("acyclic=none"), &none)), "BLOCKED");
	EXPECT_EQ(sup_deadlocked(none.state(), none.profile()), std::vector<int>{0});

	Model outside(sup_profile());
	EXPECT_EQ(last(run(self_supervised, sup_profile("acyclic=commit-outside"), &outside)),
		  "EACCES");
	EXPECT_TRUE(sup_deadlocked(outside.state(), outside.profile()).empty());
}

const std::string two_supervisors = R"(dir /a
file /a/f

main: s1 = create_ruleset fs=read_file flags=supervisor,supervisor_notification
main: s2 = create_ruleset fs=read_file flags=supervisor,supervisor_notification
main: e1 = get_supervisee s1
main: e2 = get_supervisee s2
main: set_no_new_privs
main: fork b
main: restrict_self e1
b: restrict_self e2
main: f = open /a/f rdonly
b: g = open /a/f rdonly
)";

/*
 * [sup.acyclic] [sup.acyclic.commit_outside] [sup.acyclic.bind] Two
 * processes supervising each other: commit-outside lets them deadlock,
 * bind-on-first-use does not.
 */
TEST(SupervisorAcyclic, TwoSupervisors)
{
	Model outside(sup_profile());
	const auto o = run(two_supervisors, sup_profile("acyclic=commit-outside"), &outside);
	EXPECT_EQ(o[8], "BLOCKED");
	EXPECT_EQ(o[9], "BLOCKED");
	EXPECT_EQ(sup_deadlocked(outside.state(), outside.profile()).size(), 2u);

	Model bind(sup_profile());
	const auto b = run(two_supervisors, sup_profile("acyclic=bind-on-first-use"), &bind);
	EXPECT_EQ(b[8], "EACCES");
	EXPECT_EQ(b[9], "EACCES");
	EXPECT_TRUE(sup_deadlocked(bind.state(), bind.profile()).empty());
}

/* [sup.acyclic.bind] A supervisee is enforced once, inside its supervisor's domain. */
TEST(SupervisorAcyclic, BindOnFirstUseRestrictions)
{
	const auto out = run(R"(main: set_no_new_privs
main: r = create_ruleset fs=read_file
main: fork other
other: restrict_self r
other: s = create_ruleset fs=read_file flags=supervisor
other: e = get_supervisee s
other: x = pass_fd e to main
main: restrict_self x
other: restrict_self e
other: restrict_self e
)",
			     sup_profile("acyclic=bind-on-first-use"));

	EXPECT_EQ(out[6], "ok");
	EXPECT_EQ(out[7], "EPERM"); /* main's domain is not inside the creator's */
	EXPECT_EQ(out[8], "ok");    /* other's is */
	EXPECT_EQ(out[9], "EPERM"); /* enforced once */
}

/* [sup.defaults] The defaults are the proposal's answers. */
TEST(SupervisorDefaults, ProposalAnswers)
{
	const Variants v;

	EXPECT_EQ(v.check, CheckVariant::snapshot);
	EXPECT_EQ(v.commit, CommitVariant::copy_swap);
	EXPECT_EQ(v.optional, OptionalVariant::open_time);
	EXPECT_EQ(v.acyclic, AcyclicVariant::commit_outside);
	EXPECT_EQ(format_variant_overrides(v), "");
}

} // namespace
} // namespace lockstep

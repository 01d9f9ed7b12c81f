// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep properties - The supervisor extension's promises, and which
 * variants break them ([sup.check], [sup.commit], [sup.optional],
 * [sup.acyclic])
 */
#include "tests/property/prop_test_util.h"

#include "conformance/trace/parser.h"
#include "model/supervisor.h"

namespace lockstep::prop {
namespace {

Variants variants(const std::string &text)
{
	Variants v;
	std::string error;
	std::size_t at = 0;

	while (at < text.size()) {
		const auto end = text.find(',', at);
		const std::string one = text.substr(at, end == std::string::npos ? end : end - at);

		EXPECT_TRUE(parse_variant(one, v, &error)) << error;
		at = end == std::string::npos ? text.size() : end + 1;
	}
	return v;
}

/* ---- [sup.commit] Commit atomicity: commits paused half-way ---- */

TEST(CommitAtomicity, CopySwapWithSnapshotChecks)
{
	expect_holds(atomic_decisions(variants("commit=copy-swap,check=snapshot"),
				      Interleave{true, false}));
}

/* Atomic accesses never see a copy-swap commit half-way, whatever they read. */
TEST(CommitAtomicity, CopySwapWithPerStepChecks)
{
	expect_holds(atomic_decisions(variants("commit=copy-swap,check=per-step"),
				      Interleave{true, false}));
}

TEST(CommitAtomicityFinds, InPlace)
{
	expect_found("commit=in-place breaks commit atomicity");
}

/* ---- [sup.check] Check atomicity: walks paused between two steps ---- */

TEST(CheckAtomicity, Snapshot)
{
	expect_holds(atomic_decisions(variants("check=snapshot"), Interleave{false, true}));
}

TEST(CheckAtomicityFinds, PerStep)
{
	expect_found("check=per-step breaks check atomicity");
}

/* The proposal's pair: commits and walks both paused anywhere. */
TEST(Atomicity, DefaultsWithEveryInterleaving)
{
	expect_holds(atomic_decisions(Variants{}, Interleave{true, true}));
}

/* ---- [sup.optional] ---- */

TEST(OptionalAccesses, OpenTime)
{
	expect_holds(optional_accesses(variants("optional=open-time")));
}

TEST(OptionalAccesses, OperationTime)
{
	expect_holds(optional_accesses(variants("optional=operation-time")));
}

TEST(OptionalAccessesFinds, VariantsDiffer)
{
	expect_found("optional=open-time and optional=operation-time differ");
}

/* ---- [sup.acyclic] ---- */

/* [sup.acyclic.bind] Waits follow the strict order of domains: no cycle. */
TEST(Acyclicity, BindOnFirstUseNoCycle)
{
	expect_holds(wait_for(variants("acyclic=bind-on-first-use"), AcyclicCheck::no_cycle));
}

/*
 * The guarantee commit-outside gives: no cycle of waits for one supervisor
 * (one task, or threads put in the domain by TSYNC, supervising themselves):
 * a task waiting for a supervisor is in its domain, and no task in it may
 * answer.  It holds as long as a waiting thread stays in its domain, which
 * a sibling's TSYNC can change (see below): the property stops checking
 * there.
 */
TEST(Acyclicity, CommitOutsideNoSelfSupervision)
{
	expect_holds(wait_for(variants("acyclic=commit-outside"),
			      AcyclicCheck::no_self_supervision, true));
}

/*
 * [restrict.tsync] replaces every sibling's domain, a waiting thread's too:
 * taken out of its supervised domain, it may answer its own supervisor
 * (case supervisor/acyclic_tsync_moves_waiter_commit_outside).
 */
TEST(AcyclicityFinds, CommitOutsideTsyncMovesAWaiter)
{
	expect_found("acyclic=commit-outside: TSYNC moves a waiting thread out of its "
		     "supervised domain, and it may answer itself (self-supervision cycle)");
}

TEST(AcyclicityFinds, NoneSelfSupervision)
{
	expect_found("acyclic=none: a task supervises itself (self-supervision cycle)");
}

TEST(AcyclicityFinds, NoneDeadlock)
{
	expect_found("acyclic=none: a deadlock");
}

/*
 * What commit-outside does not prevent: two processes each holding the
 * other's supervisor fd (supervisor/acyclic_two_supervisors_commit_outside).
 */
TEST(AcyclicityFinds, CommitOutsideTwoSupervisorCycle)
{
	expect_found("acyclic=commit-outside: a two-supervisor wait-for cycle");
}

/*
 * [sup.acyclic.deadlock] Neither rule prevents deadlocks without a cycle:
 * the only task that may answer stops being able to (it enters the
 * supervised domain under commit-outside, any new domain under
 * bind-on-first-use, or it closes its fd) while the waiters' own process
 * keeps the supervisor fd open, so it never goes away (cases
 * supervisor/acyclic_deadlock_commit_outside_answerer_enters and
 * supervisor/acyclic_deadlock_bind_on_first_use_answerer_leaves).
 */
TEST(AcyclicityFinds, CommitOutsideDeadlockWithoutCycle)
{
	expect_found("acyclic=commit-outside: a deadlock without a cycle (the only task "
		     "that may answer stops being able to)");
}

TEST(AcyclicityFinds, BindOnFirstUseDeadlockWithoutCycle)
{
	expect_found("acyclic=bind-on-first-use: a deadlock without a cycle (the only task "
		     "that may answer stops being able to)");
}

/* ---- The checks on the hand-written cases: they have teeth ---- */

State final_state(const std::string &file, const Profile &p)
{
	const auto parsed = trace::parse_trace_file(std::string(LOCKSTEP_CASES) +
						    "/supervisor/" + file);
	EXPECT_TRUE(parsed.ok());
	Model m(p);
	m.setup(parsed.trace());
	for (const auto &s : parsed.trace().steps)
		m.step(s);
	return m.state();
}

TEST(AcyclicityChecks, SelfSupervisionCaseIsSelfSupervision)
{
	const Profile p = sup_profile(variants("acyclic=none"));
	const State s = final_state("acyclic_self_supervision_none.trace", p);

	EXPECT_EQ(sup_deadlocked(s, p).size(), 1u);
	EXPECT_EQ(sup_wait_cycle(s, p, true).size(), 1u);
}

TEST(AcyclicityChecks, TsyncCaseIsSelfSupervision)
{
	const Profile p = sup_profile(variants("acyclic=none"));
	const State s = final_state("acyclic_tsync_self_supervision.trace", p);

	EXPECT_EQ(sup_deadlocked(s, p).size(), 2u);
	EXPECT_EQ(sup_wait_cycle(s, p, true).size(), 2u);
}

TEST(AcyclicityChecks, TwoSupervisorCycleIsNotSelfSupervision)
{
	const Profile p = sup_profile(variants("acyclic=commit-outside"));
	const State s = final_state("acyclic_two_supervisors_commit_outside.trace", p);

	EXPECT_EQ(sup_deadlocked(s, p).size(), 2u);
	EXPECT_EQ(sup_wait_cycle(s, p, false).size(), 2u);
	EXPECT_TRUE(sup_wait_cycle(s, p, true).empty());
}

/*
 * [sup.acyclic.deadlock] A waiter whose supervisor can still go away is not
 * deadlocked.  The child closed its copy of the supervisor fd; main then
 * enters the supervised domain and may no longer answer, but it can still
 * close the last fd, which denies the pending event.
 */
TEST(AcyclicityChecks, TeardownStillPossibleIsNoDeadlock)
{
	const char *text = "dir /a\n"
			   "file /a/f\n"
			   "main: s = create_ruleset fs=read_file "
			   "flags=supervisor,supervisor_notification\n"
			   "main: e = get_supervisee s\n"
			   "main: fork child\n"
			   "child: set_no_new_privs\n"
			   "child: close s\n"
			   "child: restrict_self e\n"
			   "child: f = open /a/f rdonly => BLOCKED\n"
			   "main: set_no_new_privs\n"
			   "main: restrict_self e\n"
			   "main: close s\n"
			   "main: resume child => EACCES\n";
	const auto parsed = trace::parse_trace(text, "teardown.trace");
	ASSERT_TRUE(parsed.ok()) << parsed.error().format();
	const Profile p = sup_profile(Variants{});
	Model m(p);
	const auto &steps = parsed.trace().steps;

	m.setup(parsed.trace());
	for (std::size_t i = 0; i + 2 < steps.size(); i++)
		m.step(steps[i]);
	EXPECT_TRUE(sup_deadlocked(m.state(), p).empty());
	m.step(steps[steps.size() - 2]);
	EXPECT_TRUE(m.step(steps.back()).allowed.admits(Outcome::error(EACCES)));
}

} // namespace
} // namespace lockstep::prop

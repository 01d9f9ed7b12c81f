// SPDX-License-Identifier: GPL-2.0-only
/*
 * Oracle semantics of the model: allowed sets, following the kernel,
 * BLOCKED, and names bound by failed steps (SPEC.md chapter 14).
 */
#include "tests/model/model_test_util.h"

#include "conformance/trace/parser.h"

#include <gtest/gtest.h>

#include <string>

namespace lockstep {
namespace {

using testing::last;

// [oracle.set] Exact values when predicted, any fd otherwise.
TEST(Oracle, OutcomesAdmitWhatTheyDescribe)
{
	EXPECT_TRUE(Outcome::ok().admits(Outcome::ok(5)));
	EXPECT_TRUE(Outcome::ok(7).admits(Outcome::ok(7)));
	EXPECT_FALSE(Outcome::ok(7).admits(Outcome::ok(6)));
	EXPECT_FALSE(Outcome::ok(7).admits(Outcome::ok()));
	EXPECT_FALSE(Outcome::ok().admits(Outcome::error(EACCES)));
	EXPECT_TRUE(Outcome::error(EACCES).admits(Outcome::error(EACCES)));

	const OutcomeSet s{Outcome::error(EACCES), Outcome::error(EXDEV)};
	EXPECT_TRUE(s.admits(Outcome::error(EXDEV)));
	EXPECT_FALSE(s.admits(Outcome::ok()));
	EXPECT_EQ(format_outcomes(s), "EACCES|EXDEV");
}

// [oracle.set] Several outcomes where the kernel's choice is not modelled.
TEST(Oracle, SetsWithSeveralOutcomes)
{
	/* Whether MPTCP is built in is not part of the profile. */
	EXPECT_EQ(last("main: m = socket mptcp4\n"), "ok|EPROTONOSUPPORT");
	/* The ABI version is predicted exactly. */
	EXPECT_EQ(last("main: create_ruleset flags=version\n", testing::at_abi(5)), "ok(5)");
	/* An fd's number is not. */
	EXPECT_EQ(last("dir /a\nmain: d = open /a path\n"), "ok");
}

/* The steps of @text, parsed. */
std::vector<Step> steps_of(const std::string &text)
{
	const auto r = trace::parse_trace(text, "t.trace");

	EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().format());
	return r.ok() ? r.trace().steps : std::vector<Step>{};
}

// [oracle.follow] The model continues from the kernel's outcome.
TEST(Oracle, FollowsTheObservedOutcome)
{
	const auto steps = steps_of("main: m = socket mptcp4\n"
				    "main: bind m 8080\n");

	ASSERT_EQ(steps.size(), 2u);
	Model ok_world{Profile{}};
	const StepResult a = ok_world.step(steps[0], Outcome::ok(3));
	EXPECT_TRUE(a.admitted);
	EXPECT_EQ(format_outcomes(ok_world.step(steps[1]).allowed), "ok");

	Model no_mptcp{Profile{}};
	const StepResult b = no_mptcp.step(steps[0], Outcome::error(EPROTONOSUPPORT));
	EXPECT_TRUE(b.admitted);
	EXPECT_EQ(b.chosen, Outcome::error(EPROTONOSUPPORT));
	EXPECT_EQ(format_outcomes(no_mptcp.step(steps[1]).allowed), "EBADF");
}

// [oracle.follow] An outcome the model does not allow is reported.
TEST(Oracle, RejectsOutcomesOutsideTheSet)
{
	const auto steps = steps_of("dir /a\nfile /a/f\n"
				    "main: set_no_new_privs\n"
				    "main: r = create_ruleset fs=read_file\n"
				    "main: restrict_self r\n"
				    "main: f = open /a/f rdonly\n");
	Model m{Profile{}};

	ASSERT_EQ(steps.size(), 4u);
	ASSERT_FALSE(m.setup(trace::parse_trace("dir /a\nfile /a/f\n", "t.trace").trace()));
	for (std::size_t i = 0; i + 1 < steps.size(); i++)
		m.step(steps[i], Outcome::ok());
	const StepResult r = m.step(steps.back(), Outcome::ok(4));
	EXPECT_FALSE(r.admitted);
	EXPECT_EQ(format_outcomes(r.allowed), "EACCES");
	/* The model goes on with an allowed outcome: f is bound to -1. */
	EXPECT_EQ(r.chosen, Outcome::error(EACCES));
}

// [oracle.follow] With an unknown erratum, the world of the outcome is kept.
TEST(Oracle, FollowsTheWorldOfAnUnknownErratum)
{
	const std::string tree = "dir /a\ndir /a/x\ndir /a/x/y\ndir /b\ndir /m\nmount bind /a /m\n";
	const auto steps = steps_of(tree + "main: d = open /m/x/y rdonly directory\n"
					   "main: rename /a/x /b/x\n"
					   "main: set_no_new_privs\n"
					   "main: r = create_ruleset fs=make_dir\n"
					   "main: add_rule r path_beneath /m fs=make_dir\n"
					   "main: restrict_self r\n"
					   "main: mkdir $d/n\n");
	const Profile unknown3 = testing::profile("errata=1+2+?3");

	const struct {
		Outcome observed;
		bool admitted;
		const char *then; /* the same mkdir again */
	} cases[] = {
		{Outcome::ok(), true, "EEXIST"},
		{Outcome::error(EACCES), true, "ok|EACCES"},
		{Outcome::error(EPERM), false, "EEXIST"},
	};

	for (const auto &c : cases) {
		Model m{unknown3};

		ASSERT_FALSE(m.setup(trace::parse_trace(tree, "t.trace").trace()));
		for (std::size_t i = 0; i + 1 < steps.size(); i++)
			m.step(steps[i], Outcome::ok(3 + static_cast<int>(i)));
		const StepResult r = m.step(steps.back(), c.observed);
		EXPECT_EQ(r.admitted, c.admitted) << format_outcome(c.observed);
		EXPECT_EQ(format_outcomes(r.allowed), "ok|EACCES");
		/* The directory exists only in the world that created it. */
		EXPECT_EQ(format_outcomes(m.step(steps.back()).allowed), c.then)
			<< "after " << format_outcome(c.observed);
	}
}

// [oracle.blocked] Operations that never return.
TEST(Oracle, BlockedOperations)
{
	EXPECT_PINS(Profile{}, "fifo /p\n"
			       "main: f = open /p rdonly => BLOCKED\n"
			       "main: g = open /p wronly => BLOCKED\n"
			       "main: h = open /p rdwr => ok\n"
			       "main: q = pipe\n"
			       "main: read q => BLOCKED\n");
	EXPECT_EQ(errno_name(err_blocked), "BLOCKED");
	EXPECT_EQ(parse_outcome("BLOCKED"), Outcome::error(err_blocked));
}

// [trace.bind] A failed step binds its name to fd -1.
TEST(Oracle, FailedStepBindsMinusOne)
{
	const auto r = testing::run("dir /a\nfile /a/f\n"
				    "main: f = open /a/nope rdonly => ENOENT\n"
				    "main: read f => EBADF\n"
				    "main: f = open /a/f rdonly => ok\n"
				    "main: read f => ok\n"
				    "main: close f => ok\n"
				    "main: read f => EBADF\n");

	ASSERT_EQ(r.error, "");
	EXPECT_EQ(r.model.state().processes[0].names.at("f"), 3);
	EXPECT_PINS(Profile{}, "dir /a\nfile /a/f\n"
			       "main: f = open /a/nope rdonly => ENOENT\n"
			       "main: read f => EBADF\n"
			       "main: g = dup f => EBADF\n"
			       "main: read g => EBADF\n");
}

} // namespace
} // namespace lockstep

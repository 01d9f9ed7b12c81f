// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep proofs (ctest label "proof") - lockstep prove and lockstep diff
 *
 * Every claim at the default bounds comes out as expected; every
 * counterexample is a trace that `lockstep explain` accepts (its pinned
 * outcome is the model's); the encodings agree with the model on random
 * instances; P1 fails for wrong walks; `lockstep diff` finds a trace for
 * every variant pair, and for optional= the length P5 proves minimal.
 */
#include "conformance/trace/parser.h"
#include "prove/diff.h"
#include "prove/prove.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

namespace lockstep::prove {
namespace {

/* `lockstep explain` on @text: its exit status (0: every pin allowed). */
int explain(const std::string &text, const std::string &extra = {})
{
	char path[] = "/tmp/lockstep-proof-XXXXXX";
	const int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	close(fd);
	std::ofstream(path) << text;
	const std::string cmd = std::string(LOCKSTEP_BIN) + " explain --quiet --profile abi=12 " +
				extra + " " + path + " > /dev/null";
	const int status = std::system(cmd.c_str());
	unlink(path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void expect_as_expected(const std::vector<Claim> &claims)
{
	for (const auto &c : claims) {
		EXPECT_TRUE(c.as_expected()) << c.id << " " << c.text << ": " << status_name(c.status)
					     << " " << c.note << "\n"
					     << c.trace;
		EXPECT_EQ(c.note.find("DISAGREE"), std::string::npos) << c.note;
		if (c.expect == Status::refuted) {
			ASSERT_FALSE(c.trace.empty()) << c.id;
			EXPECT_EQ(explain(c.trace), 0) << c.trace;
			std::cout << c.id << " " << c.text << "\n" << c.trace << std::endl;
		}
	}
}

TEST(Proof, P1KernelWalkIsTheDefinition)
{
	expect_as_expected(prove_p1(Bounds{}));
}

/* A proof that cannot fail proves nothing: two wrong walks are caught. */
TEST(Proof, P1CatchesWrongWalks)
{
	for (const char *m : {"any-layer", "skip-object"})
		expect_as_expected(prove_p1(Bounds{}, m));
}

TEST(Proof, P2CheckAtomicity)
{
	expect_as_expected(prove_p2(Bounds{}));
}

TEST(Proof, P3CommitAtomicity)
{
	expect_as_expected(prove_p3(Bounds{}));
}

TEST(Proof, P4Acyclicity)
{
	expect_as_expected(prove_p4(Bounds{}));
}

TEST(Proof, P5OptionalDistinguishable)
{
	expect_as_expected(prove_p5(Bounds{}));
}

/* The encodings decide as the model does, on the instances' traces. */
TEST(Proof, EncodingsAgreeWithTheModel)
{
	Bounds b;

	b.rights = 3;
	for (const char *p : {"P1", "P2", "P3"})
		for (const auto &e : validate(p, b, 40, 7))
			ADD_FAILURE() << e;
}

/* ---- lockstep diff ---- */

Variants settings(const std::string &text)
{
	Variants v;
	std::string error;

	EXPECT_TRUE(parse_variant(text, v, &error)) << error;
	return v;
}

TEST(Diff, EveryVariantPairDiffers)
{
	const std::pair<const char *, const char *> pairs[] = {
		{"check=snapshot", "check=per-step"},
		{"commit=copy-swap", "commit=in-place"},
		{"optional=open-time", "optional=operation-time"},
		{"acyclic=commit-outside", "acyclic=none"},
		{"acyclic=commit-outside", "acyclic=bind-on-first-use"},
	};

	for (const auto &[x, y] : pairs) {
		const Variants a = settings(x), b = settings(y);
		const diff::Result r = diff::shortest(a, b, diff::Options{});
		const std::string text = diff::format(r, a, b);

		ASSERT_TRUE(r.found) << x << " / " << y;
		EXPECT_TRUE(r.complete);
		std::cout << text << std::endl;
		/* A's outcome is pinned: explain accepts it as is, not under B. */
		EXPECT_EQ(explain(text), 0) << text;
		EXPECT_EQ(explain(text, std::string("--variant ") + y), 1) << text;
		ASSERT_TRUE(trace::parse_trace(text, "diff.trace").ok());
	}
}

/* The search and the proof agree on the shortest optional= difference. */
TEST(Diff, OptionalLengthIsTheOneP5ProvesMinimal)
{
	const auto p5 = prove_p5(Bounds{});
	const diff::Result r = diff::shortest(settings("optional=open-time"),
					      settings("optional=operation-time"), diff::Options{});

	ASSERT_TRUE(r.found);
	ASSERT_FALSE(p5.empty());
	const auto parsed = trace::parse_trace(p5[0].trace, "p5.trace");
	ASSERT_TRUE(parsed.ok());
	EXPECT_EQ(parsed.trace().steps.size(), r.trace.steps.size());
}

/* Exit status of `lockstep @args`, output discarded. */
int run(const std::string &args)
{
	const int status =
		std::system((std::string(LOCKSTEP_BIN) + " " + args + " > /dev/null 2>&1").c_str());

	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * [cli.exit] The CLI: lockstep prove (exec'ing lockstep-prove) and lockstep
 * diff, 0 as expected, 1 for nothing found, 2 for bad usage.
 */
TEST(Cli, ProveAndDiffRun)
{
	EXPECT_EQ(run("prove --help"), 0);
	EXPECT_EQ(run("prove --quiet --depth 3 P1"), 0);
	EXPECT_EQ(run("diff --help"), 0);
	EXPECT_EQ(run("diff --variant check=snapshot --variant check=per-step"), 0);
	EXPECT_EQ(run("diff --variant check=snapshot --variant check=per-step --max-steps 3"), 1);
}

TEST(Cli, BadUsageIsExit2)
{
	for (const char *args :
	     {"prove --bogus", "prove --bogus 1", "prove P9", "prove --depth x",
	      "prove --depth 99", "prove --bound depth=3,foo=2", "prove --mutant zz",
	      "prove --trace-dir /nonexistent/dir P5", "diff", "diff --variant check=snapshot",
	      "diff --variant check=snapshot --variant check=snapshot",
	      "diff --variant check=bogus --variant check=per-step",
	      "diff --variant check=snapshot --variant check=per-step --max-steps 3x",
	      "diff --variant check=snapshot --variant check=per-step --timeout 0",
	      "diff --variant check=snapshot --variant check=per-step extra",
	      "diff --variant check=snapshot --variant check=per-step --frob"})
		EXPECT_EQ(run(args), 2) << "lockstep " << args;
}

} // namespace
} // namespace lockstep::prove

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The oracle rules implemented outside the model (SPEC.md chapter 14): the
 * runner's expected failures, the executor's requirements and the CLI's
 * exit codes.  A separate binary, so that the model's tests do not depend
 * on the runner and the executor building.
 */
#include "conformance/runner/oracle.h"
#include "conformance/trace/parser.h"
#include "kernel/executor/plan.h"
#include "tools/lockstep/cli.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace lockstep {
namespace {

Trace parse(const std::string &text)
{
	const auto r = trace::parse_trace(text, "t.trace");

	EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().format());
	return r.ok() ? r.trace() : Trace{};
}

/* A completed run whose steps all returned @outcomes, in order. */
exec::TraceRun run_of(const std::vector<Outcome> &outcomes)
{
	exec::TraceRun run;

	for (const auto &o : outcomes) {
		exec::StepRun s;

		s.status = exec::StepRun::Status::done;
		s.outcome = o;
		run.steps.push_back(s);
	}
	return run;
}

Profile profile(const std::string &text)
{
	std::string error;

	return parse_profile(text, &error).value();
}

/* A thread restricted alone signals its main thread (erratum 2). */
const std::string thread_signal = "main: thread w\n"
				  "w: set_no_new_privs\n"
				  "w: r = create_ruleset scoped=signal\n"
				  "w: restrict_self r\n"
				  "w: tkill main\n";

runner::CaseResult judge(const Outcome &last, const std::string &profile_text)
{
	runner::Case c;

	c.name = "scope/thread_signal";
	c.trace = parse(thread_signal);
	const auto run = run_of({Outcome::ok(), Outcome::ok(), Outcome::ok(3), Outcome::ok(), last});
	return runner::judge(c, run, profile(profile_text));
}

// [oracle.xfail] Passing only because the kernel lacks a fix.
TEST(Runner, ExpectedFailureNamesTheErratum)
{
	const auto r = judge(Outcome::error(EPERM), "abi=7,errata=1+3");

	EXPECT_EQ(r.verdict, runner::Verdict::xfail);
	EXPECT_EQ(r.errata, std::vector<int>{2});
	EXPECT_NE(r.reason.find("erratum 2"), std::string::npos) << r.reason;
}

// [oracle.xfail] A kernel with the fix passes; a wrong outcome fails.
TEST(Runner, PassAndFailAreNotExpectedFailures)
{
	EXPECT_EQ(judge(Outcome::ok(), "abi=7,errata=1+2+3").verdict, runner::Verdict::pass);
	EXPECT_EQ(judge(Outcome::ok(), "abi=7,errata=1+3").verdict, runner::Verdict::fail);
	EXPECT_EQ(judge(Outcome::error(EPERM), "abi=7,errata=1+2+3").verdict,
		  runner::Verdict::fail);
	/* An outcome that does not depend on the erratum is a plain pass. */
	runner::Case c;
	c.trace = parse("main: create_ruleset flags=version\n");
	EXPECT_EQ(runner::judge(c, run_of({Outcome::ok(7)}), profile("abi=7,errata=1+3")).verdict,
		  runner::Verdict::pass);
}

/* Why make_plan() skips @header on a kernel of @profile_text. */
std::string skip_reason(const std::string &header, const std::string &profile_text,
			bool privileged = true)
{
	const exec::Plan p = exec::make_plan(parse(header + "main: pipe\n"),
					     profile(profile_text), privileged);

	return p.skip.value_or("");
}

// [trace.requires]
TEST(Runner, RequirementsSkipWithAReason)
{
	EXPECT_EQ(skip_reason("requires abi >= 8\n", "abi=8"), "");
	EXPECT_NE(skip_reason("requires abi >= 8\n", "abi=7"), "");
	EXPECT_EQ(skip_reason("requires abi <= 7\n", "abi=7"), "");
	EXPECT_NE(skip_reason("requires abi <= 7\n", "abi=8"), "");
	EXPECT_NE(skip_reason("requires root\n", "abi=7", false), "");
	EXPECT_EQ(skip_reason("requires root\n", "abi=7", true), "");
	EXPECT_NE(skip_reason("requires supervisor\n", "abi=11"), "");
	EXPECT_NE(skip_reason("requires model interleaving\n", "abi=12").find("interleaving"),
		  std::string::npos);
}

/* Run "lockstep CMD" on a trace file holding @text; its exit code. */
int run_cli(int (*cmd)(cli::Args), const char *name, const std::string &text,
	    std::vector<std::string> extra = {})
{
	const auto path = std::filesystem::temp_directory_path() /
			  ("lockstep_cli_" + std::to_string(::getpid()) + ".trace");
	std::ofstream(path) << text;
	extra.push_back(path.string());
	::testing::internal::CaptureStdout();
	::testing::internal::CaptureStderr();
	const int code = cmd(cli::Args(name, extra));
	::testing::internal::GetCapturedStdout();
	::testing::internal::GetCapturedStderr();
	std::filesystem::remove(path);
	return code;
}

int explain(const std::string &text, std::vector<std::string> extra = {})
{
	return run_cli(cli::cmd_explain, "explain", text, std::move(extra));
}

// [oracle.pins] A pin must hold on every ABI the case admits.
TEST(Cli, CheckRefusesPinsThatHoldOnSomeKernelsOnly)
{
	const std::string quiet = "main: create_ruleset fs=read_file quiet_fs=read_file => ok\n";

	EXPECT_EQ(run_cli(cli::cmd_check, "check", quiet), cli::exit_fail);
	EXPECT_EQ(run_cli(cli::cmd_check, "check", "requires abi >= 10\n" + quiet), cli::exit_ok);
	EXPECT_EQ(run_cli(cli::cmd_check, "check",
			  "requires abi >= 10\nmain: create_ruleset fs=read_file => EINVAL\n"),
		  cli::exit_fail);
}

// [cli.exit]
TEST(Cli, ExitCodes)
{
	EXPECT_EQ(cli::exit_ok, 0);
	EXPECT_EQ(cli::exit_fail, 1);
	EXPECT_EQ(cli::exit_usage, 2);
	EXPECT_EQ(explain("main: create_ruleset flags=version => ok(7)\n"), cli::exit_ok);
	EXPECT_EQ(explain("main: create_ruleset flags=version => ok(6)\n"), cli::exit_fail);
	EXPECT_EQ(explain("main: create_ruleset flags=nope\n"), cli::exit_usage);
	EXPECT_EQ(explain("main: create_ruleset flags=version\n", {"--profile", "abi=99"}),
		  cli::exit_usage);
}

} // namespace
} // namespace lockstep

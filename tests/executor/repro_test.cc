// SPDX-License-Identifier: GPL-2.0-only
/*
 * C reproducers: they compile with a plain `cc`, run on this kernel, and
 * observe what the executor observed.
 */
#include "exec_test_util.h"
#include "kernel/repro/repro.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <sys/wait.h>

namespace lockstep::exec::test {
namespace {

namespace fs = std::filesystem;

struct Ran {
	int status = -1; /* exit status, or -1 if it did not exit */
	std::string output;
	std::string compile_errors;
};

/* Compile @code with `cc FLAGS`, run it, collect its output. */
Ran compile_and_run(const std::string &code, const std::string &flags)
{
	const fs::path dir = fs::path(::testing::TempDir()) /
			     ("lockstep-repro-test-" + std::to_string(getpid()));
	Ran r;

	fs::create_directories(dir);
	std::ofstream(dir / "repro.c") << code;
	const std::string cc = "cc " + flags + " -o " + (dir / "repro").string() + " " +
			       (dir / "repro.c").string() + " > " + (dir / "cc.log").string() +
			       " 2>&1";
	const int built = std::system(cc.c_str());
	std::ifstream log(dir / "cc.log");

	r.compile_errors.assign(std::istreambuf_iterator<char>(log), {});
	if (built == 0) {
		const std::string run = (dir / "repro").string() + " > " +
					(dir / "out.log").string() + " 2>&1";
		const int st = std::system(run.c_str());
		std::ifstream out(dir / "out.log");

		r.output.assign(std::istreambuf_iterator<char>(out), {});
		r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	}
	fs::remove_all(dir);
	return r;
}

/* "ok(5)" -> "ok": fd numbers differ between the executor and the C file. */
std::string coarse(const std::string &outcome)
{
	return outcome.starts_with("ok") ? "ok" : outcome;
}

/* The outcome of every "step N: ..." line of a reproducer's output. */
std::vector<std::string> step_outcomes(const std::string &output)
{
	static const std::regex line(R"(^step \d+: .* (\S+)$)");
	std::vector<std::string> out;
	std::istringstream in(output);

	for (std::string l; std::getline(in, l);) {
		std::smatch m;

		if (std::regex_match(l, m, line))
			out.push_back(coarse(m[1]));
	}
	return out;
}

/*
 * Run @text with the executor, then its reproducer targeting the last
 * step with the executor's outcome as "the model's": the C program must
 * see the same outcome at every step and exit 0.
 */
void expect_same_as_executor(std::string_view text)
{
	Worker w;

	ASSERT_TRUE(w.error().empty()) << w.error();
	const Trace t = parse(text);
	const TraceRun run = w.run(t);

	ASSERT_EQ(run.status, TraceRun::Status::completed) << run.message;
	repro::ReproTarget target;

	target.step = t.steps.size() - 1;
	target.kernel_outcome = outcome_of(run, target.step);
	target.model_outcomes = {target.kernel_outcome};
	const std::string code = repro::write_c_reproducer(t, target);
	const Ran r = compile_and_run(code, "-pthread -Wall -Wextra -Werror");

	ASSERT_EQ(r.compile_errors, "") << code;
	EXPECT_EQ(r.status, 0) << r.output;
	std::vector<std::string> want;

	for (std::size_t i = 0; i < t.steps.size(); i++)
		want.push_back(coarse(outcome_of(run, i)));
	EXPECT_EQ(step_outcomes(r.output), want) << r.output;
}

TEST(Repro, Erratum4Whiteout)
{
	if (probe_kernel().profile.erratum(4) != Erratum::not_fixed)
		GTEST_SKIP() << "erratum 4 is not known to be unfixed here";
	const Trace t = parse(R"(
# fs/whiteout_needs_make_reg
# Erratum 4: creating a whiteout is guarded by make_reg.
dir /a
main: r = create_ruleset fs=make_reg,make_char
main: add_rule r path_beneath /a fs=make_reg
main: restrict_self r
main: mknod /a/w whiteout
)",
			      "whiteout.trace");
	repro::ReproTarget target;

	target.step = 3;
	target.kernel_outcome = "EACCES";
	target.model_outcomes = {"ok"};
	const std::string code = repro::write_c_reproducer(t, target);
	const Ran r = compile_and_run(code, "");

	ASSERT_EQ(r.compile_errors, "") << code;
	EXPECT_EQ(r.status, 1) << r.output;
	EXPECT_NE(r.output.find("expected (model): ok\n"), std::string::npos) << r.output;
	EXPECT_NE(r.output.find("got:              EACCES\n"), std::string::npos) << r.output;
	EXPECT_NE(code.find("cc -o repro repro.c"), std::string::npos);
	EXPECT_NE(code.find("Erratum 4"), std::string::npos) << "the doc is in the header";
}

TEST(Repro, AgreementExitsZero)
{
	const Trace t = parse("main: create_ruleset flags=version\n");
	repro::ReproTarget target;

	target.step = 0;
	target.kernel_outcome = "ok(7)";
	target.model_outcomes = {"ok(" + std::to_string(probe_kernel().profile.abi) + ")|EINVAL"};
	const Ran r = compile_and_run(repro::write_c_reproducer(t, target), "");

	EXPECT_EQ(r.status, 0) << r.output;
}

TEST(Repro, BlockedStep)
{
	const Trace t = parse("main: p = pipe\nmain: read p\n");
	repro::ReproTarget target;

	target.step = 1;
	target.kernel_outcome = "BLOCKED";
	target.model_outcomes = {"EAGAIN"};
	const Ran r = compile_and_run(repro::write_c_reproducer(t, target), "");

	EXPECT_EQ(r.status, 1) << r.output;
	EXPECT_NE(r.output.find("got:              BLOCKED"), std::string::npos) << r.output;
}

TEST(Repro, TasksMatchTheExecutor)
{
	expect_same_as_executor(R"(
dir  /a
file /a/f
main: set_no_new_privs
main: fork child
main: thread t
main: r = create_ruleset fs=read_file scoped=signal
main: add_rule r path_beneath /a fs=read_file
main: restrict_self r
main: kill child
child: kill main
t: tkill main
main: tkill t
child: f = open /a/f rdonly
child: g = pass_fd f to main
main: read g
main: h = pass_fd -1 to t
t: read h
)");
}

TEST(Repro, FilesMatchTheExecutor)
{
	expect_same_as_executor(R"(
dir  /a
dir  /bin
file /a/f
file /bin/true exec
symlink /a/l -> f
fifo /a/p
main: d = open /a rdonly directory
main: readdir d
main: g = open $d/f rdwr
main: write g
main: ftruncate g
main: truncate $d/f
main: ioctl g fionread
main: ioctl g tcgets
main: mkdir /a/sub
main: link /a/f /a/sub/f2
main: rename /a/sub/f2 /a/f3 noreplace
main: symlink $d/l2 -> f3
main: unlink /a/l2
main: rmdir /a/sub
main: mknod /a/s sock
main: h = open /a/l rdonly nofollow
main: exec /bin/true
main: r = create_ruleset fs=execute,read_file,truncate size=64 trailing=garbage
main: r2 = create_ruleset fs=execute,read_file,truncate size=64
main: add_rule r2 path_beneath fd=d fs=read_file,truncate
main: restrict_self r2
main: exec /bin/true
main: truncate /a/f
main: x = open /a/f rdonly
main: y = open /bin/true rdonly
)");
}

TEST(Repro, NetworkMatchesTheExecutor)
{
	LOCKSTEP_NEEDS_ROOT(); /* a private network namespace, like the executor */
	expect_same_as_executor(R"(
dir /run
main: r = create_ruleset net=bind_tcp,connect_tcp
main: add_rule r net_port 8080 net=bind_tcp
main: s = socket tcp4
main: bind s 8080
main: listen s
main: restrict_self r
main: t = socket tcp6
main: bind t 8081
main: bind t any:8080
main: u = socket tcp4
main: connect u unspec:8080
main: connect u 8080
main: x = socket unix_stream
main: bind x @abstract
main: d = open /run rdonly directory
main: y = socket unix_dgram
main: bind y $d/sock
main: sendto y /run/sock
main: z = socket udp4
main: sendto z 9 addrlen=3
)");
}

TEST(Repro, MountsMatchTheExecutor)
{
	LOCKSTEP_NEEDS_ROOT();
	expect_same_as_executor(R"(
dir /a
dir /b
dir /m
dir /m/x
mount tmpfs /a
mount bind /a /b
main: d = open /m rdonly directory
main: mount tmpfs $d/x
main: umount /b
main: mount bind /a /b
main: r = create_ruleset fs=read_file
main: restrict_self r
main: mount tmpfs /m
)");
}

TEST(Repro, BadTargetsAreRefused)
{
	const Trace t = parse("main: set_no_new_privs\n");
	repro::ReproTarget target;

	target.kernel_outcome = "ok";
	target.model_outcomes = {"EPERM"};
	target.step = 1;
	EXPECT_THROW(repro::write_c_reproducer(t, target), std::invalid_argument);
	target.step = 0;
	target.model_outcomes = {"EWHAT"};
	EXPECT_THROW(repro::write_c_reproducer(t, target), std::invalid_argument);
	target.model_outcomes = {};
	EXPECT_THROW(repro::write_c_reproducer(t, target), std::invalid_argument);
}

} // namespace
} // namespace lockstep::exec::test

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep executor - Driving one trace, inside the worker process
 */
#include "kernel/executor/driver.h"

#include "kernel/executor/plan.h"
#include "kernel/executor/task.h"
#include "kernel/executor/tree.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lockstep::exec {

namespace {

/* Signal handler state: the mailboxes to wake, and a count of SIGCHLDs. */
Mailbox *sigchld_mailboxes[2];
std::atomic<std::uint32_t> sigchld_count;

void on_sigchld(int)
{
	sigchld_count.fetch_add(1, std::memory_order_relaxed);
	for (Mailbox *mb : sigchld_mailboxes) {
		if (!mb)
			continue;
		mb->events.fetch_add(1, std::memory_order_release);
		futex_wake(mb->events);
	}
}

/* The running trace, as the coordinator sees it. */
struct Run {
	WorkerState &w;
	Mailbox &mb;
	const Trace &t;
	const Plan &plan;
	TraceRun &out;
	pid_t main_pid = -1;
	std::int64_t trace_deadline_ns = 0;
	std::uint32_t seen_sigchld = 0;
	std::string main_death; /* how main died, once it did */
	const std::function<void()> *background = nullptr; /* run once, then null */
};

/* Whether main has died (without reaping it); sets run.main_death. */
bool main_died(Run &run)
{
	const std::uint32_t n = sigchld_count.load(std::memory_order_relaxed);
	siginfo_t info{};

	if (n == run.seen_sigchld)
		return false;
	run.seen_sigchld = n;
	if (waitid(P_PID, static_cast<id_t>(run.main_pid), &info,
		   WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0)
		return false;
	if (info.si_code == CLD_EXITED)
		run.main_death = "main exited with status " + std::to_string(info.si_status);
	else
		run.main_death = "main was killed by signal " + std::to_string(info.si_status);
	return true;
}

enum class Wait { done, timeout, died };

/*
 * Wait for command @seq of @slot.  The deadline follows the task's
 * progress: each step of the command has its own step timeout, and the
 * whole trace its own.
 */
Wait wait_done(Run &run, Slot &slot, std::uint32_t seq)
{
	Mailbox &mb = run.mb;
	const std::int64_t step_ns = run.w.opts.step_timeout.count() * 1000000LL;

	while (true) {
		const std::uint32_t ev = mb.events.load(std::memory_order_acquire);

		if (slot.done_seq.load(std::memory_order_acquire) == seq)
			return Wait::done;
		if (main_died(run))
			return Wait::died;
		const std::int64_t deadline =
			std::min(slot.started_ns.load(std::memory_order_relaxed) + step_ns,
				 run.trace_deadline_ns);

		if (monotonic_ns() >= deadline)
			return Wait::timeout;
		const timespec ts = from_ns(deadline);

		futex_wait(mb.events, ev, &ts);
	}
}

Outcome result_outcome(const StepResult &r)
{
	if (r.err)
		return Outcome::error(r.err);
	return r.has_value ? Outcome::ok(r.value) : Outcome::ok();
}

void record(Run &run, std::size_t i)
{
	const StepResult &r = run.mb.results[i];
	StepRun &sr = run.out.steps[i];

	sr.status = StepRun::Status::done;
	sr.outcome = result_outcome(r);
	sr.note = r.note;
}

std::string where(const Run &run, std::size_t i, int task)
{
	return "step " + std::to_string(i + 1) + " (line " +
	       std::to_string(run.t.steps[i].loc.line) + ", task " +
	       run.plan.task_names[task] + ")";
}

/*
 * Post steps @first..@last to @task and wait.  Records the steps that
 * finished; on a timeout or a death, fills in the trace's status and
 * returns false.
 */
bool command(Run &run, int task, Command cmd, std::size_t first, std::size_t last, int arg)
{
	Slot &slot = run.mb.slots[task];
	const std::uint32_t seq = post(slot, cmd, static_cast<std::uint32_t>(first),
				       static_cast<std::uint32_t>(last), arg);

	/* The worker's own chores, while the task works on the other CPU. */
	if (run.background) {
		(*run.background)();
		run.background = nullptr;
	}
	const Wait wait = wait_done(run, slot, seq);
	const std::size_t stuck = wait == Wait::done ? last + 1 : slot.current.load();

	for (std::size_t i = first; i < stuck && i <= last; i++)
		record(run, i);
	if (wait == Wait::done && !slot.crash_signal.load())
		return true;
	if (wait == Wait::timeout) {
		run.out.status = TraceRun::Status::timeout;
		run.out.message = where(run, stuck, task) + " did not finish in time";
		/* [oracle.blocked] A step that never returns is "blocked". */
		run.out.steps[stuck].status = StepRun::Status::timeout;
		run.out.steps[stuck].outcome = Outcome::error(err_blocked);
		return false;
	}
	run.out.status = TraceRun::Status::crashed;
	run.out.message = slot.crash_signal.load()
				  ? where(run, stuck, task) + ": the task crashed with signal " +
					    std::to_string(slot.crash_signal.load())
				  : where(run, stuck, task) + ": " + run.main_death;
	return false;
}

/* The last step of the command that starts at @first. */
std::size_t batch_end(const Run &run, std::size_t first)
{
	std::size_t last = first;

	/* pass_fd ends a command: the receiver must act right after it. */
	while (last + 1 < run.t.steps.size() &&
	       run.plan.actor[last + 1] == run.plan.actor[first] &&
	       !std::holds_alternative<PassFd>(run.t.steps[last].op))
		last++;
	return last;
}

/*
 * The receiving half of pass_fd step @i: the receiver binds the name, to
 * the fd or, when the send failed, to -1; the send's error is then the
 * step's outcome.
 */
bool receive(Run &run, std::size_t i)
{
	const StepRun sent = run.out.steps[i];

	if (!command(run, run.plan.other[i], Command::receive_fd, i, i, sent.outcome.success()))
		return false;
	if (!sent.outcome.success())
		run.out.steps[i] = sent;
	return true;
}

void drive_steps(Run &run)
{
	for (std::size_t first = 0; first < run.t.steps.size();) {
		const std::size_t last = batch_end(run, first);

		if (!command(run, run.plan.actor[first], Command::run_steps, first, last, 0))
			return;
		if (std::holds_alternative<PassFd>(run.t.steps[last].op) && !receive(run, last))
			return;
		first = last + 1;
	}
}

/*
 * Put main's descriptors where main expects them (TaskEnv), so that the
 * forked child has nothing to move: the root, and the pass_fd pair.
 */
std::optional<std::string> place_fds(const WorkerState &w, const Plan &plan, int root_fd,
				      TaskEnv &env)
{
	int pair[2];

	env.root_fd = w.fd_base;
	if (dup3(root_fd, env.root_fd, O_CLOEXEC) < 0)
		return "dup3 of the root fd: " + errno_name(errno);
	if (!plan.passes_fds)
		return std::nullopt;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
		return "socketpair for pass_fd: " + errno_name(errno);
	env.pass_send = w.fd_base + 1;
	env.pass_recv = w.fd_base + 2;
	dup3(pair[0], env.pass_send, O_CLOEXEC);
	dup3(pair[1], env.pass_recv, O_CLOEXEC);
	close(pair[0]);
	close(pair[1]);
	return std::nullopt;
}

TaskEnv task_env(const WorkerState &w, const Prepared &p)
{
	TaskEnv env;

	env.trace = &p.trace;
	env.plan = &p.plan;
	env.mb = p.mb;
	env.worker_pid = w.pid;
	env.abstract_prefix = "lockstep-" + std::to_string(w.pid) + "-" +
			      std::to_string(p.number) + "-";
	return env;
}

void fail_setup(Prepared &p, const std::string &why)
{
	p.out.status = TraceRun::Status::setup_error;
	p.out.message = why;
}

/* Fork main; returns false (with the trace's status set) on failure. */
bool fork_main(const TaskEnv &env, Prepared &p)
{
	const pid_t pid = fork();

	if (pid < 0) {
		fail_setup(p, "fork: " + errno_name(errno));
		return false;
	}
	if (pid == 0)
		run_main_task(env);
	/* Also here: kill(-pid) must work even before main runs. */
	setpgid(pid, pid);
	p.main_pid = pid;
	/* main's slot: known here, so main need not announce itself. */
	env.mb->slots[0].pid = pid;
	env.mb->slots[0].tid = pid;
	env.mb->slots[0].ready.store(1, std::memory_order_release);
	return true;
}

void close_env_fds(const TaskEnv &env)
{
	if (env.root_fd >= 0)
		close(env.root_fd);
	if (env.pass_send >= 0) {
		close(env.pass_send);
		close(env.pass_recv);
	}
}

} // namespace

void install_sigchld_wakeup(Mailbox *const mb[2])
{
	struct sigaction sa {};

	sigchld_mailboxes[0] = mb[0];
	sigchld_mailboxes[1] = mb[1];
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_NOCLDSTOP; /* no SA_RESTART: interrupt the futex wait */
	sigaction(SIGCHLD, &sa, nullptr);
}

void prepare(WorkerState &w, Prepared &p)
{
	p.start_ns = monotonic_ns();
	p.number = w.traces++;
	/* Neighbouring traces use different mailboxes (start_main()). */
	p.mb = w.mb[p.number % 2];
	p.plan = make_plan(p.trace, w.profile, w.privileged);
	p.out.steps.resize(p.trace.steps.size());
	if (p.plan.error) {
		fail_setup(p, *p.plan.error);
		return;
	}
	if (p.plan.skip) {
		p.out.status = TraceRun::Status::skipped;
		p.out.message = *p.plan.skip;
		for (auto &s : p.out.steps)
			s.status = StepRun::Status::skipped;
		return;
	}
	const std::optional<std::string> err = w.roots.take(p.trace.tree, p.dir);

	if (err)
		fail_setup(p, *err);
	else
		p.runnable = true;
}

void start_main(WorkerState &w, Prepared &p)
{
	TaskEnv env = task_env(w, p);

	if (!p.runnable || p.main_pid > 0)
		return;
	if (auto err = place_fds(w, p.plan, p.dir.fd, env)) {
		fail_setup(p, *err);
	} else {
		mailbox_reset(p.mb, p.trace.steps.size());
		fork_main(env, p);
	}
	if (p.main_pid <= 0)
		p.runnable = false;
	/* main has its own copies of these. */
	close_env_fds(env);
}

void execute(WorkerState &w, Prepared &p, const std::function<void()> &settle,
	     const std::function<void()> &background)
{
	Run run{w, *p.mb, p.trace, p.plan, p.out, -1, 0, 0, {}, &background};

	start_main(w, p);
	const bool started = p.main_pid > 0;

	settle();
	if (started) {
		run.main_pid = p.main_pid;
		/* Look once at whether main, maybe started early, is still there. */
		run.seen_sigchld = sigchld_count.load(std::memory_order_relaxed) - 1;
		run.trace_deadline_ns = monotonic_ns() + w.opts.trace_timeout.count() * 1000000LL;
		drive_steps(run);
	}
	if (run.background)
		background();
	/* Dead from now on; reap() collects them. */
	if (started)
		kill(p.plan.single_process ? p.main_pid : -p.main_pid, SIGKILL);
	p.out.seconds = static_cast<double>(monotonic_ns() - p.start_ns) / 1e9;
}

void abandon(const Prepared &p)
{
	if (p.main_pid <= 0)
		return;
	kill(p.plan.single_process ? p.main_pid : -p.main_pid, SIGKILL);
	reap(p);
}

void reap(const Prepared &p)
{
	int status;

	if (p.main_pid <= 0)
		return;
	if (p.plan.single_process) {
		while (waitpid(p.main_pid, &status, 0) < 0 && errno == EINTR) {
		}
		return;
	}
	/*
	 * Every process of the trace is in main's group; orphans come back to
	 * us (subreaper) before their parent becomes a zombie, so when no
	 * child of that group is left, none is left at all.
	 */
	while (waitpid(-p.main_pid, &status, 0) > 0 || errno == EINTR) {
	}
}

bool reap_first(const Prepared &p)
{
	return !p.plan.single_process || p.plan.has_mounts || p.plan.holds_names;
}

bool reaped(pid_t pid, bool wait)
{
	pid_t r;

	while ((r = waitpid(pid, nullptr, wait ? 0 : WNOHANG)) < 0 && errno == EINTR) {
	}
	return r != 0;
}

void remove_dir(WorkerState &w, Prepared &p)
{
	if (p.dir.name.empty())
		return;
	if (p.plan.has_mounts)
		unmount_beneath(p.dir.path);
	w.roots.give_back(std::move(p.dir), p.trace.tree, !p.plan.mutates && !p.plan.has_mounts);
	p.dir = TraceDir{};
}

} // namespace lockstep::exec

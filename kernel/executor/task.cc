// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep executor - Task processes and threads
 */
#include "kernel/executor/task.h"

#include "kernel/executor/ops.h"
#include "kernel/executor/uapi.h"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace lockstep::exec {

namespace {

/* The slot of the task running on this thread, for the crash handler. */
thread_local Slot *crash_slot;
thread_local Mailbox *crash_mailbox;

void ignore_signal(int) {}

/*
 * A fault while performing a step: report it in the slot so that the
 * coordinator does not wait for a timeout, then die of the signal.  Signals
 * sent with kill() (si_code <= 0) are not faults: a trace may send them.
 */
void crash_handler(int sig, siginfo_t *info, void *)
{
	if (info->si_code <= 0)
		return;
	if (crash_slot) {
		crash_slot->crash_signal.store(sig);
		complete(*crash_mailbox, *crash_slot,
			 crash_slot->cmd_seq.load(std::memory_order_acquire));
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

bool is_fault(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
	       sig == SIGSYS || sig == SIGTRAP;
}

} // namespace

void setup_task_signals()
{
	struct sigaction ignore {}, crash {};
	sigset_t none;

	ignore.sa_handler = ignore_signal;
	ignore.sa_flags = SA_RESTART;
	crash.sa_sigaction = crash_handler;
	crash.sa_flags = SA_SIGINFO | SA_RESTART;
	/*
	 * Catch every signal a trace may send (kill, tkill) so that a task
	 * survives it, but keep the default of SIGCHLD (for exec's waitpid).
	 */
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD)
			continue;
		sigaction(sig, is_fault(sig) ? &crash : &ignore, nullptr);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, nullptr);
}

void task_loop(const TaskEnv *env, Process *proc, int index)
{
	Task t{env, proc, index, {}};
	Slot &slot = t.slot(index);
	std::uint32_t seq = 0;

	crash_slot = &slot;
	crash_mailbox = env->mb;
	/* The worker fills main's slot itself; other tasks tell their creator. */
	if (index != 0)
		announce_ready(slot);
	while (true) {
		seq = wait_command(slot, seq);
		for (std::uint32_t i = slot.first; i <= slot.last; i++) {
			StepResult &r = env->mb->results[i];

			step_started(slot, i);
			t.note.clear();
			const Outcome o = slot.cmd == Command::receive_fd
						  ? receive_passed_fd(t, i, slot.arg != 0)
						  : perform_step(t, i);
			r.err = o.err;
			r.has_value = o.value.has_value();
			r.value = o.value.value_or(0);
			/*
			 * Not snprintf(): its code is pages that every fresh
			 * main would fault in just to copy a string.
			 */
			const std::size_t n = std::min(t.note.size(), sizeof r.note - 1);

			std::memcpy(r.note, t.note.data(), n);
			r.note[n] = '\0';
		}
		complete(*env->mb, slot, seq);
	}
}

void run_main_task(const TaskEnv &env)
{
	struct sigaction dfl {};

	/* Our own group, so that the whole trace can be killed at once. */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != env.worker_pid)
		_exit(1);
	/*
	 * The worker set up everything else before forking: signal
	 * dispositions, umask, 0-2 on /dev/null, our fds at 60-62.  What
	 * remains is the worker's SIGCHLD wake-up, and its own descriptors
	 * below ours.
	 */
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &dfl, nullptr);
	syscall(uapi::nr_close_range, 3, env.root_fd - 1, 0);
	if (fchdir(env.root_fd) != 0)
		_exit(2);
	/* One process-wide name table; fork copies it, threads share it. */
	Process proc;

	task_loop(&env, &proc, 0);
}

} // namespace lockstep::exec

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep executor - Shared-memory mailbox between the worker and its tasks
 *
 * The worker (coordinator) drives a trace strictly one step at a time: it
 * posts a command in the acting task's slot, wakes it, and sleeps until the
 * task reports.  Every task process of the trace maps the same anonymous
 * shared page (it is created before the first fork), so the mailbox only
 * carries step indices and results; the trace itself is in every task's
 * memory.  Waiting is done with futexes on shared (not private) words, so
 * nothing polls.
 */
#pragma once

#include "kernel/executor/plan.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <sys/types.h>

namespace lockstep::exec {

enum class Command : std::uint32_t {
	run_steps = 1,	/* perform steps @first..@last, in order */
	receive_fd = 2, /* pass_fd, receiving side of step @first; @arg: 1 if sent */
};

/**
 * struct StepResult - what one step returned, written by the acting task
 */
struct StepResult {
	std::int64_t value;
	std::int32_t err;
	std::uint8_t has_value;
	char note[200];
};

/**
 * struct Slot - one task's command and progress
 *
 * @cmd_seq: bumped by the coordinator for each command; the task waits on it.
 * @done_seq: set to @cmd_seq by the task when the command is done.
 * @ready: set once the task runs, when @pid and @tid are valid.
 * @first, @last: the steps of the command.  Consecutive steps of one task
 *                are one command: nothing happens elsewhere in between, so
 *                waking the coordinator for each would only cost time.
 * @current, @started_ns: the step being performed and when it started
 *                (CLOCK_MONOTONIC): each step gets its own timeout.
 * @crash_signal: a fatal signal the task took while running @current.
 */
struct alignas(64) Slot {
	std::atomic<std::uint32_t> cmd_seq;
	std::atomic<std::uint32_t> done_seq;
	std::atomic<std::uint32_t> ready;
	Command cmd;
	std::uint32_t first;
	std::uint32_t last;
	std::int32_t arg;
	pid_t pid;
	pid_t tid;
	std::atomic<std::uint32_t> current;
	std::atomic<std::int64_t> started_ns;
	std::atomic<std::int32_t> crash_signal;
};

/**
 * struct Mailbox - the slots of one trace's tasks, and its step results
 *
 * @events: bumped after every completion (and by the worker's SIGCHLD
 *          handler): the coordinator sleeps on this single word, which
 *          cannot miss a wake-up that happens before it sleeps.
 */
struct Mailbox {
	std::atomic<std::uint32_t> events;
	Slot slots[max_tasks];
	StepResult results[max_steps];
};

static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

/* A fresh MAP_SHARED|MAP_ANONYMOUS mailbox, or nullptr (errno set). */
Mailbox *mailbox_create();
void mailbox_destroy(Mailbox *mb);
/*
 * Clear the slots and the first @steps results before a trace: no process
 * of the previous one is alive.
 */
void mailbox_reset(Mailbox *mb, std::size_t steps);

/* Shared futex operations; @deadline is CLOCK_MONOTONIC, nullptr: forever. */
int futex_wait(std::atomic<std::uint32_t> &word, std::uint32_t expected,
	       const timespec *deadline);
void futex_wake(std::atomic<std::uint32_t> &word);

/* Task side: block until a command newer than @last arrives; returns its seq. */
std::uint32_t wait_command(Slot &slot, std::uint32_t last);
/* Task side: publish the result of command @seq (async-signal-safe). */
void complete(Mailbox &mb, Slot &slot, std::uint32_t seq);
/* Task side: mark @slot as running (pid, tid) and wake whoever waits. */
void announce_ready(Slot &slot);
/* Creator side: wait until @slot is ready (a new thread or process). */
void wait_ready(Slot &slot);

/* Task side: step @step starts now. */
void step_started(Slot &slot, std::uint32_t step);

/* Coordinator side: post a command to @slot and wake its task. */
std::uint32_t post(Slot &slot, Command cmd, std::uint32_t first, std::uint32_t last,
		   std::int32_t arg);

/* CLOCK_MONOTONIC now (also in nanoseconds), now + @ms. */
timespec monotonic_now();
std::int64_t monotonic_ns();
timespec from_ns(std::int64_t ns);
timespec deadline_after(long long ms);
bool before(const timespec &a, const timespec &b);

} // namespace lockstep::exec

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep executor - Shared-memory mailbox and futexes
 */
#include "kernel/executor/mailbox.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace lockstep::exec {

Mailbox *mailbox_create()
{
	void *p = mmap(nullptr, sizeof(Mailbox), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return nullptr;
	/* Fresh anonymous memory is zero: every atomic starts at 0. */
	return static_cast<Mailbox *>(p);
}

void mailbox_destroy(Mailbox *mb)
{
	if (mb)
		munmap(mb, sizeof(Mailbox));
}

void mailbox_reset(Mailbox *mb, std::size_t steps)
{
	mb->events.store(0);
	std::memset(static_cast<void *>(mb->slots), 0, sizeof mb->slots);
	std::memset(static_cast<void *>(mb->results), 0, steps * sizeof mb->results[0]);
}

int futex_wait(std::atomic<std::uint32_t> &word, std::uint32_t expected,
	       const timespec *deadline)
{
	/* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline. */
	const long r = syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(&word),
			       FUTEX_WAIT_BITSET, expected, deadline, nullptr,
			       FUTEX_BITSET_MATCH_ANY);

	return r < 0 ? errno : 0;
}

void futex_wake(std::atomic<std::uint32_t> &word)
{
	syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(&word), FUTEX_WAKE, INT_MAX,
		nullptr, nullptr, 0);
}

std::uint32_t wait_command(Slot &slot, std::uint32_t last)
{
	while (true) {
		const std::uint32_t seq = slot.cmd_seq.load(std::memory_order_acquire);

		if (seq != last)
			return seq;
		futex_wait(slot.cmd_seq, seq, nullptr);
	}
}

void complete(Mailbox &mb, Slot &slot, std::uint32_t seq)
{
	slot.done_seq.store(seq, std::memory_order_release);
	mb.events.fetch_add(1, std::memory_order_release);
	futex_wake(mb.events);
}

void announce_ready(Slot &slot)
{
	slot.pid = getpid();
	slot.tid = static_cast<pid_t>(syscall(SYS_gettid));
	slot.ready.store(1, std::memory_order_release);
	futex_wake(slot.ready);
}

void wait_ready(Slot &slot)
{
	while (!slot.ready.load(std::memory_order_acquire))
		futex_wait(slot.ready, 0, nullptr);
}

void step_started(Slot &slot, std::uint32_t step)
{
	slot.started_ns.store(monotonic_ns(), std::memory_order_relaxed);
	slot.current.store(step, std::memory_order_release);
}

std::uint32_t post(Slot &slot, Command cmd, std::uint32_t first, std::uint32_t last,
		   std::int32_t arg)
{
	const std::uint32_t seq = slot.cmd_seq.load(std::memory_order_relaxed) + 1;

	slot.cmd = cmd;
	slot.first = first;
	slot.last = last;
	slot.arg = arg;
	/* The first step's clock starts now, even if the task is slow to wake. */
	step_started(slot, first);
	slot.cmd_seq.store(seq, std::memory_order_release);
	futex_wake(slot.cmd_seq);
	return seq;
}

timespec monotonic_now()
{
	timespec ts{};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

std::int64_t monotonic_ns()
{
	const timespec ts = monotonic_now();

	return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

timespec from_ns(std::int64_t ns)
{
	return timespec{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
}

timespec deadline_after(long long ms)
{
	timespec ts = monotonic_now();

	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

bool before(const timespec &a, const timespec &b)
{
	return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

} // namespace lockstep::exec

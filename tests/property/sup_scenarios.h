/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep properties - Supervisor scenarios and what each must satisfy
 *
 * A scenario is a fixed setup (a supervisor, its supervisee enforced by a
 * child, some rules) and a list of abstract actions.  The builder maps each
 * action on a valid step of the current state, or drops it, so that
 * RapidCheck can shrink a scenario by removing any action and still get a
 * valid trace.  While it writes the trace it runs the model twice: the trace
 * itself (with pause=K interleaving points) and a reference run in which
 * every operation is atomic, from which each property takes the outcomes an
 * atomic implementation may give ([sup.check], [sup.commit], [sup.optional],
 * [sup.acyclic]).
 */
#pragma once

#include "model/model.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lockstep::prop {

/* One abstract action; its fields are reduced modulo what the state offers. */
struct Action {
	unsigned kind = 0;
	unsigned a = 0, b = 0, c = 0;
};

/*
 * How often each kind of action of a scenario is drawn (index: kind).  The
 * interesting interleavings (a walk paused while a rule moves, a commit
 * paused half-way, a waiter whose answerer leaves) need a few particular
 * actions in order: uniform kinds would make them rare, so generators draw
 * kinds with these weights rather than discarding cases.
 */
const std::vector<unsigned> &atomicity_kinds();
const std::vector<unsigned> &optional_kinds();
const std::vector<unsigned> &acyclic_kinds();

/* A rule of the setup: an index into the scenario's paths, and rights. */
struct SetupRule {
	unsigned path = 0;
	unsigned rights = 0;
};

/**
 * struct SupSetup - the fixed beginning of an atomicity or optional scenario
 *
 * @handled: bits over the scenario's rights (see sup_scenarios.cc).
 * @committed: the supervisor's rules committed before the child runs.
 * @own: the supervisee's own rules.
 * @plain: rules of an ordinary layer enforced first (nullopt: none).
 */
struct SupSetup {
	unsigned handled = 1;
	std::vector<SetupRule> committed;
	std::vector<SetupRule> own;
	std::optional<std::vector<SetupRule>> plain;
};

/**
 * struct Verdict - a scenario's trace and whether it keeps the property
 *
 * @trace: the trace, printable and runnable by `lockstep explain`.
 * @ok: the property held at every step.
 * @report: for a violation, the trace with the outcomes pinned and a doc
 *          comment saying which step broke what.
 * @violating_step: index of that step.
 */
struct Verdict {
	Trace trace;
	bool ok = true;
	std::string report;
	std::size_t violating_step = 0;
};

/* Which operations may stop at an interleaving point (pause=K). */
struct Interleave {
	bool commits = true;
	bool accesses = true;
};

/*
 * [sup.commit] [sup.check] Atomicity: every access gives an outcome it would
 * give with every commit either entirely before or entirely after it, i.e.
 * under the rules committed before or after each concurrent commit.
 */
Verdict atomicity(const SupSetup &setup, const std::vector<Action> &actions,
		  const Variants &v, Interleave il);

/*
 * [sup.optional] Optional accesses: ftruncate() and a device ioctl() on an
 * fd give what was decided at open (optional=open-time) or what a fresh
 * open would decide now (optional=operation-time), whoever uses the fd.
 * With @distinguish, the verdict is instead "not ok" when the two
 * decisions differ at a use: a trace on which the variants differ.
 */
Verdict optional_access(const SupSetup &setup, const std::vector<Action> &actions,
			const Variants &v, bool distinguish = false);

/* What an acyclicity verdict checks after every step. */
enum class AcyclicCheck : std::uint8_t {
	no_deadlock,	     /* sup_deadlocked() stays empty */
	no_cycle,	     /* no cycle in the wait-for graph */
	no_self_supervision, /* no cycle among the waiters of one supervisor */
};

/*
 * [sup.acyclic] Tasks, supervisor fds passed around, denied accesses that
 * wait for an answer: the wait-for graph after every step.  @supervisors
 * created by main at the start (0 to 2).  With @steady, checking stops at a
 * TSYNC that replaces the domain of a waiting thread ([restrict.tsync]).
 */
Verdict acyclicity(unsigned supervisors, const std::vector<Action> &actions,
		   const Variants &v, AcyclicCheck check, bool steady = false);

} // namespace lockstep::prop

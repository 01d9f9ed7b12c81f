/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep model - The supervisor extension (mutable domains)
 *
 * The proposal of the 2026 RFC "Landlock: mutable domains": a supervisor
 * ruleset whose committed rules extend, for one layer, what the supervisee's
 * own rules grant ([sup]).  Each open design question is a variant
 * (model/profile.h) so that the alternatives can be run side by side.
 *
 * The hooks below are called by the mainline syscalls and access checks;
 * with a mainline profile none of them changes anything, since no
 * supervisor ruleset can exist.
 */
#pragma once

#include "model/fs_check.h"
#include "model/step.h"

#include <optional>
#include <vector>

namespace lockstep {

/* ---- uAPI: create_ruleset, add_rule, ioctl ([sup.create], [sup.stage]) ---- */

/* Whether @flags ask for a supervisor ruleset. */
bool sup_is_create_flags(std::uint32_t flags);
/* Create the supervisor behind a new supervisor ruleset. */
void sup_create(StepCtx &c, Ruleset &rs, std::uint32_t flags);

/*
 * add_rule() on a supervisor ruleset stages the rule (and commits with
 * COMMIT); INTERSECT narrows a rule.  Returns true when it decided the step.
 * @inode is -1 for a net rule (then @port applies).
 */
bool sup_add_rule(StepCtx &c, const AddRule &op, Ruleset &rs, InodeId inode,
		  std::uint16_t port);
/* Commit-only calls and flags that are invalid on this kind of ruleset. */
bool sup_add_rule_special(StepCtx &c, const AddRule &op, Ruleset &rs);

/* ---- Enforcement ([sup.restrict], [sup.acyclic]) ---- */

/* restrict_self(): 0, or the errno the extension gives. */
int sup_check_restrict(StepCtx &c, Ruleset &rs);
/* Whether task @t may act as supervisor @sup (commit, answer events). */
bool sup_valid_responder(const State &s, const Profile &p, int t, int sup);

/* ---- Access checks ([sup.check]) ---- */

/* The live committed rules extending each layer of @d. */
std::vector<const Rules *> sup_committed(const State &s, const Domain &d);

/*
 * Walk @path for @request as the acting task, reading committed supervisor
 * rules as the check variant says.  A step with pause=K stops after K
 * dentries: then nullopt is returned and the step is paused.  A resumed step
 * continues the walk it saved.
 */
std::optional<FsWalk> sup_walk(StepCtx &c, const VPath &path, AccessMask request);

/* ---- Notifications ([sup.notify]) ---- */

/*
 * A check denied @request: EACCES, or err_blocked when the youngest denying
 * layer's supervisor has notifications, the denial is not quiet and some
 * task can answer (acyclic variant): then an event is queued and the acting
 * task waits for the answer.  @object names what the event carries.
 */
int sup_denial(StepCtx &c, const LayerMasks &m, const Domain &d, bool net,
	       const std::string &object);
/* read(2)/write(2) on a supervisor fd: read an event, answer the oldest
 * read one.  Return false when @f is not a supervisor's fd. */
bool sup_read_event(StepCtx &c, const OpenFile &f);
bool sup_answer_event(StepCtx &c, const OpenFile &f);
/* After a close: supervisors nobody holds any more deny their events. */
void sup_teardown(State &s, std::vector<std::string> *why);
/*
 * [sup.acyclic.deadlock] Blocked tasks that no task that can act will ever
 * release: nobody can answer them, now or after being passed the
 * supervisor fd, and the supervisor cannot go away (a process holding its
 * fd has no task that can act, so the fd is never closed).
 */
std::vector<int> sup_deadlocked(const State &s, const Profile &p);
/*
 * [sup.acyclic] Waiting tasks on a cycle of the wait-for graph (or waiting
 * for one): a waiting task waits for every waiting task that may answer its
 * supervisor and holds its fd.  With @one_supervisor, only cycles among the
 * waiters of one supervisor (self-supervision).
 */
std::vector<int> sup_wait_cycle(const State &s, const Profile &p, bool one_supervisor);

/*
 * [sup.optional] With optional=operation-time, truncate and device ioctl on
 * a file opened in a supervised domain are checked again when they happen:
 * 0 or EACCES.  nullopt: the open-time decision applies.
 */
std::optional<int> sup_optional_recheck(StepCtx &c, const OpenFile &f,
					AccessMask right);

} // namespace lockstep

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep fuzz - The model's internal invariants
 *
 * Checked after every step of every trace fuzz_model runs (a broken one is
 * a finding, see harness.h):
 * - every filesystem decision is what the layers' rules say, recomputed
 *   declaratively from the walked dentries (the model's FsAudit hook): a
 *   layer never grants more than its rules, nor less; a refer across
 *   directories needs refer (and the make/remove rights) on both sides;
 * - outcome sets are never empty, and name known errnos;
 * - domains are well formed: at most 16 layers, layer ids increasing, the
 *   merged rule index equal to the layers' rules;
 * - supervisors: a successful commit publishes exactly the staged rules,
 *   the committed ruleset is always one that was staged at some step (but
 *   while an in-place commit is paused, which is that variant's point), and
 *   with copy-swap a published ruleset never changes.
 */
#pragma once

#include "model/model.h"

#include <map>
#include <vector>

namespace lockstep::fuzz {

class Checker {
public:
	explicit Checker(const Profile &profile) : profile_(profile) {}
	/* The hook refers to this checker: it stays where it is. */
	Checker(const Checker &) = delete;
	Checker &operator=(const Checker &) = delete;

	/*
	 * Audit every filesystem decision of @m (and of its copies) from now
	 * on: @m must not step once this checker is gone.
	 */
	void attach(Model &m) const;

	/* After Model::setup(). */
	void begin(const State &s);
	/* After each Model::step(): @r is its result, @s the state after it. */
	void after_step(const Step &step, const StepResult &r, const State &s);

	/* A step's outcomes: never empty, known errnos, the chosen one allowed. */
	void check_outcomes(const StepResult &r) const;

	/* Called by the hook: one decision (see model/fs_check.h, FsAudit). */
	void audit(const FsAudit &a) const;

	/* How many decisions were audited (for tests). */
	std::size_t audited() const { return audited_; }

private:
	Profile profile_;
	/* Per supervisor: every rule of every ruleset it ever published. */
	std::map<int, Rules> ever_committed_;
	/* Per supervisor: its staged rules at the end of each step so far. */
	std::map<int, std::vector<Rules>> staged_;
	/* Per supervisor: its published rulesets after the previous step. */
	std::map<int, std::vector<Rules>> published_;
	mutable std::size_t audited_ = 0;

	void record(const State &s);
	void check_domains(const State &s) const;
	void check_supervisors(const Step &step, const StepResult &r, const State &s) const;
	void audit_walk(const FsAudit &a) const;
	void audit_refer(const FsAudit &a) const;
};

} // namespace lockstep::fuzz

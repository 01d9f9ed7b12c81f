/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep model - The model: a trace in, allowed outcomes out
 *
 * Model::step() computes, for one step of a trace, the set of outcomes a
 * correct kernel of the given profile may produce, and why.  When the
 * kernel's actual outcome is given and allowed, the model follows it, so that
 * the next step is predicted from the state the kernel is really in
 * ([oracle.follow]).
 */
#pragma once

#include "model/fs_check.h"
#include "model/ops.h"
#include "model/outcome.h"
#include "model/profile.h"
#include "model/state.h"

#include <optional>
#include <string>
#include <vector>

namespace lockstep {

/**
 * struct StepResult - what the model says about one step
 *
 * @allowed: the outcomes a correct kernel may produce.
 * @chosen: the outcome the model continued with (the observed one when it
 *          is allowed, else the first allowed one).
 * @admitted: whether the observed outcome (if any) is allowed.
 * @why: the explanation, one finding per line.
 */
struct StepResult {
	OutcomeSet allowed;
	Outcome chosen;
	bool admitted = true;
	std::vector<std::string> why;
};

class Model {
public:
	explicit Model(Profile profile);

	/*
	 * Build the trace's tree.  Returns an error ("line 4: ...") when the
	 * tree cannot exist (a missing parent, a mount on a file).
	 */
	std::optional<std::string> setup(const Trace &trace);

	/* Predict (and perform) one step. */
	StepResult step(const Step &step,
			const std::optional<Outcome> &observed = std::nullopt);

	const State &state() const { return state_; }
	const Profile &profile() const { return profile_; }
	/* Whether explanations are built (off for fuzzing and benchmarks). */
	void set_explain(bool on) { explain_ = on; }
	/*
	 * Test harnesses only (fuzz/): every finished filesystem decision of
	 * the following steps goes to @hook (FsAudit).  Copies of this model
	 * keep it.
	 */
	void set_fs_audit(FsAuditHook hook) { fs_audit_ = std::move(hook); }

private:
	Profile profile_;
	State state_;
	bool explain_ = true;
	FsAuditHook fs_audit_;
};

/* The profiles an op must be evaluated under: unknown errata expanded. */
std::vector<Profile> concrete_profiles(const Profile &p);

} // namespace lockstep

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep properties - RapidCheck glue: choices, model runs, searches
 *
 * Properties draw their traces from RapidCheck so that a failure shrinks to a
 * short trace, and report it in the trace language ([gen]).  Helpers here
 * run a trace in the model, and run a property expecting RapidCheck to find
 * a counterexample (the "finds a violation" tests).
 */
#pragma once

#include "conformance/generate/generator.h"
#include "model/model.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lockstep::prop {

/*
 * A generator Chooser whose every choice is a RapidCheck pick: used inside a
 * property, the trace shrinks choice by choice (towards choice 0).
 */
gen::Chooser rc_chooser();

/* The supervisor profile (ABI 12) with @v; host errata. */
Profile sup_profile(const Variants &v);

/**
 * struct ModelRun - a whole trace evaluated by the model
 *
 * @error: the tree could not be built (then @steps is empty).
 * @steps: one result per step, in order.
 */
struct ModelRun {
	std::optional<std::string> error;
	std::vector<StepResult> steps;
};

/* Evaluate every step of @t under @p, explanations on or off. */
ModelRun run_model(const Trace &t, const Profile &p, bool explain = false);

/* Whether one of the allowed outcomes is a success. */
bool may_succeed(const OutcomeSet &s);

/*
 * The trace with a doc comment and, on each step of @pins (step indices),
 * the outcome the model chose pinned with "=>": what a counterexample
 * prints, and what `lockstep explain` checks.
 */
std::string show_trace(Trace t, const std::vector<std::string> &doc,
		       const ModelRun &run, const std::vector<std::size_t> &pins);

/**
 * struct Search - what a search for a counterexample found
 *
 * @found: RapidCheck found a failing case within @runs runs.
 * @passed: every case passed (it did not give up on preconditions).
 * @report: the failure (shrunk), as RapidCheck describes it; our
 *          properties put the trace in it.
 * @tests: cases tried before the first failure (RapidCheck's numSuccess).
 * @seconds: wall time, shrinking included.
 */
struct Search {
	bool found = false;
	bool passed = false;
	std::string report;
	int tests = 0;
	double seconds = 0;
};

/*
 * Run @property with RapidCheck for up to max(@runs, the configured
 * maxSuccess) cases, shrinking a failure.  The seed is @seed when given,
 * else RC_PARAMS's, else random.
 */
Search search(const std::string &name, const std::function<void()> &property,
	      int runs = 100, std::optional<std::uint64_t> seed = std::nullopt);

} // namespace lockstep::prop

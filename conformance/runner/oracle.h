/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep runner - The oracle: is what the kernel did allowed?
 *
 * The kernel's outcome for every step must be in the set the model allows
 * for that kernel's profile ([oracle.set]).  The model follows the kernel's
 * outcomes, so each step is judged from the state the kernel is really in
 * ([oracle.follow]).  A case that passes only because the kernel lacks an
 * erratum fix is an expected failure naming the erratum ([oracle.xfail]).
 */
#pragma once

#include "kernel/executor/executor.h"
#include "model/model.h"

#include <optional>
#include <string>
#include <vector>

namespace lockstep::runner {

/* One trace of a run: from the corpus, or generated. */
struct Case {
	std::string name;  /* "fs/read_denied_by_second_layer" */
	std::string group; /* "fs" */
	std::string file;  /* empty for generated traces */
	Trace trace;
};

enum class Verdict : std::uint8_t { pass, fail, skip, xfail };

/**
 * struct Divergence - the first step where kernel and model disagree
 *
 * @kind: "outcome" (not allowed by the model), "pinned" (not the outcome
 *        the trace pins), "model" (the model does not allow the pinned
 *        outcome: the trace or the model is wrong), "run" (the executor
 *        failed: crash, setup error).
 */
struct Divergence {
	std::string kind;
	std::size_t step = 0;
	Outcome observed;
	OutcomeSet allowed;
	std::vector<std::string> why;
	std::string note;
};

struct CaseResult {
	std::string name;
	std::string group;
	std::string file;
	Verdict verdict = Verdict::pass;
	std::string reason;
	std::optional<Divergence> divergence;
	std::vector<int> errata; /* xfail: the errata the outcome depends on */
	double seconds = 0;
};

/* Replay @run in the model: nullopt when every step is allowed. */
std::optional<Divergence> replay(const Trace &trace, const exec::TraceRun &run,
				 const Profile &profile, bool explain);

/* The verdict on one case run on a kernel of @profile. */
CaseResult judge(const Case &c, const exec::TraceRun &run, const Profile &profile);

const char *verdict_name(Verdict v);

} // namespace lockstep::runner

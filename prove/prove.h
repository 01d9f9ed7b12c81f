/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep prove - Bounded proofs of the model's promises, with Z3
 *
 * Each claim is a symbolic encoding of one decision procedure of the model
 * (the access-check walk, a walk interleaved with commits, a commit applied
 * rule by rule, the wait-for graph of notifications, optional accesses),
 * bounded by small numbers of dentries, rules, layers and tasks.  Z3 either
 * proves it for every input within the bounds, or gives a model, which is
 * turned into a trace that `lockstep explain` runs; every such trace is also
 * replayed in the model here, so that an encoding that drifted from the
 * model is caught ([prove]).
 */
#pragma once

#include "model/ops.h"

#include <string>
#include <vector>

namespace lockstep::prove {

/**
 * struct Bounds - the size of the inputs a proof covers
 *
 * @depth: dentries a walk visits (the object, its parents, the root).
 * @rules: rules per ruleset (a layer's own, a committed supervisor ruleset).
 * @layers: layers of the domain.
 * @rights: access rights in play (read_file, write_file, then truncate).
 * @tasks: tasks of the wait-for proofs (P4).
 * @supervisors: supervisors of the wait-for proofs (P4).
 * @steps: operations of the bounded runs (P4, P5).
 */
struct Bounds {
	int depth = 4;
	int rules = 3;
	int layers = 3;
	int rights = 2;
	int tasks = 3;
	int supervisors = 2;
	int steps = 9;
};

/* Parse "depth=5,layers=2" onto @b; false (and *error) on bad input. */
bool parse_bounds(const std::string &text, Bounds &b, std::string *error);
std::string format_bounds(const Bounds &b);

enum class Status : std::uint8_t { proved, refuted, unknown };

/**
 * struct Claim - one half of a proof: a promise and its outcome
 *
 * @id: "P2+" for a promise expected to hold, "P2-" for one expected to be
 *      refuted (the design alternative that breaks it).
 * @text: the claim, in one line.
 * @expect: proved for "+", refuted for "-".
 * @status: what Z3 said.
 * @trace: for a refutation, the counterexample in the trace language.
 * @note: what the counterexample shows, or why the status is unknown.
 * @seconds: solver time, encoding included.
 */
struct Claim {
	std::string id;
	std::string text;
	Status expect = Status::proved;
	Status status = Status::unknown;
	std::string trace;
	std::string note;
	double seconds = 0;

	bool as_expected() const { return status == expect; }
};

/*
 * P1: the kernel's walk (per-layer masks unmasked while walking up, early
 * exit when every layer is satisfied, rules merged per inode) decides as
 * the declarative definition: every layer that handles a requested right
 * has a rule granting it on the object or an ancestor.  @mutant names a
 * deliberately wrong walk ("any-layer", "skip-object") to show the proof
 * can fail; empty for the real one.
 */
std::vector<Claim> prove_p1(const Bounds &b, const std::string &mutant = {});

/* P2: check=snapshot is atomic under commits at any walk step; per-step is not. */
std::vector<Claim> prove_p2(const Bounds &b);

/* P3: commit=copy-swap is atomic; in-place is not. */
std::vector<Claim> prove_p3(const Bounds &b);

/* P4: acyclicity of the wait-for graph under each acyclic= variant. */
std::vector<Claim> prove_p4(const Bounds &b);

/* P5: the shortest trace on which the optional= variants differ. */
std::vector<Claim> prove_p5(const Bounds &b);

/*
 * Check the encodings against the model on @samples random instances of
 * @claim ("P1", "P2", "P3"): the outcome the encoding predicts for each
 * variant must be the one the model gives on the instance's trace.  One
 * line per disagreement.
 */
std::vector<std::string> validate(const std::string &claim, const Bounds &b, int samples,
				  std::uint64_t seed);

/* "proved", "refuted", "unknown". */
const char *status_name(Status s);

} // namespace lockstep::prove

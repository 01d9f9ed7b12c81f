/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep fuzz - What the targets share: findings, replays, invariants
 *
 * A finding (an invariant broken, a divergence) is printed as a trace in
 * the trace language, with what went wrong in its doc comment, written to
 * $LOCKSTEP_FUZZ_FINDINGS (default: the working directory) as a .trace
 * file that `lockstep explain` reads, and then the target aborts so that
 * libFuzzer keeps the input.
 */
#pragma once

#include "fuzz/codec.h"
#include "model/model.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lockstep::fuzz {

/**
 * struct Finding - what to report about the current input
 *
 * @target: "fuzz_model"...
 * @trace: the decoded trace.
 * @profile: the profile the model ran with (printed for `explain`).
 * @doc: what went wrong, one line each (the trace's doc comment).
 * @pin_step/@pin: pin this outcome on this step (the kernel's outcome).
 */
struct Finding {
	std::string target;
	Trace trace;
	Profile profile;
	std::vector<std::string> doc;
	std::optional<std::size_t> pin_step;
	Outcome pin;
};

/* The trace file of @f: its doc, then the trace. */
std::string finding_text(const Finding &f);

/* Print @f, write it to a .trace file, abort. */
[[noreturn]] void report(const Finding &f);

/* The input being run, for invariant failures deep inside the model. */
void set_current(const std::string &target, const Trace &t, const Profile &p);
[[noreturn]] void fail_current(const std::string &what);

/* Print @t and parse it again: the same trace, or a finding. */
void check_roundtrip(const Trace &t);

/* Deterministic choices of a harness (splitmix64). */
class Rng {
public:
	explicit Rng(std::uint64_t seed) : state_(seed) {}
	std::uint64_t next();
	std::uint64_t below(std::uint64_t n) { return n ? next() % n : 0; }

private:
	std::uint64_t state_;
};

/*
 * An outcome the kernel could report for @allowed's item @i: a success
 * without a predicted value gets one (a file descriptor number).
 */
Outcome as_observed(const OutcomeSet &allowed, std::size_t i);

/* The ruleset @ref names in @task's process in @s, or nullptr. */
const Ruleset *ruleset_of(const State &s, const std::string &task, const FdRef &ref);

/* "abi=12,errata=1+2?3,root=0" as `lockstep explain --profile` reads it. */
std::string profile_flag(const Profile &p);

/*
 * "lockstep explain --profile ... --variant ... FILE": the command that
 * predicts with exactly @p (its --variant flags override the trace's).
 */
std::string explain_command(const Profile &p);

/*
 * Whether the environment asks the targets to print every decoded trace
 * (LOCKSTEP_FUZZ_PRINT=1): `fuzz_model INPUT` then shows what it ran.
 */
bool print_requested();

} // namespace lockstep::fuzz

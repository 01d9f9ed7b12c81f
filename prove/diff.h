/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep diff - The shortest trace on which two model variants differ
 *
 * An exhaustive search, by increasing length, over a space of supervisor
 * traces: a setup (a supervisor handling read_file, or write_file and
 * truncate, with or without notifications, whose supervisee is enforced by
 * a child, by main itself, or by a thread with TSYNC), then moves: opens
 * of /a/b/f (paused after K dentries or not), rules granted or removed on
 * /a, /a/b, /a/b/f (committed or staged), commits (paused after K rule
 * changes or not), resumes, ftruncate of an opened fd, read and write on
 * the supervisor fd, enforcing the supervisee again, enforcing an ordinary
 * ruleset.  Both variants run every candidate in lockstep; the first step
 * whose allowed outcomes differ ends the search.  A paused step is kept
 * only if it pauses under both variants (the same interleaving), and its
 * outcome is compared at its resume.  States reached twice are explored
 * once (a fingerprint of both models' states).
 *
 * It needs no solver, so it lives in the static lockstep binary: it runs
 * wherever lockstep does, with the model itself as the semantics (nothing
 * to keep in sync with an encoding).
 */
#pragma once

#include "model/ops.h"

#include <cstdint>
#include <string>

namespace lockstep::diff {

/**
 * struct Options - bounds of the search
 *
 * @max_steps: longest trace tried.
 * @max_seconds: give up after this long (the result says so).
 */
struct Options {
	int max_steps = 12;
	double max_seconds = 120;
};

/**
 * struct Result - what the search found
 *
 * @found: a trace on which the variants differ.
 * @trace: it, with a doc comment, variant A's settings and the differing
 *         step pinned to A's outcome (runnable by `lockstep explain`).
 * @step: the index of the differing step.
 * @a, @b: its allowed outcomes under each variant.
 * @complete: every trace of the space shorter than @trace (or, when none
 *            was found, up to @max_steps) was tried.
 * @states: distinct pairs of states explored.
 */
struct Result {
	bool found = false;
	Trace trace;
	std::size_t step = 0;
	OutcomeSet a, b;
	bool complete = true;
	std::uint64_t states = 0;
	double seconds = 0;
};

Result shortest(const Variants &a, const Variants &b, const Options &o);

/* The trace of @r in the trace language (or a one-line "no difference"). */
std::string format(const Result &r, const Variants &a, const Variants &b);

} // namespace lockstep::diff

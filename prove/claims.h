/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep prove - Shared machinery of the claims
 */
#pragma once

#include "prove/prove.h"
#include "prove/symbolic.h"

#include <chrono>
#include <optional>

namespace lockstep::prove {

/* Solver timeout of one query, in milliseconds. */
inline constexpr unsigned kTimeoutMs = 120000;

/* Times a claim from construction to finish(). */
class Timer {
public:
	Timer() : start_(std::chrono::steady_clock::now()) {}
	double seconds() const
	{
		return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
			.count();
	}

private:
	std::chrono::steady_clock::time_point start_;
};

/*
 * Check @query (the negation of a claim, plus its input constraints): nullopt
 * when unsat (the claim is proved), else a model; *unknown on a timeout.
 * @minimise, if given, is minimised (readable counterexamples).
 */
std::optional<z3::model> find_model(Enc &e, const z3::expr &query,
				    const std::optional<z3::expr> &minimise, bool *unknown);

/* Fill a claim from a query's result (trace and note for a refutation). */
Claim make_claim(const std::string &id, const std::string &text, Status expect);

/* Outcome of an access decided @allowed: ok, or EACCES. */
Outcome decision(bool allowed);

/* "ok", "EACCES". */
std::string decision_name(bool allowed);

/* Random numbers for the validation samples (splitmix64). */
class Rng {
public:
	explicit Rng(std::uint64_t seed) : x_(seed) {}
	std::uint64_t next();
	std::uint64_t below(std::uint64_t n) { return n ? next() % n : 0; }

private:
	std::uint64_t x_;
};

} // namespace lockstep::prove

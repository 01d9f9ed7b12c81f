/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep model - Outcomes of operations
 *
 * Like SibylFS, the model does not compute "the" result of an operation but
 * the set of results a correct kernel may produce ([oracle.set]).
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockstep {

/*
 * Pseudo-errno of an operation that does not return (a FIFO opened for
 * reading with no writer, a read of an empty pipe): the executor reports a
 * step that times out this way ([oracle.blocked]).
 */
inline constexpr int err_blocked = 100000;
/*
 * Pseudo-errno of a step stopped at an interleaving point (pause=K): its
 * outcome is given by the "resume" step that finishes it ([sup.pause]).
 */
inline constexpr int err_paused = 100001;

/**
 * struct Outcome - what one operation returned
 *
 * @err: 0 for success, else a positive errno value.
 * @value: for a success, the exact return value when it is predicted (the
 *         ABI version, the errata mask); absent for "any non-negative value"
 *         (a file descriptor number).
 */
struct Outcome {
	int err = 0;
	std::optional<std::int64_t> value;

	static Outcome ok() { return {}; }
	static Outcome ok(std::int64_t v) { return {0, v}; }
	static Outcome error(int e) { return {e, std::nullopt}; }

	bool success() const { return err == 0; }
	/* Whether an observed outcome is what this (allowed) one describes. */
	bool admits(const Outcome &observed) const;
	bool operator==(const Outcome &) const = default;
};

/**
 * class OutcomeSet - the outcomes a correct kernel may produce
 */
class OutcomeSet {
public:
	OutcomeSet() = default;
	OutcomeSet(Outcome o) { add(o); }
	OutcomeSet(std::initializer_list<Outcome> l)
	{
		for (const auto &o : l)
			add(o);
	}

	void add(const Outcome &o);
	void merge(const OutcomeSet &other);
	bool admits(const Outcome &observed) const;
	/*
	 * [oracle.pins] Whether some outcome of @pins may be one of these: the
	 * same errno, or two successes whose values (when both are known)
	 * agree.  A trace's pin "A|B" is consistent with the model when the
	 * model allows at least one of them.
	 */
	bool overlaps(const OutcomeSet &pins) const;
	/* The allowed outcome that admits @observed, if any. */
	const Outcome *match(const Outcome &observed) const;
	bool empty() const { return items_.empty(); }
	std::size_t size() const { return items_.size(); }
	const std::vector<Outcome> &items() const { return items_; }
	bool operator==(const OutcomeSet &) const = default;

private:
	std::vector<Outcome> items_;
};

/* "EACCES" for 13, "errno 200" for unknown values. */
std::string errno_name(int err);
/* Inverse of errno_name() for the names it prints; 0 if unknown. */
int errno_from_name(std::string_view name);
/* "ok", "ok(7)", "EACCES". */
std::string format_outcome(const Outcome &o);
/* "EACCES|EXDEV" (in insertion order). */
std::string format_outcomes(const OutcomeSet &s);
/* Parse one outcome ("ok", "ok(7)", "7", "EACCES"). */
std::optional<Outcome> parse_outcome(std::string_view text);

} // namespace lockstep

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep properties - The properties, as RapidCheck testables
 *
 * Each function returns a property: a callable that draws its inputs from
 * RapidCheck (so that failures shrink) and fails with RC_FAIL and a trace in
 * the trace language.  The GoogleTest suite (ctest label "property") runs
 * them, and bench/prove_bench times how fast RapidCheck finds the known
 * violations.
 */
#pragma once

#include "model/profile.h"
#include "tests/property/sup_scenarios.h"

#include <functional>
#include <string>
#include <vector>

namespace lockstep::prop {

using Property = std::function<void()>;

/*
 * [domain.layers] Adding a layer never makes an operation succeed that
 * failed: at the first step where a trace with one more layer differs from
 * the trace without it, the one with the layer does not succeed.
 */
Property new_layer_never_grants_more();

/*
 * [fs.walk.layers] Adding a rule never makes an operation fail that
 * succeeded (first differing step), except, with @refer_exception, the
 * EXDEV of a link or rename whose object would gain rights at its
 * destination ([refer.no_gain]), which a rule on the destination causes.
 * Without the exception RapidCheck finds that case.
 */
Property new_rule_never_denies_more(bool refer_exception);

/*
 * [fs.handled] A layer denies only rights it handles: the same layer with
 * rules granting every right it handles changes no outcome, except the
 * refer right every layer handles and mount/umount, which any domain
 * forbids ([mount.*]).
 */
Property unhandled_rights_never_denied();

/* [sup.commit] [sup.check] See atomicity(). */
Property atomic_decisions(const Variants &v, Interleave il);

/* [sup.optional] See optional_access(); @distinguish finds a difference. */
Property optional_accesses(const Variants &v, bool distinguish = false);

/* [sup.acyclic] See acyclicity(). */
Property wait_for(const Variants &v, AcyclicCheck check, bool steady = false);

/**
 * struct KnownViolation - a violation RapidCheck must find
 *
 * @name: what it shows ("commit=in-place breaks commit atomicity").
 * @property: the property it violates.
 * @runs: how many cases the test lets RapidCheck try.
 */
struct KnownViolation {
	std::string name;
	Property property;
	int runs = 100;
};

/* Every known violation: the test suite asserts each is found. */
std::vector<KnownViolation> known_violations();

} // namespace lockstep::prop

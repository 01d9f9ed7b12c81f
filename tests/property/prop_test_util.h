/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep properties - GoogleTest helpers shared by the property tests
 */
#pragma once

#include "tests/property/properties.h"
#include "tests/property/rc_support.h"

#include <gtest/gtest.h>

namespace lockstep::prop {

/*
 * Cases each promise is checked on (or RC_PARAMS's max_success if larger):
 * a case takes about a millisecond, and more cases reach the rarer shapes.
 */
inline constexpr int kHoldRuns = 5000;

/* Run @p with RapidCheck in the current test: a failure fails the test. */
void expect_holds(const Property &p);

/*
 * Run a known violation: RapidCheck must find it within its runs.  The
 * shrunk counterexample is printed, and its trace must parse and have
 * every pinned outcome allowed by the model (what `lockstep explain`
 * checks).
 */
void expect_found(const std::string &name);

/* The trace text inside a RapidCheck failure report (from its doc comment). */
std::string trace_of_report(const std::string &report);

} // namespace lockstep::prop

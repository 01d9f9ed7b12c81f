/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers of the model's unit tests: run a small trace through the model
 * and compare each pinned outcome ("=> EACCES") with what the model allows.
 *
 * A pin must be the exact allowed set, not just one of its members: a model
 * that allows too much is as wrong as one that allows too little.
 */
#pragma once

#include "model/model.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace lockstep::testing {

/* The host profile (ABI 7, errata 1-3 fixed) changed by "abi=N,errata=..." */
Profile profile(std::string_view text);
/* The host profile at ABI @abi. */
Profile at_abi(int abi);

/**
 * struct Run - a trace run through the model
 *
 * @error: a parse or tree error, "" when the trace ran.
 * @results: one per step, in order.
 */
struct Run {
	std::string error;
	std::vector<StepResult> results;
	Model model{Profile{}};
};

/*
 * Run @text under @p.  A pinned step is fed its first pinned outcome as the
 * observed one, so that the model follows the pinned choice.
 */
Run run(std::string_view text, const Profile &p = Profile{});

/* Whether every pinned step's allowed set equals its pin. */
::testing::AssertionResult pins_hold(std::string_view text, const Profile &p = Profile{});

/* The allowed outcomes of the last step of @text. */
OutcomeSet last_allowed(std::string_view text, const Profile &p = Profile{});

/* "ok" for a one-outcome success set, "EACCES", "EACCES|EXDEV"... */
std::string last(std::string_view text, const Profile &p = Profile{});

} // namespace lockstep::testing

/* The pins of @text hold under @profile (a Profile). */
#define EXPECT_PINS(profile, text) \
	EXPECT_TRUE(::lockstep::testing::pins_hold((text), (profile)))

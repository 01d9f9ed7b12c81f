/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep runner - Reports: KTAP, JUnit, JSON and the summary table
 */
#pragma once

#include "conformance/runner/oracle.h"

#include <ostream>
#include <string>
#include <vector>

namespace lockstep::runner {

/* What the reports say about the kernel under test. */
struct KernelInfo {
	std::string uname;
	Profile profile;
	std::vector<std::string> notes;
};

/*
 * KTAP version 1: one nested subtest per group, in order of first
 * appearance; a failure is preceded by diagnostics with the trace, the
 * first diverging step, both outcomes and the model's explanation.
 */
void write_ktap(std::ostream &out, const KernelInfo &k,
		const std::vector<Case> &cases, const std::vector<CaseResult> &results);

/* JUnit XML, one testsuite per group. */
void write_junit(std::ostream &out, const KernelInfo &k,
		 const std::vector<Case> &cases, const std::vector<CaseResult> &results);

/* JSON: the kernel, then one object per case. */
void write_json(std::ostream &out, const KernelInfo &k,
		const std::vector<Case> &cases, const std::vector<CaseResult> &results);

/* The group x pass/fail/skip/xfail table, as KTAP diagnostic lines. */
void write_summary(std::ostream &out, const std::vector<CaseResult> &results);

/* The human-readable report of one divergence (also used by the fuzzers). */
std::vector<std::string> describe_divergence(const Case &c, const CaseResult &r);

} // namespace lockstep::runner

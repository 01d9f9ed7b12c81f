/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep runner - Running cases on this kernel, in parallel
 */
#pragma once

#include "conformance/runner/oracle.h"
#include "conformance/runner/report.h"

#include <optional>
#include <string>
#include <vector>

namespace lockstep::runner {

/**
 * struct RunOptions - what `lockstep run` does
 *
 * @jobs: worker processes running traces at the same time.
 * @shard_index/@shard_count: run only cases whose index modulo
 *                            @shard_count is @shard_index (0-based).
 * @profile: force this profile instead of the kernel's (to show that a
 *           wrong prediction is caught).
 * @save_dir: where failing traces and their C reproducers are written.
 * @progress: draw a progress bar on stderr.
 */
struct RunOptions {
	int jobs = 1;
	int shard_index = 0;
	int shard_count = 1;
	std::optional<Profile> profile;
	exec::ExecOptions exec;
	std::string save_dir;
	bool progress = false;
};

/* Results in the order of @cases (skipped shards are left out). */
struct RunReport {
	KernelInfo kernel;
	std::vector<Case> cases;
	std::vector<CaseResult> results;
	double seconds = 0;
	std::string error; /* the executor could not start */
};

RunReport run_cases(std::vector<Case> cases, const RunOptions &opts);

} // namespace lockstep::runner

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep generator - Random valid traces
 *
 * A trace is built from a stream of bounded choices, so that the same code
 * serves seeded campaigns (`lockstep run --generate N --seed S`), RapidCheck
 * properties (choices from a generator, shrinkable) and libFuzzer targets
 * (choices decoded from the input bytes) ([gen]).
 */
#pragma once

#include "model/ops.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lockstep::gen {

/* Returns a number in [0, bound); bound is at least 1. */
using Chooser = std::function<std::uint64_t(std::uint64_t bound)>;

/**
 * struct GenOptions - what generated traces may contain
 *
 * @abi: only rights, flags and operations this ABI knows (so that traces
 *       exercise the kernel rather than its argument checks); 12 adds the
 *       supervisor extension.
 * @root: device nodes, mounts and dropping capabilities.
 * @max_layers, @max_steps: size bounds.
 */
struct GenOptions {
	int abi = 7;
	bool root = true;
	int max_layers = 3;
	int max_steps = 14;
	bool net = true;
	bool scopes = true;
};

/* One trace from @choose. */
Trace generate_trace(const Chooser &choose, const GenOptions &opts,
		     const std::string &name);

/* A deterministic chooser (splitmix64) for reproducible campaigns. */
Chooser seeded_chooser(std::uint64_t seed);

/*
 * N traces for campaigns: trace i uses seed mix(seed, i), so that trace i is
 * the same whatever N and whichever shard runs it.
 */
std::vector<Trace> generate_campaign(std::size_t n, std::uint64_t seed,
				     const GenOptions &opts);

} // namespace lockstep::gen

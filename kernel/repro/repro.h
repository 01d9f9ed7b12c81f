/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep repro - Standalone C reproducers of divergences
 *
 * When the kernel and the model disagree on a step, a kernel developer
 * wants a program, not a trace: write_c_reproducer() turns the trace into
 * one C file that needs nothing but a C compiler.  It builds the same tree
 * in a fresh directory (a private tmpfs in private namespaces when run as
 * root, like the executor), performs the steps up to the diverging one with
 * raw system calls, one process or thread per task driven in trace order
 * through pipes, prints each result, and ends with the verdict.
 */
#pragma once

#include "model/ops.h"

#include <cstddef>
#include <string>
#include <vector>

namespace lockstep::repro {

/**
 * struct ReproTarget - the divergence to reproduce
 *
 * @step: index (0-based) of the diverging step in the trace.
 * @kernel_outcome: what the kernel gave there ("ok", "EACCES", "BLOCKED").
 * @model_outcomes: what the model allows, each an outcome ("EACCES",
 *                  "ok(7)"); a single "EACCES|EXDEV" is split too.
 */
struct ReproTarget {
	std::size_t step = 0;
	std::string kernel_outcome;
	std::vector<std::string> model_outcomes;
};

/**
 * write_c_reproducer() - one standalone C file reproducing @target in @t
 *
 * The program prints every step's result, then "expected (model): ..." and
 * "got: ...", and exits 1 when the kernel shows the divergent behaviour
 * (an outcome the model does not allow), 0 when it now agrees with the
 * model, 2 when it could not reach the step.  Compile with `cc FILE.c`
 * (`cc -pthread FILE.c` if the trace has threads; the file says so).
 *
 * Throws std::invalid_argument, with a one-line reason, for a target beyond
 * the trace, an outcome that does not parse, or a model-only trace.
 */
std::string write_c_reproducer(const Trace &t, const ReproTarget &target);

} // namespace lockstep::repro

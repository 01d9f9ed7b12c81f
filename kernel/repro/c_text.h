/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep repro - Pieces of C text the generator assembles
 *
 * The reproducer is one C file: a fixed runtime (c_prelude.cc) and, around
 * it, text generated from the trace: the tree (c_tree.cc), one `case` per
 * step (c_steps.cc) and the driver with the verdict (repro.cc).
 */
#pragma once

#include "kernel/executor/plan.h"
#include "model/ops.h"

#include <string>
#include <string_view>

namespace lockstep::repro {

/* The #define _GNU_SOURCE and #include lines. */
extern const char *const c_includes;
/* uAPI, results, tasks, helpers, sandbox: needs NTASKS, TINY_ELF_BYTES. */
extern const char *const c_runtime;

/* A C string literal for @s, escaped ("a/b" -> "\"a/b\""). */
std::string c_string(std::string_view s);

/* The C variable holding fd name @name ("fd_r1"). */
std::string c_fd_var(const std::string &name);

/* The body of build_tree(): returns 0, or prints the failing line and 1. */
std::string c_build_tree(const Trace &t);

/*
 * The statements of step @i's `case` in step(): they compute a `struct
 * result r`, bind the step's name and return r.  @plan gives task numbers.
 */
std::string c_step(const Trace &t, const exec::Plan &plan, std::size_t i);

/* The statements of a pass_fd step's `case` in receive(). */
std::string c_receive(const Trace &t, std::size_t i);

/* Whether @t has a `thread` step (the file then needs -pthread). */
bool uses_threads(const Trace &t);

} // namespace lockstep::repro

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep trace language - Printer
 *
 * Writes traces in canonical form (conformance/LANGUAGE.md, "Printing"):
 * doc comment, header, tree, steps; arguments in the order of LANGUAGE.md's
 * tables, defaults omitted, masks as names.  Parsing what print_trace()
 * writes gives an equal Trace: the runner and the reproducer generator rely
 * on this to report steps in the language their authors wrote.
 */
#pragma once

#include "model/ops.h"

#include <string>

namespace lockstep::trace {

/* The whole trace, one line per header line, tree entry and step, with a
 * final newline; sections are separated by a blank line. */
std::string print_trace(const Trace &trace);

/* "TASK: [NAME = ]OPERATION ARGS [pause=K] [=> EXPECT]", no newline. */
std::string print_step(const Step &step);

/* "OPERATION ARGS": the operation alone, without task, name or outcome. */
std::string print_op(const Op &op);

/* The keyword of @op in the language ("create_ruleset", "tkill"). */
std::string op_keyword(const Op &op);

/* "dir /a", "mount bind /a /b"... */
std::string print_tree_entry(const TreeEntry &entry);

/* "requires abi >= 4"... */
std::string print_requirement(const Requirement &req);

/* "r1", or the raw number ("-1"). */
std::string print_fd(const FdRef &fd);

/* "/a/b", or "$D/b/c" when relative to a directory fd. */
std::string print_path(const PathRef &path);

/* "8080", "any:8080", "unspec:0", "/a/s", "@name", then " addrlen=N". */
std::string print_addr(const SockAddr &addr);

} // namespace lockstep::trace

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep prove - Concrete instances of the walk encodings, as traces
 *
 * A solver's model (or a random sample) fixes every input of an encoding:
 * the layers, their rules on each dentry of a chain /a/b/.../f, the
 * request.  These functions write the trace that sets exactly that up in
 * the model, so that a counterexample can be read, explained and replayed.
 */
#pragma once

#include "model/model.h"

#include <optional>
#include <string>
#include <vector>

namespace lockstep::prove {

/**
 * struct LayerInst - one layer of a concrete instance
 *
 * @handled: rights the layer handles (model masks).
 * @supervised: the layer is a supervisee; @before and @after are its
 *              supervisor's committed rules before and after the commit.
 * @own, @before, @after: rights granted on each dentry, indexed like the
 *                        walk (0: the object ... depth-1: the root; depth:
 *                        a directory off the path, /z).
 * @rules: when not empty, the add_rule calls that make @own, one per rule
 *         (dentry, rights), so that rules merged per inode are visible.
 */
struct LayerInst {
	AccessMask handled = 0;
	bool supervised = false;
	std::vector<AccessMask> own, before, after;
	std::vector<std::pair<int, AccessMask>> rules;
};

/**
 * struct WalkInst - the inputs of one access check
 *
 * @depth: dentries of the walk of the object.
 * @request: rights of the open (read_file and/or write_file), or truncate.
 */
struct WalkInst {
	int depth = 4;
	std::vector<LayerInst> layers;
	AccessMask request = 0;
};

/* "/", "/a", "/a/b"... for dentry @j of a walk over @depth dentries;
 * the object is "/a/b/f"; @j == @depth is "/z", off the path. */
std::string dentry_path(int depth, int j);

/* The operation requesting @request on the object (open, or truncate). */
Op access_op(const WalkInst &w);

/*
 * P1: ordinary layers enforced by main, then the access by main.
 */
Trace walk_trace(const WalkInst &w);

/*
 * P2: supervisors committing @before, supervisees (and ordinary layers)
 * enforced by a child, whose access pauses after @pause dentries while
 * main moves every supervisor to @after, then resumes.  With @atomic the
 * same without the pause: the access after the commits (or, with
 * @before_commits, before them).
 */
Trace race_trace(const WalkInst &w, int pause);
Trace atomic_trace(const WalkInst &w, bool after_commits);

/*
 * P3: the single supervisor stages @after, and its commit pauses after
 * @commit_pause rule changes while the child accesses the object.
 */
Trace commit_trace(const WalkInst &w, int commit_pause);

/* Add "requires"/"variant" lines and a doc comment to a trace. */
void dress(Trace &t, const std::vector<std::string> &doc, const Variants &v,
	   bool supervisor, const std::string &model_only);

/*
 * Pin @expect on step @step and return the trace's text; check with the
 * model that @expect is what it gives there (under the trace's variants,
 * abi 12 for supervisor traces): on a mismatch, *error says so.
 */
std::string pin_and_check(Trace t, std::size_t step, const Outcome &expect,
			  std::string *error);

/* Outcome of step @step of @t in the model under @v (abi 12 with @supervisor). */
OutcomeSet outcome_at(const Trace &t, std::size_t step, const Variants &v, bool supervisor);

/* Split @text in comment lines of about 74 columns. */
std::vector<std::string> wrap(const std::string &text);

} // namespace lockstep::prove

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep prove - Supervised walks: the inputs shared by P2 and P3
 *
 * Up to @layers layers (the first always present); each handles some
 * rights, has its own rules on the dentries of the walk, and, when
 * supervised, its supervisor's committed rules before and after a commit.
 * Every ruleset holds at most @rules rules.
 */
#pragma once

#include "prove/claims.h"
#include "prove/instance.h"

namespace lockstep::prove {

/* Where the dentries of the walk and the off-path /z are in inode order. */
std::vector<int> inode_order(int depth);

class SupWalkEnc {
public:
	/* @off_path: rules may also be on /z (they matter to commit order). */
	SupWalkEnc(const Bounds &b, bool off_path);

	Enc e;
	int layers, depth, rules, slots;
	std::vector<z3::expr> present, supervised, handled;
	std::vector<std::vector<z3::expr>> own, before, after; /* [layer][dentry] */
	z3::expr request;

	/* Input constraints: what can exist, and the rule-count bounds. */
	z3::expr valid();
	/* The walk's request: the open's rights plus truncate, recorded for
	 * later ([fs.optional]); truncate alone for truncate(2). */
	z3::expr walk_request();
	/* Decision of a walk whose step @j of layer @i reads @grant. */
	z3::expr decide(const GrantFn &grant);
	/* Declarative decision with the supervisors' rules @sup(i, j). */
	z3::expr defined(const std::function<z3::expr(int, int)> &sup);
	/* Rules that exist: for minimising counterexamples. */
	z3::expr size();
	/* Rights requested (fewer: the seed's one-right race first). */
	z3::expr request_size();

	WalkInst instance(const z3::model &m);
	/* A random instance, as constraints fixing every input; with
	 * @one_supervised, only the first layer is supervised. */
	z3::expr sample(Rng &rng, bool one_supervised);
};

} // namespace lockstep::prove

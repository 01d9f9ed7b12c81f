/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep prove - Symbolic access checks: the walk and its definition
 *
 * Access masks are Z3 bit-vectors with one bit per right in play (bit i is
 * kRights[i]).  The walk is the kernel's and the model's (security/landlock/
 * fs.c is_access_to_paths_allowed(), model/fs_check.cc fs_walk_step()):
 * per-layer masks of the rights still denied, unmasked by each dentry's
 * rules from the object up to the root, with an early exit once every layer
 * is satisfied; after the exit nothing changes any more, which is what
 * makes a walk interleaved with commits ([sup.check]) sensitive to where it
 * stopped.
 */
#pragma once

#include "model/access.h"

#include <z3++.h>

#include <functional>
#include <string>
#include <vector>

namespace lockstep::prove {

/* The rights a bound of N rights puts in play, in bit order. */
inline constexpr AccessMask kRights[] = {fs::read_file, fs::write_file, fs::truncate};
inline constexpr int kMaxRights = 3;

/* The model's mask of the symbolic bits @bits. */
AccessMask rights_mask(std::uint64_t bits);

/* Deliberately wrong walks, to show that P1 can fail. */
enum class Mutant : std::uint8_t {
	none,
	any_layer,   /* stops as soon as one layer is satisfied */
	skip_object, /* ignores the rules on the object itself */
};

/*
 * What a walk step reads for one layer: the rights its rules grant on the
 * dentry of that step (the layer's own rules, or with a supervisor its
 * committed rules too, as the check variant says).
 */
using GrantFn = std::function<z3::expr(int layer, int step)>;

/**
 * class Enc - one encoding: a Z3 context and the bit-vector width
 */
class Enc {
public:
	explicit Enc(int rights);
	Enc(const Enc &) = delete;
	Enc &operator=(const Enc &) = delete;

	z3::context ctx;
	const int width;

	z3::expr mask(const std::string &name) { return ctx.bv_const(name.c_str(), width); }
	z3::expr val(std::uint64_t v) { return ctx.bv_val(static_cast<uint64_t>(v), width); }
	z3::expr zero() { return val(0); }
	z3::expr flag(const std::string &name) { return ctx.bool_const(name.c_str()); }
	z3::expr truth(bool b) { return ctx.bool_val(b); }
	/* Whether every mask of @masks is empty. */
	z3::expr all_zero(const std::vector<z3::expr> &masks);
	/* At most @k of @conds hold. */
	z3::expr at_most(const std::vector<z3::expr> &conds, int k);
	/* Number of @conds that hold, as an integer term (for minimising). */
	z3::expr count(const std::vector<z3::expr> &conds);

	/*
	 * The kernel walk over @depth dentries: the per-layer masks left at
	 * the end (all empty: allowed), starting from @request & @handled[i].
	 */
	std::vector<z3::expr> walk(const std::vector<z3::expr> &handled,
				   const z3::expr &request, int depth, const GrantFn &grant,
				   Mutant mutant = Mutant::none);

	/*
	 * The declarative decision: every layer that handles a right of
	 * @request has a grant of it on some dentry of the path.
	 */
	z3::expr declarative(const std::vector<z3::expr> &handled, const z3::expr &request,
			     int depth, const GrantFn &grant);

	/* Whether the masks a walk left deny nothing of @decided. */
	z3::expr allows(const std::vector<z3::expr> &masks, const z3::expr &decided);
};

/* The value of @e in @m (completing it), as an integer or a truth value. */
std::uint64_t value(const z3::model &m, const z3::expr &e);
bool holds(const z3::model &m, const z3::expr &e);

} // namespace lockstep::prove

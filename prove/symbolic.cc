// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep prove - Symbolic access checks: the walk and its definition
 */
#include "prove/symbolic.h"

namespace lockstep::prove {

AccessMask rights_mask(std::uint64_t bits)
{
	AccessMask m = 0;

	for (int i = 0; i < kMaxRights; i++)
		if (bits >> i & 1)
			m |= kRights[i];
	return m;
}

Enc::Enc(int rights) : width(rights)
{
}

z3::expr Enc::all_zero(const std::vector<z3::expr> &masks)
{
	z3::expr_vector v(ctx);

	for (const auto &m : masks)
		v.push_back(m == zero());
	return v.empty() ? truth(true) : z3::mk_and(v);
}

z3::expr Enc::at_most(const std::vector<z3::expr> &conds, int k)
{
	return count(conds) <= ctx.int_val(k);
}

z3::expr Enc::count(const std::vector<z3::expr> &conds)
{
	z3::expr sum = ctx.int_val(0);

	for (const auto &c : conds)
		sum = sum + z3::ite(c, ctx.int_val(1), ctx.int_val(0));
	return sum;
}

/*
 * is_access_to_paths_allowed() for one request: landlock_init_layer_masks(),
 * then per dentry landlock_unmask_layers() with the rule merged from every
 * layer, and "stops when a rule from each layer grants access".  Once
 * stopped, masks stay as they are (the walk no longer reads anything).
 */
std::vector<z3::expr> Enc::walk(const std::vector<z3::expr> &handled,
				const z3::expr &request, int depth, const GrantFn &grant,
				Mutant mutant)
{
	std::vector<z3::expr> masks;

	for (const auto &h : handled)
		masks.push_back(request & h);
	const auto stopped = [&] {
		if (mutant != Mutant::any_layer)
			return all_zero(masks);
		z3::expr_vector any(ctx);
		for (const auto &m : masks)
			any.push_back(m == zero());
		return any.empty() ? truth(true) : z3::mk_or(any);
	};
	for (int step = mutant == Mutant::skip_object ? 1 : 0; step < depth; step++) {
		const z3::expr done = stopped();

		for (std::size_t i = 0; i < masks.size(); i++)
			masks[i] = z3::ite(done, masks[i],
					   masks[i] & ~grant(static_cast<int>(i), step));
	}
	return masks;
}

z3::expr Enc::declarative(const std::vector<z3::expr> &handled, const z3::expr &request,
			  int depth, const GrantFn &grant)
{
	std::vector<z3::expr> missing;

	for (std::size_t i = 0; i < handled.size(); i++) {
		z3::expr granted = zero();

		for (int step = 0; step < depth; step++)
			granted = granted | grant(static_cast<int>(i), step);
		missing.push_back(request & handled[i] & ~granted);
	}
	return all_zero(missing);
}

z3::expr Enc::allows(const std::vector<z3::expr> &masks, const z3::expr &decided)
{
	std::vector<z3::expr> v;

	for (const auto &m : masks)
		v.push_back(m & decided);
	return all_zero(v);
}

std::uint64_t value(const z3::model &m, const z3::expr &e)
{
	return m.eval(e, true).get_numeral_uint64();
}

bool holds(const z3::model &m, const z3::expr &e)
{
	return m.eval(e, true).is_true();
}

} // namespace lockstep::prove

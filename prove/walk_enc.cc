// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep prove - Supervised walks: the inputs shared by P2 and P3
 */
#include "prove/walk_enc.h"

namespace lockstep::prove {

std::vector<int> inode_order(int depth)
{
	std::vector<int> order;

	/* The root first, then the tree in declaration order, /z last. */
	for (int j = depth - 1; j >= 0; j--)
		order.push_back(j);
	order.push_back(depth);
	return order;
}

SupWalkEnc::SupWalkEnc(const Bounds &b, bool off_path)
	: e(b.rights), layers(b.layers), depth(b.depth), rules(b.rules),
	  slots(b.depth + (off_path ? 1 : 0)),
	  request(e.mask("request"))
{
	for (int i = 0; i < layers; i++) {
		const std::string l = "l" + std::to_string(i + 1);

		present.push_back(i == 0 ? e.truth(true) : e.flag(l + "_present"));
		supervised.push_back(e.flag(l + "_supervised"));
		handled.push_back(e.mask(l + "_handled"));
		own.emplace_back();
		before.emplace_back();
		after.emplace_back();
		for (int j = 0; j < slots; j++) {
			const std::string d = "_d" + std::to_string(j);

			own[i].push_back(e.mask(l + "_own" + d));
			before[i].push_back(e.mask(l + "_before" + d));
			after[i].push_back(e.mask(l + "_after" + d));
		}
	}
}

z3::expr SupWalkEnc::valid()
{
	z3::expr_vector v(e.ctx);
	const z3::expr z = e.zero();

	if (e.width >= 2)
		v.push_back(request == e.val(1) || request == e.val(2) || request == e.val(3));
	else
		v.push_back(request == e.val(1));
	for (int i = 0; i < layers; i++) {
		std::vector<z3::expr> o, b, a;

		v.push_back(z3::implies(present[i], handled[i] != z));
		v.push_back(z3::implies(!present[i], handled[i] == z && !supervised[i]));
		for (int j = 0; j < slots; j++) {
			for (auto *m : {&own[i][j], &before[i][j], &after[i][j]})
				v.push_back((*m & ~handled[i]) == z);
			v.push_back(z3::implies(!supervised[i],
						before[i][j] == z && after[i][j] == z));
			o.push_back(own[i][j] != z);
			b.push_back(before[i][j] != z);
			a.push_back(after[i][j] != z);
		}
		v.push_back(e.at_most(o, rules) && e.at_most(b, rules) && e.at_most(a, rules));
	}
	return z3::mk_and(v);
}

z3::expr SupWalkEnc::walk_request()
{
	if (e.width < 3)
		return request;
	return request | e.val(4);
}

z3::expr SupWalkEnc::decide(const GrantFn &grant)
{
	return e.allows(e.walk(handled, walk_request(), depth, grant), request);
}

z3::expr SupWalkEnc::defined(const std::function<z3::expr(int, int)> &sup)
{
	return e.declarative(handled, request, depth,
			     [&](int i, int j) { return own[i][j] | sup(i, j); });
}

z3::expr SupWalkEnc::size()
{
	std::vector<z3::expr> v;

	for (int i = 0; i < layers; i++) {
		v.push_back(present[i]);
		v.push_back(supervised[i]);
		for (int j = 0; j < slots; j++) {
			v.push_back(own[i][j] != e.zero());
			v.push_back(before[i][j] != e.zero());
			v.push_back(after[i][j] != e.zero());
		}
	}
	return e.count(v);
}

z3::expr SupWalkEnc::request_size()
{
	std::vector<z3::expr> bits;

	for (int i = 0; i < e.width; i++)
		bits.push_back((request & e.val(1u << i)) != e.zero());
	return e.count(bits);
}

WalkInst SupWalkEnc::instance(const z3::model &m)
{
	WalkInst w;

	w.depth = depth;
	w.request = rights_mask(value(m, request));
	for (int i = 0; i < layers; i++) {
		LayerInst l;

		if (!holds(m, present[i]))
			continue;
		l.handled = rights_mask(value(m, handled[i]));
		l.supervised = holds(m, supervised[i]);
		for (int j = 0; j < slots; j++) {
			l.own.push_back(rights_mask(value(m, own[i][j])));
			l.before.push_back(rights_mask(value(m, before[i][j])));
			l.after.push_back(rights_mask(value(m, after[i][j])));
		}
		w.layers.push_back(l);
	}
	return w;
}

z3::expr SupWalkEnc::sample(Rng &rng, bool one_supervised)
{
	z3::expr_vector v(e.ctx);
	const std::uint64_t all = (1u << e.width) - 1;
	const int sup = one_supervised ? 0 : -1;

	v.push_back(request == e.val(1 + rng.below(e.width >= 2 ? 3 : 1)));
	for (int i = 0; i < layers; i++) {
		const bool here = i == 0 || rng.below(2);
		const bool supd = here && (sup >= 0 ? i == sup : rng.below(2) == 0);
		const std::uint64_t h = here ? 1 + rng.below(all) : 0;

		if (i > 0)
			v.push_back(present[i] == e.truth(here));
		v.push_back(supervised[i] == e.truth(supd));
		v.push_back(handled[i] == e.val(h));
		for (int j = 0; j < slots; j++) {
			const auto pick = [&](bool on) {
				return on && rng.below(3) == 0 ? rng.below(all + 1) & h : 0;
			};
			v.push_back(own[i][j] == e.val(pick(true)));
			v.push_back(before[i][j] == e.val(pick(supd)));
			v.push_back(after[i][j] == e.val(pick(supd)));
		}
	}
	return z3::mk_and(v);
}

} // namespace lockstep::prove

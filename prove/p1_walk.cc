// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep prove - P1: the kernel's walk decides as the definition says
 *
 * Inputs: @layers layers, each handling some of @rights rights and holding
 * up to @rules add_rule() calls, each on one of the @depth dentries of the
 * walk or on a directory off the path, and a request.  The kernel merges a
 * domain's rules per inode (several add_rule() calls on one inode OR their
 * rights, each layer keeps its own entry: landlock_merge_ruleset()), and
 * the walk unmasks the per-layer masks dentry by dentry until every layer
 * is satisfied ([fs.walk.layers]).  The definition: for every layer and
 * every requested right it handles, some rule of that layer on the object
 * or an ancestor grants it.
 */
#include "prove/claims.h"
#include "prove/instance.h"

namespace lockstep::prove {

namespace {

/**
 * struct P1Enc - the inputs of P1 and their constraints
 *
 * @pos: dentry of each rule (0 the object, depth-1 the root, depth off
 *       the path); @access: its rights; @used: whether the call is made.
 */
struct P1Enc {
	Enc e;
	int layers, depth, rules;
	std::vector<z3::expr> handled;
	std::vector<std::vector<z3::expr>> pos, access, used;
	z3::expr request;
	z3::expr_vector inputs;

	explicit P1Enc(const Bounds &b)
		: e(b.rights), layers(b.layers), depth(b.depth), rules(b.rules),
		  request(e.mask("request")), inputs(e.ctx)
	{
		for (int i = 0; i < layers; i++) {
			const std::string l = "l" + std::to_string(i + 1);

			handled.push_back(e.mask(l + "_handled"));
			pos.emplace_back();
			access.emplace_back();
			used.emplace_back();
			for (int k = 0; k < rules; k++) {
				const std::string r = l + "_rule" + std::to_string(k + 1);

				pos[i].push_back(e.ctx.int_const((r + "_pos").c_str()));
				access[i].push_back(e.mask(r + "_access"));
				used[i].push_back(e.flag(r + "_used"));
			}
		}
	}

	/* Layer @i's rights on dentry @j: its rules there, merged. */
	z3::expr grant(int i, int j)
	{
		z3::expr g = e.zero();

		for (int k = 0; k < rules; k++)
			g = g | z3::ite(used[i][k] && pos[i][k] == j, access[i][k], e.zero());
		return g;
	}

	/* What the kernel lets exist: non-empty handled masks and rules within them. */
	z3::expr valid()
	{
		z3::expr_vector v(e.ctx);

		v.push_back(request != e.zero());
		for (int i = 0; i < layers; i++) {
			v.push_back(handled[i] != e.zero());
			for (int k = 0; k < rules; k++) {
				v.push_back(pos[i][k] >= 0 && pos[i][k] <= depth);
				v.push_back(z3::implies(used[i][k], access[i][k] != e.zero()));
				v.push_back((access[i][k] & ~handled[i]) == e.zero());
			}
		}
		return z3::mk_and(v);
	}

	/* Requests an operation makes with one walk: read, write, both, truncate. */
	z3::expr expressible()
	{
		z3::expr ok = request == e.val(1);

		if (e.width >= 2)
			ok = ok || request == e.val(2) || request == e.val(3);
		if (e.width >= 3)
			ok = ok || request == e.val(4);
		return ok;
	}

	z3::expr used_count()
	{
		std::vector<z3::expr> u;

		for (auto &l : used)
			u.insert(u.end(), l.begin(), l.end());
		return e.count(u);
	}

	WalkInst instance(const z3::model &m)
	{
		WalkInst w;

		w.depth = depth;
		w.request = rights_mask(value(m, request));
		for (int i = 0; i < layers; i++) {
			LayerInst l;

			l.handled = rights_mask(value(m, handled[i]));
			for (int k = 0; k < rules; k++)
				if (holds(m, used[i][k]))
					l.rules.emplace_back(static_cast<int>(value(m, pos[i][k])),
							     rights_mask(value(m, access[i][k])));
			w.layers.push_back(l);
		}
		return w;
	}
};

Mutant mutant_of(const std::string &name)
{
	if (name == "any-layer")
		return Mutant::any_layer;
	if (name == "skip-object")
		return Mutant::skip_object;
	return Mutant::none;
}

} // namespace

std::vector<Claim> prove_p1(const Bounds &b, const std::string &mutant)
{
	const Timer timer;
	const Mutant mut = mutant_of(mutant);
	Claim c = make_claim(mutant.empty() ? "P1" : "P1-",
			     mutant.empty() ? "the kernel's walk decides as the declarative "
					      "definition"
					    : "the walk mutated to '" + mutant +
						      "' decides as the declarative definition",
			     mutant.empty() ? Status::proved : Status::refuted);
	P1Enc p(b);
	const GrantFn grant = [&](int i, int j) { return p.grant(i, j); };
	const z3::expr walked =
		p.e.allows(p.e.walk(p.handled, p.request, p.depth, grant, mut), p.request);
	const z3::expr defined = p.e.declarative(p.handled, p.request, p.depth, grant);
	bool unknown = false;
	auto m = find_model(p.e, p.valid() && walked != defined, std::nullopt, &unknown);

	if (m) {
		/* Readable: the fewest rules, and a request an operation makes. */
		bool u2 = false;
		auto small = find_model(p.e, p.valid() && p.expressible() && walked != defined,
					p.used_count(), &u2);
		if (small)
			m = small;
	}
	c.seconds = timer.seconds();
	if (unknown) {
		c.note = "the solver gave up";
		return {c};
	}
	if (!m) {
		c.status = Status::proved;
		return {c};
	}
	c.status = Status::refuted;
	const WalkInst w = p.instance(*m);
	const bool want = holds(*m, defined), got = holds(*m, walked);
	Trace t = walk_trace(w);
	c.note = "the walk gives " + decision_name(got) + ", the definition " +
		 decision_name(want);
	dress(t,
	      wrap("P1 counterexample (" + (mutant.empty() ? std::string("kernel walk")
							   : "walk mutant " + mutant) +
		   "): the last step is " + decision_name(want) +
		   " by the definition (and the model), but " + decision_name(got) +
		   " by the walk."),
	      Variants{}, false, "");
	std::string error;
	c.trace = pin_and_check(t, t.steps.size() - 1, decision(want), &error);
	if (!error.empty())
		c.note += "; MODEL DISAGREES WITH THE DEFINITION: " + error;
	c.seconds = timer.seconds();
	return {c};
}

/*
 * Random instances: the walk and the definition of the encoding, evaluated,
 * against the model on the instance's trace.
 */
std::vector<std::string> validate_p1(const Bounds &b, int samples, std::uint64_t seed)
{
	std::vector<std::string> errors;
	Rng rng(seed);
	const std::uint64_t all = (1u << b.rights) - 1;
	static const std::uint64_t requests[] = {1, 2, 3, 4};

	for (int n = 0; n < samples; n++) {
		P1Enc p(b);
		z3::solver s(p.e.ctx);
		const GrantFn grant = [&](int i, int j) { return p.grant(i, j); };
		const z3::expr walked = p.e.allows(p.e.walk(p.handled, p.request, p.depth, grant),
						   p.request);
		const z3::expr defined = p.e.declarative(p.handled, p.request, p.depth, grant);

		s.add(p.request == p.e.val(requests[rng.below(b.rights >= 3 ? 4 : b.rights == 2 ? 3 : 1)]));
		for (int i = 0; i < b.layers; i++) {
			const std::uint64_t h = 1 + rng.below(all);

			s.add(p.handled[i] == p.e.val(h));
			for (int k = 0; k < b.rules; k++) {
				const std::uint64_t a = (1 + rng.below(all)) & h;

				s.add(p.used[i][k] == p.e.truth(a != 0));
				s.add(p.access[i][k] == p.e.val(a));
				s.add(p.pos[i][k] == static_cast<int>(rng.below(b.depth + 1)));
			}
		}
		if (s.check() != z3::sat)
			continue;
		const z3::model m = s.get_model();
		const bool w = holds(m, walked), d = holds(m, defined);
		const Trace t = walk_trace(p.instance(m));
		const OutcomeSet got = outcome_at(t, t.steps.size() - 1, Variants{}, false);

		if (w != d || !got.admits(decision(w)))
			errors.push_back("P1 sample " + std::to_string(n) + ": walk " +
					 decision_name(w) + ", definition " + decision_name(d) +
					 ", model " + format_outcomes(got));
	}
	return errors;
}

} // namespace lockstep::prove

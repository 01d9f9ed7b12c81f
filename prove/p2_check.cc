// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep prove - P2: atomic access checks ([sup.check])
 *
 * A walk pauses after k dentries (any k, up to the whole walk); meanwhile
 * every supervisor whose rules change commits, one after the other; then
 * the walk ends.  Atomic: its decision is the one the rules committed at
 * some instant would give: before the commits, or after the first m of
 * them.  check=snapshot reads, at every step, the committed rulesets it
 * captured when it started; check=per-step reads the live ones.
 */
#include "prove/claims.h"
#include "prove/walk_enc.h"

namespace lockstep::prove {

namespace {

/**
 * struct P2Enc - the walk interleaved with the commits, both variants
 *
 * @pause: how many dentries the walk read before the commits.
 */
struct P2Enc {
	SupWalkEnc w;
	z3::expr pause;
	z3::expr snapshot, per_step, atomic_snapshot, atomic_per_step;
	std::vector<z3::expr> refs;

	explicit P2Enc(const Bounds &b) : w(b, false), pause(w.e.ctx.int_const("pause")),
		snapshot(w.e.truth(true)), per_step(w.e.truth(true)),
		atomic_snapshot(w.e.truth(true)), atomic_per_step(w.e.truth(true))
	{
		snapshot = w.decide([&](int i, int j) { return w.own[i][j] | w.before[i][j]; });
		per_step = w.decide([&](int i, int j) {
			return w.own[i][j] | z3::ite(w.e.ctx.int_val(j) < pause, w.before[i][j],
						     w.after[i][j]);
		});
		/* After the first m commits (supervisors in layer order). */
		for (int m = 0; m <= w.layers; m++)
			refs.push_back(w.defined([&, m](int i, int j) {
				return i < m ? w.after[i][j] : w.before[i][j];
			}));
		atomic_snapshot = any_ref(snapshot);
		atomic_per_step = any_ref(per_step);
	}

	z3::expr any_ref(const z3::expr &d)
	{
		z3::expr_vector v(w.e.ctx);

		for (const auto &r : refs)
			v.push_back(d == r);
		return z3::mk_or(v);
	}

	z3::expr valid() { return w.valid() && pause >= 0 && pause <= w.depth; }
};

/* The counterexample of check=per-step, checked against the model. */
void refutation(Claim &c, P2Enc &p, const z3::model &m)
{
	const WalkInst w = p.w.instance(m);
	const int k = static_cast<int>(value(m, p.pause));
	const bool got = holds(m, p.per_step);
	const bool before = holds(m, p.refs.front()), after = holds(m, p.refs.back());
	Variants v;
	v.check = CheckVariant::per_step;
	Trace t = race_trace(w, k);

	dress(t,
	      wrap("P2 counterexample (check=per-step): the child's walk of " +
		   dentry_path(w.depth, 0) + " pauses after " + std::to_string(k) +
		   " dentries, the supervisor commits new rules, the walk ends: " +
		   decision_name(got) + ", although the rules committed before the "
		   "commit give " + decision_name(before) + " and those after it " +
		   decision_name(after) + ". With check=snapshot the walk reads the "
		   "rules committed when it started: " + decision_name(before) + "."),
	      v, true, "a commit cannot be forced between two steps of a real path walk");
	std::string error;
	c.trace = pin_and_check(t, t.steps.size() - 1, decision(got), &error);
	c.note = "per-step gives " + decision_name(got) + "; committed before: " +
		 decision_name(before) + ", after: " + decision_name(after);
	/* The references too: the same access entirely before, entirely after. */
	for (const bool a : {false, true}) {
		const Trace r = atomic_trace(w, a);
		const OutcomeSet o = outcome_at(r, r.steps.size() - 1, v, true);

		if (!o.admits(decision(a ? after : before)))
			error += std::string(error.empty() ? "" : "; ") + "the access " +
				 (a ? "after" : "before") + " the commits gives " +
				 format_outcomes(o) + " in the model";
	}
	if (!error.empty())
		c.note += "; ENCODING AND MODEL DISAGREE: " + error;
}

} // namespace

std::vector<Claim> prove_p2(const Bounds &b)
{
	std::vector<Claim> out;

	for (const bool snap : {true, false}) {
		const Timer timer;
		Claim c = make_claim(snap ? "P2+" : "P2-",
				     std::string(snap ? "check=snapshot" : "check=per-step") +
					     ": every access decision is atomic under commits "
					     "between any two walk steps",
				     snap ? Status::proved : Status::refuted);
		P2Enc p(b);
		bool unknown = false;
		const auto m = find_model(p.w.e,
					  p.valid() && !(snap ? p.atomic_snapshot : p.atomic_per_step),
					  p.w.size() + p.w.request_size(), &unknown);

		c.status = unknown ? Status::unknown : m ? Status::refuted : Status::proved;
		if (m && !snap)
			refutation(c, p, *m);
		else if (m)
			c.note = "ENCODING ERROR: check=snapshot refuted";
		c.seconds = timer.seconds();
		out.push_back(c);
	}
	return out;
}

/* Used by validate(): random instances, both variants, against the model. */
std::vector<std::string> validate_p2(const Bounds &b, int samples, std::uint64_t seed)
{
	std::vector<std::string> errors;
	Rng rng(seed);

	for (int n = 0; n < samples; n++) {
		P2Enc p(b);
		z3::solver s(p.w.e.ctx);
		const int k = static_cast<int>(rng.below(b.depth + 1));

		s.add(p.w.sample(rng, false) && p.pause == k);
		if (s.check() != z3::sat || !holds(s.get_model(), p.valid()))
			continue;
		const z3::model m = s.get_model();
		const Trace t = race_trace(p.w.instance(m), k);
		for (const bool snap : {true, false}) {
			Variants v;
			v.check = snap ? CheckVariant::snapshot : CheckVariant::per_step;
			const bool want = holds(m, snap ? p.snapshot : p.per_step);
			const OutcomeSet got = outcome_at(t, t.steps.size() - 1, v, true);

			if (!got.admits(decision(want)))
				errors.push_back("P2 sample " + std::to_string(n) + " (" +
						 format_variants(v) + "): encoding " +
						 decision_name(want) + ", model " +
						 format_outcomes(got));
		}
	}
	return errors;
}

} // namespace lockstep::prove

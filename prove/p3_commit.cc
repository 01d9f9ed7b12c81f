// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep prove - P3: atomic commits ([sup.commit])
 *
 * One supervised layer (with ordinary layers around it) whose supervisor
 * moves from the committed rules @before to the staged @after.  The commit
 * pauses after m of its n rule changes (m < n); an access runs entirely
 * meanwhile.  Atomic: the access decides as with @before or with @after.
 * commit=copy-swap publishes a copy in one step, so a paused commit shows
 * nothing; commit=in-place edits the live ruleset change by change, in
 * inode order (the root first, then the tree as created, then /z).
 */
#include "prove/claims.h"
#include "prove/walk_enc.h"

namespace lockstep::prove {

namespace {

struct P3Enc {
	SupWalkEnc w;
	z3::expr applied; /* rule changes applied when the commit pauses */
	z3::expr changes; /* rule changes of the commit */
	z3::expr copy_swap, in_place, before, after;

	explicit P3Enc(const Bounds &b)
		: w(b, true), applied(w.e.ctx.int_const("applied")), changes(w.e.ctx.int_val(0)),
		  copy_swap(w.e.truth(true)), in_place(w.e.truth(true)), before(w.e.truth(true)),
		  after(w.e.truth(true))
	{
		const int sup = 0; /* the supervised layer */
		std::vector<z3::expr> visible(w.slots, w.e.truth(false));
		z3::expr rank = w.e.ctx.int_val(0);

		for (const int j : inode_order(w.depth)) {
			const z3::expr changed = w.before[sup][j] != w.after[sup][j];

			visible[j] = changed && rank < applied;
			rank = rank + z3::ite(changed, w.e.ctx.int_val(1), w.e.ctx.int_val(0));
		}
		changes = rank;
		const auto rules = [&](int i, int j, bool mid) {
			if (i != sup || !mid)
				return w.before[i][j];
			return z3::ite(visible[j], w.after[i][j], w.before[i][j]);
		};
		copy_swap = w.decide([&](int i, int j) { return w.own[i][j] | rules(i, j, false); });
		in_place = w.decide([&](int i, int j) { return w.own[i][j] | rules(i, j, true); });
		before = w.defined([&](int i, int j) { return w.before[i][j]; });
		after = w.defined([&](int i, int j) { return w.after[i][j]; });
	}

	/* One supervised layer, the first; the commit pauses before its end. */
	z3::expr valid()
	{
		z3::expr v = w.valid() && w.supervised[0] && applied >= 0 && applied < changes;

		for (int i = 1; i < w.layers; i++)
			v = v && !w.supervised[i];
		return v;
	}

	z3::expr atomic(const z3::expr &d) { return d == before || d == after; }
};

void refutation(Claim &c, P3Enc &p, const z3::model &m)
{
	const WalkInst w = p.w.instance(m);
	const int k = static_cast<int>(value(m, p.applied));
	const bool got = holds(m, p.in_place);
	const bool before = holds(m, p.before), after = holds(m, p.after);
	Variants v;
	v.commit = CommitVariant::in_place;
	Trace t = commit_trace(w, k);

	dress(t,
	      wrap("P3 counterexample (commit=in-place): the supervisor's commit "
		   "pauses after " + std::to_string(k) + " of its " +
		   std::to_string(value(m, p.changes)) + " rule changes, which are "
		   "already live; the child's access meanwhile gives " +
		   decision_name(got) + ", although the rules before the commit give " +
		   decision_name(before) + " and those after it " + decision_name(after) +
		   ". With commit=copy-swap nothing is visible before the commit ends: " +
		   decision_name(before) + "."),
	      v, true, "a check cannot be forced between two changes of a real commit");
	std::string error;
	c.trace = pin_and_check(t, t.steps.size() - 2, decision(got), &error);
	c.note = "in-place gives " + decision_name(got) + "; before: " +
		 decision_name(before) + ", after: " + decision_name(after);
	Variants copy;
	const OutcomeSet o = outcome_at(t, t.steps.size() - 2, copy, true);
	if (!o.admits(decision(before)))
		error += std::string(error.empty() ? "" : "; ") + "copy-swap gives " +
			 format_outcomes(o) + " in the model";
	if (!error.empty())
		c.note += "; ENCODING AND MODEL DISAGREE: " + error;
}

} // namespace

std::vector<Claim> prove_p3(const Bounds &b)
{
	std::vector<Claim> out;

	for (const bool copy : {true, false}) {
		const Timer timer;
		Claim c = make_claim(copy ? "P3+" : "P3-",
				     std::string(copy ? "commit=copy-swap" : "commit=in-place") +
					     ": an access during a commit decides as before or "
					     "as after it",
				     copy ? Status::proved : Status::refuted);
		P3Enc p(b);
		bool unknown = false;
		const auto m = find_model(p.w.e,
					  p.valid() && !p.atomic(copy ? p.copy_swap : p.in_place),
					  p.w.size() + p.w.request_size(), &unknown);

		c.status = unknown ? Status::unknown : m ? Status::refuted : Status::proved;
		if (m && !copy)
			refutation(c, p, *m);
		else if (m)
			c.note = "ENCODING ERROR: commit=copy-swap refuted";
		c.seconds = timer.seconds();
		out.push_back(c);
	}
	return out;
}

std::vector<std::string> validate_p3(const Bounds &b, int samples, std::uint64_t seed)
{
	std::vector<std::string> errors;
	Rng rng(seed);

	for (int n = 0; n < samples; n++) {
		P3Enc p(b);
		z3::solver s(p.w.e.ctx);
		const int k = static_cast<int>(rng.below(3));

		s.add(p.w.sample(rng, true) && p.w.supervised[0] && p.applied == k);
		if (s.check() != z3::sat || !holds(s.get_model(), p.valid()))
			continue;
		const z3::model m = s.get_model();
		const Trace t = commit_trace(p.w.instance(m), k);
		for (const bool copy : {true, false}) {
			Variants v;
			v.commit = copy ? CommitVariant::copy_swap : CommitVariant::in_place;
			const bool want = holds(m, copy ? p.copy_swap : p.in_place);
			const OutcomeSet got = outcome_at(t, t.steps.size() - 2, v, true);

			if (!got.admits(decision(want)))
				errors.push_back("P3 sample " + std::to_string(n) + " (" +
						 format_variants(v) + "): encoding " +
						 decision_name(want) + ", model " +
						 format_outcomes(got));
		}
	}
	return errors;
}

} // namespace lockstep::prove

// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_variants - model variants against each other
 *
 * Each supervisor variant (model/profile.h) answers one open question, so
 * two settings of one question may only differ on traces that ask it.
 * For each input (decoded as for fuzz_model) every pair below whose
 * condition the trace meets runs in both settings, step by step, both
 * models following the same outcome (one the first allows): their allowed
 * sets must be equal, or, for an unknown erratum, contain the fixed one's.
 *
 *   check=snapshot / per-step         traces without pause=
 *   commit=copy-swap / in-place        traces without pause=
 *   optional=open-time / operation-time
 *                                      no commit, rename, mount or umount
 *   acyclic=commit-outside / none, commit-outside / bind-on-first-use
 *                                      no notifications; compared up to the
 *                                      first step where the two rules judge
 *                                      who may act as a supervisor, or who
 *                                      may enforce a supervisee, differently
 *   explanations on / off              every trace
 *   abi=11 / abi=12 (mainline / supervisor kernel)
 *                                      no supervisor flag, no version query
 *   erratum N fixed / unknown          every trace (unknown allows more)
 */
#include "fuzz/harness.h"

#include "conformance/trace/printer.h"
#include "model/supervisor.h"

#include <algorithm>
#include <cstdio>
#include <functional>

using namespace lockstep;
using namespace lockstep::fuzz;

namespace {

enum class Relation : std::uint8_t { equal, contains };

/*
 * struct Pair - two settings that must agree on the traces @applies
 * accepts, up to the first step @stop flags (in A's state before it).
 */
struct Pair {
	std::string name;
	Profile a, b;
	bool explain_a = false, explain_b = false;
	Relation relation = Relation::equal;
	std::string condition;
	std::function<bool(const Trace &)> applies;
	std::function<bool(const State &, const Step &)> stop;
};

template <class T> bool any_op(const Trace &t, auto pred)
{
	return std::any_of(t.steps.begin(), t.steps.end(), [&](const Step &s) {
		const auto *o = std::get_if<T>(&s.op);

		return o && pred(*o);
	});
}

bool has_pause(const Trace &t)
{
	return std::any_of(t.steps.begin(), t.steps.end(),
			   [](const Step &s) { return s.pause.has_value(); });
}

bool has_commit(const Trace &t)
{
	return any_op<AddRule>(t, [](const AddRule &r) {
		return (r.flags & rule_flag::commit_supervisor) || r.type == rule_type::none;
	});
}

bool changes_ancestry(const Trace &t)
{
	return std::any_of(t.steps.begin(), t.steps.end(), [](const Step &s) {
		return std::holds_alternative<Rename>(s.op) ||
		       std::holds_alternative<Mount>(s.op) ||
		       std::holds_alternative<Umount>(s.op);
	});
}

bool has_notifications(const Trace &t)
{
	return any_op<CreateRuleset>(t, [](const CreateRuleset &c) {
		return c.flags & create_flag::supervisor_notification;
	});
}

/* What ABI 12 adds to ABI 11: supervisor flags and the version it reports. */
bool uses_abi12(const Trace &t)
{
	return any_op<CreateRuleset>(t, [](const CreateRuleset &c) {
		       return c.flags & (create_flag::supervisor |
					 create_flag::supervisor_notification |
					 create_flag::version);
	       }) ||
	       any_op<AddRule>(t, [](const AddRule &r) {
		       return (r.flags & (rule_flag::commit_supervisor | rule_flag::intersect)) ||
			      r.type == rule_type::none;
	       });
}

/*
 * [sup.acyclic] Before @step: does it act as a supervisor (commit, read or
 * answer an event) where the two acyclicity rules disagree on who may, or
 * enforce a supervisee (bind-on-first-use restricts that)?
 */
bool acyclic_differs(const State &s, const Step &step, const Profile &a, const Profile &b)
{
	const auto t = s.task_index(step.task);
	const FdRef *ref = nullptr;
	bool enforce = false;

	if (!t)
		return false;
	if (const auto *ar = std::get_if<AddRule>(&step.op))
		ref = &ar->ruleset;
	else if (const auto *rd = std::get_if<Read>(&step.op))
		ref = &rd->fd;
	else if (const auto *wr = std::get_if<Write>(&step.op))
		ref = &wr->fd;
	else if (const auto *rs = std::get_if<RestrictSelf>(&step.op))
		ref = &rs->ruleset, enforce = true;
	if (!ref)
		return false;
	const Ruleset *rs = ruleset_of(s, step.task, *ref);
	if (!rs || rs->supervisor < 0)
		return false;
	if (enforce)
		return !rs->is_supervisor;
	return rs->is_supervisor && sup_valid_responder(s, a, *t, rs->supervisor) !=
					    sup_valid_responder(s, b, *t, rs->supervisor);
}

Profile with(Profile p, auto change)
{
	change(p.variants);
	return p;
}

std::vector<Pair> pairs_for(const Profile &p, Rng &rng)
{
	std::vector<Pair> out;
	const auto never = [](const State &, const Step &) { return false; };
	const auto no_pause = [](const Trace &t) { return !has_pause(t); };

	out.push_back({"check=snapshot / check=per-step",
		       with(p, [](Variants &v) { v.check = CheckVariant::snapshot; }),
		       with(p, [](Variants &v) { v.check = CheckVariant::per_step; }),
		       false, false, Relation::equal, "no pause=", no_pause, never});
	out.push_back({"commit=copy-swap / commit=in-place",
		       with(p, [](Variants &v) { v.commit = CommitVariant::copy_swap; }),
		       with(p, [](Variants &v) { v.commit = CommitVariant::in_place; }),
		       false, false, Relation::equal, "no pause=", no_pause, never});
	out.push_back({"optional=open-time / optional=operation-time",
		       with(p, [](Variants &v) { v.optional = OptionalVariant::open_time; }),
		       with(p, [](Variants &v) { v.optional = OptionalVariant::operation_time; }),
		       false, false, Relation::equal, "no commit, rename, mount or umount",
		       [](const Trace &t) { return !has_commit(t) && !changes_ancestry(t); },
		       never});
	for (const auto other : {AcyclicVariant::none, AcyclicVariant::bind_on_first_use}) {
		Pair q{std::string("acyclic=commit-outside / acyclic=") +
			       (other == AcyclicVariant::none ? "none" : "bind-on-first-use"),
		       with(p, [](Variants &v) { v.acyclic = AcyclicVariant::commit_outside; }),
		       with(p, [&](Variants &v) { v.acyclic = other; }),
		       false, false, Relation::equal,
		       "no notifications, up to a step the acyclicity rules judge differently",
		       [](const Trace &t) { return !has_notifications(t); }, nullptr};
		q.stop = [a = q.a, b = q.b](const State &s, const Step &st) {
			return acyclic_differs(s, st, a, b);
		};
		out.push_back(q);
	}
	out.push_back({"explanations on / off", p, p, true, false, Relation::equal,
		       "every trace", [](const Trace &) { return true; }, never});
	Profile p11 = p, p12 = p;
	p11.abi = max_mainline_abi;
	p12.abi = supervisor_abi;
	out.push_back({"abi=11 / abi=12", p11, p12, false, false, Relation::equal,
		       "no supervisor flag, no version query",
		       [](const Trace &t) { return !uses_abi12(t); }, never});
	const int n = static_cast<int>(rng.below(num_errata));
	Profile fixed = p, unknown = p;
	fixed.errata[n] = Erratum::fixed;
	fixed.errata_queryable = unknown.errata_queryable = true;
	unknown.errata[n] = Erratum::unknown;
	out.push_back({"erratum " + std::to_string(n + 1) + " fixed / unknown", fixed, unknown,
		       false, false, Relation::contains, "every trace",
		       [](const Trace &) { return true; }, never});
	return out;
}

bool same_set(const OutcomeSet &x, const OutcomeSet &y)
{
	const auto in = [](const OutcomeSet &s, const Outcome &o) {
		const auto &v = s.items();

		return std::find(v.begin(), v.end(), o) != v.end();
	};
	const auto covers = [&](const OutcomeSet &big, const OutcomeSet &small) {
		return std::all_of(small.items().begin(), small.items().end(),
				   [&](const Outcome &o) { return in(big, o); });
	};

	return covers(x, y) && covers(y, x);
}

bool contains(const OutcomeSet &big, const OutcomeSet &small)
{
	return std::all_of(small.items().begin(), small.items().end(), [&](const Outcome &o) {
		return std::find(big.items().begin(), big.items().end(), o) != big.items().end();
	});
}

[[noreturn]] void differ(const Pair &q, const Trace &t, std::size_t i, const std::string &what)
{
	Finding f;

	f.target = "fuzz_variants";
	f.trace = t;
	f.profile = q.a;
	f.doc.push_back(q.name + " must agree on traces with " + q.condition + ";");
	f.doc.push_back("they differ at step " + std::to_string(i + 1) + " (" +
			trace::print_step(t.steps[i]) + "): " + what);
	f.doc.push_back("the other side: " + explain_command(q.b));
	report(f);
}

void compare(const Pair &q, const Trace &t, Rng &rng)
{
	Model a(q.a), b(q.b);

	a.set_explain(q.explain_a);
	b.set_explain(q.explain_b);
	const auto ea = a.setup(t), eb = b.setup(t);
	if (ea.has_value() != eb.has_value())
		differ(q, t, 0, "only one side can build the tree");
	if (ea)
		return;
	for (std::size_t i = 0; i < t.steps.size(); i++) {
		const Step &step = t.steps[i];

		if (q.stop(a.state(), step))
			return;
		Model probe = a;
		const OutcomeSet allowed = probe.step(step).allowed;
		const Outcome o = as_observed(allowed, rng.below(allowed.size()));
		const StepResult ra = a.step(step, o);
		const StepResult rb = b.step(step, o);
		const bool ok = q.relation == Relation::equal ? same_set(ra.allowed, rb.allowed)
							      : contains(rb.allowed, ra.allowed);

		if (!ok || !rb.admitted)
			differ(q, t, i, "one allows " + format_outcomes(ra.allowed) +
						", the other " + format_outcomes(rb.allowed));
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	DecodeOptions opts;
	opts.max_steps = 64;
	const Decoded d = decode_input({data, size}, opts);
	Profile p = d.header.profile;
	Rng rng(d.header.seed);

	if (d.trace.variants)
		p.variants = *d.trace.variants;
	set_current("fuzz_variants", d.trace, p);
	if (print_requested())
		std::printf("# profile %s\n%s\n", profile_flag(p).c_str(),
			    trace::print_trace(d.trace).c_str());
	check_roundtrip(d.trace);
	for (const auto &q : pairs_for(p, rng))
		if (q.applies(d.trace))
			compare(q, d.trace, rng);
	return 0;
}

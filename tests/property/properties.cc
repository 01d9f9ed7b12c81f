// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep properties - The properties, as RapidCheck testables
 */
#include "tests/property/properties.h"

#include "conformance/generate/generator.h"
#include "conformance/trace/printer.h"
#include "model/access.h"
#include "tests/property/rc_support.h"

#include <rapidcheck.h>

#include <ostream>
#include <tuple>

namespace lockstep::prop {

/* RapidCheck prints the drawn values of a failing case with these. */
void showValue(const Action &a, std::ostream &os)
{
	os << "{" << a.kind << "," << a.a << "," << a.b << "," << a.c << "}";
}

void showValue(const SetupRule &r, std::ostream &os)
{
	os << "{" << r.path << "," << r.rights << "}";
}

void showValue(const SupSetup &s, std::ostream &os)
{
	os << "setup{handled " << s.handled << ", " << s.committed.size()
	   << " committed, " << s.own.size() << " own, "
	   << (s.plain ? "a plain layer" : "no plain layer") << "}";
}

namespace {

/* ---- Generators ---- */

/* A choice in [0, n) that does not scale with RapidCheck's size. */
rc::Gen<unsigned> choice(unsigned n)
{
	return rc::gen::resize(100, rc::gen::inRange(0u, n));
}

/*
 * An index drawn with @weights: shrinks towards index 0, which is why each
 * scenario lists its most common kind first.
 */
rc::Gen<unsigned> weighted(std::vector<unsigned> weights)
{
	unsigned total = 0;

	for (const unsigned w : weights)
		total += w;
	return rc::gen::map(choice(total), [weights](unsigned x) {
		unsigned k = 0;

		while (x >= weights[k])
			x -= weights[k++];
		return k;
	});
}

rc::Gen<Action> gen_action(const std::vector<unsigned> &kinds)
{
	return rc::gen::build<Action>(rc::gen::set(&Action::kind, weighted(kinds)),
				      rc::gen::set(&Action::a, choice(64)),
				      rc::gen::set(&Action::b, choice(64)),
				      rc::gen::set(&Action::c, choice(64)));
}

/*
 * Up to @max actions, whatever RapidCheck's size: the shapes that break a
 * variant take four to six particular actions, which the first, small
 * cases would rarely have room for.  Shrinking still removes actions.
 */
rc::Gen<std::vector<Action>> gen_actions(double max, const std::vector<unsigned> &kinds)
{
	return rc::gen::resize(100, rc::gen::scale(max / 100.0,
						   rc::gen::container<std::vector<Action>>(
							   gen_action(kinds))));
}

rc::Gen<std::vector<SetupRule>> gen_rules(unsigned max)
{
	return rc::gen::mapcat(choice(max + 1), [](unsigned n) {
		return rc::gen::container<std::vector<SetupRule>>(
			n, rc::gen::build<SetupRule>(rc::gen::set(&SetupRule::path, choice(64)),
						     rc::gen::set(&SetupRule::rights,
								  rc::gen::resize(100, rc::gen::inRange(1u, 8u)))));
	});
}

using PlainRules = std::optional<std::vector<SetupRule>>;

/* An ordinary layer under the supervised one, one time in three. */
rc::Gen<PlainRules> gen_plain()
{
	return rc::gen::mapcat(choice(3), [](unsigned k) -> rc::Gen<PlainRules> {
		if (k != 2)
			return rc::gen::just(PlainRules{});
		return rc::gen::map(gen_rules(2),
				    [](std::vector<SetupRule> v) { return PlainRules(std::move(v)); });
	});
}

rc::Gen<SupSetup> gen_setup()
{
	return rc::gen::build<SupSetup>(
		rc::gen::set(&SupSetup::handled, rc::gen::resize(100, rc::gen::inRange(1u, 8u))),
		rc::gen::set(&SupSetup::committed, gen_rules(3)),
		rc::gen::set(&SupSetup::own, gen_rules(2)),
		rc::gen::set(&SupSetup::plain, gen_plain()));
}

/* ---- Mainline traces and their variations ---- */

/* The directories and files of every generated trace's tree. */
const char *const kDirs[] = {"/", "/a", "/a/b", "/c", "/c/d"};
const char *const kFiles[] = {"/a/f", "/a/b/g", "/c/h", "/c/d/i"};

Trace draw_mainline()
{
	gen::GenOptions o;

	o.abi = host_reference_profile().abi;
	return gen::generate_trace(rc_chooser(), o, "generated");
}

/* A random subset of @of (uniform, shrinking towards the empty set). */
AccessMask draw_subset(AccessMask of)
{
	return *rc::gen::resize(100, rc::gen::inRange<std::uint64_t>(0, 1ull << 17)) & of;
}

/* The tasks that exist before step @pos (forks and threads of earlier steps). */
std::vector<std::string> tasks_before(const Trace &t, std::size_t pos)
{
	std::vector<std::string> v{"main"};

	for (std::size_t i = 0; i < pos && i < t.steps.size(); i++) {
		if (const auto *f = std::get_if<Fork>(&t.steps[i].op))
			v.push_back(f->name);
		if (const auto *th = std::get_if<Thread>(&t.steps[i].op))
			v.push_back(th->name);
	}
	return v;
}

AddRule fs_rule(const std::string &rs, const std::string &path, AccessMask access)
{
	AddRule r;

	r.ruleset = FdRef{rs, -1};
	r.path = PathRef{path, ""};
	r.allowed = access;
	return r;
}

AddRule port_rule(const std::string &rs, std::uint16_t port, AccessMask access)
{
	AddRule r;

	r.ruleset = FdRef{rs, -1};
	r.type = rule_type::net_port;
	r.port = port;
	r.allowed = access;
	return r;
}

Trace with_steps(const Trace &t, std::size_t pos, const std::vector<Step> &extra)
{
	Trace out = t;

	out.steps.insert(out.steps.begin() + static_cast<std::ptrdiff_t>(pos), extra.begin(),
			 extra.end());
	return out;
}

/* First step (index in the original trace) whose allowed outcomes differ. */
std::optional<std::size_t> first_difference(const ModelRun &a, const ModelRun &b,
					    std::size_t pos, std::size_t shift)
{
	for (std::size_t i = pos; i < a.steps.size() && i + shift < b.steps.size(); i++) {
		const OutcomeSet &x = a.steps[i].allowed, &y = b.steps[i + shift].allowed;
		bool same = x.size() == y.size();

		for (const auto &o : x.items())
			same = same && y.admits(o);
		if (!same)
			return i;
	}
	return std::nullopt;
}

std::string describe(const Trace &changed, std::size_t pos, std::size_t n,
		     std::size_t i, std::size_t shift, const ModelRun &before,
		     const ModelRun &after, const std::string &title,
		     const std::string &what)
{
	std::vector<std::string> doc{title, ""};
	const std::string line = trace::print_step(changed.steps[i + shift]);

	doc.push_back("Steps " + std::to_string(pos + 1) + " to " + std::to_string(pos + n) +
		      " " + what + ".  Step " + std::to_string(i + shift + 1) + " (" + line +
		      ")");
	doc.push_back("gives " + format_outcomes(after.steps[i + shift].allowed) +
		      "; without those steps it gives " +
		      format_outcomes(before.steps[i].allowed) + ".");
	return show_trace(changed, doc, after, {i + shift});
}

/* The steps of a layer for @task, and its ruleset's name. */
std::vector<Step> draw_layer(const std::string &task, bool grant_all,
			     AccessMask *handled_fs)
{
	const int abi = host_reference_profile().abi;
	CreateRuleset cr;
	std::vector<Step> v;

	cr.handled_fs = draw_subset(valid_fs_mask(abi));
	cr.handled_net = draw_subset(valid_net_mask(abi));
	if (!grant_all)
		cr.scoped = draw_subset(valid_scope_mask(abi));
	*handled_fs = cr.handled_fs;
	v.push_back(make_step(task, cr, "xr"));
	if (grant_all) {
		if (cr.handled_fs)
			v.push_back(make_step(task, fs_rule("xr", "/", cr.handled_fs)));
		for (std::uint16_t port = 8000; cr.handled_net && port < 8003; port++)
			v.push_back(make_step(task, port_rule("xr", port, cr.handled_net)));
	} else {
		for (unsigned n = *choice(4); n > 0; n--) {
			const bool dir = *choice(4) != 0;
			const std::string p = dir ? kDirs[*choice(5)] : kFiles[*choice(4)];
			const AccessMask a =
				draw_subset(cr.handled_fs & (dir ? fs::all : fs::file_rights));

			if (a)
				v.push_back(make_step(task, fs_rule("xr", p, a)));
		}
	}
	v.push_back(make_step(task, RestrictSelf{FdRef{"xr", -1}, 0}));
	return v;
}

/* Whether @with denies what @without allows: a success lost, a denial gained. */
bool denies_more(const OutcomeSet &without, const OutcomeSet &with)
{
	if (may_succeed(without) && !may_succeed(with))
		return true;
	for (const auto &o : with.items())
		if ((o.err == EACCES || o.err == EPERM) && !without.admits(o))
			return true;
	return false;
}

/* A Landlock-denial of the refer right's no-gain check, on link or rename. */
bool refer_exdev(const Step &s, const OutcomeSet &o)
{
	const bool reparent = std::holds_alternative<Link>(s.op) ||
			      std::holds_alternative<Rename>(s.op);

	return reparent && o.size() == 1 && o.items()[0].err == EXDEV;
}

} // namespace

Property new_layer_never_grants_more()
{
	return [] {
		const Trace t = draw_mainline();
		const std::size_t pos = *rc::gen::inRange<std::size_t>(0, t.steps.size() + 1);
		const auto tasks = tasks_before(t, pos);
		const std::string task = tasks[*choice(static_cast<unsigned>(tasks.size()))];
		AccessMask handled = 0;
		const auto layer = draw_layer(task, false, &handled);
		const Trace t2 = with_steps(t, pos, layer);
		const Profile p = host_reference_profile();
		const ModelRun a = run_model(t, p), b = run_model(t2, p);
		const auto i = first_difference(a, b, pos, layer.size());

		RC_PRE(!a.error);
		if (!i)
			return;
		for (const auto &o : b.steps[*i + layer.size()].allowed.items())
			if (o.success() && !a.steps[*i].allowed.admits(o))
				RC_FAIL(describe(t2, pos, layer.size(), *i, layer.size(), a,
						 run_model(t2, p, true),
						 "Counterexample: a new layer grants more",
						 "add a layer"));
	};
}

namespace {

/**
 * struct RuleSite - where a rule may be added to a trace
 *
 * @t: the trace.
 * @create: the step creating the ruleset (its name is the step's bind).
 * @enforce: the step enforcing it; the new rule goes just before it.
 * @targets: directories that later steps link or rename into, where a new
 *           rule is most likely to matter ([refer.no_gain]).
 */
struct RuleSite {
	Trace t;
	std::size_t create = 0, enforce = 0;
	std::vector<std::string> targets;
};

/* Rulesets of @t that are created with a name and later enforced. */
std::vector<std::pair<std::size_t, std::size_t>> enforced_rulesets(const Trace &t)
{
	std::vector<std::pair<std::size_t, std::size_t>> spans;

	for (std::size_t c = 0; c < t.steps.size(); c++) {
		if (!std::holds_alternative<CreateRuleset>(t.steps[c].op) ||
		    t.steps[c].bind.empty())
			continue;
		for (std::size_t e = c + 1; e < t.steps.size(); e++) {
			const auto *rs = std::get_if<RestrictSelf>(&t.steps[e].op);

			if (rs && rs->ruleset.name == t.steps[c].bind) {
				spans.emplace_back(c, e);
				break;
			}
		}
	}
	return spans;
}

/*
 * A generated trace and one of its enforced rulesets; a trace without any
 * gets a layer of main's at its start (rather than being discarded).
 */
RuleSite draw_generated_site()
{
	RuleSite site;

	site.t = draw_mainline();
	auto spans = enforced_rulesets(site.t);

	if (spans.empty()) {
		AccessMask handled = 0;
		auto layer = draw_layer("main", false, &handled);

		layer.insert(layer.begin(), make_step("main", SetNoNewPrivs{}));
		site.t = with_steps(site.t, 0, layer);
		spans = enforced_rulesets(site.t);
	}
	std::tie(site.create, site.enforce) =
		spans[*choice(static_cast<unsigned>(spans.size()))];
	return site;
}

/*
 * [refer.cross_dir] A layer that lets main link and rename across
 * directories (a rule granting refer and the make and remove rights of
 * files on a common ancestor, plus random rules), then a few links and
 * renames of files into other directories: the shape in which a new rule
 * can turn a success into EXDEV.
 */
RuleSite draw_reparent_site()
{
	constexpr AccessMask moves = fs::refer | fs::make_reg | fs::remove_file;
	const int abi = host_reference_profile().abi;
	RuleSite site;
	CreateRuleset cr;
	Trace &t = site.t;

	t = draw_mainline();
	t.steps.clear();
	t.steps.push_back(make_step("main", SetNoNewPrivs{}));
	cr.handled_fs = (draw_subset(valid_fs_mask(abi)) | moves) & valid_fs_mask(abi);
	site.create = t.steps.size();
	t.steps.push_back(make_step("main", cr, "xr"));
	t.steps.push_back(make_step("main", fs_rule("xr", *choice(3) ? "/" : kDirs[*choice(5)],
						  draw_subset(cr.handled_fs) |
							  (moves & cr.handled_fs))));
	for (unsigned n = *choice(3); n > 0; n--) {
		const bool dir = *choice(4) != 0;
		const std::string p = dir ? kDirs[*choice(5)] : kFiles[*choice(4)];
		const AccessMask a = draw_subset(cr.handled_fs & (dir ? fs::all : fs::file_rights));

		if (a)
			t.steps.push_back(make_step("main", fs_rule("xr", p, a)));
	}
	site.enforce = t.steps.size();
	t.steps.push_back(make_step("main", RestrictSelf{FdRef{"xr", -1}, 0}));
	for (unsigned n = 1 + *choice(3); n > 0; n--) {
		const std::string dir = kDirs[*choice(5)];
		const PathRef from{kFiles[*choice(4)], ""};
		const PathRef to{(dir == "/" ? "" : dir) + "/n" + std::to_string(n), ""};

		site.targets.push_back(dir);
		if (*choice(2))
			t.steps.push_back(make_step("main", Link{from, to}));
		else
			t.steps.push_back(make_step("main", Rename{from, to, 0}));
	}
	return site;
}

/* A rule for @site's ruleset: on a link or rename target half of the time. */
Step draw_new_rule(const RuleSite &site)
{
	const Step &create = site.t.steps[site.create];
	const auto &cr = std::get<CreateRuleset>(create.op);

	if (cr.handled_net && *choice(4) == 0)
		return make_step(create.task,
			       port_rule(create.bind, static_cast<std::uint16_t>(8000 + *choice(3)),
					 draw_subset(cr.handled_net)));
	const bool target = !site.targets.empty() && *choice(2);
	const bool dir = target || *choice(4) != 0;
	const std::string path =
		target ? site.targets[*choice(static_cast<unsigned>(site.targets.size()))]
		: dir  ? kDirs[*choice(5)]
		       : kFiles[*choice(4)];

	return make_step(create.task,
		       fs_rule(create.bind, path,
			       draw_subset(cr.handled_fs & (dir ? fs::all : fs::file_rights))));
}

} // namespace

Property new_rule_never_denies_more(bool refer_exception)
{
	return [refer_exception] {
		const RuleSite site = *choice(2) ? draw_reparent_site() : draw_generated_site();
		const Trace &t = site.t;
		const std::size_t pos = site.enforce;
		const Trace t2 = with_steps(t, pos, {draw_new_rule(site)});
		const Profile p = host_reference_profile();
		const ModelRun a = run_model(t, p), b = run_model(t2, p);
		const auto i = first_difference(a, b, pos, 1);

		RC_PRE(!a.error);
		if (!i || !may_succeed(a.steps[*i].allowed) || may_succeed(b.steps[*i + 1].allowed))
			return;
		if (refer_exception && refer_exdev(t.steps[*i], b.steps[*i + 1].allowed))
			return;
		RC_FAIL(describe(t2, pos, 1, *i, 1, a, run_model(t2, p, true),
				 "Counterexample: a new rule denies more", "add a rule"));
	};
}

Property unhandled_rights_never_denied()
{
	return [] {
		const Trace t = draw_mainline();
		const std::size_t pos = *rc::gen::inRange<std::size_t>(0, t.steps.size() + 1);
		const auto tasks = tasks_before(t, pos);
		const std::string task = tasks[*choice(static_cast<unsigned>(tasks.size()))];
		AccessMask handled = 0;
		const auto layer = draw_layer(task, true, &handled);
		const Trace t2 = with_steps(t, pos, layer);
		const Profile p = host_reference_profile();
		const ModelRun a = run_model(t, p), b = run_model(t2, p);
		const auto i = first_difference(a, b, pos, layer.size());

		RC_PRE(!a.error);
		if (!i)
			return;
		const Op &op = t.steps[*i].op;
		/*
		 * [net.unspec] A layer's hooks check arguments too: which error
		 * a call that fails anyway reports may change.  Only a denial
		 * counts: a success lost, or EACCES or EPERM gained.
		 */
		if (!denies_more(a.steps[*i].allowed, b.steps[*i + layer.size()].allowed))
			return;
		/* [fs.handled] refer is handled by every layer, granted or not. */
		if (!(handled & fs::refer) &&
		    (std::holds_alternative<Link>(op) || std::holds_alternative<Rename>(op)))
			return;
		/* [mount] No sandboxed task may change the mount topology. */
		if (std::holds_alternative<Mount>(op) || std::holds_alternative<Umount>(op))
			return;
		RC_FAIL(describe(t2, pos, layer.size(), *i, layer.size(), a,
				 run_model(t2, p, true),
				 "Counterexample: a layer granting all it handles denies",
				 "add a layer whose rules grant every right it handles"));
	};
}

Property atomic_decisions(const Variants &v, Interleave il)
{
	return [v, il] {
		const SupSetup setup = *gen_setup();
		const auto actions = *gen_actions(24, atomicity_kinds());
		const Verdict r = atomicity(setup, actions, v, il);

		if (!r.ok)
			RC_FAIL(r.report);
	};
}

Property optional_accesses(const Variants &v, bool distinguish)
{
	return [v, distinguish] {
		const SupSetup setup = *gen_setup();
		const auto actions = *gen_actions(16, optional_kinds());
		const Verdict r = optional_access(setup, actions, v, distinguish);

		if (!r.ok)
			RC_FAIL(r.report);
	};
}

Property wait_for(const Variants &v, AcyclicCheck check, bool steady)
{
	return [v, check, steady] {
		/* Mostly one or two supervisors to begin with (more may come). */
		const unsigned supervisors = *weighted({1, 2, 4});
		const auto actions = *gen_actions(30, acyclic_kinds());
		const Verdict r = acyclicity(supervisors, actions, v, check, steady);

		if (!r.ok)
			RC_FAIL(r.report);
	};
}

/*
 * Cases each "Finds" test lets RapidCheck try.  A case takes about a
 * millisecond; the generators find every known violation within a few
 * dozen cases on average (bench/prove_bench.cc), so this is a wide margin
 * against an unlucky seed, not the expected search length.
 */
constexpr int kFindRuns = 2000;

std::vector<KnownViolation> known_violations()
{
	Variants in_place, per_step, none, outside, bind;

	in_place.commit = CommitVariant::in_place;
	per_step.check = CheckVariant::per_step;
	none.acyclic = AcyclicVariant::none;
	outside.acyclic = AcyclicVariant::commit_outside;
	bind.acyclic = AcyclicVariant::bind_on_first_use;
	return {
		{"commit=in-place breaks commit atomicity",
		 atomic_decisions(in_place, Interleave{true, false}), kFindRuns},
		{"check=per-step breaks check atomicity",
		 atomic_decisions(per_step, Interleave{false, true}), kFindRuns},
		{"acyclic=none: a task supervises itself (self-supervision cycle)",
		 wait_for(none, AcyclicCheck::no_self_supervision), kFindRuns},
		{"acyclic=none: a deadlock", wait_for(none, AcyclicCheck::no_deadlock), kFindRuns},
		{"acyclic=commit-outside: a two-supervisor wait-for cycle",
		 wait_for(outside, AcyclicCheck::no_cycle, true), kFindRuns},
		{"acyclic=commit-outside: TSYNC moves a waiting thread out of its "
		 "supervised domain, and it may answer itself (self-supervision cycle)",
		 wait_for(outside, AcyclicCheck::no_self_supervision), kFindRuns},
		{"acyclic=commit-outside: a deadlock without a cycle (the only task that "
		 "may answer stops being able to)",
		 wait_for(outside, AcyclicCheck::no_deadlock), kFindRuns},
		{"acyclic=bind-on-first-use: a deadlock without a cycle (the only task that "
		 "may answer stops being able to)",
		 wait_for(bind, AcyclicCheck::no_deadlock), kFindRuns},
		{"optional=open-time and optional=operation-time differ",
		 optional_accesses(Variants{}, true), kFindRuns},
		{"a new rule can deny a rename: refer's no-gain rule",
		 new_rule_never_denies_more(false), kFindRuns},
	};
}

} // namespace lockstep::prop

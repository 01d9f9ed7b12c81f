// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep prove - P4: acyclicity of the wait-for graph ([sup.acyclic])
 *
 * Bounded model checking of an abstraction of the model: up to @tasks tasks
 * (threads share their process's fds), @supervisors supervisors, @steps
 * operations.  Each operation is one of: create a supervisor (and get a
 * supervisee), get a supervisee, fork, create a thread, pass a supervisor
 * or supervisee fd with SCM_RIGHTS, close a supervisor fd (the last close
 * denies its pending events), enforce a supervisee or an ordinary ruleset
 * (optionally with TSYNC), a denied access that waits for the supervisor of
 * a supervised layer, an answer.  Domains are sets of layers (layer k is
 * the one enforced at step k: a domain is a prefix of another iff it is a
 * subset, since layers are created once, on top of a domain).
 *
 * The abstraction has every behaviour of the model (it ignores that a
 * supervisee is enforced once under bind-on-first-use, lets any supervised
 * layer be the one that denies, and lets any answer end a wait), so no
 * deadlock in it means none in the model within the bounds.  A
 * counterexample is found with the model's own constraints (the youngest
 * supervised layer denies, no answers) and replayed in the model.
 *
 * A wait-for cycle: a waiting task waits for every task that may answer its
 * supervisor and holds its fd; a cycle is a non-empty set of waiting tasks
 * each waiting for one of the set (self-supervision: all waiting for one
 * supervisor) (model/supervisor.cc sup_wait_cycle()).  A deadlock is a
 * non-empty set B of waiting tasks, none of which the tasks outside B can
 * release: none of them may answer its supervisor, or hand the fd to one
 * that may, and some process holding that supervisor has all its tasks in
 * B, so it never goes away ([sup.acyclic.deadlock], sup_deadlocked()).
 * Deadlocks include cycles, and waits whose only possible answerer stopped
 * being allowed to answer.
 */
#include "conformance/trace/printer.h"
#include "prove/claims.h"
#include "prove/instance.h"

#include "model/supervisor.h"

namespace lockstep::prove {

namespace {

enum Act {
	nop = 0,
	create_sup,
	get_supervisee,
	fork_task,
	thread_task,
	pass_fd,
	close_fd,
	restrict_sup,
	restrict_plain,
	block,
	answer,
	num_acts
};

/* The state after each step. */
struct Frame {
	std::vector<z3::expr> alive, proc, dom, blocked, waits; /* per task */
	std::vector<std::vector<z3::expr>> held, seen;		 /* [process][sup] */
	std::vector<z3::expr> created, creator;			 /* per supervisor */
};

class P4Enc {
public:
	P4Enc(const Bounds &b, AcyclicVariant v, bool strict, int steps);

	Enc e;
	int tasks, sups, steps;
	AcyclicVariant variant;
	bool strict; /* the model's constraints, for a replayable trace */
	std::vector<Frame> f;
	std::vector<z3::expr> act, actor, sup, target, tsync, lsup;
	/* Step @t enforces with TSYNC while a sibling thread waits: the
	 * waiting thread's domain is replaced ([restrict.tsync]). */
	std::vector<z3::expr> moves_waiter;
	z3::expr_vector rules;

	/* A deadlock in the last frame. */
	z3::expr deadlock();
	/* A wait-for cycle in the last frame; with @one_sup, of one supervisor. */
	z3::expr cycle(bool one_sup);
	Trace trace(const z3::model &m, std::vector<std::size_t> *waits);

private:
	z3::expr supervised_by(const Frame &s, int now, int u, const z3::expr &sup);
	z3::expr youngest_is(const Frame &s, int u, const z3::expr &sup, int now);
	z3::expr valid(const Frame &s, int now, int u, const z3::expr &sup);
	z3::expr bit(int k) { return e.ctx.bv_val(static_cast<uint64_t>(1) << k, steps); }
	/* Indices (tasks, supervisors, operations) are 4-bit vectors, so the
	 * whole problem is bit-vectors, which Z3 bit-blasts. */
	z3::expr idx(int v) { return e.ctx.bv_val(v, 4); }
	z3::expr idx(const std::string &name) { return e.ctx.bv_const(name.c_str(), 4); }
	z3::expr sup_is(const z3::expr &x, int s) { return x == s; }
	void step(int t);
};

P4Enc::P4Enc(const Bounds &b, AcyclicVariant v, bool strict_, int n)
	: e(1), tasks(b.tasks), sups(b.supervisors), steps(n), variant(v), strict(strict_),
	  rules(e.ctx)
{
	Frame s0;
	const z3::expr none = e.ctx.bv_val(0, std::max(1, steps));

	for (int u = 0; u < tasks; u++) {
		s0.alive.push_back(e.truth(u == 0));
		s0.proc.push_back(idx(u));
		s0.dom.push_back(none);
		s0.blocked.push_back(e.truth(false));
		s0.waits.push_back(idx(0));
		s0.held.emplace_back(sups, e.truth(false));
		s0.seen.emplace_back(sups, e.truth(false));
	}
	for (int s = 0; s < sups; s++) {
		s0.created.push_back(e.truth(false));
		s0.creator.push_back(none);
	}
	f.push_back(s0);
	for (int t = 0; t < steps; t++) {
		const std::string n_ = std::to_string(t);

		act.push_back(idx("act" + n_));
		actor.push_back(idx("actor" + n_));
		sup.push_back(idx("sup" + n_));
		target.push_back(idx("target" + n_));
		tsync.push_back(e.flag("tsync" + n_));
		lsup.push_back(idx("layer_sup" + n_));
		step(t);
	}
}

z3::expr P4Enc::supervised_by(const Frame &s, int now, int u, const z3::expr &x)
{
	z3::expr r = e.truth(false);

	/* Frame @now has the layers of the steps before it. */
	for (int k = 0; k < now; k++)
		r = r || ((s.dom[u] & bit(k)) != 0 && lsup[k] == x);
	return r;
}

/* The youngest supervised layer of @u's domain is supervised by @x. */
z3::expr P4Enc::youngest_is(const Frame &s, int u, const z3::expr &x, int now)
{
	z3::expr r = e.truth(false);

	for (int k = 0; k < now; k++) {
		z3::expr younger_plain = e.truth(true);

		for (int k2 = k + 1; k2 < now; k2++)
			younger_plain = younger_plain &&
					z3::implies((s.dom[u] & bit(k2)) != 0, lsup[k2] == sups);
		r = r || ((s.dom[u] & bit(k)) != 0 && lsup[k] == x && younger_plain);
	}
	return r;
}

/* [sup.acyclic.*] Whether task @u may act as supervisor @x. */
z3::expr P4Enc::valid(const Frame &s, int now, int u, const z3::expr &x)
{
	switch (variant) {
	case AcyclicVariant::none:
		return e.truth(true);
	case AcyclicVariant::commit_outside:
		return !supervised_by(s, now, u, x);
	case AcyclicVariant::bind_on_first_use:
		break;
	}
	z3::expr same = e.truth(false);
	for (int k = 0; k < sups; k++)
		same = same || (x == k && s.dom[u] == s.creator[k]);
	return same;
}

/* One operation: the guard of the chosen one, and the next frame. */
void P4Enc::step(int t)
{
	const Frame &s = f.back();
	Frame n = s;
	const z3::expr a = act[t], x = sup[t], y = target[t];
	const auto is = [&](Act k) { return a == static_cast<int>(k); };
	const auto held_by = [&](const std::vector<std::vector<z3::expr>> &h,
				 const z3::expr &task, const z3::expr &sx) {
		z3::expr r = e.truth(false);
		for (int u = 0; u < tasks; u++)
			for (int p = 0; p < tasks; p++)
				for (int k = 0; k < sups; k++)
					r = r || (task == u && s.proc[u] == p && sx == k && h[p][k]);
		return r;
	};
	z3::expr_vector guard(e.ctx);
	z3::expr live_actor = e.truth(false), actor_dom = e.ctx.bv_val(0, steps);
	z3::expr actor_proc = idx(0);

	for (int u = 0; u < tasks; u++) {
		live_actor = live_actor || (actor[t] == u && s.alive[u] && !s.blocked[u]);
		actor_dom = z3::ite(actor[t] == u, s.dom[u], actor_dom);
		actor_proc = z3::ite(actor[t] == u, s.proc[u], actor_proc);
	}
	rules.push_back(z3::ult(a, idx(num_acts)) && z3::ult(actor[t], idx(tasks)) &&
			z3::ult(x, idx(sups)) && z3::ult(y, idx(tasks)));
	rules.push_back(z3::implies(!is(nop), live_actor));
	if (strict)
		rules.push_back(!is(answer));
	/* The layer enforced at this step, if any. */
	rules.push_back(lsup[t] == z3::ite(is(restrict_sup), x, idx(sups)));

	z3::expr created_x = e.truth(false), creator_x = e.ctx.bv_val(0, steps);
	for (int k = 0; k < sups; k++) {
		created_x = created_x || (x == k && s.created[k]);
		creator_x = z3::ite(x == k, s.creator[k], creator_x);
	}
	z3::expr target_alive = e.truth(false), target_blocked = e.truth(false);
	z3::expr target_waits = idx(0);
	for (int u = 0; u < tasks; u++) {
		target_alive = target_alive || (y == u && s.alive[u]);
		target_blocked = target_blocked || (y == u && s.alive[u] && s.blocked[u]);
		target_waits = z3::ite(y == u, s.waits[u], target_waits);
	}
	z3::expr responder = e.truth(false);
	for (int u = 0; u < tasks; u++)
		for (int p = 0; p < tasks; p++)
			for (int k = 0; k < sups; k++)
				responder = responder || (x == k && s.alive[u] && s.proc[u] == p &&
							  s.held[p][k] && valid(s, t, u, x));
	z3::expr actor_valid = e.truth(false), actor_supervised = e.truth(false);
	for (int u = 0; u < tasks; u++) {
		actor_valid = actor_valid || (actor[t] == u && valid(s, t, u, target_waits));
		actor_supervised = actor_supervised ||
				   (actor[t] == u && (strict ? youngest_is(s, u, x, t)
							     : supervised_by(s, t, u, x)));
	}

	guard.push_back(z3::implies(is(create_sup), !created_x));
	guard.push_back(z3::implies(is(get_supervisee), held_by(s.held, actor[t], x)));
	guard.push_back(z3::implies(is(fork_task) || is(thread_task), !target_alive));
	guard.push_back(z3::implies(is(pass_fd), target_alive &&
					      z3::ite(tsync[t], held_by(s.seen, actor[t], x),
						      held_by(s.held, actor[t], x))));
	guard.push_back(z3::implies(is(close_fd), held_by(s.held, actor[t], x)));
	z3::expr may_enforce = held_by(s.seen, actor[t], x) && created_x;
	if (variant == AcyclicVariant::bind_on_first_use)
		may_enforce = may_enforce && (creator_x & ~actor_dom) == 0;
	guard.push_back(z3::implies(is(restrict_sup), may_enforce));
	guard.push_back(z3::implies(is(block), created_x && actor_supervised && responder));
	guard.push_back(z3::implies(is(answer), target_blocked && actor_valid &&
						 held_by(s.held, actor[t], target_waits)));
	rules.push_back(z3::mk_and(guard));

	/* Next frame. */
	const z3::expr enforce = is(restrict_sup) || is(restrict_plain);
	z3::expr waiting_sibling = e.truth(false);
	for (int u = 0; u < tasks; u++)
		waiting_sibling = waiting_sibling || (actor[t] != u && s.alive[u] && s.blocked[u] &&
						      s.proc[u] == actor_proc);
	moves_waiter.push_back(enforce && tsync[t] && waiting_sibling);
	for (int u = 0; u < tasks; u++) {
		const z3::expr me = actor[t] == u, it = y == u;
		const z3::expr synced = enforce && tsync[t] && s.alive[u] && s.proc[u] == actor_proc;

		n.alive[u] = s.alive[u] || ((is(fork_task) || is(thread_task)) && it);
		n.proc[u] = z3::ite(is(fork_task) && it, idx(u),
				    z3::ite(is(thread_task) && it, actor_proc, s.proc[u]));
		n.dom[u] = z3::ite((is(fork_task) || is(thread_task)) && it, actor_dom,
				   z3::ite(enforce && (me || synced), actor_dom | bit(t), s.dom[u]));
		n.blocked[u] = z3::ite(is(block) && me, e.truth(true),
				       z3::ite(is(answer) && it, e.truth(false), s.blocked[u]));
		n.waits[u] = z3::ite(is(block) && me, x, s.waits[u]);
	}
	for (int p = 0; p < tasks; p++) {
		for (int k = 0; k < sups; k++) {
			const z3::expr mine = actor_proc == p && x == k;
			const z3::expr to_p = is(pass_fd) && x == k && [&] {
				z3::expr r = e.truth(false);
				for (int u = 0; u < tasks; u++)
					r = r || (y == u && s.proc[u] == p);
				return r;
			}();
			const z3::expr forked = is(fork_task) && y == p;
			z3::expr from_parent_held = e.truth(false), from_parent_seen = e.truth(false);
			for (int q = 0; q < tasks; q++) {
				from_parent_held = from_parent_held || (actor_proc == q && s.held[q][k]);
				from_parent_seen = from_parent_seen || (actor_proc == q && s.seen[q][k]);
			}
			n.held[p][k] = z3::ite(forked, from_parent_held,
					       z3::ite(is(create_sup) && mine, e.truth(true),
						       z3::ite(is(close_fd) && mine, e.truth(false),
							       z3::ite(to_p && !tsync[t], e.truth(true),
								       s.held[p][k]))));
			n.seen[p][k] = z3::ite(forked, from_parent_seen,
					       z3::ite((is(create_sup) || is(get_supervisee)) && mine,
						       e.truth(true),
						       z3::ite(to_p && tsync[t], e.truth(true),
							       s.seen[p][k])));
		}
	}
	for (int k = 0; k < sups; k++) {
		n.created[k] = s.created[k] || (is(create_sup) && x == k);
		n.creator[k] = z3::ite(is(create_sup) && x == k, actor_dom, s.creator[k]);
	}
	/* [sup.notify.teardown] The last close ends the waits for it. */
	for (int k = 0; k < sups; k++) {
		z3::expr gone = is(close_fd) && x == k;
		for (int p = 0; p < tasks; p++)
			gone = gone && !n.held[p][k];
		for (int u = 0; u < tasks; u++)
			n.blocked[u] = z3::ite(gone && n.waits[u] == k, e.truth(false), n.blocked[u]);
	}
	f.push_back(n);
}

z3::expr P4Enc::deadlock()
{
	const Frame &s = f.back();
	z3::expr_vector v(e.ctx);
	std::vector<z3::expr> b, live;
	z3::expr any = e.truth(false);

	for (int u = 0; u < tasks; u++) {
		b.push_back(e.flag("deadlocked" + std::to_string(u)));
		live.push_back(s.alive[u] && !b[u]);
		any = any || b[u];
	}
	v.push_back(any);
	for (int u = 0; u < tasks; u++) {
		z3::expr stuck = e.truth(false);

		for (int k = 0; k < sups; k++) {
			const z3::expr kx = idx(k);
			z3::expr responder = e.truth(false), live_holder = e.truth(false);
			z3::expr dead_holder = e.truth(false);

			for (int w = 0; w < tasks; w++)
				responder = responder || (live[w] && valid(s, steps, w, kx));
			for (int p = 0; p < tasks; p++) {
				z3::expr some_live = e.truth(false);

				for (int w = 0; w < tasks; w++)
					some_live = some_live || (live[w] && s.proc[w] == p);
				live_holder = live_holder || (s.held[p][k] && some_live);
				dead_holder = dead_holder || (s.held[p][k] && !some_live);
			}
			stuck = stuck || (s.waits[u] == k && dead_holder &&
					  !(live_holder && responder));
		}
		v.push_back(z3::implies(b[u], s.alive[u] && s.blocked[u] && stuck));
	}
	return z3::mk_and(v);
}

z3::expr P4Enc::cycle(bool one_sup)
{
	const Frame &s = f.back();
	z3::expr_vector v(e.ctx);
	std::vector<z3::expr> c;
	z3::expr any = e.truth(false);

	for (int u = 0; u < tasks; u++) {
		c.push_back(e.flag("cycle" + std::to_string(u)));
		any = any || c[u];
	}
	v.push_back(any);
	for (int t = 0; t < tasks; t++) {
		z3::expr waits_for = e.truth(false);

		for (int u = 0; u < tasks; u++) {
			z3::expr holds = e.truth(false);

			for (int p = 0; p < tasks; p++)
				for (int k = 0; k < sups; k++)
					holds = holds || (s.proc[u] == p && s.waits[t] == k &&
							  s.held[p][k]);
			z3::expr edge = c[u] && s.alive[u] && holds &&
					valid(s, steps, u, s.waits[t]);
			if (one_sup)
				edge = edge && s.waits[u] == s.waits[t];
			waits_for = waits_for || edge;
		}
		v.push_back(z3::implies(c[t], s.alive[t] && s.blocked[t] && waits_for));
	}
	return z3::mk_and(v);
}

std::string task_name(int u)
{
	return u == 0 ? "main" : "t" + std::to_string(u);
}

/* The steps of the model that perform the operations of @m; *waits
 * receives the steps that wait for a supervisor. */
Trace P4Enc::trace(const z3::model &m, std::vector<std::size_t> *waits)
{
	Trace t;
	int rulesets = 0;

	TreeNode dir;
	dir.kind = NodeKind::dir;
	dir.path = "/a";
	t.tree.push_back(dir);
	TreeNode file;
	file.kind = NodeKind::file;
	file.path = "/a/f";
	t.tree.push_back(file);
	t.steps.push_back(make_step("main", SetNoNewPrivs{}));
	for (int k = 0; k < steps; k++) {
		const int a = static_cast<int>(value(m, act[k]));
		const std::string me = task_name(static_cast<int>(value(m, actor[k])));
		const std::string s = std::to_string(value(m, sup[k]) + 1);
		const std::string to = task_name(static_cast<int>(value(m, target[k])));
		const bool ts = holds(m, tsync[k]);
		const std::uint32_t rflags = ts ? restrict_flag::tsync : 0;

		switch (a) {
		case create_sup: {
			CreateRuleset c;
			c.handled_fs = fs::read_file;
			c.flags = create_flag::supervisor | create_flag::supervisor_notification;
			t.steps.push_back(make_step(me, c, "s" + s));
			t.steps.push_back(make_step(me, GetSupervisee{FdRef{"s" + s, -1}, 0}, "e" + s));
			break;
		}
		case get_supervisee:
			t.steps.push_back(make_step(me, GetSupervisee{FdRef{"s" + s, -1}, 0}, "e" + s));
			break;
		case fork_task:
			t.steps.push_back(make_step(me, Fork{to}));
			break;
		case thread_task:
			t.steps.push_back(make_step(me, Thread{to}));
			break;
		case pass_fd: {
			const std::string name = (ts ? "e" : "s") + s;
			PassFd p;
			p.fd = FdRef{name, -1};
			p.to = to;
			t.steps.push_back(make_step(me, p, name));
			break;
		}
		case close_fd:
			t.steps.push_back(make_step(me, Close{FdRef{"s" + s, -1}}));
			break;
		case restrict_sup:
			t.steps.push_back(make_step(me, RestrictSelf{FdRef{"e" + s, -1}, rflags}));
			break;
		case restrict_plain: {
			const std::string r = "r" + std::to_string(++rulesets);
			CreateRuleset c;
			AddRule ar;
			c.handled_fs = fs::read_file;
			ar.ruleset = FdRef{r, -1};
			ar.path = PathRef{"/a", ""};
			ar.allowed = fs::read_file;
			t.steps.push_back(make_step(me, c, r));
			t.steps.push_back(make_step(me, ar));
			t.steps.push_back(make_step(me, RestrictSelf{FdRef{r, -1}, rflags}));
			break;
		}
		case block: {
			Open o;
			o.path = PathRef{"/a/f", ""};
			t.steps.push_back(make_step(me, o));
			waits->push_back(t.steps.size() - 1);
			break;
		}
		default:
			break;
		}
	}
	return t;
}

/* What a P4 claim looks for. */
enum class Kind { deadlock, cycle, self_cycle };

/* The trace of a counterexample, replayed in the model: its deadlock or cycle. */
void refutation(Claim &c, P4Enc &p, const z3::model &m, Kind kind, int n)
{
	std::vector<std::size_t> waits;
	Trace t = p.trace(m, &waits);
	Variants v;
	v.acyclic = p.variant;
	Profile prof = host_reference_profile();
	prof.abi = supervisor_abi;
	prof.variants = v;
	Model model(prof);

	model.set_explain(false);
	model.setup(t);
	for (std::size_t i = 0; i < t.steps.size(); i++)
		t.steps[i].expect = model.step(t.steps[i]).allowed;
	const auto stuck = kind == Kind::deadlock
				   ? sup_deadlocked(model.state(), prof)
				   : sup_wait_cycle(model.state(), prof, kind == Kind::self_cycle);
	std::string who;
	for (const int u : stuck)
		who += (who.empty() ? "" : ", ") + model.state().tasks[u].name;
	const std::string what = kind == Kind::deadlock ? "a deadlock"
				 : kind == Kind::cycle ? "a cycle of waits"
						       : "a cycle of waits for one supervisor "
							 "(self-supervision)";
	dress(t,
	      wrap("P4 counterexample (" + format_variant_overrides(v) + "): " + what +
		   " after " + std::to_string(n) + " operations (none shorter within the "
		   "bounds).  At the end " + (who.empty() ? std::string("nobody") : who) +
		   (kind == Kind::deadlock ? " wait(s) for an answer no task can ever give, "
					     "and the supervisor fd is never closed"
					   : " wait(s) for each other") +
		   " (explain reports the deadlock)."),
	      v, true, "notifications are not in the kernel patch");
	c.trace = trace::print_trace(t);
	c.note = std::to_string(n) + " operations, " + std::to_string(t.steps.size()) +
		 " steps; in the model: " + (who.empty() ? "none" : who);
	bool blocked = true;
	for (const std::size_t i : waits)
		blocked = blocked && t.steps[i].expect->admits(Outcome::error(err_blocked));
	if (stuck.empty() || !blocked)
		c.note += "; ENCODING AND MODEL DISAGREE: the model " +
			  std::string(stuck.empty() ? "finds none" : "does not block every access");
}

z3::expr looked_for(P4Enc &p, Kind kind)
{
	return kind == Kind::deadlock ? p.deadlock() : p.cycle(kind == Kind::self_cycle);
}

/* No step moves a waiting thread to another domain (TSYNC). */
z3::expr no_moved_waiter(P4Enc &p)
{
	z3::expr_vector v(p.e.ctx);

	for (const auto &m : p.moves_waiter)
		v.push_back(!m);
	return v.empty() ? p.e.truth(true) : z3::mk_and(v);
}

/*
 * One claim: "there is no @kind under @v", expected @expect; with
 * @steady, among runs where no TSYNC replaces a waiting thread's domain.
 */
Claim acyclic_claim(const Bounds &b, AcyclicVariant v, Kind kind, bool steady,
		    Status expect, const std::string &id, const std::string &text)
{
	const Timer timer;
	Claim c = make_claim(id, text, expect);

	if (expect == Status::proved) {
		/* Every behaviour, padded with no-ops: one query at the bound. */
		P4Enc p(b, v, false, b.steps);
		bool unknown = false;
		const auto m = find_model(p.e,
					  z3::mk_and(p.rules) && looked_for(p, kind) &&
						  (steady ? no_moved_waiter(p) : p.e.truth(true)),
					  std::nullopt, &unknown);

		c.status = unknown ? Status::unknown : m ? Status::refuted : Status::proved;
		if (m)
			refutation(c, p, *m, kind, b.steps);
		c.seconds = timer.seconds();
		return c;
	}
	/* The shortest counterexample the model can replay: by increasing length. */
	c.status = Status::proved;
	for (int n = 1; n <= b.steps; n++) {
		P4Enc p(b, v, true, n);
		bool unknown = false;
		z3::expr_vector no_nop(p.e.ctx);
		for (const auto &a : p.act)
			no_nop.push_back(a != nop);
		const auto m = find_model(p.e,
					  z3::mk_and(p.rules) && z3::mk_and(no_nop) &&
						  looked_for(p, kind) &&
						  (steady ? no_moved_waiter(p) : p.e.truth(true)),
					  std::nullopt, &unknown);

		if (unknown) {
			c.status = Status::unknown;
			break;
		}
		if (m) {
			c.status = Status::refuted;
			refutation(c, p, *m, kind, n);
			break;
		}
	}
	c.seconds = timer.seconds();
	return c;
}

} // namespace

std::vector<Claim> prove_p4(const Bounds &b)
{
	const std::string bounds = " (" + std::to_string(b.tasks) + " tasks, " +
				   std::to_string(b.supervisors) + " supervisors, " +
				   std::to_string(b.steps) + " operations)";
	using AV = AcyclicVariant;

	const std::string steady = ", no TSYNC moving a waiting thread";

	return {
		acyclic_claim(b, AV::bind_on_first_use, Kind::cycle, false, Status::proved, "P4+",
			      "acyclic=bind-on-first-use: no wait-for cycle" + bounds),
		acyclic_claim(b, AV::commit_outside, Kind::self_cycle, true, Status::proved, "P4+",
			      "acyclic=commit-outside: no wait-for cycle through one "
			      "supervisor (self-supervision)" + steady + bounds),
		acyclic_claim(b, AV::commit_outside, Kind::self_cycle, false, Status::refuted, "P4-",
			      "acyclic=commit-outside: no self-supervision cycle, TSYNC "
			      "allowed on waiting threads" + bounds),
		acyclic_claim(b, AV::none, Kind::self_cycle, false, Status::refuted, "P4-",
			      "acyclic=none: no self-supervision cycle" + bounds),
		acyclic_claim(b, AV::commit_outside, Kind::cycle, true, Status::refuted, "P4-",
			      "acyclic=commit-outside: no wait-for cycle" + steady + bounds),
		acyclic_claim(b, AV::commit_outside, Kind::deadlock, false, Status::refuted, "P4-",
			      "acyclic=commit-outside: no deadlock" + bounds),
		acyclic_claim(b, AV::bind_on_first_use, Kind::deadlock, false, Status::refuted,
			      "P4-", "acyclic=bind-on-first-use: no deadlock" + bounds),
	};
}

} // namespace lockstep::prove

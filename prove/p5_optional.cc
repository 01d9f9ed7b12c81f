// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep prove - P5: the optional= variants are distinguishable
 *
 * A supervisee whose own rules let it open the object for writing, and a
 * supervisor that handles truncate.  A program is a sequence of actions:
 * the child opens the object (a new fd), the supervisor commits a truncate
 * rule on one dentry of the walk or removes it, the child truncates an fd.
 * optional=open-time answers ftruncate() with what was decided at open;
 * optional=operation-time with what the rules committed now decide
 * ([sup.optional]).  Bounded model checking by increasing length gives the
 * shortest program on which they differ, and proves none is shorter.
 */
#include "prove/claims.h"
#include "prove/instance.h"

namespace lockstep::prove {

namespace {

enum Kind { open_fd = 0, grant = 1, revoke = 2, truncate_fd = 3 };

/**
 * struct P5Enc - @n actions; state after each: committed truncate grants
 * per dentry, and per fd whether it was opened and with truncate allowed
 */
struct P5Enc {
	Enc e;
	int n, depth;
	std::vector<z3::expr> kind, arg; /* per action */
	std::vector<z3::expr> open_time, now; /* ftruncate outcomes (allowed) */
	z3::expr differs;

	P5Enc(int actions, int d) : e(1), n(actions), depth(d), differs(e.truth(false))
	{
		std::vector<z3::expr> granted(depth, e.truth(false));
		std::vector<z3::expr> opened, allowed;
		z3::expr_vector diff(e.ctx);

		for (int t = 0; t < n; t++) {
			kind.push_back(e.ctx.int_const(("kind" + std::to_string(t)).c_str()));
			arg.push_back(e.ctx.int_const(("arg" + std::to_string(t)).c_str()));
			z3::expr allowed_now = e.truth(false);
			for (int j = 0; j < depth; j++)
				allowed_now = allowed_now || granted[j];
			/* Truncating fd @arg: opened by an earlier action. */
			z3::expr fd_open = e.truth(false), fd_allowed = e.truth(false);
			for (int u = 0; u < t; u++) {
				fd_open = fd_open || (arg[t] == u && opened[u]);
				fd_allowed = fd_allowed || (arg[t] == u && allowed[u]);
			}
			open_time.push_back(fd_allowed);
			now.push_back(allowed_now);
			diff.push_back(kind[t] == truncate_fd && fd_open && fd_allowed != allowed_now);
			opened.push_back(kind[t] == open_fd);
			allowed.push_back(allowed_now);
			for (int j = 0; j < depth; j++)
				granted[j] = z3::ite(kind[t] == grant && arg[t] == j, e.truth(true),
						     z3::ite(kind[t] == revoke && arg[t] == j,
							     e.truth(false), granted[j]));
		}
		differs = n ? z3::mk_or(diff) : e.truth(false);
	}

	z3::expr valid()
	{
		z3::expr_vector v(e.ctx);

		for (int t = 0; t < n; t++) {
			v.push_back(kind[t] >= 0 && kind[t] <= 3);
			v.push_back(z3::implies(kind[t] == grant || kind[t] == revoke,
						arg[t] >= 0 && arg[t] < depth));
			v.push_back(z3::implies(kind[t] == truncate_fd, arg[t] >= 0 && arg[t] < t));
			v.push_back(z3::implies(kind[t] == open_fd, arg[t] == 0));
		}
		return v.empty() ? e.truth(true) : z3::mk_and(v);
	}
};

AddRule rule(const std::string &path, AccessMask access, std::uint32_t flags)
{
	AddRule r;

	r.ruleset = FdRef{"s", -1};
	r.path = PathRef{path, ""};
	r.allowed = access;
	r.flags = flags;
	return r;
}

TreeNode tree_node(NodeKind kind, const std::string &path)
{
	TreeNode n;

	n.kind = kind;
	n.path = path;
	return n;
}

/*
 * The program as a trace; *last is the step of the first differing
 * ftruncate and *action its action.
 */
Trace program_trace(P5Enc &p, const z3::model &m, std::size_t *last, int *action)
{
	Trace t;
	CreateRuleset cr;
	AddRule own;

	for (int j = p.depth - 2; j >= 1; j--)
		t.tree.push_back(tree_node(NodeKind::dir, dentry_path(p.depth, j)));
	t.tree.push_back(tree_node(NodeKind::file, dentry_path(p.depth, 0)));
	cr.handled_fs = fs::write_file | fs::truncate;
	cr.flags = create_flag::supervisor;
	t.steps.push_back(make_step("main", cr, "s"));
	t.steps.push_back(make_step("main", GetSupervisee{FdRef{"s", -1}, 0}, "e"));
	own.ruleset = FdRef{"e", -1};
	own.path = PathRef{"/", ""};
	own.allowed = fs::write_file;
	t.steps.push_back(make_step("main", own));
	t.steps.push_back(make_step("main", Fork{"child"}));
	t.steps.push_back(make_step("child", SetNoNewPrivs{}));
	t.steps.push_back(make_step("child", RestrictSelf{FdRef{"e", -1}, 0}));
	for (int a = 0; a < p.n; a++) {
		const int k = static_cast<int>(value(m, p.kind[a]));
		const int x = static_cast<int>(value(m, p.arg[a]));
		const std::string path = dentry_path(p.depth, x);
		Open o;

		switch (k) {
		case open_fd:
			o.path = PathRef{dentry_path(p.depth, 0), ""};
			o.accmode = 1;
			t.steps.push_back(make_step("child", o, "f" + std::to_string(a + 1)));
			break;
		case grant:
			t.steps.push_back(make_step("main", rule(path, fs::truncate,
							    rule_flag::commit_supervisor)));
			break;
		case revoke:
			t.steps.push_back(make_step("main", rule(path, 0,
							    rule_flag::commit_supervisor |
								    rule_flag::intersect)));
			break;
		default:
			t.steps.push_back(make_step("child", Ftruncate{FdRef{"f" + std::to_string(x + 1), -1}}));
			if (*action < 0 && holds(m, p.open_time[a] != p.now[a])) {
				*last = t.steps.size() - 1;
				*action = a;
			}
			break;
		}
	}
	return t;
}

} // namespace

std::vector<Claim> prove_p5(const Bounds &b)
{
	const Timer timer;
	const int depth = std::max(2, std::min(b.depth, 4));
	Claim shortest = make_claim("P5-", "optional=open-time and optional=operation-time "
					   "give the same outcomes on every trace",
				    Status::refuted);
	Claim none_shorter = make_claim("P5+", "no shorter program distinguishes them",
					Status::proved);

	for (int n = 1; n <= b.steps; n++) {
		P5Enc p(n, depth);
		bool unknown = false;
		const auto m = find_model(p.e, p.valid() && p.differs, std::nullopt, &unknown);

		if (unknown) {
			shortest.note = "the solver gave up at " + std::to_string(n) + " actions";
			break;
		}
		if (!m)
			continue;
		std::size_t last = 0;
		int action = -1;
		Trace t = program_trace(p, *m, &last, &action);
		const bool want = holds(*m, p.open_time[action]);
		Variants op;
		op.optional = OptionalVariant::operation_time;
		const OutcomeSet other = outcome_at(t, last, op, true);

		dress(t,
		      wrap("P5: the shortest trace on which optional=open-time and "
			   "optional=operation-time differ (" + std::to_string(n) +
			   " actions after the setup; none shorter up to the bound).  The "
			   "child's fd keeps what was decided when it was opened: " +
			   decision_name(want) + " under optional=open-time (pinned); "
			   "optional=operation-time checks the rules committed now and gives " +
			   format_outcomes(other) + " (lockstep explain --variant "
			   "optional=operation-time)."),
		      Variants{}, true, "");
		std::string error;
		shortest.trace = pin_and_check(t, last, decision(want), &error);
		shortest.status = Status::refuted;
		shortest.note = std::to_string(n) + " actions, " + std::to_string(t.steps.size()) +
				" steps";
		if (other.admits(decision(want)))
			error += std::string(error.empty() ? "" : "; ") +
				 "operation-time gives the same outcome in the model";
		if (!error.empty())
			shortest.note += "; ENCODING AND MODEL DISAGREE: " + error;
		none_shorter.status = Status::proved;
		none_shorter.text = "no program of fewer than " + std::to_string(n) +
				    " actions distinguishes them";
		break;
	}
	shortest.seconds = none_shorter.seconds = timer.seconds();
	return {shortest, none_shorter};
}

} // namespace lockstep::prove

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep prove - Concrete instances of the walk encodings, as traces
 */
#include "prove/instance.h"

#include "conformance/trace/printer.h"

namespace lockstep::prove {

namespace {

TreeNode tree_node(NodeKind kind, const std::string &path)
{
	TreeNode n;

	n.kind = kind;
	n.path = path;
	return n;
}

/* Whether some rule of @w is on /z, off the path. */
bool off_path(const WalkInst &w)
{
	const auto on_z = [&](const std::vector<AccessMask> &v) {
		return static_cast<int>(v.size()) > w.depth && v[w.depth];
	};

	for (const auto &l : w.layers) {
		if (on_z(l.own) || on_z(l.before) || on_z(l.after))
			return true;
		for (const auto &r : l.rules)
			if (r.first >= w.depth)
				return true;
	}
	return false;
}

/* The chain /a, /a/b, ..., its file, and /z off the path if a rule is there. */
std::vector<TreeEntry> chain_tree(const WalkInst &w)
{
	std::vector<TreeEntry> t;

	for (int j = w.depth - 2; j >= 1; j--)
		t.push_back(tree_node(NodeKind::dir, dentry_path(w.depth, j)));
	t.push_back(tree_node(NodeKind::file, dentry_path(w.depth, 0)));
	if (off_path(w))
		t.push_back(tree_node(NodeKind::dir, "/z"));
	return t;
}

AddRule rule(const std::string &rs, const std::string &path, AccessMask access,
	     std::uint32_t flags = 0)
{
	AddRule r;

	r.ruleset = FdRef{rs, -1};
	r.path = PathRef{path, ""};
	r.allowed = access;
	r.flags = flags;
	return r;
}

AddRule commit(const std::string &rs)
{
	AddRule r;

	r.ruleset = FdRef{rs, -1};
	r.type = rule_type::none;
	r.attr_null = true;
	r.flags = rule_flag::commit_supervisor;
	return r;
}

CreateRuleset ruleset(AccessMask fs, std::uint32_t flags = 0)
{
	CreateRuleset c;

	c.handled_fs = fs;
	c.flags = flags;
	return c;
}

std::string layer_name(const WalkInst &w, std::size_t i)
{
	return (w.layers[i].supervised ? "e" : "r") + std::to_string(i + 1);
}

/* A layer's own rules, on its ruleset @rs. */
void own_rules(Trace &t, const WalkInst &w, const LayerInst &l, const std::string &rs)
{
	if (!l.rules.empty()) {
		for (const auto &[j, a] : l.rules)
			t.steps.push_back(make_step("main", rule(rs, dentry_path(w.depth, j), a)));
		return;
	}
	for (std::size_t j = 0; j < l.own.size(); j++)
		if (l.own[j])
			t.steps.push_back(make_step("main", rule(rs, dentry_path(w.depth, static_cast<int>(j)),
							    l.own[j])));
}

/*
 * Supervisors with their committed rules, supervisees and ordinary
 * rulesets with their own rules, a child enforcing them all in order.
 */
Trace supervised_setup(const WalkInst &w)
{
	Trace t;

	t.tree = chain_tree(w);
	for (std::size_t i = 0; i < w.layers.size(); i++) {
		const LayerInst &l = w.layers[i];
		const std::string n = std::to_string(i + 1);

		if (!l.supervised) {
			t.steps.push_back(make_step("main", ruleset(l.handled), "r" + n));
			own_rules(t, w, l, "r" + n);
			continue;
		}
		t.steps.push_back(make_step("main", ruleset(l.handled, create_flag::supervisor), "s" + n));
		bool any = false;
		for (std::size_t j = 0; j < l.before.size(); j++) {
			if (!l.before[j])
				continue;
			any = true;
			t.steps.push_back(make_step("main", rule("s" + n,
							    dentry_path(w.depth, static_cast<int>(j)),
							    l.before[j])));
		}
		if (any)
			t.steps.push_back(make_step("main", commit("s" + n)));
		t.steps.push_back(make_step("main", GetSupervisee{FdRef{"s" + n, -1}, 0}, "e" + n));
		own_rules(t, w, l, "e" + n);
	}
	t.steps.push_back(make_step("main", Fork{"child"}));
	t.steps.push_back(make_step("child", SetNoNewPrivs{}));
	for (std::size_t i = 0; i < w.layers.size(); i++)
		t.steps.push_back(make_step("child", RestrictSelf{FdRef{layer_name(w, i), -1}, 0}));
	return t;
}

/* Stage what turns layer @i's committed rules from @before into @after. */
void stage_changes(Trace &t, const WalkInst &w, std::size_t i)
{
	const LayerInst &l = w.layers[i];
	const std::string s = "s" + std::to_string(i + 1);

	for (std::size_t j = 0; j < l.before.size(); j++) {
		const std::string p = dentry_path(w.depth, static_cast<int>(j));

		if (l.before[j] & ~l.after[j])
			t.steps.push_back(make_step("main", rule(s, p, l.before[j] & l.after[j],
							    rule_flag::intersect)));
		if (l.after[j] & ~l.before[j])
			t.steps.push_back(make_step("main", rule(s, p, l.after[j])));
	}
}

bool changes(const LayerInst &l)
{
	return l.supervised && l.before != l.after;
}

Step access_step(const WalkInst &w, std::optional<int> pause)
{
	const Op op = access_op(w);

	return make_step("child", op, std::holds_alternative<Open>(op) ? "f" : "", pause);
}

} // namespace

std::string dentry_path(int depth, int j)
{
	static const char *const dirs[] = {"a", "b", "c", "d", "e", "g", "h", "i", "j", "k"};
	std::string p;

	if (j >= depth)
		return "/z";
	for (int k = 0; k < depth - 1 - j; k++)
		p += std::string("/") + (k == depth - 2 ? "f" : dirs[k % 10]);
	return p.empty() ? "/" : p;
}

Op access_op(const WalkInst &w)
{
	const std::string path = dentry_path(w.depth, 0);
	Open o;

	if (w.request == fs::truncate)
		return Truncate{PathRef{path, ""}};
	o.path = PathRef{path, ""};
	o.accmode = (w.request & fs::write_file) ? ((w.request & fs::read_file) ? 2 : 1) : 0;
	return o;
}

Trace walk_trace(const WalkInst &w)
{
	Trace t;

	t.tree = chain_tree(w);
	t.steps.push_back(make_step("main", SetNoNewPrivs{}));
	for (std::size_t i = 0; i < w.layers.size(); i++) {
		const std::string r = "r" + std::to_string(i + 1);

		t.steps.push_back(make_step("main", ruleset(w.layers[i].handled), r));
		own_rules(t, w, w.layers[i], r);
		t.steps.push_back(make_step("main", RestrictSelf{FdRef{r, -1}, 0}));
	}
	const Op op = access_op(w);
	t.steps.push_back(make_step("main", op, std::holds_alternative<Open>(op) ? "f" : ""));
	return t;
}

Trace race_trace(const WalkInst &w, int pause)
{
	Trace t = supervised_setup(w);

	t.steps.push_back(access_step(w, pause));
	for (std::size_t i = 0; i < w.layers.size(); i++) {
		if (!changes(w.layers[i]))
			continue;
		stage_changes(t, w, i);
		t.steps.push_back(make_step("main", commit("s" + std::to_string(i + 1))));
	}
	t.steps.push_back(make_step("main", Resume{"child"}));
	return t;
}

Trace atomic_trace(const WalkInst &w, bool after_commits)
{
	Trace t = supervised_setup(w);

	for (std::size_t i = 0; after_commits && i < w.layers.size(); i++) {
		if (!changes(w.layers[i]))
			continue;
		stage_changes(t, w, i);
		t.steps.push_back(make_step("main", commit("s" + std::to_string(i + 1))));
	}
	t.steps.push_back(access_step(w, std::nullopt));
	return t;
}

Trace commit_trace(const WalkInst &w, int commit_pause)
{
	Trace t = supervised_setup(w);

	for (std::size_t i = 0; i < w.layers.size(); i++) {
		if (!w.layers[i].supervised)
			continue;
		stage_changes(t, w, i);
		t.steps.push_back(make_step("main", commit("s" + std::to_string(i + 1)), {},
				       commit_pause));
		break;
	}
	t.steps.push_back(access_step(w, std::nullopt));
	t.steps.push_back(make_step("child", Resume{"main"}));
	return t;
}

void dress(Trace &t, const std::vector<std::string> &doc, const Variants &v,
	   bool supervisor, const std::string &model_only)
{
	t.name = "counterexample";
	t.doc = doc;
	if (supervisor) {
		Requirement r;

		r.kind = Requirement::Kind::supervisor;
		t.requires_.push_back(r);
		t.variants = v;
	}
	if (!model_only.empty()) {
		Requirement r;

		r.kind = Requirement::Kind::model_only;
		r.reason = model_only;
		t.requires_.push_back(r);
	}
	for (std::size_t i = 0; i < t.steps.size(); i++)
		t.steps[i].loc.line = static_cast<int>(i) + 1;
}

OutcomeSet outcome_at(const Trace &t, std::size_t at, const Variants &v, bool supervisor)
{
	Profile p = host_reference_profile();

	if (supervisor)
		p.abi = supervisor_abi;
	p.variants = v;
	Model m(p);
	m.set_explain(false);
	if (m.setup(t))
		return {};
	OutcomeSet out;
	for (std::size_t i = 0; i <= at && i < t.steps.size(); i++)
		out = m.step(t.steps[i]).allowed;
	return out;
}

std::string pin_and_check(Trace t, std::size_t at, const Outcome &expect,
			  std::string *error)
{
	const bool sup = t.variants.has_value();
	const OutcomeSet got = outcome_at(t, at, t.variants.value_or(Variants{}), sup);

	if (!got.admits(expect) || got.size() != 1)
		*error = "the model gives " + format_outcomes(got) + " at step " +
			 std::to_string(at + 1) + ", the encoding predicts " +
			 format_outcome(expect);
	t.steps[at].expect = OutcomeSet(expect);
	return trace::print_trace(t);
}

std::vector<std::string> wrap(const std::string &text)
{
	std::vector<std::string> out;
	std::string line, word;

	for (std::size_t i = 0; i <= text.size(); i++) {
		if (i < text.size() && text[i] != ' ') {
			word += text[i];
			continue;
		}
		if (!line.empty() && line.size() + 1 + word.size() > 74) {
			out.push_back(line);
			line.clear();
		}
		line += (line.empty() ? "" : " ") + word;
		word.clear();
	}
	if (!line.empty())
		out.push_back(line);
	return out;
}

} // namespace lockstep::prove

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep diff - The shortest trace on which two model variants differ
 */
#include "prove/diff.h"

#include "conformance/trace/printer.h"
#include "model/model.h"

#include <chrono>
#include <functional>
#include <optional>
#include <unordered_map>

namespace lockstep::diff {

namespace {

/* ---- Steps ---- */

AddRule path_rule(const std::string &rs, const std::string &path, AccessMask access,
		  std::uint32_t flags)
{
	AddRule r;

	r.ruleset = FdRef{rs, -1};
	r.path = PathRef{path, ""};
	r.allowed = access;
	r.flags = flags;
	return r;
}

AddRule commit_only()
{
	AddRule r;

	r.ruleset = FdRef{"s", -1};
	r.type = rule_type::none;
	r.attr_null = true;
	r.flags = rule_flag::commit_supervisor;
	return r;
}

CreateRuleset ruleset(AccessMask fs, std::uint32_t flags)
{
	CreateRuleset c;

	c.handled_fs = fs;
	c.flags = flags;
	return c;
}

/* ---- The search space ---- */

const char *const kPaths[] = {"/a", "/a/b", "/a/b/f"};
const char *const kObject = "/a/b/f";

/**
 * struct Setup - the beginning of every trace of a family
 *
 * @supervised: tasks whose domain has the supervisee's layer.
 */
struct Setup {
	std::vector<Step> steps;
	AccessMask handled = 0;
	bool notify = false;
	std::vector<std::string> tasks, supervised;
};

/* Who enforces the supervisee: a child, main itself, a thread with TSYNC. */
enum class Enforcer { child, self, tsync };

Setup make_setup(AccessMask handled, bool notify, Enforcer who)
{
	Setup s;
	std::uint32_t flags = create_flag::supervisor;

	if (notify)
		flags |= create_flag::supervisor_notification;
	s.handled = handled;
	s.notify = notify;
	s.tasks = {"main"};
	s.steps.push_back(make_step("main", ruleset(handled, flags), "s"));
	s.steps.push_back(make_step("main", GetSupervisee{FdRef{"s", -1}, 0}, "e"));
	/* The supervisee may open for writing; truncate is the supervisor's. */
	if (handled & fs::write_file)
		s.steps.push_back(make_step("main", path_rule("e", "/", fs::write_file, 0)));
	switch (who) {
	case Enforcer::child:
		s.steps.push_back(make_step("main", Fork{"child"}));
		s.steps.push_back(make_step("child", SetNoNewPrivs{}));
		s.steps.push_back(make_step("child", RestrictSelf{FdRef{"e", -1}, 0}));
		s.tasks.push_back("child");
		s.supervised = {"child"};
		break;
	case Enforcer::self:
		s.steps.push_back(make_step("main", SetNoNewPrivs{}));
		s.steps.push_back(make_step("main", RestrictSelf{FdRef{"e", -1}, 0}));
		s.supervised = {"main"};
		break;
	case Enforcer::tsync:
		s.steps.push_back(make_step("main", SetNoNewPrivs{}));
		s.steps.push_back(make_step("main", Thread{"w"}));
		s.steps.push_back(make_step("w", RestrictSelf{FdRef{"e", -1}, restrict_flag::tsync}));
		s.tasks.push_back("w");
		s.supervised = {"main", "w"};
		break;
	}
	return s;
}

std::vector<Setup> setups()
{
	std::vector<Setup> v;

	for (const AccessMask h : {fs::read_file, fs::write_file | fs::truncate})
		for (const bool notify : {false, true})
			for (const auto who : {Enforcer::self, Enforcer::child, Enforcer::tsync})
				v.push_back(make_setup(h, notify, who));
	std::stable_sort(v.begin(), v.end(), [](const Setup &x, const Setup &y) {
		return x.steps.size() < y.steps.size();
	});
	return v;
}

/* ---- Fingerprints of states ---- */

void put(std::string &o, std::int64_t v)
{
	o += std::to_string(v);
	o += ',';
}

void put_rules(std::string &o, const Rules &r)
{
	o += '{';
	for (const auto &[k, v] : r.fs) {
		put(o, k);
		put(o, static_cast<std::int64_t>(v.access));
		put(o, v.quiet);
	}
	o += '|';
	for (const auto &[k, v] : r.net) {
		put(o, k);
		put(o, static_cast<std::int64_t>(v.access));
	}
	o += '}';
}

const Rules *committed(const Supervisor &s, int index)
{
	return index >= 0 && index < static_cast<int>(s.published.size()) ? &s.published[index]
									    : nullptr;
}

void put_task(std::string &o, const State &s, const Task &t)
{
	o += t.name + ':';
	put(o, t.process);
	for (const auto &l : t.domain.layers) {
		put(o, l->id);
		put(o, l->supervisor);
	}
	put(o, t.no_new_privs);
	if (t.paused) {
		o += "P" + trace::print_step(t.paused->step) + ';';
		put(o, t.paused->in_walk);
		put(o, static_cast<std::int64_t>(t.paused->walk.next));
		for (std::size_t i = 0; i < t.paused->walk.masks.n; i++)
			put(o, static_cast<std::int64_t>(t.paused->walk.masks.denied[i]));
		for (std::size_t i = 0; i < t.paused->snapshot.size(); i++) {
			const int sup = t.domain.size() > i ? t.domain[i].supervisor : -1;
			const int snap = t.paused->snapshot[i];

			if (sup < 0 || snap < 0)
				continue;
			/* The content, and whether it is the live ruleset (in-place). */
			put(o, snap == s.supervisors[sup].current);
			if (const Rules *r = committed(s.supervisors[sup], snap))
				put_rules(o, *r);
		}
	}
	if (t.blocked) {
		o += "B" + trace::print_step(t.blocked->step) + ';';
		put(o, t.blocked->supervisor);
		put(o, t.blocked->result ? t.blocked->result->err : -1);
	}
	o += '\n';
}

std::uint64_t fingerprint(const State &s)
{
	std::string o;

	for (const auto &t : s.tasks)
		put_task(o, s, t);
	for (const auto &p : s.processes) {
		for (const auto &[name, fd] : p.names) {
			const auto it = p.fds.find(fd);

			o += name + '=';
			if (it == p.fds.end()) {
				o += "-;";
				continue;
			}
			const OpenFile &f = s.files[it->second];
			put(o, it->second);
			put(o, static_cast<int>(f.kind));
			put(o, f.ruleset);
			put(o, static_cast<std::int64_t>(f.allowed));
			put(o, f.writable);
		}
		put(o, static_cast<std::int64_t>(p.fds.size()));
		o += '\n';
	}
	for (const auto &r : s.rulesets) {
		put(o, r.supervisor);
		put(o, r.consumed);
		put_rules(o, r.rules);
	}
	for (const auto &sup : s.supervisors) {
		put_rules(o, sup.staged);
		if (const Rules *r = committed(sup, sup.current))
			put_rules(o, *r);
		for (const auto l : sup.creator_layers)
			put(o, l);
		for (const auto *q : {&sup.queued, &sup.read}) {
			o += '[';
			for (const auto &e : *q) {
				put(o, e.task);
				put(o, static_cast<std::int64_t>(e.access));
			}
		}
		o += '\n';
	}
	return std::hash<std::string>{}(o);
}

/* ---- The search ---- */

bool same(const OutcomeSet &x, const OutcomeSet &y)
{
	if (x.size() != y.size())
		return false;
	for (const auto &o : x.items())
		if (!y.admits(o))
			return false;
	return true;
}

/* An error that changes nothing: not a wait, not a pause. */
bool plain_failure(const OutcomeSet &s)
{
	for (const auto &o : s.items())
		if (o.success() || o.err == err_blocked || o.err == err_paused)
			return false;
	return true;
}

/* A trace being tried: both models, and what the moves need to know. */
struct Node {
	Node(const Profile &pa, const Profile &pb) : a(pa), b(pb) {}

	Model a, b;
	std::vector<Step> steps;
	AccessMask handled = 0;
	bool notify = false;
	std::vector<std::string> tasks, supervised;
	std::vector<std::pair<std::string, std::string>> fds; /* (task, name) */
	int names = 0;
};

/* One candidate: its steps, and what it adds to the node when it passes. */
struct Move {
	std::vector<Step> steps;
	std::function<void(Node &)> update;
};

class Searcher {
public:
	Searcher(const Variants &va, const Variants &vb, const Options &o)
		: va_(va), vb_(vb), o_(o), start_(std::chrono::steady_clock::now())
	{
	}

	Result run();

private:
	const Variants &va_, &vb_;
	Options o_;
	std::chrono::steady_clock::time_point start_;
	std::unordered_map<std::uint64_t, int> seen_;
	Result r_;
	bool out_of_time_ = false;

	Profile profile(const Variants &v) const
	{
		Profile p = host_reference_profile();

		p.abi = supervisor_abi;
		p.variants = v;
		return p;
	}
	double elapsed() const
	{
		return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
			.count();
	}
	bool live(const Node &n, const std::string &task) const;
	std::vector<Move> moves(const Node &n) const;
	/* 1: found, 0: go on, -1: prune. */
	int take(Node &n, const Step &s);
	bool dfs(Node &n, int remaining);
	void found(const Node &n, const OutcomeSet &a, const OutcomeSet &b);
};

bool Searcher::live(const Node &n, const std::string &task) const
{
	const auto t = n.a.state().task_index(task);

	if (!t)
		return false;
	const Task &x = n.a.state().tasks[*t];
	return !x.paused && (!x.blocked || x.blocked->result);
}

std::vector<Move> Searcher::moves(const Node &n) const
{
	std::vector<Move> v;
	const AccessMask right = (n.handled & fs::read_file) ? fs::read_file : fs::truncate;
	const unsigned mode = (n.handled & fs::read_file) ? 0 : 1;
	const auto add = [&](std::vector<Step> s, std::function<void(Node &)> u = {}) {
		v.push_back(Move{std::move(s), std::move(u)});
	};

	if (live(n, "main")) {
		for (const char *p : kPaths)
			for (const std::uint32_t f : {0u, rule_flag::commit_supervisor}) {
				add({make_step("main", path_rule("s", p, right, f))});
				add({make_step("main", path_rule("s", p, 0, f | rule_flag::intersect))});
			}
		add({make_step("main", commit_only())});
		for (const int k : {0, 1})
			add({make_step("main", commit_only(), {}, k)});
		if (n.notify) {
			add({make_step("main", Read{FdRef{"s", -1}})});
			add({make_step("main", Write{FdRef{"s", -1}})});
		}
		const std::string r = "r" + std::to_string(n.names + 1);
		add({make_step("main", ruleset(n.handled, 0), r),
		     make_step("main", RestrictSelf{FdRef{r, -1}, 0})},
		    [](Node &x) { x.names++; });
	}
	for (const auto &t : n.tasks) {
		if (!live(n, t))
			continue;
		add({make_step(t, RestrictSelf{FdRef{"e", -1}, 0})});
		for (const auto &u : n.tasks) {
			const auto i = n.a.state().task_index(u);
			const Task &x = n.a.state().tasks[*i];

			if (u != t && (x.paused || x.blocked))
				add({make_step(t, Resume{u})});
		}
	}
	for (const auto &t : n.supervised) {
		if (!live(n, t))
			continue;
		const std::string f = "f" + std::to_string(n.names + 1);
		Open o;
		o.path = PathRef{kObject, ""};
		o.accmode = mode;
		for (const std::optional<int> k : {std::optional<int>(), std::optional<int>(1),
						   std::optional<int>(2), std::optional<int>(3)})
			add({make_step(t, o, f, k)}, [t, f](Node &x) {
				x.names++;
				x.fds.emplace_back(t, f);
			});
	}
	for (const auto &[t, f] : n.fds)
		if (live(n, t) && mode == 1)
			add({make_step(t, Ftruncate{FdRef{f, -1}})});
	return v;
}

int Searcher::take(Node &n, const Step &s)
{
	const StepResult ra = n.a.step(s), rb = n.b.step(s);

	n.steps.push_back(s);
	n.steps.back().loc.line = static_cast<int>(n.steps.size());
	if (s.pause)
		return ra.chosen.err == err_paused && rb.chosen.err == err_paused ? 0 : -1;
	if (!same(ra.allowed, rb.allowed)) {
		found(n, ra.allowed, rb.allowed);
		return 1;
	}
	return plain_failure(ra.allowed) ? -1 : 0;
}

bool Searcher::dfs(Node &n, int remaining)
{
	if (elapsed() > o_.max_seconds) {
		out_of_time_ = true;
		return false;
	}
	for (const Move &m : moves(n)) {
		if (static_cast<int>(m.steps.size()) > remaining)
			continue;
		Node next = n;
		int status = 0;

		for (const auto &s : m.steps)
			if ((status = take(next, s)) != 0)
				break;
		if (status == 1)
			return true;
		if (status < 0)
			continue;
		const int left = remaining - static_cast<int>(m.steps.size());
		const std::uint64_t key =
			fingerprint(next.a.state()) * 31 + fingerprint(next.b.state());
		const auto it = seen_.find(key);
		if (it != seen_.end() && it->second >= left)
			continue;
		seen_[key] = left;
		r_.states++;
		if (m.update)
			m.update(next);
		if (left > 0 && dfs(next, left))
			return true;
		if (out_of_time_)
			return false;
	}
	return false;
}

void Searcher::found(const Node &n, const OutcomeSet &a, const OutcomeSet &b)
{
	Trace t;
	bool paused = false;

	t.name = "diff";
	for (const char *d : {"/a", "/a/b"}) {
		TreeNode x;
		x.kind = NodeKind::dir;
		x.path = d;
		t.tree.push_back(x);
	}
	TreeNode f;
	f.kind = NodeKind::file;
	f.path = kObject;
	t.tree.push_back(f);
	t.steps = n.steps;
	for (const auto &s : t.steps)
		paused = paused || s.pause;
	Requirement sup;
	sup.kind = Requirement::Kind::supervisor;
	t.requires_.push_back(sup);
	if (paused || n.notify) {
		Requirement m;
		m.kind = Requirement::Kind::model_only;
		m.reason = paused ? "a kernel cannot be forced to interleave at pause=K"
				  : "notifications are not in the kernel patch";
		t.requires_.push_back(m);
	}
	t.variants = va_;
	t.steps.back().expect = a;
	r_.found = true;
	r_.trace = t;
	r_.step = t.steps.size() - 1;
	r_.a = a;
	r_.b = b;
}

Result Searcher::run()
{
	const auto all = setups();
	Trace tree;

	for (const char *d : {"/a", "/a/b"}) {
		TreeNode x;
		x.kind = NodeKind::dir;
		x.path = d;
		tree.tree.push_back(x);
	}
	TreeNode file;
	file.kind = NodeKind::file;
	file.path = kObject;
	tree.tree.push_back(file);
	for (int len = 1; len <= o_.max_steps && !r_.found && !out_of_time_; len++) {
		for (const Setup &s : all) {
			Node n(profile(va_), profile(vb_));
			int status = 0;

			n.a.set_explain(false);
			n.b.set_explain(false);
			n.a.setup(tree);
			n.b.setup(tree);
			n.handled = s.handled;
			n.notify = s.notify;
			n.tasks = s.tasks;
			n.supervised = s.supervised;
			for (std::size_t i = 0; i < s.steps.size() && i < static_cast<std::size_t>(len);
			     i++)
				if ((status = take(n, s.steps[i])) != 0)
					break;
			if (status == 1)
				break;
			if (status < 0 || static_cast<int>(s.steps.size()) >= len)
				continue;
			if (dfs(n, len - static_cast<int>(s.steps.size())) || out_of_time_)
				break;
		}
	}
	r_.complete = !out_of_time_;
	r_.seconds = elapsed();
	return r_;
}

} // namespace

Result shortest(const Variants &a, const Variants &b, const Options &o)
{
	Searcher s(a, b, o);

	return s.run();
}

std::string format(const Result &r, const Variants &a, const Variants &b)
{
	const std::string va = format_variants(a), vb = format_variants(b);

	if (!r.found)
		return "# lockstep diff: no trace of the search space up to the bound on which " +
		       va + " and " + vb + " differ" +
		       (r.complete ? "" : " (the search ran out of time)") + "\n";
	Trace t = r.trace;
	std::string run_b;
	for (std::size_t at = 0; at <= vb.size();) {
		const std::size_t end = std::min(vb.find(',', at), vb.size());

		run_b += " --variant " + vb.substr(at, end - at);
		at = end + 1;
	}
	t.doc = {"lockstep diff: the shortest trace on which these variants differ",
		 "  A: " + va,
		 "  B: " + vb,
		 "",
		 "Step " + std::to_string(r.step + 1) + " (" + trace::print_step(r.trace.steps[r.step]) +
			 ")",
		 "gives " + format_outcomes(r.a) + " under A (pinned) and " +
			 format_outcomes(r.b) + " under B.",
		 std::string(r.complete ? "No shorter trace of the search space differs"
					: "The search ran out of time: a shorter trace may differ") +
			 " (" + std::to_string(r.states) + " states; see prove/diff.h).",
		 "Run: lockstep explain --profile abi=12 FILE (A), and with" + run_b + " (B)."};
	return trace::print_trace(t);
}

} // namespace lockstep::diff

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep properties - Supervisor scenarios and what each must satisfy
 */
#include "tests/property/sup_scenarios.h"

#include "conformance/trace/printer.h"
#include "model/supervisor.h"
#include "tests/property/rc_support.h"

#include <iterator>
#include <map>

namespace lockstep::prop {

namespace {

/* ---- Building a trace while the model runs it ---- */

TreeNode node(NodeKind kind, const std::string &path)
{
	TreeNode n;

	n.kind = kind;
	n.path = path;
	return n;
}

/*
 * A trace under construction and the model running it step by step: what
 * the step returned is known before the next action is interpreted.
 */
class Session {
public:
	Session(const Profile &p, std::vector<TreeEntry> tree) : model_(p)
	{
		trace_.name = "counterexample";
		trace_.tree = std::move(tree);
		model_.setup(trace_);
	}

	const StepResult &emit(Step s)
	{
		s.loc.line = static_cast<int>(trace_.steps.size()) + 1;
		trace_.steps.push_back(s);
		run_.steps.push_back(model_.step(trace_.steps.back()));
		return run_.steps.back();
	}

	const Model &model() const { return model_; }
	Trace &trace() { return trace_; }
	const ModelRun &run() const { return run_; }
	std::size_t size() const { return trace_.steps.size(); }

private:
	Trace trace_;
	Model model_;
	ModelRun run_;
};

/* The result of @s on a copy of @m (the reference of an atomic operation). */
StepResult try_step(Model m, const Step &s)
{
	m.set_explain(false);
	return m.step(s);
}

bool same_outcomes(const OutcomeSet &a, const OutcomeSet &b)
{
	for (const auto &o : a.items())
		if (!b.admits(o))
			return false;
	for (const auto &o : b.items())
		if (!a.admits(o))
			return false;
	return true;
}

std::string line_of(const Trace &t, std::size_t i)
{
	return "step " + std::to_string(i + 1) + " (" + trace::print_step(t.steps[i]) + ")";
}

/* The doc and pins of a counterexample. */
std::string report(Session &s, const std::string &title,
		   const std::vector<std::string> &why, std::vector<std::size_t> pins)
{
	std::vector<std::string> doc{title, ""};

	doc.insert(doc.end(), why.begin(), why.end());
	return show_trace(s.trace(), doc, s.run(), pins);
}

std::vector<std::size_t> all_steps(const Session &s)
{
	std::vector<std::size_t> v;

	for (std::size_t i = 0; i < s.size(); i++)
		v.push_back(i);
	return v;
}

/* Split @text into comment lines of at most ~76 columns. */
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

void add_supervisor_header(Trace &t, const Variants &v, bool paused)
{
	Requirement sup;

	sup.kind = Requirement::Kind::supervisor;
	t.requires_.push_back(sup);
	if (paused) {
		Requirement model;

		model.kind = Requirement::Kind::model_only;
		model.reason = "a kernel cannot be forced to interleave at pause=K";
		t.requires_.push_back(model);
	}
	t.variants = v;
}

/* ---- Scenario vocabulary: paths, targets and rights ---- */

const char *const kAtomPaths[] = {"/", "/a", "/a/b", "/a/b/f", "/a/g", "/c"};
const char *const kAtomTargets[] = {"/a/b/f", "/a/g", "/c/h"};
constexpr AccessMask kAtomRights[] = {fs::read_file, fs::write_file, fs::truncate};

AccessMask rights_of(unsigned bits, const AccessMask *table, std::size_t n)
{
	AccessMask m = 0;

	for (std::size_t i = 0; i < n; i++)
		if (bits >> i & 1)
			m |= table[i];
	return m;
}

AccessMask atom_rights(unsigned bits)
{
	return rights_of(bits, kAtomRights, 3);
}

AddRule path_rule(const std::string &rs, const std::string &path, AccessMask access,
		  std::uint32_t flags = 0)
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

CreateRuleset ruleset(AccessMask fs, std::uint32_t flags = 0)
{
	CreateRuleset c;

	c.handled_fs = fs;
	c.flags = flags;
	return c;
}

/* Rules of a setup list, restricted to what @handled allows. */
void emit_rules(Session &s, const std::string &task, const std::string &rs,
		const std::vector<SetupRule> &rules, const char *const *paths,
		std::size_t npaths, AccessMask handled,
		AccessMask (*rights)(unsigned))
{
	for (const auto &r : rules) {
		const AccessMask access = rights(r.rights) & handled;

		if (access)
			s.emit(make_step(task, path_rule(rs, paths[r.path % npaths], access)));
	}
}

/* ---- Atomicity ([sup.check], [sup.commit]) ---- */

/* One access of the child: where it started and what it must equal. */
struct Access {
	std::size_t start = 0;
	Step atomic;	       /* the same step without its pause */
	std::size_t commits_done = 0; /* commits completed when it started */
};

class AtomicityRun {
public:
	AtomicityRun(const Variants &v, Interleave il)
		: v_(v), il_(il), s_(sup_profile(v), tree()), ref_(sup_profile(v))
	{
		Trace t;

		t.tree = tree();
		ref_.setup(t);
		ref_.set_explain(false);
		add_supervisor_header(s_.trace(), v, il.commits || il.accesses);
	}

	void setup(const SupSetup &su);
	void act(const Action &a);
	void finish();
	Verdict verdict();

private:
	Variants v_;
	Interleave il_;
	Session s_;
	Model ref_;			/* main's steps, every one atomic */
	std::vector<Model> refs_;	/* ref_ after 0, 1, 2... commits */
	AccessMask handled_ = 0;
	bool main_paused_ = false;
	bool child_paused_ = false;
	std::size_t commits_started_ = 0, commits_done_ = 0;
	std::optional<Access> pending_;
	/* The supervisor's staged rules: index in kAtomPaths -> rights. */
	std::map<unsigned, AccessMask> staged_;
	int fds_ = 0;
	bool failed_ = false;
	std::vector<std::string> why_;
	std::vector<std::size_t> pins_;

	static std::vector<TreeEntry> tree()
	{
		return {node(NodeKind::dir, "/a"), node(NodeKind::dir, "/a/b"),
			node(NodeKind::file, "/a/b/f"), node(NodeKind::file, "/a/g"),
			node(NodeKind::dir, "/c"), node(NodeKind::file, "/c/h")};
	}

	/* A step of main's, run atomically in the reference too. */
	const StepResult &main_step(Step st)
	{
		Step atomic = st;

		atomic.pause.reset();
		ref_.step(atomic);
		return s_.emit(std::move(st));
	}
	void commit_step(AddRule op, unsigned pause_choice);
	void move_rule(unsigned from, unsigned to, AccessMask access);
	void stage(unsigned path, AccessMask access, bool intersect);
	void access(const std::string &path, unsigned accmode, std::optional<int> pause);
	void access_step(const Action &a);
	void race(const Action &a);
	void check(const Access &acc, std::size_t end, const OutcomeSet &got);
};

void AtomicityRun::setup(const SupSetup &su)
{
	/* read_file always: the RFC's race is about opening a file. */
	handled_ = atom_rights(su.handled) | fs::read_file;
	main_step(make_step("main", ruleset(handled_, create_flag::supervisor), "s"));
	for (const auto &r : su.committed) {
		const AccessMask access = atom_rights(r.rights) & handled_;

		if (access)
			stage(r.path % 6, access, false);
	}
	if (!su.committed.empty())
		main_step(make_step("main", commit_only()));
	main_step(make_step("main", GetSupervisee{FdRef{"s", -1}, 0}, "e"));
	for (const auto &r : su.own) {
		const AccessMask access = atom_rights(r.rights) & handled_;

		if (access)
			main_step(make_step("main", path_rule("e", kAtomPaths[r.path % 6], access)));
	}
	main_step(make_step("main", Fork{"child"}));
	main_step(make_step("child", SetNoNewPrivs{}));
	if (su.plain) {
		main_step(make_step("child", ruleset(handled_), "r"));
		for (const auto &r : *su.plain) {
			const AccessMask access = atom_rights(r.rights) & handled_;

			if (access)
				main_step(make_step("child",
						    path_rule("r", kAtomPaths[r.path % 6], access)));
		}
		main_step(make_step("child", RestrictSelf{FdRef{"r", -1}, 0}));
	}
	/* A scenario whose child is not supervised could never fail. */
	if (!main_step(make_step("child", RestrictSelf{FdRef{"e", -1}, 0})).chosen.success()) {
		failed_ = true;
		why_ = {"The scenario's setup failed: the child is not supervised."};
	}
	refs_.push_back(ref_);
}

/*
 * A commit by main, maybe paused after @pause_choice - 1 rule changes; the
 * reference runs it atomically and keeps the state after it.
 */
void AtomicityRun::commit_step(AddRule op, unsigned pause_choice)
{
	std::optional<int> pause;

	if (il_.commits && !child_paused_ && pause_choice % 4)
		pause = static_cast<int>(pause_choice % 4) - 1;
	const StepResult &r = main_step(make_step("main", op, {}, pause));
	commits_started_++;
	refs_.push_back(ref_);
	if (r.chosen.err == err_paused)
		main_paused_ = true;
	else
		commits_done_++;
}

/* Stage a rule on kAtomPaths[@path] (or intersect the one there). */
void AtomicityRun::stage(unsigned path, AccessMask access, bool intersect)
{
	main_step(make_step("main", path_rule("s", kAtomPaths[path], access,
					      intersect ? rule_flag::intersect : 0)));
	if (!intersect)
		staged_[path] |= access;
	else if (staged_.count(path) && !(staged_[path] &= access))
		staged_.erase(path);
}

void AtomicityRun::access_step(const Action &a)
{
	std::optional<int> pause;

	if (il_.accesses && !main_paused_ && a.c % 4)
		pause = static_cast<int>(a.c % 4);
	/* The deepest target twice as often: its walk has the most steps. */
	access(kAtomTargets[a.a % 4 % 3], a.b % 3, pause);
}

/* The child opens @path, its walk maybe paused after @pause dentries. */
void AtomicityRun::access(const std::string &path, unsigned accmode,
			  std::optional<int> pause)
{
	Open op;
	const std::string name = "f" + std::to_string(++fds_);

	if (child_paused_)
		return;
	op.path = PathRef{path, ""};
	op.accmode = accmode;
	if (!il_.accesses || main_paused_)
		pause.reset();
	Access acc;
	acc.start = s_.size();
	acc.atomic = make_step("child", op, name);
	acc.commits_done = commits_done_;
	const StepResult r = s_.emit(make_step("child", op, name, pause));
	if (r.chosen.err == err_paused) {
		child_paused_ = true;
		pending_ = acc;
		return;
	}
	check(acc, acc.start, r.allowed);
}

/*
 * The access that started at @acc.start and ended at step @end gave @got:
 * it must be what it gives with the commits that overlapped it entirely
 * before it, or entirely after it (any number of them, in order).
 */
void AtomicityRun::check(const Access &acc, std::size_t end, const OutcomeSet &got)
{
	std::vector<OutcomeSet> atomic;

	pins_.push_back(end);
	if (failed_)
		return;
	for (std::size_t i = acc.commits_done; i <= commits_started_; i++) {
		const OutcomeSet o = try_step(refs_[i], acc.atomic).allowed;

		if (same_outcomes(o, got))
			return;
		atomic.push_back(o);
	}
	failed_ = true;
	std::string alts;
	for (std::size_t k = 0; k < atomic.size(); k++)
		alts += std::string(k ? ", then " : "") + format_outcomes(atomic[k]);
	why_ = wrap(line_of(s_.trace(), acc.start) + " gives " + format_outcomes(got) +
		    (end != acc.start ? " (at " + line_of(s_.trace(), end) + ")" : "") +
		    ", but with each concurrent commit entirely before or after it, it "
		    "gives " + alts + " (from the rules committed when it started to "
		    "those committed when it ended): the decision is not atomic.");
}

/*
 * Kinds of atomicity actions: 0 an access by the child, 1 a staged rule, 2
 * a commit, 3 a resume, 4 a rule committed at once, 5 a staged move of a
 * rule (the RFC's race moves a rule between a directory and its child), 6
 * a race (see race()).
 */
const std::vector<unsigned> kAtomicityKinds = {5, 2, 3, 4, 2, 2, 4};

/* Stage the move of the rule on @from's path to @to's with @access. */
void AtomicityRun::move_rule(unsigned from, unsigned to, AccessMask access)
{
	if (main_paused_ || !access)
		return;
	stage(from % 6, 0, true);
	stage(to % 6, access, false);
}

/*
 * A commit concurrent with an access: a staged rule moves (often along the
 * walk of /a/b/f, as in the RFC's race) while the child opens a file for
 * the moved right, its walk paused between two dentries (check=) or the
 * commit paused between two rule changes (commit=).  Every piece is also
 * drawn on its own by the other kinds; together they are the shape that
 * breaks an atomicity variant, which would otherwise be rare.
 */
void AtomicityRun::race(const Action &a)
{
	/* kAtomPaths indices of the walk of /a/b/f, from the file up. */
	static const unsigned walk[] = {3, 2, 1, 0};
	Action resume;

	if (main_paused_ || child_paused_ || staged_.empty())
		return;
	const auto from = std::next(staged_.begin(), a.a % staged_.size());
	const AccessMask rights = from->second;
	const unsigned to = a.b & 1 ? walk[(a.b >> 1) % 4] : (a.b >> 1) % 6;
	const std::string target = a.c & 1 ? "/a/b/f" : kAtomTargets[(a.c >> 1) % 3];
	const unsigned accmode = rights & fs::read_file ? 0 : rights & fs::write_file ? 1 : 0;
	const unsigned at = (a.c >> 3) % 3;

	resume.kind = 3;
	if (il_.accesses && (!il_.commits || a.c & 4)) {
		access(target, accmode, static_cast<int>(at) + 1);
		move_rule(from->first, to, rights);
		commit_step(commit_only(), 0);
	} else {
		move_rule(from->first, to, rights);
		commit_step(commit_only(), at + 1);
		access(target, accmode, std::nullopt);
	}
	act(resume);
}

void AtomicityRun::act(const Action &a)
{
	switch (a.kind % kAtomicityKinds.size()) {
	case 0:
		access_step(a);
		return;
	case 1: {
		const AccessMask access = atom_rights(a.b) & handled_;
		const bool intersect = a.c & 1;

		if (main_paused_ || (!access && !intersect))
			return;
		stage(a.a % 6, access, intersect);
		return;
	}
	case 2:
		if (!main_paused_)
			commit_step(commit_only(), a.c);
		return;
	case 3:
		if (main_paused_) {
			s_.emit(make_step("child", Resume{"main"}));
			main_paused_ = false;
			commits_done_++;
		} else if (child_paused_) {
			const StepResult r = s_.emit(make_step("main", Resume{"child"}));

			child_paused_ = false;
			check(*pending_, s_.size() - 1, r.allowed);
			pending_.reset();
		}
		return;
	case 4: {
		const AccessMask access = atom_rights(a.b) & handled_;

		if (main_paused_ || !access)
			return;
		staged_[a.a % 6] |= access;
		commit_step(path_rule("s", kAtomPaths[a.a % 6], access,
				      rule_flag::commit_supervisor),
			    a.c);
		return;
	}
	case 5:
		move_rule(a.a, a.c, atom_rights(a.b) & handled_);
		return;
	default:
		race(a);
		return;
	}
}

void AtomicityRun::finish()
{
	Action resume;

	resume.kind = 3;
	act(resume);
	act(resume);
}

Verdict AtomicityRun::verdict()
{
	Verdict v;

	v.trace = s_.trace();
	v.ok = !failed_;
	if (failed_) {
		v.violating_step = pins_.empty() ? 0 : pins_.back();
		v.report = report(s_,
				  "Counterexample to atomicity (" +
					  format_variants(v_) + ")",
				  why_, pins_);
	}
	return v;
}

/* ---- Optional accesses ([sup.optional]) ---- */

const char *const kOptPaths[] = {"/", "/a", "/a/f", "/c", "/c/null"};
const char *const kOptTargets[] = {"/a/f", "/c/null"};
constexpr AccessMask kOptRights[] = {fs::truncate, fs::ioctl_dev};

AccessMask opt_rights(unsigned bits)
{
	return rights_of(bits, kOptRights, 2);
}

/* An fd of the child's, and what was decided when it was opened. */
struct OptFd {
	std::string name;
	bool device = false;
	std::string target;
	OutcomeSet at_open;
};

class OptionalRun {
public:
	OptionalRun(const Variants &v, bool distinguish)
		: v_(v), distinguish_(distinguish), s_(sup_profile(v), tree())
	{
		add_supervisor_header(s_.trace(), v, false);
	}

	void setup(const SupSetup &su);
	void act(const Action &a);
	Verdict verdict();

private:
	Variants v_;
	bool distinguish_;
	Session s_;
	AccessMask handled_ = 0;
	std::vector<OptFd> fds_;
	int names_ = 0;
	bool failed_ = false;
	std::vector<std::string> why_;
	std::vector<std::size_t> pins_;

	static std::vector<TreeEntry> tree()
	{
		TreeNode dev = node(NodeKind::chardev, "/c/null");

		return {node(NodeKind::dir, "/a"), node(NodeKind::file, "/a/f"),
			node(NodeKind::dir, "/c"), dev};
	}

	static Op use_op(const OptFd &f, const std::string &name)
	{
		if (f.device)
			return Ioctl{FdRef{name, -1}, IoctlCmd::tcgets};
		return Ftruncate{FdRef{name, -1}};
	}
	void open_step(const Action &a);
	void use_step(const OptFd &f, const std::string &task, const std::string &name);
};

void OptionalRun::setup(const SupSetup &su)
{
	handled_ = fs::write_file | opt_rights(su.handled | 1);
	s_.emit(make_step("main", ruleset(handled_, create_flag::supervisor), "s"));
	emit_rules(s_, "main", "s", su.committed, kOptPaths, 5, handled_, opt_rights);
	if (!su.committed.empty())
		s_.emit(make_step("main", commit_only()));
	s_.emit(make_step("main", GetSupervisee{FdRef{"s", -1}, 0}, "e"));
	/* The supervisee's own rule lets it open for writing everywhere. */
	s_.emit(make_step("main", path_rule("e", "/", fs::write_file)));
	emit_rules(s_, "main", "e", su.own, kOptPaths, 5, handled_, opt_rights);
	s_.emit(make_step("main", Fork{"child"}));
	s_.emit(make_step("child", SetNoNewPrivs{}));
	if (su.plain) {
		s_.emit(make_step("child", ruleset(handled_), "r"));
		s_.emit(make_step("child", path_rule("r", "/", fs::write_file)));
		emit_rules(s_, "child", "r", *su.plain, kOptPaths, 5, handled_, opt_rights);
		s_.emit(make_step("child", RestrictSelf{FdRef{"r", -1}, 0}));
	}
	/* A scenario whose child is not supervised could never fail. */
	if (!s_.emit(make_step("child", RestrictSelf{FdRef{"e", -1}, 0})).chosen.success()) {
		failed_ = true;
		why_ = {"The scenario's setup failed: the child is not supervised."};
		pins_.push_back(s_.size() - 1);
	}
}

void OptionalRun::open_step(const Action &a)
{
	OptFd f;
	Open op;

	f.name = "f" + std::to_string(++names_);
	f.device = a.a % 2;
	f.target = kOptTargets[a.a % 2];
	op.path = PathRef{f.target, ""};
	op.accmode = 1; /* O_WRONLY */
	const Step st = make_step("child", op, f.name);
	if (!s_.emit(st).chosen.success())
		return;
	/* What the fd allows right after the open: the open-time decision. */
	f.at_open = try_step(s_.model(), make_step("child", use_op(f, f.name))).allowed;
	fds_.push_back(f);
}

/*
 * @task uses @f (under @name in its process): the outcome must be the
 * open-time decision, or what a fresh open by the child decides now.
 */
void OptionalRun::use_step(const OptFd &f, const std::string &task,
			   const std::string &name)
{
	Model fresh = s_.model();
	Open op;

	fresh.set_explain(false);
	op.path = PathRef{f.target, ""};
	op.accmode = 1;
	fresh.step(make_step("child", op, "fresh"));
	const OutcomeSet now = fresh.step(make_step("child", use_op(f, "fresh"))).allowed;
	const OutcomeSet got = s_.emit(make_step(task, use_op(f, name))).allowed;
	const bool open_time = v_.optional == OptionalVariant::open_time;
	const OutcomeSet &want = open_time ? f.at_open : now;

	pins_.push_back(s_.size() - 1);
	if (failed_)
		return;
	if (distinguish_ ? same_outcomes(f.at_open, now) : same_outcomes(got, want))
		return;
	failed_ = true;
	if (distinguish_) {
		why_ = wrap(line_of(s_.trace(), s_.size() - 1) + ": decided at open " +
			    format_outcomes(f.at_open) + ", decided now " +
			    format_outcomes(now) + ": optional=open-time and "
			    "optional=operation-time give different outcomes.");
		return;
	}
	why_ = wrap(line_of(s_.trace(), s_.size() - 1) + " gives " +
		    format_outcomes(got) + "; " + format_variants(v_) + " requires " +
		    format_outcomes(want) + " (decided at open: " +
		    format_outcomes(f.at_open) + ", by a fresh open now: " +
		    format_outcomes(now) + ").");
}

/* Kinds: 0 an open by the child, 1 a commit, 2 a use, 3 a use by main. */
const std::vector<unsigned> kOptionalKinds = {4, 4, 4, 1};

void OptionalRun::act(const Action &a)
{
	switch (a.kind % kOptionalKinds.size()) {
	case 0:
		open_step(a);
		return;
	case 1: {
		const AccessMask access = opt_rights(a.b) & handled_;
		std::uint32_t flags = rule_flag::commit_supervisor;

		if (a.c & 1)
			flags |= rule_flag::intersect;
		else if (!access)
			return;
		s_.emit(make_step("main", path_rule("s", kOptPaths[a.a % 5], access, flags)));
		return;
	}
	case 2:
		if (!fds_.empty())
			use_step(fds_[a.a % fds_.size()], "child", fds_[a.a % fds_.size()].name);
		return;
	default: {
		if (fds_.empty())
			return;
		const OptFd &f = fds_[a.a % fds_.size()];
		const std::string name = "g" + std::to_string(++names_);
		PassFd p;

		p.fd = FdRef{f.name, -1};
		p.to = "main";
		s_.emit(make_step("child", p, name));
		use_step(f, "main", name);
		return;
	}
	}
}

Verdict OptionalRun::verdict()
{
	Verdict v;

	v.trace = s_.trace();
	v.ok = !failed_;
	if (failed_) {
		v.violating_step = pins_.back();
		v.report = report(s_,
				  distinguish_ ? "The optional= variants differ on this trace"
					       : "Counterexample to the optional access rule (" +
							 format_variants(v_) + ")",
				  why_, pins_);
	}
	return v;
}

/* ---- Acyclicity ([sup.acyclic]) ---- */

/* What a name in a process refers to. */
struct Handle {
	std::string name;
	bool supervisor = false; /* else a supervisee ruleset */
};

class AcyclicRun {
public:
	AcyclicRun(const Variants &v, AcyclicCheck check, bool steady)
		: v_(v), check_(check), steady_(steady), p_(sup_profile(v)),
		  s_(p_, {node(NodeKind::dir, "/a"), node(NodeKind::file, "/a/f")})
	{
		add_supervisor_header(s_.trace(), v, false);
		Requirement model;
		model.kind = Requirement::Kind::model_only;
		model.reason = "notifications are not in the kernel patch";
		s_.trace().requires_.push_back(model);
		tasks_.push_back("main");
		procs_.push_back(0);
		held_.emplace_back();
	}

	void setup(unsigned supervisors);
	void act(const Action &a);
	Verdict verdict();

private:
	Variants v_;
	AcyclicCheck check_;
	bool steady_;
	bool moved_ = false; /* a TSYNC replaced a waiting thread's domain */
	Profile p_;
	Session s_;
	std::vector<std::string> tasks_;
	std::vector<int> procs_;		 /* task -> process */
	std::vector<std::vector<Handle>> held_; /* process -> names */
	int counter_ = 0, supervisors_ = 0;
	bool failed_ = false;
	std::vector<std::string> why_;

	bool live(std::size_t t) const
	{
		const Task &task = s_.model().state().tasks[t];

		return !task.paused && (!task.blocked || task.blocked->result);
	}
	std::vector<std::size_t> live_tasks() const
	{
		std::vector<std::size_t> v;

		for (std::size_t t = 0; t < tasks_.size(); t++)
			if (live(t))
				v.push_back(t);
		return v;
	}
	std::vector<Handle> handles(std::size_t t, int kind) const
	{
		std::vector<Handle> v;

		for (const auto &h : held_[procs_[t]])
			if (kind < 0 || h.supervisor == (kind == 1))
				v.push_back(h);
		return v;
	}
	const StepResult &emit(Step st);
	void create_supervisor(std::size_t t, bool notify);
	bool act_on_task(std::size_t t, const Action &a);
	/* Enforce @rs for task @t, maybe with TSYNC (noting a moved waiter). */
	void restrict(std::size_t t, const std::string &rs, bool tsync);
};

void AcyclicRun::restrict(std::size_t t, const std::string &rs, bool tsync)
{
	const State &s = s_.model().state();

	for (std::size_t u = 0; tsync && u < tasks_.size(); u++)
		moved_ = moved_ || (u != t && procs_[u] == procs_[t] && s.tasks[u].blocked &&
				    !s.tasks[u].blocked->result);
	emit(make_step(tasks_[t], RestrictSelf{FdRef{rs, -1},
					       tsync ? restrict_flag::tsync : 0u}));
}

const StepResult &AcyclicRun::emit(Step st)
{
	const StepResult &r = s_.emit(std::move(st));

	if (failed_ || (steady_ && moved_))
		return r;
	const State &state = s_.model().state();
	const auto stuck = check_ == AcyclicCheck::no_deadlock
				   ? sup_deadlocked(state, p_)
				   : sup_wait_cycle(state, p_,
						    check_ == AcyclicCheck::no_self_supervision);
	if (stuck.empty())
		return r;
	failed_ = true;
	std::string who;
	for (const int t : stuck) {
		const auto &b = state.tasks[t].blocked;

		who += (who.empty() ? "" : ", ") + state.tasks[t].name + " (waits for " +
		       state.supervisors[b->supervisor].label + ")";
	}
	why_ = wrap("After " + line_of(s_.trace(), s_.size() - 1) + ", " + who +
		    (check_ == AcyclicCheck::no_deadlock
			     ? ": waiting for answers that no task can ever give (a "
			       "deadlock, [sup.acyclic.deadlock])."
			     : check_ == AcyclicCheck::no_cycle
			     ? ": waiting in a cycle of waits (each may only be answered "
			       "by tasks of the cycle)."
			     : ": waiting in a cycle of waits for one supervisor "
			       "(self-supervision)."));
	return r;
}

void AcyclicRun::create_supervisor(std::size_t t, bool notify)
{
	const std::string s = "s" + std::to_string(++counter_);
	const std::string e = "e" + std::to_string(counter_);
	std::uint32_t flags = create_flag::supervisor;

	if (notify)
		flags |= create_flag::supervisor_notification;
	if (!emit(make_step(tasks_[t], ruleset(fs::read_file, flags), s)).chosen.success())
		return;
	supervisors_++;
	held_[procs_[t]].push_back(Handle{s, true});
	if (emit(make_step(tasks_[t], GetSupervisee{FdRef{s, -1}, 0}, e)).chosen.success())
		held_[procs_[t]].push_back(Handle{e, false});
}

void AcyclicRun::setup(unsigned supervisors)
{
	emit(make_step("main", SetNoNewPrivs{}));
	for (unsigned i = 0; i < supervisors % 3; i++)
		create_supervisor(0, true);
}

/*
 * Kinds: 0 a denied open, 1 enforce a supervisee, 2 fork, 3 a thread, 4
 * pass an fd, 5 close one, 6 a new supervisor, 7 get a supervisee, 8
 * enforce an ordinary ruleset, 9 read, 10 answer, 11 commit, 12 resume.
 * Every wait-for shape is a few opens and enforcements by two tasks.
 */
const std::vector<unsigned> kAcyclicKinds = {6, 6, 3, 4, 2, 1, 1, 1, 5, 1, 1, 1, 2};

/* Action @a by live task @t; false when it does not apply. */
bool AcyclicRun::act_on_task(std::size_t t, const Action &a)
{
	const std::string &me = tasks_[t];
	const auto sups = handles(t, 1), sees = handles(t, 0), all = handles(t, -1);
	const auto kind = a.kind % kAcyclicKinds.size();

	switch (kind) {
	case 0: {
		Open op;

		op.path = PathRef{"/a/f", ""};
		emit(make_step(me, op));
		return true;
	}
	case 1:
		if (sees.empty())
			return false;
		restrict(t, sees[a.b % sees.size()].name, a.c & 1);
		return true;
	case 2:
	case 3: {
		if (tasks_.size() >= 4)
			return false;
		const std::string name = "t" + std::to_string(++counter_);
		const bool fork = kind == 2;
		if (!emit(make_step(me, fork ? Op(Fork{name}) : Op(Thread{name}))).chosen.success())
			return true;
		tasks_.push_back(name);
		if (fork) {
			procs_.push_back(static_cast<int>(held_.size()));
			held_.push_back(held_[procs_[t]]);
		} else {
			procs_.push_back(procs_[t]);
		}
		return true;
	}
	case 4: {
		if (all.empty())
			return false;
		const Handle h = all[a.b % all.size()];
		const std::size_t to = a.c % tasks_.size();
		const std::string name = "p" + std::to_string(++counter_);
		PassFd p;

		p.fd = FdRef{h.name, -1};
		p.to = tasks_[to];
		if (emit(make_step(me, p, name)).chosen.success())
			held_[procs_[to]].push_back(Handle{name, h.supervisor});
		return true;
	}
	case 5: {
		if (all.empty())
			return false;
		const std::string name = all[a.b % all.size()].name;
		auto &v = held_[procs_[t]];

		emit(make_step(me, Close{FdRef{name, -1}}));
		for (auto it = v.begin(); it != v.end(); ++it)
			if (it->name == name) {
				v.erase(it);
				break;
			}
		return true;
	}
	case 6:
		if (supervisors_ >= 3)
			return false;
		create_supervisor(t, a.b % 4 != 0);
		return true;
	case 7: {
		if (sups.empty())
			return false;
		const std::string e = "e" + std::to_string(++counter_);
		if (emit(make_step(me, GetSupervisee{FdRef{sups[a.b % sups.size()].name, -1}, 0},
				   e))
			    .chosen.success())
			held_[procs_[t]].push_back(Handle{e, false});
		return true;
	}
	case 8: {
		const std::string r = "r" + std::to_string(++counter_);

		emit(make_step(me, ruleset(fs::read_file), r));
		emit(make_step(me, path_rule(r, "/a", fs::read_file)));
		restrict(t, r, a.c & 1);
		return true;
	}
	case 9:
	case 10:
	case 11: {
		if (sups.empty())
			return false;
		const FdRef fd{sups[a.b % sups.size()].name, -1};
		if (kind == 9)
			emit(make_step(me, Read{fd}));
		else if (kind == 10)
			emit(make_step(me, Write{fd}));
		else
			emit(make_step(me, path_rule(fd.name, "/a", fs::read_file,
						     rule_flag::commit_supervisor)));
		return true;
	}
	default: {
		std::vector<std::size_t> waiting;

		for (std::size_t u = 0; u < tasks_.size(); u++)
			if (s_.model().state().tasks[u].blocked)
				waiting.push_back(u);
		if (waiting.empty())
			return false;
		emit(make_step(me, Resume{tasks_[waiting[a.c % waiting.size()]]}));
		return true;
	}
	}
}

void AcyclicRun::act(const Action &a)
{
	const auto live = live_tasks();

	if (!live.empty())
		act_on_task(live[a.a % live.size()], a);
}

Verdict AcyclicRun::verdict()
{
	Verdict v;

	v.trace = s_.trace();
	v.ok = !failed_;
	if (failed_) {
		v.violating_step = s_.size() - 1;
		v.report = report(s_,
				  std::string(check_ == AcyclicCheck::no_deadlock ? "A deadlock"
						      : check_ == AcyclicCheck::no_cycle
							      ? "A wait-for cycle"
							      : "A self-supervision cycle") +
					  " (" + format_variants(v_) + ")",
				  why_, all_steps(s_));
	}
	return v;
}

} // namespace

const std::vector<unsigned> &atomicity_kinds()
{
	return kAtomicityKinds;
}

const std::vector<unsigned> &optional_kinds()
{
	return kOptionalKinds;
}

const std::vector<unsigned> &acyclic_kinds()
{
	return kAcyclicKinds;
}

Verdict atomicity(const SupSetup &setup, const std::vector<Action> &actions,
		  const Variants &v, Interleave il)
{
	AtomicityRun run(v, il);

	run.setup(setup);
	for (const auto &a : actions)
		run.act(a);
	run.finish();
	return run.verdict();
}

Verdict optional_access(const SupSetup &setup, const std::vector<Action> &actions,
			const Variants &v, bool distinguish)
{
	OptionalRun run(v, distinguish);

	run.setup(setup);
	for (const auto &a : actions)
		run.act(a);
	return run.verdict();
}

Verdict acyclicity(unsigned supervisors, const std::vector<Action> &actions,
		   const Variants &v, AcyclicCheck check, bool steady)
{
	AcyclicRun run(v, check, steady);

	run.setup(supervisors);
	for (const auto &a : actions)
		run.act(a);
	return run.verdict();
}

} // namespace lockstep::prop

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep trace language - Parser
 *
 * A hand-written recursive descent over the lexer's lines: each line is a
 * header, tree or step line, and each operation has its own small function
 * that reads its arguments from a Cursor.  Static checks (validate.h) are
 * made as soon as a word is read, so that the error points at that word.
 */
#include "conformance/trace/parser.h"

#include "conformance/trace/cursor.h"
#include "conformance/trace/lexer.h"
#include "conformance/trace/validate.h"
#include "conformance/trace/words.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <unistd.h>

namespace lockstep::trace {

namespace {

class Parser;

/* How to parse one operation, and what it may bind. */
struct OpSpec {
	std::string_view keyword;
	std::string_view usage;
	bool returns_fd;
	Op (Parser::*parse)(Cursor &);
};

/*
 * Reads the lines of one trace in order, keeping the Scope of what they
 * declared.  A Parser is used once.
 */
class Parser {
public:
	explicit Parser(std::string name) { trace_.name = std::move(name); }

	Trace parse(const std::vector<Line> &lines);

private:
	enum class Section : std::uint8_t { header, tree, steps };

	static const OpSpec *find_op(std::string_view keyword);

	std::size_t parse_doc(const std::vector<Line> &lines);
	void parse_line(const Line &line);
	void parse_requires(const Line &line);
	void parse_variant_line(const Line &line);
	void parse_tree(const Line &line);
	TreeEntry parse_tree_entry(const Line &line, Cursor &cur);
	TreeNode parse_tree_node(const Line &line, Cursor &cur);
	TreeMount parse_tree_mount(Cursor &cur);
	std::string tree_path(Cursor &cur, std::string_view what, NodeKind kind);
	std::string tree_dir(Cursor &cur, std::string_view what);
	void parse_step(const Line &line);
	std::size_t step_prefix(const Line &line, Step &step);
	static const OpSpec &step_op(const Line &line, std::size_t i);
	void check_bind(const Line &line, const Step &step, std::size_t i,
			const OpSpec &spec);
	std::optional<int> parse_pause(int line, const std::vector<Token> &tokens);
	OutcomeSet parse_expect(int line, const Token &arrow,
				const std::vector<Token> &tokens);

	FdRef fd_ref(const Cursor &cur, std::string_view text, int col) const;
	FdRef take_fd(Cursor &cur);
	PathRef path_ref(const Cursor &cur, std::string_view text, int col) const;
	PathRef take_path(Cursor &cur, std::string_view what = "PATH");
	std::string take_task(Cursor &cur);
	std::string take_new_task(Cursor &cur);
	std::string take_target(Cursor &cur);
	SockAddr take_addr(Cursor &cur);
	SockAddr addr(const Cursor &cur, const Token &t) const;

	Op parse_create_ruleset(Cursor &cur);
	Op parse_add_rule(Cursor &cur);
	AddRule parse_path_beneath(Cursor &cur, AddRule r);
	AddRule parse_net_port(Cursor &cur, AddRule r);
	AddRule parse_rule_type(Cursor &cur, AddRule r);
	Op parse_restrict_self(Cursor &cur);
	Op parse_set_no_new_privs(Cursor &) { return SetNoNewPrivs{}; }
	Op parse_drop_caps(Cursor &) { return DropCaps{}; }
	Op parse_open(Cursor &cur);
	Op parse_close(Cursor &cur) { return Close{take_fd(cur)}; }
	Op parse_dup(Cursor &cur) { return Dup{take_fd(cur)}; }
	Op parse_pipe(Cursor &) { return Pipe{}; }
	Op parse_readdir(Cursor &cur) { return Readdir{take_fd(cur)}; }
	Op parse_read(Cursor &cur) { return Read{take_fd(cur)}; }
	Op parse_write(Cursor &cur) { return Write{take_fd(cur)}; }
	Op parse_truncate(Cursor &cur) { return Truncate{take_path(cur)}; }
	Op parse_ftruncate(Cursor &cur) { return Ftruncate{take_fd(cur)}; }
	Op parse_ioctl(Cursor &cur);
	Op parse_mkdir(Cursor &cur) { return Mkdir{take_path(cur)}; }
	Op parse_mknod(Cursor &cur);
	Op parse_symlink(Cursor &cur);
	Op parse_link(Cursor &cur);
	Op parse_rename(Cursor &cur);
	Op parse_unlink(Cursor &cur) { return Unlink{take_path(cur)}; }
	Op parse_rmdir(Cursor &cur) { return Rmdir{take_path(cur)}; }
	Op parse_exec(Cursor &cur) { return Exec{take_path(cur)}; }
	Op parse_mount(Cursor &cur);
	Op parse_umount(Cursor &cur) { return Umount{take_path(cur)}; }
	Op parse_socket(Cursor &cur);
	Op parse_bind(Cursor &cur);
	Op parse_listen(Cursor &cur) { return Listen{take_fd(cur)}; }
	Op parse_connect(Cursor &cur);
	Op parse_sendto(Cursor &cur);
	Op parse_kill(Cursor &cur) { return parse_signal(cur, false); }
	Op parse_tkill(Cursor &cur) { return parse_signal(cur, true); }
	Op parse_signal(Cursor &cur, bool thread);
	Op parse_fork(Cursor &cur) { return Fork{take_new_task(cur)}; }
	Op parse_thread(Cursor &cur) { return Thread{take_new_task(cur)}; }
	Op parse_pass_fd(Cursor &cur);
	Op parse_get_supervisee(Cursor &cur);
	Op parse_resume(Cursor &cur) { return Resume{take_task(cur)}; }

	Trace trace_;
	Scope scope_;
	Section section_ = Section::header;
	std::set<std::string, std::less<>> variant_keys_;
};


constexpr std::string_view addr_forms =
	"ADDR (PORT, any:PORT, unspec:PORT, unspec-any:PORT, /path, $D/path or @name)";

const OpSpec *Parser::find_op(std::string_view keyword)
{
	/* LANGUAGE.md's tables, in their order. */
	static constexpr OpSpec op_specs[] = {
		{"create_ruleset",
		 "create_ruleset [fs=MASK] [net=MASK] [scoped=MASK] [quiet_fs=MASK] "
		 "[quiet_net=MASK] [quiet_scoped=MASK] [size=N] [flags=FLAGS] [attr=null] "
		 "[trailing=garbage]",
		 true, &Parser::parse_create_ruleset},
		{"add_rule",
		 "add_rule FD path_beneath PATH|fd=FD fs=MASK [flags=FLAGS], "
		 "add_rule FD net_port PORT net=MASK [flags=FLAGS] or add_rule FD type=N "
		 "[attr=null] [fs=MASK] [net=MASK] [port=N] [flags=FLAGS]",
		 false, &Parser::parse_add_rule},
		{"restrict_self", "restrict_self FD [flags=FLAGS]", false,
		 &Parser::parse_restrict_self},
		{"set_no_new_privs", "set_no_new_privs", false, &Parser::parse_set_no_new_privs},
		{"drop_caps", "drop_caps", false, &Parser::parse_drop_caps},
		{"open", "open PATH MODE [FLAG...]", true, &Parser::parse_open},
		{"close", "close FD", false, &Parser::parse_close},
		{"dup", "dup FD", true, &Parser::parse_dup},
		{"pipe", "pipe", true, &Parser::parse_pipe},
		{"read", "read FD", false, &Parser::parse_read},
		{"write", "write FD", false, &Parser::parse_write},
		{"readdir", "readdir FD", false, &Parser::parse_readdir},
		{"truncate", "truncate PATH", false, &Parser::parse_truncate},
		{"ftruncate", "ftruncate FD", false, &Parser::parse_ftruncate},
		{"ioctl", "ioctl FD CMD", false, &Parser::parse_ioctl},
		{"mkdir", "mkdir PATH", false, &Parser::parse_mkdir},
		{"mknod", "mknod PATH KIND [MAJ:MIN]", false, &Parser::parse_mknod},
		{"symlink", "symlink PATH -> TARGET", false, &Parser::parse_symlink},
		{"link", "link FROM TO", false, &Parser::parse_link},
		{"rename", "rename FROM TO [noreplace] [exchange] [whiteout]", false,
		 &Parser::parse_rename},
		{"unlink", "unlink PATH", false, &Parser::parse_unlink},
		{"rmdir", "rmdir PATH", false, &Parser::parse_rmdir},
		{"exec", "exec PATH", false, &Parser::parse_exec},
		{"mount", "mount tmpfs PATH or mount bind SRC PATH", false, &Parser::parse_mount},
		{"umount", "umount PATH", false, &Parser::parse_umount},
		{"socket", "socket KIND", true, &Parser::parse_socket},
		{"bind", "bind FD ADDR [addrlen=N]", false, &Parser::parse_bind},
		{"connect", "connect FD ADDR [addrlen=N]", false, &Parser::parse_connect},
		{"listen", "listen FD", false, &Parser::parse_listen},
		{"sendto", "sendto FD [ADDR [addrlen=N]]", false, &Parser::parse_sendto},
		{"kill", "kill TASK [sig=N]", false, &Parser::parse_kill},
		{"tkill", "tkill TASK [sig=N]", false, &Parser::parse_tkill},
		{"fork", "fork NAME", false, &Parser::parse_fork},
		{"thread", "thread NAME", false, &Parser::parse_thread},
		{"pass_fd", "NAME = pass_fd FD to TASK", true, &Parser::parse_pass_fd},
		{"get_supervisee", "get_supervisee FD [flags=N]", true,
		 &Parser::parse_get_supervisee},
		{"resume", "resume TASK", false, &Parser::parse_resume},
	};

	for (const auto &spec : op_specs)
		if (spec.keyword == keyword)
			return &spec;
	return nullptr;
}

/* ---- Lines ---- */

/* The doc is the first block of comment lines, before any other line. */
std::size_t Parser::parse_doc(const std::vector<Line> &lines)
{
	std::size_t i = 0;

	while (i < lines.size() && lines[i].blank())
		i++;
	for (; i < lines.size() && lines[i].comment_only(); i++)
		trace_.doc.push_back(*lines[i].comment);
	return i;
}

Trace Parser::parse(const std::vector<Line> &lines)
{
	for (std::size_t i = parse_doc(lines); i < lines.size(); i++)
		if (!lines[i].tokens.empty())
			parse_line(lines[i]);
	return std::move(trace_);
}

bool is_tree_keyword(std::string_view s)
{
	return s == "dir" || s == "file" || s == "symlink" || s == "fifo" ||
	       s == "chardev" || s == "mount";
}

void Parser::parse_line(const Line &line)
{
	const Token &first = line.tokens.front();
	const auto colon = first.text.find(':');
	const auto fail = [&](std::string message) {
		throw Failure{line.number, first.col, std::move(message)};
	};

	if (first.text.ends_with(':'))
		return parse_step(line);
	/* "main:open": the prefix is a separate word, like "=" and "=>". */
	if (colon != std::string::npos && is_name(first.text.substr(0, colon)))
		throw Failure{line.number, first.col + static_cast<int>(colon) + 1,
			      "expected a space after " +
				      quoted(first.text.substr(0, colon + 1))};
	if (section_ == Section::steps)
		fail("expected 'TASK:' prefix: header and tree lines must come "
		     "before the first step");
	if (first.text == "requires")
		return parse_requires(line);
	if (first.text == "variant")
		return parse_variant_line(line);
	if (is_tree_keyword(first.text))
		return parse_tree(line);
	if (find_op(first.text))
		fail("expected 'TASK:' prefix before operation " + quoted(first.text) +
		     " (main: " + first.text + " ...)");
	fail("expected a step ('TASK: OPERATION ...'), a header line (requires, "
	     "variant) or a tree line (dir, file, symlink, fifo, chardev, mount), "
	     "got " + quoted(first.text));
}

/* ---- Header ---- */

/* The words of @line after the first @skip ones, as a Cursor. */
Cursor cursor_after(const Line &line, std::size_t skip, std::string_view usage)
{
	return Cursor(line.number,
		      std::vector<Token>(line.tokens.begin() + skip, line.tokens.end()),
		      line.tokens[skip - 1], usage);
}

void check_header_order(const Line &line, bool in_tree)
{
	if (in_tree)
		throw Failure{line.number, line.tokens[0].col,
			      "expected a tree line or a step: header lines "
			      "(requires, variant) must come before the tree"};
}

int take_abi(Cursor &cur)
{
	const Token &t = cur.take("N");
	const auto v = to_int(t.text);

	if (!v || *v < 0)
		cur.fail_at(t, "expected an ABI version (a number), got " + quoted(t.text));
	return *v;
}

void Parser::parse_requires(const Line &line)
{
	Cursor cur = cursor_after(line, 1,
				  "requires abi >= N, requires abi <= N, requires root, "
				  "requires supervisor or requires model REASON...");
	Requirement r;

	check_header_order(line, section_ == Section::tree);
	const Token &what = cur.take("abi, root, supervisor or model");
	r.loc = {line.number, line.tokens[0].col};
	if (what.text == "abi") {
		const Token op = cur.take("'>=' or '<='");

		if (op.text != ">=" && op.text != "<=")
			cur.fail_at(op, "expected '>=' or '<=', got " + quoted(op.text));
		r.kind = op.text == ">=" ? Requirement::Kind::abi_at_least
					 : Requirement::Kind::abi_at_most;
		r.abi = take_abi(cur);
	} else if (what.text == "root") {
		r.kind = Requirement::Kind::root;
	} else if (what.text == "supervisor") {
		r.kind = Requirement::Kind::supervisor;
	} else if (what.text == "model") {
		r.kind = Requirement::Kind::model_only;
		r.reason = line.rest(2);
		if (r.reason.empty())
			cur.missing("a reason: why the trace cannot run on a kernel");
		trace_.requires_.push_back(std::move(r));
		return;
	} else {
		cur.fail_at(what, "expected abi, root, supervisor or model after "
				  "'requires', got " + quoted(what.text));
	}
	cur.finish();
	trace_.requires_.push_back(std::move(r));
}

bool is_variant_key(std::string_view key)
{
	return key == "check" || key == "commit" || key == "optional" ||
	       key == "acyclic";
}

void Parser::parse_variant_line(const Line &line)
{
	Cursor cur = cursor_after(line, 1, "variant KEY=VALUE...");

	check_header_order(line, section_ == Section::tree);
	cur.more("KEY=VALUE (check=, commit=, optional=, acyclic=)");
	if (!trace_.variants)
		trace_.variants = Variants{};
	while (!cur.done()) {
		const Token &t = cur.take("KEY=VALUE");
		const auto eq = t.text.find('=');
		const auto key = t.text.substr(0, eq);
		std::string error;

		if (is_variant_key(key) && !variant_keys_.insert(key).second)
			cur.fail_at(t, "variant " + quoted(key) + " given twice");
		if (!lockstep::parse_variant(t.text, *trace_.variants, &error))
			cur.fail_at(is_variant_key(key) ? t.col + static_cast<int>(eq) + 1
							: t.col,
				    error);
	}
}

/* ---- Tree ---- */

constexpr std::string_view tree_usage(std::string_view keyword)
{
	if (keyword == "dir")
		return "dir PATH";
	if (keyword == "file")
		return "file PATH [exec]";
	if (keyword == "symlink")
		return "symlink PATH -> TARGET";
	if (keyword == "fifo")
		return "fifo PATH";
	if (keyword == "chardev")
		return "chardev PATH [MAJ:MIN]";
	return "mount tmpfs PATH or mount bind SRC PATH";
}

void Parser::parse_tree(const Line &line)
{
	Cursor cur = cursor_after(line, 1, tree_usage(line.tokens[0].text));

	section_ = Section::tree;
	trace_.tree.push_back(parse_tree_entry(line, cur));
	cur.finish();
}

TreeEntry Parser::parse_tree_entry(const Line &line, Cursor &cur)
{
	const Token &keyword = line.tokens[0];

	if (keyword.text == "mount") {
		TreeMount m = parse_tree_mount(cur);

		m.loc = {line.number, keyword.col};
		return m;
	}
	TreeNode n = parse_tree_node(line, cur);

	n.loc = {line.number, keyword.col};
	return n;
}

/* "MAJ:MIN" of a device number. */
void parse_device(const Cursor &cur, const Token &t, unsigned &major, unsigned &minor)
{
	const auto colon = t.text.find(':');
	const auto maj = to_u64(t.text.substr(0, colon));
	const auto min = colon == std::string::npos ? std::nullopt
						     : to_u64(t.text.substr(colon + 1));

	if (!maj || !min || *maj > UINT_MAX || *min > UINT_MAX)
		cur.fail_at(t, "expected a device number MAJ:MIN (like 1:3), got " +
				       quoted(t.text));
	major = static_cast<unsigned>(*maj);
	minor = static_cast<unsigned>(*min);
}

NodeKind tree_kind(std::string_view keyword)
{
	if (keyword == "file")
		return NodeKind::file;
	if (keyword == "symlink")
		return NodeKind::symlink;
	if (keyword == "fifo")
		return NodeKind::fifo;
	if (keyword == "chardev")
		return NodeKind::chardev;
	return NodeKind::dir;
}

TreeNode Parser::parse_tree_node(const Line &line, Cursor &cur)
{
	TreeNode n;

	n.kind = tree_kind(line.tokens[0].text);
	n.path = tree_path(cur, "PATH", n.kind);
	if (n.kind == NodeKind::file && !cur.done()) {
		if (cur.peek().text != "exec")
			cur.fail_at(cur.peek(), "expected 'exec' or end of line, got " +
							quoted(cur.peek().text));
		cur.take("exec");
		n.exec = true;
	} else if (n.kind == NodeKind::symlink) {
		n.target = take_target(cur);
	} else if (n.kind == NodeKind::chardev && !cur.done()) {
		parse_device(cur, cur.take("MAJ:MIN"), n.major, n.minor);
	}
	return n;
}

TreeMount Parser::parse_tree_mount(Cursor &cur)
{
	const Token &kind = cur.take("tmpfs or bind");
	TreeMount m;

	if (kind.text == "bind") {
		m.kind = MountKind::bind;
		m.source = tree_dir(cur, "SRC");
	} else if (kind.text != "tmpfs") {
		cur.fail_at(kind, "expected tmpfs or bind, got " + quoted(kind.text));
	}
	m.path = tree_dir(cur, "PATH");
	return m;
}

std::string absolute_path(const Cursor &cur, const Token &t)
{
	if (const auto p = check_absolute_path(t.text))
		cur.fail_at(t.col + static_cast<int>(p->offset), p->message);
	return t.text;
}

/* A new node's path: absolute, new, beneath a declared dir. */
std::string Parser::tree_path(Cursor &cur, std::string_view what, NodeKind kind)
{
	const Token &t = cur.take(what);
	std::string path = absolute_path(cur, t);

	if (const auto e = scope_.add_node(path, kind))
		cur.fail_at(t, *e);
	return path;
}

/* An existing directory, for a mount. */
std::string Parser::tree_dir(Cursor &cur, std::string_view what)
{
	const Token &t = cur.take(what);
	std::string path = absolute_path(cur, t);

	if (const auto e = scope_.use_dir(path))
		cur.fail_at(t, *e);
	return path;
}

/* "-> TARGET" of a symlink, tree line or step. */
std::string Parser::take_target(Cursor &cur)
{
	const Token &arrow = cur.take("'->'");

	if (arrow.text != "->")
		cur.fail_at(arrow, "expected '->', got " + quoted(arrow.text));
	const Token &t = cur.take("TARGET");
	if (const auto p = check_symlink_target(t.text))
		cur.fail_at(t.col + static_cast<int>(p->offset), p->message);
	return t.text;
}

/* ---- Steps ---- */

/* Reads "TASK: [NAME =]"; returns the index of the operation's keyword. */
std::size_t Parser::step_prefix(const Line &line, Step &step)
{
	const auto &toks = line.tokens;
	const Token &prefix = toks[0];
	const auto fail = [&](const Token &t, std::string message) {
		throw Failure{line.number, t.col, std::move(message)};
	};

	step.task = prefix.text.substr(0, prefix.text.size() - 1);
	step.loc = {line.number, prefix.col};
	if (!is_name(step.task))
		fail(prefix, "expected a task name before ':', got " + quoted(prefix.text));
	if (const auto e = scope_.use_task(step.task))
		fail(prefix, *e);
	if (toks.size() < 3 || toks[2].text != "=")
		return 1;
	if (!is_name(toks[1].text))
		fail(toks[1], "expected a name before '=' ([A-Za-z_][A-Za-z0-9_]*), got " +
				      quoted(toks[1].text));
	step.bind = toks[1].text;
	return 3;
}

void Parser::check_bind(const Line &line, const Step &step, std::size_t i,
			const OpSpec &spec)
{
	const Token &op = line.tokens[i];

	if (!step.bind.empty() && !spec.returns_fd)
		throw Failure{line.number, line.tokens[1].col,
			      "expected no 'NAME =': " + std::string(spec.keyword) +
				      " does not return a file descriptor"};
	if (step.bind.empty() && spec.keyword == "pass_fd")
		throw Failure{line.number, op.col,
			      "expected 'NAME =' before pass_fd: the name it binds "
			      "in the receiving task"};
}

/* Removes the "pause=K" words from @tokens and reads K. */
std::optional<int> Parser::parse_pause(int line, const std::vector<Token> &tokens)
{
	std::optional<int> pause;

	for (const auto &t : tokens) {
		if (!t.text.starts_with("pause="))
			continue;
		const auto v = to_int(t.text.substr(6));

		if (pause)
			throw Failure{line, t.col, "'pause=' given twice"};
		if (!v || *v < 0)
			throw Failure{line, t.col + 6,
				      "expected a number of path walk steps, got " +
					      quoted(t.text.substr(6))};
		pause = *v;
	}
	return pause;
}

/* The pieces of "EACCES|EXDEV", "EACCES | EXDEV"...: outcomes and '|'. */
std::vector<Token> split_alternatives(const std::vector<Token> &tokens)
{
	std::vector<Token> out;

	for (const auto &t : tokens) {
		std::size_t start = 0;

		while (start <= t.text.size()) {
			const auto bar = t.text.find('|', start);
			const auto item = t.text.substr(start, bar - start);
			const int col = t.col + static_cast<int>(start);

			if (!item.empty())
				out.push_back({std::string(item), col});
			if (bar == std::string::npos)
				break;
			out.push_back({"|", t.col + static_cast<int>(bar)});
			start = bar + 1;
		}
	}
	return out;
}

OutcomeSet Parser::parse_expect(int line, const Token &arrow,
				const std::vector<Token> &tokens)
{
	constexpr std::string_view what =
		"an outcome (ok, ok(N), N or an errno name such as EACCES)";
	OutcomeSet set;
	Token last = arrow;
	bool want = true;

	for (const auto &t : split_alternatives(tokens)) {
		const auto o = parse_outcome(t.text);

		if (t.text == "|" && want)
			throw Failure{line, t.col, "expected " + std::string(what) +
							   " before '|'"};
		if (t.text != "|" && !want)
			throw Failure{line, t.col, "expected '|' between outcomes, got " +
							   quoted(t.text)};
		if (t.text != "|" && !o)
			throw Failure{line, t.col, "expected " + std::string(what) +
							   ", got " + quoted(t.text)};
		if (o)
			set.add(*o);
		want = t.text == "|";
		last = t;
	}
	if (want)
		throw Failure{line, last.end_col(),
			      "expected " + std::string(what) + " after " + quoted(last.text)};
	return set;
}

/*
 * The words of a step after its keyword: the operation's own arguments, the
 * "pause=K" ones (anywhere among them) and the outcomes after "=>".
 */
struct StepWords {
	std::vector<Token> args;
	std::vector<Token> pauses;
	std::optional<Token> arrow;
	std::vector<Token> expect;
};

StepWords split_step(const Line &line, std::size_t keyword)
{
	StepWords w;

	for (std::size_t k = keyword + 1; k < line.tokens.size(); k++) {
		const Token &t = line.tokens[k];

		if (w.arrow)
			w.expect.push_back(t);
		else if (t.text == "=>")
			w.arrow = t;
		else if (t.text.starts_with("=>"))
			throw Failure{line.number, t.col + 2, "expected a space after '=>'"};
		else
			(t.text.starts_with("pause=") ? w.pauses : w.args).push_back(t);
	}
	return w;
}

/* The operation at @i and its spec, which must exist. */
const OpSpec &Parser::step_op(const Line &line, std::size_t i)
{
	const auto &toks = line.tokens;

	if (i >= toks.size())
		throw Failure{line.number, toks.back().end_col(),
			      "expected an operation after " + quoted(toks.back().text)};
	if (const OpSpec *spec = find_op(toks[i].text))
		return *spec;
	throw Failure{line.number, toks[i].col, "unknown operation " + quoted(toks[i].text)};
}

void Parser::parse_step(const Line &line)
{
	Step step;
	const std::size_t i = step_prefix(line, step);
	const OpSpec &spec = step_op(line, i);

	check_bind(line, step, i, spec);
	StepWords words = split_step(line, i);
	Cursor cur(line.number, std::move(words.args), line.tokens[i], spec.usage);

	step.op = (this->*spec.parse)(cur);
	cur.finish();
	step.pause = parse_pause(line.number, words.pauses);
	if (words.arrow)
		step.expect = parse_expect(line.number, *words.arrow, words.expect);
	if (!step.bind.empty())
		scope_.bind_fd(step.bind);
	section_ = Section::steps;
	trace_.steps.push_back(std::move(step));
}

/* ---- Arguments ---- */

FdRef Parser::fd_ref(const Cursor &cur, std::string_view text, int col) const
{
	FdRef fd;

	if (!text.empty() && (text[0] == '-' || (text[0] >= '0' && text[0] <= '9'))) {
		const auto v = to_int(text);

		if (!v)
			cur.fail_at(col, "expected an fd number (a 32-bit integer), got " +
						 quoted(text));
		fd.raw = *v;
		return fd;
	}
	if (!is_name(text))
		cur.fail_at(col, "expected FD (a bound name or a number), got " +
					 quoted(text));
	if (const auto e = scope_.use_fd(text))
		cur.fail_at(col, *e);
	fd.name = text;
	return fd;
}

FdRef Parser::take_fd(Cursor &cur)
{
	const Token &t = cur.take("FD");

	return fd_ref(cur, t.text, t.col);
}

PathRef Parser::path_ref(const Cursor &cur, std::string_view text, int col) const
{
	const auto slash = text.find('/');

	if (text.starts_with('/')) {
		if (const auto p = check_absolute_path(text))
			cur.fail_at(col + static_cast<int>(p->offset), p->message);
		return PathRef{std::string(text), ""};
	}
	if (!text.starts_with('$'))
		cur.fail_at(col, "expected PATH (/abs or $D/rel), got " + quoted(text));
	const auto name = text.substr(1, slash - 1);
	if (!is_name(name))
		cur.fail_at(col + 1, "expected an fd name after '$' ($D/b/c), got " +
					     quoted(name));
	if (const auto e = scope_.use_fd(name))
		cur.fail_at(col + 1, *e);
	if (slash == std::string_view::npos)
		cur.fail_at(col + static_cast<int>(text.size()),
			    "expected '/' and a path relative to " + quoted(name) +
				    " ($D/b/c)");
	const auto rel = text.substr(slash + 1);
	if (const auto p = check_relative_path(rel))
		cur.fail_at(col + static_cast<int>(slash + 1 + p->offset), p->message);
	return PathRef{std::string(rel), std::string(name)};
}

PathRef Parser::take_path(Cursor &cur, std::string_view what)
{
	const Token &t = cur.take(what);

	return path_ref(cur, t.text, t.col);
}

std::string Parser::take_task(Cursor &cur)
{
	const Token &t = cur.take("TASK");

	if (!is_name(t.text))
		cur.fail_at(t, "expected a task name, got " + quoted(t.text));
	if (const auto e = scope_.use_task(t.text))
		cur.fail_at(t, *e);
	return t.text;
}

std::string Parser::take_new_task(Cursor &cur)
{
	const Token &t = cur.take("NAME");

	if (!is_name(t.text))
		cur.fail_at(t, "expected a task name ([A-Za-z_][A-Za-z0-9_]*), got " +
				       quoted(t.text));
	if (const auto e = scope_.add_task(t.text))
		cur.fail_at(t, *e);
	return t.text;
}

std::uint16_t port_at(const Cursor &cur, std::string_view text, int col)
{
	const auto v = to_u64(text);

	if (!v || *v > UINT16_MAX)
		cur.fail_at(col, "expected a port from 0 to 65535, got " + quoted(text));
	return static_cast<std::uint16_t>(*v);
}

SockAddr Parser::addr(const Cursor &cur, const Token &t) const
{
	constexpr std::pair<std::string_view, std::pair<AddrFamily, bool>> prefixes[] = {
		{"any:", {AddrFamily::inet, true}},
		{"unspec:", {AddrFamily::unspec, false}},
		{"unspec-any:", {AddrFamily::unspec, true}},
	};
	SockAddr a;

	if (t.text.starts_with('@')) {
		a.family = AddrFamily::unix_abstract;
		a.name = t.text.substr(1);
		return a;
	}
	if (t.text.starts_with('/') || t.text.starts_with('$')) {
		a.family = AddrFamily::unix_path;
		a.path = path_ref(cur, t.text, t.col);
		return a;
	}
	for (const auto &[prefix, form] : prefixes) {
		if (!t.text.starts_with(prefix))
			continue;
		a.family = form.first;
		a.any = form.second;
		a.port = port_at(cur, t.text.substr(prefix.size()),
				 t.col + static_cast<int>(prefix.size()));
		return a;
	}
	if (t.text[0] < '0' || t.text[0] > '9')
		cur.fail_at(t, "expected " + std::string(addr_forms) + ", got " +
				       quoted(t.text));
	a.port = port_at(cur, t.text, t.col);
	return a;
}

SockAddr Parser::take_addr(Cursor &cur)
{
	SockAddr a = addr(cur, cur.take(addr_forms));

	if (!cur.done() && cur.peek().text.starts_with("addrlen=")) {
		const Token &t = cur.take("addrlen=N");
		const auto v = to_u64(t.text.substr(8));

		if (!v || *v > UINT_MAX)
			cur.fail_at(t.col + 8, "expected a length in bytes, got " +
						       quoted(t.text.substr(8)));
		a.addrlen = static_cast<unsigned>(*v);
	}
	return a;
}

/* ---- Landlock ---- */

Op Parser::parse_create_ruleset(Cursor &cur)
{
	const Options opts(cur, {"fs", "net", "scoped", "quiet_fs", "quiet_net",
				 "quiet_scoped", "size", "flags", "attr", "trailing"});
	CreateRuleset c;

	c.handled_fs = opts.mask("fs", fs_access_names(), "an fs access right");
	c.handled_net = opts.mask("net", net_access_names(), "a net access right");
	c.scoped = opts.mask("scoped", scope_names(), "a scope");
	c.quiet_fs = opts.mask("quiet_fs", fs_access_names(), "an fs access right");
	c.quiet_net = opts.mask("quiet_net", net_access_names(), "a net access right");
	c.quiet_scoped = opts.mask("quiet_scoped", scope_names(), "a scope");
	if (opts.get("size"))
		c.size = opts.number("size", UINT64_MAX);
	c.flags = opts.flags("flags", create_flag_names(), "a create_ruleset flag");
	c.attr_null = opts.word("attr", "null");
	c.trailing_garbage = opts.word("trailing", "garbage");
	/* flags= alone is the version or errata query: attr NULL, size 0. */
	if (opts.size() == 1 && opts.get("flags"))
		c.attr_null = true;
	return c;
}

Op Parser::parse_add_rule(Cursor &cur)
{
	AddRule r;

	r.ruleset = take_fd(cur);
	const Token &kind = cur.more("a rule: path_beneath, net_port or type=N");
	if (kind.text == "path_beneath")
		return parse_path_beneath(cur, std::move(r));
	if (kind.text == "net_port")
		return parse_net_port(cur, std::move(r));
	if (kind.text.starts_with("type="))
		return parse_rule_type(cur, std::move(r));
	cur.fail_at(kind, "expected path_beneath, net_port or type=N, got " +
				  quoted(kind.text));
}

AddRule Parser::parse_path_beneath(Cursor &cur, AddRule r)
{
	cur.take("path_beneath");
	const Token &t = cur.take("PATH or fd=FD");
	if (t.text.starts_with("fd="))
		r.parent = fd_ref(cur, t.text.substr(3), t.col + 3);
	else
		r.path = path_ref(cur, t.text, t.col);
	const Options opts(cur, {"fs", "flags"});

	r.type = rule_type::path_beneath;
	opts.require("fs", "fs=MASK");
	r.allowed = opts.mask("fs", fs_access_names(), "an fs access right");
	r.flags = opts.flags("flags", rule_flag_names(), "an add_rule flag");
	return r;
}

AddRule Parser::parse_net_port(Cursor &cur, AddRule r)
{
	cur.take("net_port");
	const Token &t = cur.take("PORT");
	const auto port = to_u64(t.text);

	if (!port)
		cur.fail_at(t, "expected a port number, got " + quoted(t.text));
	const Options opts(cur, {"net", "flags"});

	r.type = rule_type::net_port;
	r.port = *port;
	opts.require("net", "net=MASK");
	r.allowed = opts.mask("net", net_access_names(), "a net access right");
	r.flags = opts.flags("flags", rule_flag_names(), "an add_rule flag");
	return r;
}

AddRule Parser::parse_rule_type(Cursor &cur, AddRule r)
{
	const Options opts(cur, {"type", "attr", "fs", "net", "port", "flags"});
	const Option *fs = opts.get("fs");
	const Option *net = opts.get("net");

	/* Both name the one allowed_access field: which names is the only difference. */
	if (fs && net)
		cur.fail_at(std::max(fs->token.col, net->token.col),
			    "expected fs= or net=, not both: they set the same "
			    "allowed_access");
	r.type = static_cast<std::uint32_t>(opts.number("type", UINT32_MAX));
	r.attr_null = opts.word("attr", "null");
	r.allowed = fs ? opts.mask("fs", fs_access_names(), "an fs access right")
		       : opts.mask("net", net_access_names(), "a net access right");
	r.port = opts.number("port", UINT64_MAX);
	r.flags = opts.flags("flags", rule_flag_names(), "an add_rule flag");
	return r;
}

Op Parser::parse_restrict_self(Cursor &cur)
{
	RestrictSelf r;

	r.ruleset = take_fd(cur);
	const Options opts(cur, {"flags"});
	r.flags = opts.flags("flags", restrict_flag_names(), "a restrict_self flag");
	return r;
}

/* ---- Files ---- */

Op Parser::parse_open(Cursor &cur)
{
	Open o;

	o.path = take_path(cur);
	const Token &mode = cur.take("MODE (rdonly, wronly, rdwr, accmode3 or path)");
	if (mode.text == open_path_mode) {
		o.flags |= open_flag::path;
	} else if (const auto m = find_word(open_mode_words, mode.text)) {
		o.accmode = *m;
	} else {
		cur.fail_at(mode, "expected MODE (rdonly, wronly, rdwr, accmode3 or "
				  "path), got " + quoted(mode.text));
	}
	while (!cur.done()) {
		const Token &t = cur.take("FLAG");
		const auto f = find_word(open_flag_words, t.text);

		if (!f)
			cur.fail_at(t, "expected an open flag (" +
					       word_list(open_flag_words) + "), got " +
					       quoted(t.text));
		if (o.flags & *f)
			cur.fail_at(t, quoted(t.text) + " given twice");
		o.flags |= *f;
	}
	return o;
}

Op Parser::parse_ioctl(Cursor &cur)
{
	Ioctl i;

	i.fd = take_fd(cur);
	const Token &t = cur.take("CMD");
	const auto c = find_word(ioctl_cmd_words, t.text);
	if (!c)
		cur.fail_at(t, "expected CMD (" + word_list(ioctl_cmd_words) +
				       "), got " + quoted(t.text));
	i.cmd = *c;
	return i;
}

Op Parser::parse_mknod(Cursor &cur)
{
	Mknod m;

	m.path = take_path(cur);
	const Token &t = cur.take("KIND");
	const auto k = find_word(mknod_kind_words, t.text);
	if (!k)
		cur.fail_at(t, "expected KIND (" + word_list(mknod_kind_words) +
				       "), got " + quoted(t.text));
	m.kind = *k;
	if (cur.done())
		return m;
	if (m.kind != MknodKind::chr && m.kind != MknodKind::blk)
		cur.fail_at(cur.peek(), "expected no more arguments: only char and "
					"block devices have a MAJ:MIN");
	parse_device(cur, cur.take("MAJ:MIN"), m.major, m.minor);
	return m;
}

Op Parser::parse_symlink(Cursor &cur)
{
	Symlink s;

	s.path = take_path(cur);
	s.target = take_target(cur);
	return s;
}

Op Parser::parse_link(Cursor &cur)
{
	Link l;

	l.from = take_path(cur, "FROM");
	l.to = take_path(cur, "TO");
	return l;
}

Op Parser::parse_rename(Cursor &cur)
{
	Rename r;

	r.from = take_path(cur, "FROM");
	r.to = take_path(cur, "TO");
	while (!cur.done()) {
		const Token &t = cur.take("FLAG");
		const auto f = find_word(rename_flag_words, t.text);

		if (!f)
			cur.fail_at(t, "expected a rename flag (" +
					       word_list(rename_flag_words) + "), got " +
					       quoted(t.text));
		if (r.flags & *f)
			cur.fail_at(t, quoted(t.text) + " given twice");
		r.flags |= *f;
	}
	return r;
}

Op Parser::parse_mount(Cursor &cur)
{
	const Token &kind = cur.take("tmpfs or bind");
	Mount m;

	if (kind.text == "bind") {
		m.kind = MountKind::bind;
		m.source = take_path(cur, "SRC");
	} else if (kind.text != "tmpfs") {
		cur.fail_at(kind, "expected tmpfs or bind, got " + quoted(kind.text));
	}
	m.path = take_path(cur);
	return m;
}

/* ---- Network, IPC and tasks ---- */

Op Parser::parse_socket(Cursor &cur)
{
	const Token &t = cur.take("KIND");
	const auto k = find_word(sock_kind_words, t.text);

	if (!k)
		cur.fail_at(t, "expected KIND (" + word_list(sock_kind_words) +
				       "), got " + quoted(t.text));
	return Socket{*k};
}

Op Parser::parse_bind(Cursor &cur)
{
	Bind b;

	b.fd = take_fd(cur);
	b.addr = take_addr(cur);
	return b;
}

Op Parser::parse_connect(Cursor &cur)
{
	Connect c;

	c.fd = take_fd(cur);
	c.addr = take_addr(cur);
	return c;
}

Op Parser::parse_sendto(Cursor &cur)
{
	SendTo s;

	s.fd = take_fd(cur);
	if (!cur.done())
		s.addr = take_addr(cur);
	return s;
}

Op Parser::parse_signal(Cursor &cur, bool thread)
{
	Kill k;

	k.target = take_task(cur);
	k.thread = thread;
	const Options opts(cur, {"sig"});
	if (const Option *o = opts.get("sig")) {
		const auto v = to_int(o->value);

		if (!v)
			cur.fail_at(o->value_col, "expected a signal number, got " +
							  quoted(o->value));
		k.sig = *v;
	}
	return k;
}

Op Parser::parse_pass_fd(Cursor &cur)
{
	PassFd p;

	p.fd = take_fd(cur);
	const Token &to = cur.take("'to'");
	if (to.text != "to")
		cur.fail_at(to, "expected 'to', got " + quoted(to.text));
	p.to = take_task(cur);
	return p;
}

Op Parser::parse_get_supervisee(Cursor &cur)
{
	GetSupervisee g;

	g.fd = take_fd(cur);
	const Options opts(cur, {"flags"});
	g.flags = static_cast<std::uint32_t>(opts.number("flags", UINT32_MAX));
	return g;
}

/*
 * The whole of @path into @text; 0 or an errno.  Plain read(2), so that the
 * error is the system's own (EISDIR for a directory, say).
 */
int read_file(const std::string &path, std::string &text)
{
	const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
	char buf[8192];
	int err = 0;

	if (fd < 0)
		return errno;
	while (true) {
		const ssize_t n = ::read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : 0;
			break;
		}
		text.append(buf, static_cast<std::size_t>(n));
	}
	::close(fd);
	return err;
}

} // namespace

std::string ParseError::format() const
{
	if (line <= 0)
		return file + ": " + message;
	return file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " +
	       message;
}

std::string trace_name(std::string_view path)
{
	const auto slash = path.rfind('/');

	if (slash != std::string_view::npos)
		path.remove_prefix(slash + 1);
	if (path.ends_with(".trace") && path.size() > 6)
		path.remove_suffix(6);
	return std::string(path);
}

ParseResult parse_trace(std::string_view text, std::string_view filename,
			std::string_view name)
{
	Parser parser(name.empty() ? trace_name(filename) : std::string(name));

	try {
		return parser.parse(lex(text));
	} catch (const Failure &f) {
		return ParseError{std::string(filename), f.line, f.col, f.message};
	}
}

ParseResult parse_trace_file(const std::string &path, std::string_view name)
{
	std::string text;

	if (const int err = read_file(path, text))
		return ParseError{path, 0, 0, std::string("cannot read: ") + std::strerror(err)};
	return parse_trace(text, path, name);
}

} // namespace lockstep::trace

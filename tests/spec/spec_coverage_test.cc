// SPDX-License-Identifier: GPL-2.0-only
/*
 * SPEC.md coverage: every rule ID SPEC.md defines is cited by a test, and
 * every ID a test (or the code) cites is defined.
 *
 * A rule is defined by a paragraph starting with its ID in bold brackets;
 * a test cites an ID by writing it in brackets in a comment.  Only comments
 * count, so that code such as "a[b.c]" is never taken for a citation.
 *
 * The one exemption: the supervisor extension's IDs ("sup." prefix) while
 * SPEC.md defines none of them, because the lead has not written that
 * chapter yet.  Once one "sup." ID is defined, the exemption ends and they
 * are checked like all the others.
 */
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fsys = std::filesystem;

const fsys::path source_dir = LOCKSTEP_SOURCE_DIR;

/* A rule ID: lower-case words joined by dots, at least two. */
const std::regex id_re(R"(\[([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)\])");
/* A definition: a paragraph that starts with the ID in bold. */
const std::regex def_re(R"(^\*\*\[([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)\]\*\*)");

constexpr std::string_view exempt_prefix = "sup.";

std::string read(const fsys::path &p)
{
	std::ifstream in(p);
	std::stringstream ss;

	ss << in.rdbuf();
	return ss.str();
}

/* Every ID matched by @re's first group in @text, with @where (file:line). */
void collect(const std::string &text, const std::regex &re, const std::string &where,
	     std::map<std::string, std::vector<std::string>> &out)
{
	for (auto it = std::sregex_iterator(text.begin(), text.end(), re);
	     it != std::sregex_iterator(); ++it)
		out[(*it)[1]].push_back(where);
}

/*
 * The comments of a C++ source, one string per line (the comment text of
 * that line, empty if none); string and character literals are skipped.
 */
std::vector<std::string> comments(const std::string &src)
{
	std::vector<std::string> lines(1);
	enum { code, line_comment, block_comment, string, character } st = code;

	for (std::size_t i = 0; i < src.size(); i++) {
		const char ch = src[i];
		const char next = i + 1 < src.size() ? src[i + 1] : '\0';

		if (ch == '\n') {
			lines.emplace_back();
			if (st == line_comment)
				st = code;
			continue;
		}
		switch (st) {
		case code:
			if (ch == '/' && next == '/')
				st = line_comment, i++;
			else if (ch == '/' && next == '*')
				st = block_comment, i++;
			else if (ch == '"')
				st = string;
			else if (ch == '\'')
				st = character;
			break;
		case line_comment:
			lines.back() += ch;
			break;
		case block_comment:
			if (ch == '*' && next == '/')
				st = code, i++;
			else
				lines.back() += ch;
			break;
		case string:
		case character:
			if (ch == '\\')
				i++;
			else if (ch == (st == string ? '"' : '\''))
				st = code;
			break;
		}
	}
	return lines;
}

/* IDs cited in the comments of every .cc and .h file under @dir. */
std::map<std::string, std::vector<std::string>> citations(const fsys::path &dir,
							  const fsys::path &skip = {})
{
	std::map<std::string, std::vector<std::string>> out;

	for (const auto &e : fsys::recursive_directory_iterator(dir)) {
		const auto ext = e.path().extension();

		if (!e.is_regular_file() || (ext != ".cc" && ext != ".h"))
			continue;
		if (!skip.empty() && fsys::exists(skip) && fsys::equivalent(e.path(), skip))
			continue;
		const auto lines = comments(read(e.path()));
		const auto name = fsys::relative(e.path(), source_dir).string();
		for (std::size_t n = 0; n < lines.size(); n++)
			collect(lines[n], id_re, name + ":" + std::to_string(n + 1), out);
	}
	return out;
}

struct Spec {
	std::map<std::string, std::vector<std::string>> defined;
	std::map<std::string, std::vector<std::string>> mentioned;
};

Spec read_spec()
{
	Spec s;
	std::istringstream in(read(source_dir / "SPEC.md"));
	std::string line;

	for (int n = 1; std::getline(in, line); n++) {
		collect(line, def_re, "SPEC.md:" + std::to_string(n), s.defined);
		collect(line, id_re, "SPEC.md:" + std::to_string(n), s.mentioned);
	}
	return s;
}

bool defines_any_exempt(const Spec &s)
{
	return std::any_of(s.defined.begin(), s.defined.end(),
			   [](const auto &d) { return d.first.starts_with(exempt_prefix); });
}

/* The IDs of @cited that @spec does not define, with where they are. */
std::string undefined(const Spec &spec,
		      const std::map<std::string, std::vector<std::string>> &cited)
{
	const bool exemption = !defines_any_exempt(spec);
	std::string out;

	for (const auto &[id, where] : cited) {
		if (spec.defined.count(id))
			continue;
		if (exemption && id.starts_with(exempt_prefix))
			continue;
		out += "  [" + id + "] at " + where.front() + "\n";
	}
	return out;
}

const fsys::path self = fsys::path(__FILE__);

TEST(SpecCoverage, SpecDefinesRules)
{
	const Spec s = read_spec();

	/* A broken regex or a moved SPEC.md must not make the checks vacuous. */
	EXPECT_GT(s.defined.size(), 80u);
	EXPECT_TRUE(s.defined.count("fs.walk.layers"));
	EXPECT_TRUE(s.defined.count("refer.exdev"));
	EXPECT_TRUE(s.defined.count("abi.gating"));
}

TEST(SpecCoverage, EachRuleIsDefinedOnce)
{
	std::string twice;

	for (const auto &[id, where] : read_spec().defined)
		if (where.size() > 1)
			twice += "  [" + id + "] at " + where[0] + " and " + where[1] + "\n";
	EXPECT_EQ(twice, "") << "rules defined more than once:\n" << twice;
}

TEST(SpecCoverage, EveryRuleIsCitedByATest)
{
	const Spec spec = read_spec();
	const auto cited = citations(source_dir / "tests", self);
	std::string missing;

	for (const auto &[id, where] : spec.defined)
		if (!cited.count(id))
			missing += "  [" + id + "] (" + where.front() + ")\n";
	EXPECT_EQ(missing, "") << "rules no test cites:\n" << missing;
}

TEST(SpecCoverage, TestsCiteOnlyDefinedRules)
{
	const std::string bad = undefined(read_spec(), citations(source_dir / "tests", self));

	EXPECT_EQ(bad, "") << "tests cite rules SPEC.md does not define:\n" << bad;
}

TEST(SpecCoverage, SpecMentionsOnlyDefinedRules)
{
	const Spec spec = read_spec();
	const std::string bad = undefined(spec, spec.mentioned);

	EXPECT_EQ(bad, "") << "SPEC.md refers to rules it does not define:\n" << bad;
}

TEST(SpecCoverage, CodeCitesOnlyDefinedRules)
{
	const Spec spec = read_spec();
	std::string bad;

	for (const char *dir : {"model", "conformance", "tools"})
		bad += undefined(spec, citations(source_dir / dir));
	EXPECT_EQ(bad, "") << "code cites rules SPEC.md does not define:\n" << bad;
}

/* The checks above rely on these two helpers: make sure they can fail. */
TEST(SpecCoverage, OnlyCommentsCite)
{
	const auto lines = comments("x = a[b.c]; // [fs.make]\n"
				    "s = \"[fs.open] // [no.cite]\"; /* [fs.read]\n"
				    "   [fs.exec] */ y[p.q] = 0;\n");
	std::map<std::string, std::vector<std::string>> ids;

	for (const auto &l : lines)
		collect(l, id_re, "", ids);
	std::set<std::string> got;
	for (const auto &[id, where] : ids)
		got.insert(id);
	EXPECT_EQ(got, (std::set<std::string>{"fs.exec", "fs.make", "fs.read"}));
}

TEST(SpecCoverage, ExemptionIsOnlyForSupervisorIdsWhileUndefined)
{
	Spec spec;
	const std::map<std::string, std::vector<std::string>> cited{
		{"sup.commit", {"t.cc:1"}}, {"fs.nope", {"t.cc:2"}}};

	spec.defined["fs.make"] = {"SPEC.md:1"};
	EXPECT_EQ(undefined(spec, cited), "  [fs.nope] at t.cc:2\n");
	spec.defined["sup.check"] = {"SPEC.md:2"};
	EXPECT_EQ(undefined(spec, cited), "  [fs.nope] at t.cc:2\n  [sup.commit] at t.cc:1\n");
}

} // namespace

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the trace lexer: words, exact columns, comments.
 */
#include "conformance/trace/lexer.h"

#include <gtest/gtest.h>

namespace lockstep::trace {
namespace {

std::vector<std::string> words(const Line &line)
{
	std::vector<std::string> out;

	for (const auto &t : line.tokens)
		out.push_back(t.text);
	return out;
}

std::vector<int> columns(const Line &line)
{
	std::vector<int> out;

	for (const auto &t : line.tokens)
		out.push_back(t.col);
	return out;
}

TEST(Lexer, SplitsOnSpacesAndTabsWithOneBasedColumns)
{
	const Line line = lex_line("main:  r1 =\tcreate_ruleset fs=read_file", 7);

	EXPECT_EQ(line.number, 7);
	EXPECT_EQ(words(line), (std::vector<std::string>{"main:", "r1", "=",
							 "create_ruleset", "fs=read_file"}));
	/* A tab counts as one column. */
	EXPECT_EQ(columns(line), (std::vector<int>{1, 8, 11, 13, 28}));
	EXPECT_FALSE(line.comment);
}

TEST(Lexer, LeadingWhitespaceShiftsColumns)
{
	const Line line = lex_line("\t  dir /a", 1);

	EXPECT_EQ(columns(line), (std::vector<int>{4, 8}));
	EXPECT_EQ(line.tokens[1].end_col(), 10);
}

TEST(Lexer, CommentAfterWhitespaceEndsTheLine)
{
	const Line line = lex_line("dir /a # the a directory", 1);

	EXPECT_EQ(words(line), (std::vector<std::string>{"dir", "/a"}));
	ASSERT_TRUE(line.comment);
	EXPECT_EQ(*line.comment, "the a directory");
	EXPECT_EQ(line.text, "dir /a");
}

TEST(Lexer, HashInsideAWordIsNotAComment)
{
	const Line line = lex_line("file /a#b", 1);

	EXPECT_EQ(words(line), (std::vector<std::string>{"file", "/a#b"}));
	EXPECT_FALSE(line.comment);
}

TEST(Lexer, CommentOnlyLinesKeepTheirTextWithoutOneSpace)
{
	EXPECT_EQ(*lex_line("# Expected: EACCES", 1).comment, "Expected: EACCES");
	EXPECT_EQ(*lex_line("#", 1).comment, "");
	EXPECT_EQ(*lex_line("#  indented", 1).comment, " indented");
	EXPECT_EQ(*lex_line("#no space", 1).comment, "no space");
	EXPECT_TRUE(lex_line("   # x", 1).comment_only());
	EXPECT_FALSE(lex_line("dir /a # x", 1).comment_only());
}

TEST(Lexer, BlankLines)
{
	EXPECT_TRUE(lex_line("", 1).blank());
	EXPECT_TRUE(lex_line(" \t ", 1).blank());
	EXPECT_FALSE(lex_line("#", 1).blank());
	EXPECT_FALSE(lex_line("x", 1).blank());
}

TEST(Lexer, CarriageReturnIsDropped)
{
	const Line line = lex_line("dir /a\r", 1);

	EXPECT_EQ(words(line), (std::vector<std::string>{"dir", "/a"}));
	EXPECT_EQ(line.text, "dir /a");
}

TEST(Lexer, EveryTrailingCarriageReturnIsDropped)
{
	const Line line = lex_line("# doc\r\r\r", 1);

	ASSERT_TRUE(line.comment.has_value());
	EXPECT_EQ(*line.comment, "doc");
}

TEST(Lexer, RestKeepsInnerSpacing)
{
	const Line line = lex_line("requires model  two  spaces\there  # note", 1);

	EXPECT_EQ(line.rest(2), "two  spaces\there");
	EXPECT_EQ(line.rest(9), "");
}

TEST(Lexer, LinesAreNumberedFromOne)
{
	const auto lines = lex("dir /a\n\n# c\nfile /a/f");

	ASSERT_EQ(lines.size(), 4u);
	EXPECT_EQ(lines[0].number, 1);
	EXPECT_TRUE(lines[1].blank());
	EXPECT_TRUE(lines[2].comment_only());
	EXPECT_EQ(lines[3].number, 4);
	EXPECT_EQ(words(lines[3]), (std::vector<std::string>{"file", "/a/f"}));
}

TEST(Lexer, FinalNewlineDoesNotAddALine)
{
	EXPECT_EQ(lex("dir /a\n").size(), 1u);
	EXPECT_EQ(lex("dir /a\n\n").size(), 2u);
	EXPECT_TRUE(lex("").empty());
}

} // namespace
} // namespace lockstep::trace

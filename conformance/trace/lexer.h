/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep trace language - Lexer
 *
 * Traces are line oriented (conformance/LANGUAGE.md, "Lexical rules"): a
 * line is a list of words separated by spaces or tabs, optionally followed
 * by a comment.  The lexer only splits; what the words mean is the parser's
 * business.  Every token keeps its exact column so that errors can point at
 * it.
 */
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockstep::trace {

/**
 * struct Token - one word of a line
 *
 * @text: the word, never empty, without spaces or tabs.
 * @col: 1-based column of its first character.  Columns count bytes, so a
 *       tab counts as one column.
 */
struct Token {
	std::string text;
	int col = 0;

	/* Column just after the token: where a missing next word would go. */
	int end_col() const { return col + static_cast<int>(text.size()); }
	bool operator==(const Token &) const = default;
};

/**
 * struct Line - one line of a trace file
 *
 * @number: 1-based line number.
 * @tokens: the words before the comment, if any.
 * @comment: the comment's text after '#' and one optional space, when the
 *           line has a comment.
 * @text: the line without its comment and without trailing whitespace (a
 *        trailing '\r' is dropped too, for files with CRLF line ends).
 */
struct Line {
	int number = 0;
	std::vector<Token> tokens;
	std::optional<std::string> comment;
	std::string text;

	/* No word and no comment. */
	bool blank() const { return tokens.empty() && !comment; }
	/* A comment alone on its line. */
	bool comment_only() const { return tokens.empty() && comment.has_value(); }
	/* The line's text from token @i to its end, inner spacing preserved. */
	std::string rest(std::size_t i) const;

	bool operator==(const Line &) const = default;
};

/*
 * Split @text into lines and the lines into tokens.  '#' starts a comment
 * only at the start of a word, so "a#b" is one word.  Never fails: every
 * sequence of bytes is a list of lines of words.
 */
std::vector<Line> lex(std::string_view text);

/* The tokens and comment of one line (without its '\n'). */
Line lex_line(std::string_view raw, int number);

} // namespace lockstep::trace

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep trace language - Reading the words of one line
 *
 * The parser's toolkit, internal to conformance/trace/: a Cursor over the
 * words of a line, the KEY=VALUE Options that end many lines, and numbers
 * and masks read with the exact column of a bad value.  Errors are thrown
 * as a Failure, which parse_trace() turns into a ParseError.
 */
#pragma once

#include "conformance/trace/lexer.h"
#include "model/access.h"

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lockstep::trace {

/*
 * The first error ends the parse.  The parser's helpers throw it and
 * parse_trace() catches it, so that each helper reads like the grammar it
 * implements, without error plumbing.  It never escapes parse_trace().
 */
struct Failure {
	int line;
	int col;
	std::string message;
};

/* "'s'", for messages. */
std::string quoted(std::string_view s);

/* A number: decimal, or hexadecimal with "0x" (LANGUAGE.md). */
std::optional<std::uint64_t> to_u64(std::string_view s);

/* A number that may be negative (raw fds, signals), in int's range. */
std::optional<int> to_int(std::string_view s);

/* "a, b, all or a number": the names of a model table, for messages. */
std::string name_list(std::span<const FlagName> names);

/**
 * class Cursor - the words of one line after its keyword, left to right
 *
 * A missing word is reported just after the last one consumed, which is
 * where the author has to insert it, along with the usage of the line.
 */
class Cursor {
public:
	/* @last: the word before @tokens (the keyword); @usage: for messages. */
	Cursor(int line, std::vector<Token> tokens, Token last, std::string_view usage);

	bool done() const { return pos_ == tokens_.size(); }
	/* The next word; only when !done(). */
	const Token &peek() const { return tokens_[pos_]; }
	std::string_view usage() const { return usage_; }

	/* Consumes the next word, which must exist: it is @what ("PATH"). */
	const Token &take(std::string_view what);
	/* The next word without consuming it; it must exist. */
	const Token &more(std::string_view what) const;
	/* Fails unless every word has been consumed. */
	void finish() const;
	/* Fails: @what was required but is missing at the end of the line. */
	[[noreturn]] void missing(std::string_view what) const;
	/* Fails with @message at column @col of the line. */
	[[noreturn]] void fail_at(int col, std::string message) const;
	[[noreturn]] void fail_at(const Token &t, std::string message) const;

private:
	int line_;
	std::vector<Token> tokens_;
	std::size_t pos_ = 0;
	Token last_;
	std::string usage_;
};

/*
 * A mask read from @text at column @col: names of @names joined by ',',
 * "all" or numbers, as the model's parse_mask() decides.  @what names one
 * element for messages ("an fs access right").
 */
AccessMask parse_mask_at(const Cursor &cur, std::string_view text, int col,
			 std::span<const FlagName> names, std::string_view what);

/* One KEY=VALUE argument: its word, and where its value starts. */
struct Option {
	Token token;
	std::string value;
	int value_col = 0;
};

/**
 * class Options - the KEY=VALUE arguments ending a line
 *
 * In any order, each at most once: the printer writes them in LANGUAGE.md's
 * order, but an author need not.  The accessors read a value and fail at its
 * column when it is malformed.
 */
class Options {
public:
	/* Consumes every remaining word of @cur as one of @keys. */
	Options(Cursor &cur, std::initializer_list<std::string_view> keys);

	const Option *get(std::string_view key) const;
	std::size_t size() const { return items_.size(); }

	/* The option @key, which must be given (@what: "fs=MASK"). */
	const Option &require(std::string_view key, std::string_view what) const;
	/* A mask of @names, 0 when absent (@what: "an fs access right"). */
	AccessMask mask(std::string_view key, std::span<const FlagName> names,
			std::string_view what) const;
	/* Flags: a mask that fits in 32 bits. */
	std::uint32_t flags(std::string_view key, std::span<const FlagName> names,
			    std::string_view what) const;
	/* A number, @limit at most; @fallback when absent. */
	std::uint64_t number(std::string_view key, std::uint64_t limit,
			     std::uint64_t fallback = 0) const;
	/* Whether @key=@word (attr=null) is given; any other value fails. */
	bool word(std::string_view key, std::string_view word) const;

private:
	void add(const Token &t, std::initializer_list<std::string_view> keys);

	const Cursor &cur_;
	std::map<std::string, Option, std::less<>> items_;
};

} // namespace lockstep::trace

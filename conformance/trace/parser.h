/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep trace language - Parser
 *
 * Reads the text form of conformance/LANGUAGE.md into a lockstep::Trace
 * (model/ops.h), checking it statically on the way (validate.h).  The first
 * error stops the parse: it is reported as one precise line,
 * "FILE:LINE:COL: expected ...", which is what a trace author needs.
 */
#pragma once

#include "model/ops.h"

#include <string>
#include <string_view>
#include <variant>

namespace lockstep::trace {

/**
 * struct ParseError - why a trace was rejected, and where
 *
 * @file: the file name as given to the parser.
 * @line: 1-based line; 0 when the error is about the whole file.
 * @col: 1-based column (bytes; a tab is one column); 0 with @line 0.
 * @message: one line saying what was expected ("expected PATH ...").
 */
struct ParseError {
	std::string file;
	int line = 0;
	int col = 0;
	std::string message;

	/* "FILE:LINE:COL: MESSAGE", or "FILE: MESSAGE" without a position. */
	std::string format() const;
	bool operator==(const ParseError &) const = default;
};

/**
 * class ParseResult - a parsed trace, or the first error in it
 */
class ParseResult {
public:
	ParseResult(Trace trace) : value_(std::move(trace)) {}
	ParseResult(ParseError error) : value_(std::move(error)) {}

	bool ok() const { return std::holds_alternative<Trace>(value_); }
	/* The trace; only when ok(). */
	const Trace &trace() const { return std::get<Trace>(value_); }
	Trace &trace() { return std::get<Trace>(value_); }
	/* The error; only when !ok(). */
	const ParseError &error() const { return std::get<ParseError>(value_); }

private:
	std::variant<Trace, ParseError> value_;
};

/**
 * parse_trace() - parse the text of a trace
 * @text: the whole file.
 * @filename: used in error messages, and for the trace's name.
 * @name: the trace's name; by default, @filename's stem (trace_name()).
 */
ParseResult parse_trace(std::string_view text, std::string_view filename,
			std::string_view name = {});

/**
 * parse_trace_file() - read and parse a trace file
 * @path: the file; a read error is "PATH: cannot read: REASON".
 * @name: as for parse_trace().
 */
ParseResult parse_trace_file(const std::string &path, std::string_view name = {});

/* A trace's default name: the basename of @path without ".trace". */
std::string trace_name(std::string_view path);

} // namespace lockstep::trace

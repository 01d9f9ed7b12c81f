// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep trace language - Lexer
 */
#include "conformance/trace/lexer.h"

namespace lockstep::trace {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* The comment text after '#': one space is the separator, not content. */
std::string comment_text(std::string_view after_hash)
{
	if (after_hash.starts_with(' '))
		after_hash.remove_prefix(1);
	return std::string(after_hash);
}

std::string_view trim_right(std::string_view s)
{
	while (!s.empty() && is_blank(s.back()))
		s.remove_suffix(1);
	return s;
}

} // namespace

std::string Line::rest(std::size_t i) const
{
	if (i >= tokens.size())
		return {};
	return text.substr(static_cast<std::size_t>(tokens[i].col - 1));
}

Line lex_line(std::string_view raw, int number)
{
	Line line;
	std::size_t i = 0;

	line.number = number;
	/*
	 * Every carriage return ending a line is line-ending noise, not
	 * content: dropping only one would leave a comment that changes each
	 * time it is printed and parsed again (found by fuzz_trace_parser).
	 */
	while (raw.ends_with('\r'))
		raw.remove_suffix(1);
	while (i < raw.size()) {
		if (is_blank(raw[i])) {
			i++;
			continue;
		}
		if (raw[i] == '#') {
			line.comment = comment_text(raw.substr(i + 1));
			raw = raw.substr(0, i);
			break;
		}
		const std::size_t start = i;

		while (i < raw.size() && !is_blank(raw[i]))
			i++;
		line.tokens.push_back({std::string(raw.substr(start, i - start)),
				       static_cast<int>(start) + 1});
	}
	line.text = std::string(trim_right(raw));
	return line;
}

std::vector<Line> lex(std::string_view text)
{
	std::vector<Line> lines;
	int number = 0;

	while (!text.empty()) {
		const auto nl = text.find('\n');

		lines.push_back(lex_line(text.substr(0, nl), ++number));
		text = nl == std::string_view::npos ? std::string_view{}
						    : text.substr(nl + 1);
	}
	return lines;
}

} // namespace lockstep::trace

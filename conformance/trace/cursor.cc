// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep trace language - Reading the words of one line
 */
#include "conformance/trace/cursor.h"

#include <charconv>
#include <climits>

namespace lockstep::trace {

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::optional<std::uint64_t> to_u64(std::string_view s)
{
	int base = 10;
	std::uint64_t v = 0;

	if (s.starts_with("0x")) {
		base = 16;
		s.remove_prefix(2);
	}
	if (s.empty())
		return std::nullopt;
	const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
	if (ec != std::errc{} || p != s.data() + s.size())
		return std::nullopt;
	return v;
}

std::optional<int> to_int(std::string_view s)
{
	const bool neg = s.starts_with('-');
	const auto u = to_u64(neg ? s.substr(1) : s);
	const std::uint64_t limit = neg ? 1ull + INT_MAX : INT_MAX;

	if (!u || *u > limit)
		return std::nullopt;
	return neg ? static_cast<int>(-static_cast<std::int64_t>(*u))
		   : static_cast<int>(*u);
}

std::string name_list(std::span<const FlagName> names)
{
	std::string out;

	for (const auto &n : names)
		out += std::string(n.name) + ", ";
	return out + "all or a number";
}

/* ---- Cursor ---- */

Cursor::Cursor(int line, std::vector<Token> tokens, Token last, std::string_view usage)
	: line_(line), tokens_(std::move(tokens)), last_(std::move(last)), usage_(usage)
{
}

const Token &Cursor::take(std::string_view what)
{
	more(what);
	last_ = tokens_[pos_];
	return tokens_[pos_++];
}

const Token &Cursor::more(std::string_view what) const
{
	if (done())
		missing(what);
	return peek();
}

void Cursor::finish() const
{
	if (!done())
		fail_at(peek(), "expected no more arguments, got " + quoted(peek().text) +
					" (usage: " + usage_ + ")");
}

void Cursor::missing(std::string_view what) const
{
	fail_at(last_.end_col(), "expected " + std::string(what) + " (usage: " +
					 usage_ + ")");
}

void Cursor::fail_at(int col, std::string message) const
{
	throw Failure{line_, col, std::move(message)};
}

void Cursor::fail_at(const Token &t, std::string message) const
{
	fail_at(t.col, std::move(message));
}

/* ---- Masks ---- */

/*
 * The model's parse_mask() decides what a mask is; when it refuses one, each
 * item is tried alone to point at the bad one.
 */
AccessMask parse_mask_at(const Cursor &cur, std::string_view text, int col,
			 std::span<const FlagName> names, std::string_view what)
{
	std::size_t start = 0;

	/* parse_mask() tolerates "a,"; an author who wrote it forgot a name. */
	if (text.ends_with(','))
		cur.fail_at(col + static_cast<int>(text.size()), "expected a name after ','");
	if (const auto m = parse_mask(names, text, nullptr))
		return *m;
	if (text.empty())
		cur.fail_at(col, "expected a mask: names joined by ',' (" +
					 name_list(names) + ")");
	while (true) {
		const auto comma = text.find(',', start);
		const auto item = text.substr(start, comma - start);
		const int at = col + static_cast<int>(start);

		if (item.empty())
			cur.fail_at(at, std::string("expected a name ") +
						(start ? "after ','" : "before ','"));
		if (!parse_mask(names, item, nullptr))
			cur.fail_at(at, "expected " + std::string(what) + " (" +
						name_list(names) + "), got " + quoted(item));
		if (comma == std::string_view::npos)
			cur.fail_at(col, "expected a mask (" + name_list(names) + ")");
		start = comma + 1;
	}
}

/* ---- Options ---- */

Options::Options(Cursor &cur, std::initializer_list<std::string_view> keys) : cur_(cur)
{
	while (!cur.done())
		add(cur.take("KEY=VALUE"), keys);
}

void Options::add(const Token &t, std::initializer_list<std::string_view> keys)
{
	const auto eq = t.text.find('=');
	const auto key = std::string_view(t.text).substr(0, eq);
	bool known = false;

	if (eq == std::string::npos || eq == 0)
		cur_.fail_at(t, "expected KEY=VALUE, got " + quoted(t.text) +
					" (usage: " + std::string(cur_.usage()) + ")");
	for (const auto k : keys)
		known |= k == key;
	if (!known)
		cur_.fail_at(t, "unknown argument " + quoted(std::string(key) + "=") +
					" (usage: " + std::string(cur_.usage()) + ")");
	if (items_.contains(key))
		cur_.fail_at(t, quoted(std::string(key) + "=") + " given twice");
	items_.emplace(std::string(key),
		       Option{t, t.text.substr(eq + 1), t.col + static_cast<int>(eq) + 1});
}

const Option *Options::get(std::string_view key) const
{
	const auto it = items_.find(key);

	return it == items_.end() ? nullptr : &it->second;
}

const Option &Options::require(std::string_view key, std::string_view what) const
{
	if (const Option *o = get(key))
		return *o;
	cur_.missing(what);
}

AccessMask Options::mask(std::string_view key, std::span<const FlagName> names,
			 std::string_view what) const
{
	const Option *o = get(key);

	return o ? parse_mask_at(cur_, o->value, o->value_col, names, what) : 0;
}

std::uint32_t Options::flags(std::string_view key, std::span<const FlagName> names,
			     std::string_view what) const
{
	const AccessMask m = mask(key, names, what);

	if (m > UINT32_MAX)
		cur_.fail_at(get(key)->value_col, "expected a 32-bit value");
	return static_cast<std::uint32_t>(m);
}

std::uint64_t Options::number(std::string_view key, std::uint64_t limit,
			      std::uint64_t fallback) const
{
	const Option *o = get(key);

	if (!o)
		return fallback;
	const auto v = to_u64(o->value);
	if (!v || *v > limit)
		cur_.fail_at(o->value_col, "expected a number from 0 to " +
						   std::to_string(limit) + ", got " +
						   quoted(o->value));
	return *v;
}

bool Options::word(std::string_view key, std::string_view word) const
{
	const Option *o = get(key);

	if (!o)
		return false;
	if (o->value != word)
		cur_.fail_at(o->value_col, "expected " + std::string(key) + "=" +
						   std::string(word) + ", got " +
						   quoted(o->token.text));
	return true;
}

} // namespace lockstep::trace

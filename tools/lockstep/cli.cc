// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep CLI - Shared helpers of the subcommands
 */
#include "tools/lockstep/cli.h"

#include <charconv>
#include <cstdio>

namespace lockstep::cli {

bool Args::help() const
{
	for (const auto &w : words_)
		if (w == "--help" || w == "-h")
			return true;
	return false;
}

bool Args::flag(std::string_view name, std::string_view short_name)
{
	for (auto it = words_.begin(); it != words_.end(); ++it) {
		if (*it == name || (!short_name.empty() && *it == short_name)) {
			words_.erase(it);
			return true;
		}
	}
	return false;
}

std::optional<std::string> Args::value(std::string_view name,
				       std::string_view short_name)
{
	const std::string prefix = std::string(name) + "=";

	for (auto it = words_.begin(); it != words_.end(); ++it) {
		if (!short_name.empty() && it->size() > short_name.size() &&
		    it->starts_with(short_name) && !it->starts_with("--")) {
			std::string v = it->substr(short_name.size());

			words_.erase(it);
			return v;
		}
		if (it->starts_with(prefix)) {
			std::string v = it->substr(prefix.size());

			words_.erase(it);
			return v;
		}
		if (*it != name && (short_name.empty() || *it != short_name))
			continue;
		if (it + 1 == words_.end()) {
			error_ = "option " + *it + " needs a value";
			words_.erase(it);
			return std::nullopt;
		}
		std::string v = *(it + 1);
		words_.erase(it, it + 2);
		return v;
	}
	return std::nullopt;
}

std::vector<std::string> Args::values(std::string_view name)
{
	std::vector<std::string> out;

	while (auto v = value(name))
		out.push_back(*v);
	return out;
}

std::vector<std::string> Args::operands()
{
	for (const auto &w : words_) {
		if (w.size() > 1 && w[0] == '-' && w != "-" &&
		    !(w.size() > 1 && w[1] >= '0' && w[1] <= '9')) {
			error_ = "unknown option '" + w + "'";
			return {};
		}
	}
	return words_;
}

bool parse_u64(const std::string &s, std::uint64_t &out)
{
	const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);

	return ec == std::errc{} && p == s.data() + s.size() && !s.empty();
}

int usage_error(const std::string &command, const std::string &message)
{
	std::fprintf(stderr, "lockstep %s: %s (see lockstep %s --help)\n",
		     command.c_str(), message.c_str(), command.c_str());
	return exit_usage;
}

int fail(const std::string &command, const std::string &message, int code)
{
	std::fprintf(stderr, "lockstep %s: %s\n", command.c_str(), message.c_str());
	return code;
}

std::optional<Profile> profile_options(Args &args, Profile base)
{
	std::string error;

	if (auto p = args.value("--profile")) {
		auto parsed = parse_profile(*p, &error, base);

		if (!parsed) {
			usage_error(args.command(), error);
			return std::nullopt;
		}
		base = *parsed;
	}
	for (const auto &v : args.values("--variant")) {
		if (!parse_variant(v, base.variants, &error)) {
			usage_error(args.command(), "--variant: " + error);
			return std::nullopt;
		}
	}
	if (!args.error().empty()) {
		usage_error(args.command(), args.error());
		return std::nullopt;
	}
	return base;
}

} // namespace lockstep::cli

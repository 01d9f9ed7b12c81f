/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep CLI - Shared helpers of the subcommands
 *
 * Exit codes of every subcommand ([cli.exit]): 0 when everything is as
 * expected, 1 when a check failed (a divergence, a pinned outcome the model
 * does not allow), 2 for bad usage or bad input.
 */
#pragma once

#include "model/profile.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockstep::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_fail = 1;
inline constexpr int exit_usage = 2;

/**
 * class Args - a subcommand's arguments, consumed front to back
 *
 * Options are "--name VALUE", "--name=VALUE", "-x VALUE" or flags; every
 * other word is an operand.  A word that looks like an unknown option is an
 * error, reported by unknown().
 */
class Args {
public:
	Args(std::string command, std::vector<std::string> words)
		: command_(std::move(command)), words_(std::move(words))
	{
	}

	/* Whether --help or -h was given. */
	bool help() const;
	/* Take a flag (no value). */
	bool flag(std::string_view name, std::string_view short_name = {});
	/* Take an option with a value; sets error() when the value is missing. */
	std::optional<std::string> value(std::string_view name,
					 std::string_view short_name = {});
	/* Every occurrence of a repeatable option. */
	std::vector<std::string> values(std::string_view name);
	/* The remaining words; an unknown option makes error() set. */
	std::vector<std::string> operands();
	/* One-line error, "" when none. */
	const std::string &error() const { return error_; }
	const std::string &command() const { return command_; }
	/* The words not consumed yet. */
	const std::vector<std::string> &words() const { return words_; }

private:
	std::string command_;
	std::vector<std::string> words_;
	std::string error_;
};

/* A whole word as an unsigned decimal number; false for anything else. */
bool parse_u64(const std::string &s, std::uint64_t &out);

/* Print "lockstep CMD: MESSAGE (see lockstep CMD --help)" to stderr; 2. */
int usage_error(const std::string &command, const std::string &message);
/* Print "lockstep CMD: MESSAGE" to stderr and return @code. */
int fail(const std::string &command, const std::string &message, int code);

/*
 * Apply --profile and --variant options to @base; returns nullopt (after
 * printing the error) on bad input.
 */
std::optional<Profile> profile_options(Args &args, Profile base);

/* Subcommands. */
int cmd_explain(Args args);
int cmd_fmt(Args args);
int cmd_run(Args args);
int cmd_check(Args args);
int cmd_repro(Args args);
int cmd_generate(Args args);
int cmd_prove(Args args, const char *argv0);
int cmd_diff(Args args);

} // namespace lockstep::cli

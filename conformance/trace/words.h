/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep trace language - Enumerated words
 *
 * The spelling of every closed set of words of the language (socket kinds,
 * ioctl commands, open modes...).  The parser and the printer both read
 * these tables, so a word is spelled the same way in both directions.
 * Masks of Landlock rights and flags are not here: their names belong to the
 * model (model/access.h).
 */
#pragma once

#include "model/ops.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lockstep::trace {

/* One word of the language and the value it stands for. */
template <typename T>
struct Word {
	std::string_view name;
	T value;
};

inline constexpr std::array<Word<SockKind>, 9> sock_kind_words{{
	{"tcp4", SockKind::tcp4},
	{"tcp6", SockKind::tcp6},
	{"udp4", SockKind::udp4},
	{"udp6", SockKind::udp6},
	{"mptcp4", SockKind::mptcp4},
	{"mptcp6", SockKind::mptcp6},
	{"unix_stream", SockKind::unix_stream},
	{"unix_dgram", SockKind::unix_dgram},
	{"unix_seqpacket", SockKind::unix_seqpacket},
}};

inline constexpr std::array<Word<IoctlCmd>, 8> ioctl_cmd_words{{
	{"fioclex", IoctlCmd::fioclex},
	{"fionclex", IoctlCmd::fionclex},
	{"fionbio", IoctlCmd::fionbio},
	{"fioasync", IoctlCmd::fioasync},
	{"fionread", IoctlCmd::fionread},
	{"fiqsize", IoctlCmd::fiqsize},
	{"figetbsz", IoctlCmd::figetbsz},
	{"tcgets", IoctlCmd::tcgets},
}};

inline constexpr std::array<Word<MknodKind>, 6> mknod_kind_words{{
	{"reg", MknodKind::reg},
	{"fifo", MknodKind::fifo},
	{"sock", MknodKind::sock},
	{"char", MknodKind::chr},
	{"block", MknodKind::blk},
	{"whiteout", MknodKind::whiteout},
}};

/* open MODE: the access mode; "path" is O_PATH (open_flag::path). */
inline constexpr std::array<Word<unsigned>, 4> open_mode_words{{
	{"rdonly", 0},
	{"wronly", 1},
	{"rdwr", 2},
	{"accmode3", 3},
}};
inline constexpr std::string_view open_path_mode = "path";

/* open FLAG...: in the order the printer writes them. */
inline constexpr std::array<Word<std::uint32_t>, 7> open_flag_words{{
	{"creat", open_flag::creat},
	{"excl", open_flag::excl},
	{"trunc", open_flag::trunc},
	{"directory", open_flag::directory},
	{"nofollow", open_flag::nofollow},
	{"append", open_flag::append},
	{"nonblock", open_flag::nonblock},
}};

inline constexpr std::array<Word<std::uint32_t>, 3> rename_flag_words{{
	{"noreplace", rename_flag::noreplace},
	{"exchange", rename_flag::exchange},
	{"whiteout", rename_flag::whiteout},
}};

/* The value spelled @name in @words, if any. */
template <typename T, std::size_t N>
std::optional<T> find_word(const std::array<Word<T>, N> &words,
			   std::string_view name)
{
	for (const auto &w : words)
		if (w.name == name)
			return w.value;
	return std::nullopt;
}

/* The spelling of @value in @words ("?" if it has none). */
template <typename T, std::size_t N>
std::string_view word_of(const std::array<Word<T>, N> &words, T value)
{
	for (const auto &w : words)
		if (w.value == value)
			return w.name;
	return "?";
}

/* "a, b or c", for error messages that list what was expected. */
template <typename T, std::size_t N>
std::string word_list(const std::array<Word<T>, N> &words)
{
	std::string out;

	for (std::size_t i = 0; i < words.size(); i++) {
		if (i)
			out += i + 1 == words.size() ? " or " : ", ";
		out += words[i].name;
	}
	return out;
}

} // namespace lockstep::trace

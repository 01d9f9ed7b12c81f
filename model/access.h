/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep model - Access rights, scopes and syscall flags
 *
 * The bit values are those of include/uapi/linux/landlock.h; each right also
 * records the ABI version that introduced it, which is what makes a kernel
 * profile's "valid mask" computable ([abi.gating]).
 */
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace lockstep {

using AccessMask = std::uint64_t;

/* Filesystem rights (LANDLOCK_ACCESS_FS_*). */
namespace fs {
inline constexpr AccessMask execute = 1ull << 0;
inline constexpr AccessMask write_file = 1ull << 1;
inline constexpr AccessMask read_file = 1ull << 2;
inline constexpr AccessMask read_dir = 1ull << 3;
inline constexpr AccessMask remove_dir = 1ull << 4;
inline constexpr AccessMask remove_file = 1ull << 5;
inline constexpr AccessMask make_char = 1ull << 6;
inline constexpr AccessMask make_dir = 1ull << 7;
inline constexpr AccessMask make_reg = 1ull << 8;
inline constexpr AccessMask make_sock = 1ull << 9;
inline constexpr AccessMask make_fifo = 1ull << 10;
inline constexpr AccessMask make_block = 1ull << 11;
inline constexpr AccessMask make_sym = 1ull << 12;
inline constexpr AccessMask refer = 1ull << 13;
inline constexpr AccessMask truncate = 1ull << 14;
inline constexpr AccessMask ioctl_dev = 1ull << 15;
inline constexpr AccessMask resolve_unix = 1ull << 16;
inline constexpr AccessMask all = (1ull << 17) - 1;
/* Rights that make sense on a non-directory ([rule.file_rights]). */
inline constexpr AccessMask file_rights =
	execute | write_file | read_file | truncate | ioctl_dev | resolve_unix;
/* Rights decided at open time and remembered by the file ([fs.optional]). */
inline constexpr AccessMask optional = truncate | ioctl_dev;
} // namespace fs

/* Network rights (LANDLOCK_ACCESS_NET_*). */
namespace net {
inline constexpr AccessMask bind_tcp = 1ull << 0;
inline constexpr AccessMask connect_tcp = 1ull << 1;
inline constexpr AccessMask bind_udp = 1ull << 2;
inline constexpr AccessMask connect_send_udp = 1ull << 3;
inline constexpr AccessMask all = (1ull << 4) - 1;
} // namespace net

/* Scopes (LANDLOCK_SCOPE_*). */
namespace scope {
inline constexpr AccessMask abstract_unix_socket = 1ull << 0;
inline constexpr AccessMask signal = 1ull << 1;
inline constexpr AccessMask all = (1ull << 2) - 1;
} // namespace scope

/* landlock_create_ruleset() flags. */
namespace create_flag {
inline constexpr std::uint32_t version = 1u << 0;
inline constexpr std::uint32_t errata = 1u << 1;
/* Supervisor extension, see kernel/uapi/landlock_supervisor.h. */
inline constexpr std::uint32_t supervisor = 1u << 2;
inline constexpr std::uint32_t supervisor_notification = 1u << 3;
} // namespace create_flag

/* landlock_add_rule() flags. */
namespace rule_flag {
inline constexpr std::uint32_t quiet = 1u << 0;
inline constexpr std::uint32_t commit_supervisor = 1u << 1;
inline constexpr std::uint32_t intersect = 1u << 2;
} // namespace rule_flag

/* landlock_restrict_self() flags. */
namespace restrict_flag {
inline constexpr std::uint32_t log_same_exec_off = 1u << 0;
inline constexpr std::uint32_t log_new_exec_on = 1u << 1;
inline constexpr std::uint32_t log_subdomains_off = 1u << 2;
inline constexpr std::uint32_t tsync = 1u << 3;
inline constexpr std::uint32_t no_new_privs = 1u << 4;
} // namespace restrict_flag

/* Rule types of landlock_add_rule(). */
namespace rule_type {
inline constexpr std::uint32_t none = 0; /* commit-only, supervisor extension */
inline constexpr std::uint32_t path_beneath = 1;
inline constexpr std::uint32_t net_port = 2;
} // namespace rule_type

/* The newest mainline ABI the model knows, and the supervisor extension's. */
inline constexpr int max_mainline_abi = 11;
inline constexpr int supervisor_abi = 12;

/**
 * struct FlagName - one named bit of a mask, with the ABI that introduced it
 */
struct FlagName {
	std::string_view name;
	AccessMask bit;
	int since_abi;
};

std::span<const FlagName> fs_access_names();
std::span<const FlagName> net_access_names();
std::span<const FlagName> scope_names();
std::span<const FlagName> create_flag_names();
std::span<const FlagName> rule_flag_names();
std::span<const FlagName> restrict_flag_names();

/* [abi.gating]: what a kernel reporting @abi accepts. */
AccessMask valid_fs_mask(int abi);
AccessMask valid_net_mask(int abi);
AccessMask valid_scope_mask(int abi);
std::uint32_t valid_restrict_flags(int abi);
std::uint32_t valid_rule_flags(int abi);
std::uint32_t valid_create_flags(int abi);
/* Size of struct landlock_ruleset_attr as known by a kernel at @abi. */
std::size_t ruleset_attr_size(int abi);

/*
 * Formatting and parsing of masks: "read_file,write_file", with unknown bits
 * printed as a hexadecimal remainder ("read_file,0x100000"), "0" for empty.
 */
std::string format_mask(std::span<const FlagName> names, AccessMask mask);
std::optional<AccessMask> parse_mask(std::span<const FlagName> names,
				     std::string_view text, std::string *error);

inline std::string format_fs(AccessMask m) { return format_mask(fs_access_names(), m); }
inline std::string format_net(AccessMask m) { return format_mask(net_access_names(), m); }
inline std::string format_scope(AccessMask m) { return format_mask(scope_names(), m); }

} // namespace lockstep

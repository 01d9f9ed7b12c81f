// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep model - Access rights, scopes and syscall flags
 */
#include "model/access.h"

#include <array>
#include <charconv>
#include <cstdio>

namespace lockstep {

namespace {

/* [abi.gating] Each right with the ABI that introduced it (landlock.rst). */
constexpr std::array fs_names{
	FlagName{"execute", fs::execute, 1},
	FlagName{"write_file", fs::write_file, 1},
	FlagName{"read_file", fs::read_file, 1},
	FlagName{"read_dir", fs::read_dir, 1},
	FlagName{"remove_dir", fs::remove_dir, 1},
	FlagName{"remove_file", fs::remove_file, 1},
	FlagName{"make_char", fs::make_char, 1},
	FlagName{"make_dir", fs::make_dir, 1},
	FlagName{"make_reg", fs::make_reg, 1},
	FlagName{"make_sock", fs::make_sock, 1},
	FlagName{"make_fifo", fs::make_fifo, 1},
	FlagName{"make_block", fs::make_block, 1},
	FlagName{"make_sym", fs::make_sym, 1},
	/* [refer.abi1] No refer at ABI 1: no reparenting at all. */
	FlagName{"refer", fs::refer, 2},
	FlagName{"truncate", fs::truncate, 3},
	FlagName{"ioctl_dev", fs::ioctl_dev, 5},
	FlagName{"resolve_unix", fs::resolve_unix, 9},
};

constexpr std::array net_names{
	FlagName{"bind_tcp", net::bind_tcp, 4},
	FlagName{"connect_tcp", net::connect_tcp, 4},
	FlagName{"bind_udp", net::bind_udp, 10},
	FlagName{"connect_send_udp", net::connect_send_udp, 10},
};

constexpr std::array scope_table{
	FlagName{"abstract_unix_socket", scope::abstract_unix_socket, 6},
	FlagName{"signal", scope::signal, 6},
};

constexpr std::array create_names{
	FlagName{"version", create_flag::version, 1},
	/*
	 * The errata query came with ABI 7 (Linux 6.15) but was backported
	 * to stable kernels of older ABIs: whether a kernel answers it is a
	 * property of the profile, not of the ABI ([create.errata]).
	 */
	FlagName{"errata", create_flag::errata, 7},
	FlagName{"supervisor", create_flag::supervisor, supervisor_abi},
	FlagName{"supervisor_notification", create_flag::supervisor_notification,
		 supervisor_abi},
};

constexpr std::array rule_names{
	FlagName{"quiet", rule_flag::quiet, 10},
	FlagName{"commit", rule_flag::commit_supervisor, supervisor_abi},
	FlagName{"intersect", rule_flag::intersect, supervisor_abi},
};

constexpr std::array restrict_names{
	FlagName{"log_same_exec_off", restrict_flag::log_same_exec_off, 7},
	FlagName{"log_new_exec_on", restrict_flag::log_new_exec_on, 7},
	FlagName{"log_subdomains_off", restrict_flag::log_subdomains_off, 7},
	FlagName{"tsync", restrict_flag::tsync, 8},
	FlagName{"no_new_privs", restrict_flag::no_new_privs, 11},
};

AccessMask mask_at(std::span<const FlagName> names, int abi)
{
	AccessMask mask = 0;

	for (const auto &n : names)
		if (n.since_abi <= abi)
			mask |= n.bit;
	return mask;
}

} // namespace

std::span<const FlagName> fs_access_names() { return fs_names; }
std::span<const FlagName> net_access_names() { return net_names; }
std::span<const FlagName> scope_names() { return scope_table; }
std::span<const FlagName> create_flag_names() { return create_names; }
std::span<const FlagName> rule_flag_names() { return rule_names; }
std::span<const FlagName> restrict_flag_names() { return restrict_names; }

AccessMask valid_fs_mask(int abi) { return mask_at(fs_names, abi); }
AccessMask valid_net_mask(int abi) { return mask_at(net_names, abi); }
AccessMask valid_scope_mask(int abi) { return mask_at(scope_table, abi); }

std::uint32_t valid_restrict_flags(int abi)
{
	return static_cast<std::uint32_t>(mask_at(restrict_names, abi));
}

std::uint32_t valid_rule_flags(int abi)
{
	return static_cast<std::uint32_t>(mask_at(rule_names, abi));
}

std::uint32_t valid_create_flags(int abi)
{
	return static_cast<std::uint32_t>(mask_at(create_names, abi));
}

/*
 * [create.size] The attr grew with the features: handled_access_fs (ABI 1),
 * handled_access_net (ABI 4), scoped (ABI 6), quiet_* (ABI 10).
 */
std::size_t ruleset_attr_size(int abi)
{
	if (abi >= 10)
		return 48;
	if (abi >= 6)
		return 24;
	if (abi >= 4)
		return 16;
	return 8;
}

std::string format_mask(std::span<const FlagName> names, AccessMask mask)
{
	std::string out;
	AccessMask rest = mask;

	for (const auto &n : names) {
		if (!(mask & n.bit))
			continue;
		if (!out.empty())
			out += ',';
		out += n.name;
		rest &= ~n.bit;
	}
	if (rest) {
		char buf[32];

		std::snprintf(buf, sizeof(buf), "0x%llx",
			      static_cast<unsigned long long>(rest));
		if (!out.empty())
			out += ',';
		out += buf;
	}
	return out.empty() ? "0" : out;
}

std::optional<AccessMask> parse_mask(std::span<const FlagName> names,
				     std::string_view text, std::string *error)
{
	AccessMask mask = 0;

	if (text.empty()) {
		if (error)
			*error = "expected a list of names";
		return std::nullopt;
	}
	while (!text.empty()) {
		const auto comma = text.find(',');
		const auto item = text.substr(0, comma);
		bool found = false;

		text = comma == std::string_view::npos ? std::string_view{}
						       : text.substr(comma + 1);
		if (item == "all") {
			for (const auto &n : names)
				mask |= n.bit;
			continue;
		}
		for (const auto &n : names) {
			if (n.name == item) {
				mask |= n.bit;
				found = true;
				break;
			}
		}
		if (found)
			continue;
		if (item.starts_with("0x") || item == "0" ||
		    (!item.empty() && item[0] >= '1' && item[0] <= '9')) {
			AccessMask value = 0;
			const int base = item.starts_with("0x") ? 16 : 10;
			const auto digits = base == 16 ? item.substr(2) : item;
			const auto [p, ec] = std::from_chars(
				digits.data(), digits.data() + digits.size(),
				value, base);

			if (ec == std::errc{} && p == digits.data() + digits.size() &&
			    !digits.empty()) {
				mask |= value;
				continue;
			}
		}
		if (error) {
			std::string known;

			for (const auto &n : names) {
				if (!known.empty())
					known += ", ";
				known += n.name;
			}
			*error = "unknown name '" + std::string(item) +
				 "' (known: " + known + ", all, or a number)";
		}
		return std::nullopt;
	}
	return mask;
}

} // namespace lockstep

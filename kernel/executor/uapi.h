/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep executor - Our own copy of the kernel interfaces we call
 *
 * Glibc 2.36 has no Landlock wrappers, and the uAPI headers installed on a
 * machine may predate the kernel under test, so the executor never includes
 * <linux/landlock.h>: the numbers and layouts below come from
 * include/uapi/linux/landlock.h (Linux 7.3) and the syscall tables.  Flags
 * and access masks are not repeated here: the trace carries them as raw
 * numbers (model/access.h has the same values) and they are passed as is.
 */
#pragma once

#include <cstddef>
#include <cstdint>

namespace lockstep::exec::uapi {

/* x86-64 syscall numbers, spelled out for old headers. */
inline constexpr long nr_landlock_create_ruleset = 444;
inline constexpr long nr_landlock_add_rule = 445;
inline constexpr long nr_landlock_restrict_self = 446;
inline constexpr long nr_openat2 = 437;
inline constexpr long nr_close_range = 436;
inline constexpr long nr_renameat2 = 316;
inline constexpr long nr_execveat = 322;
inline constexpr long nr_capget = 125;
inline constexpr long nr_capset = 126;

inline constexpr std::uint32_t create_ruleset_version = 1u << 0;
inline constexpr std::uint32_t create_ruleset_errata = 1u << 1;

/* struct landlock_ruleset_attr as of ABI 7+ (six __u64, 48 bytes). */
struct RulesetAttr {
	std::uint64_t handled_access_fs;
	std::uint64_t handled_access_net;
	std::uint64_t scoped;
	std::uint64_t quiet_access_fs;
	std::uint64_t quiet_access_net;
	std::uint64_t quiet_scoped;
};
static_assert(sizeof(RulesetAttr) == 48);

/* struct landlock_path_beneath_attr: packed, 12 bytes. */
struct __attribute__((packed)) PathBeneathAttr {
	std::uint64_t allowed_access;
	std::int32_t parent_fd;
};
static_assert(sizeof(PathBeneathAttr) == 12);

/* struct landlock_net_port_attr: 16 bytes. */
struct NetPortAttr {
	std::uint64_t allowed_access;
	std::uint64_t port;
};
static_assert(sizeof(NetPortAttr) == 16);

/* LANDLOCK_IOCTL_GET_SUPERVISEE_RULESET = _IO('L', 0x20), supervisor RFC. */
inline constexpr unsigned long ioctl_get_supervisee = ('L' << 8) | 0x20;

/* struct open_how for openat2(2), and RESOLVE_BENEATH. */
struct OpenHow {
	std::uint64_t flags;
	std::uint64_t mode;
	std::uint64_t resolve;
};
inline constexpr std::uint64_t resolve_beneath = 0x08;

/* capget(2)/capset(2), version 3: two 32-bit words per set. */
inline constexpr std::uint32_t capability_version_3 = 0x20080522;
struct CapHeader {
	std::uint32_t version;
	int pid;
};
struct CapData {
	std::uint32_t effective;
	std::uint32_t permitted;
	std::uint32_t inheritable;
};
inline constexpr int cap_sys_admin = 21;

/* renameat2(2) flags. */
inline constexpr unsigned rename_noreplace = 1u << 0;
inline constexpr unsigned rename_exchange = 1u << 1;
inline constexpr unsigned rename_whiteout = 1u << 2;

inline constexpr int ipproto_mptcp = 262;

/* The ioctl commands of the trace language (asm-generic/ioctls.h, fs.h). */
inline constexpr unsigned long ioctl_fionclex = 0x5450;
inline constexpr unsigned long ioctl_fioclex = 0x5451;
inline constexpr unsigned long ioctl_fionbio = 0x5421;
inline constexpr unsigned long ioctl_fioasync = 0x5452;
inline constexpr unsigned long ioctl_fionread = 0x541B;
inline constexpr unsigned long ioctl_fioqsize = 0x5460;
inline constexpr unsigned long ioctl_figetbsz = 2; /* _IO(0x00, 2) */
inline constexpr unsigned long ioctl_tcgets = 0x5401;

} // namespace lockstep::exec::uapi

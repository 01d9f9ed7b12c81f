/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Landlock supervisor extension (mutable domains) - User space API
 *
 * The uAPI of the 2026 RFC "Landlock: mutable domains (and supervisor
 * notification uAPI options)", with the values of its proof of concept.  It
 * extends include/uapi/linux/landlock.h; the kernel patch series in
 * kernel/patches/ adds these definitions there, and lockstep's model, executor
 * and reproducers use this file.  Semantics: SPEC.md, chapter "Supervisor
 * extension" ([sup.*]).
 */

#ifndef _UAPI_LINUX_LANDLOCK_SUPERVISOR_H
#define _UAPI_LINUX_LANDLOCK_SUPERVISOR_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * The Landlock ABI version of a kernel with this extension: mainline 11
 * (Linux 7.3) plus one.
 */
#define LANDLOCK_SUPERVISOR_ABI_VERSION 12

/* landlock_create_ruleset() flags (bits 0 and 1 are VERSION and ERRATA). */
/* clang-format off */
#define LANDLOCK_CREATE_RULESET_SUPERVISOR		(1U << 2)
#define LANDLOCK_CREATE_RULESET_SUPERVISOR_NOTIFICATION	(1U << 3)
/* clang-format on */

/*
 * landlock_add_rule() flags (bit 0 is LANDLOCK_ADD_RULE_QUIET).
 *
 * LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR: on a supervisor ruleset, after staging
 * the rule (if any), publish every staged rule at once.  With rule_type 0 and
 * a NULL rule_attr, only commit.
 *
 * LANDLOCK_ADD_RULE_INTERSECT: replace an existing rule's access with its
 * intersection with the given access; a rule left without access is removed.
 * Valid on supervisor and ordinary rulesets.
 */
/* clang-format off */
#define LANDLOCK_ADD_RULE_COMMIT_SUPERVISOR		(1U << 1)
#define LANDLOCK_ADD_RULE_INTERSECT			(1U << 2)
/* clang-format on */

/* The "commit only" rule type of landlock_add_rule(). */
#define LANDLOCK_RULE_NONE 0

/*
 * ioctl(supervisor_fd, LANDLOCK_IOCTL_GET_SUPERVISEE_RULESET, 0): a new
 * supervisee ruleset fd (O_RDWR | O_CLOEXEC), whose layer will be extended by
 * this supervisor's committed rules once enforced.  ENOTTY on an ordinary
 * ruleset, EINVAL for a non-zero argument.
 */
#define LANDLOCK_IOC_MAGIC 'L'
#define LANDLOCK_IOCTL_GET_SUPERVISEE_RULESET _IO(LANDLOCK_IOC_MAGIC, 0x20)

/*
 * Notifications (model only: not implemented by the kernel patch series).
 * Events are read from the supervisor fd; every response only acknowledges,
 * and the denied operation is then evaluated again against the rules
 * committed by then ([sup.notify]).
 */
typedef __u16 landlock_supervise_event_type_t;
#define LANDLOCK_SUPERVISE_EVENT_TYPE_FS_ACCESS 1
#define LANDLOCK_SUPERVISE_EVENT_TYPE_NET_ACCESS 2

struct landlock_supervise_event_hdr {
	landlock_supervise_event_type_t type;
	__u16 length;
	__u32 cookie;
};

struct landlock_supervise_event {
	struct landlock_supervise_event_hdr hdr;
	__u64 access_request;
	__kernel_pid_t accessor;
	union {
		struct {
			/* The object, or the parent directory for create, delete,
			 * rename and link. */
			int fd1;
			/* The destination parent for rename and link, else -1. */
			int fd2;
			/* The name within fd1 for create, delete, rename and link. */
			char destname[];
		} fs;
		struct {
			__u16 port;
		} net;
	};
};

struct landlock_supervise_response {
	__u16 length;
	__u8 _reserved[2];
	__u32 cookie;
};

#endif /* _UAPI_LINUX_LANDLOCK_SUPERVISOR_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep model - Filesystem access checks: the path walk
 *
 * Mirrors security/landlock/fs.c: per-layer masks of the rights still
 * unfulfilled, unmasked by the rules found while walking from the object up
 * to the root, with an early exit once every layer is satisfied
 * ([fs.walk.layers]).  The walk is an explicit object that advances one
 * dentry at a time, so that other operations (supervisor commits) can be
 * interleaved between two steps ([sup.check]).
 */
#pragma once

#include "model/access.h"
#include "model/ruleset.h"
#include "model/vfs.h"

#include <array>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace lockstep {

/* Linux's struct layer_masks: rights each layer still denies. */
struct LayerMasks {
	std::array<AccessMask, max_layers> denied{};
	/* A rule with the quiet flag was met, per layer ([rule.quiet]). */
	std::array<bool, max_layers> quiet{};
	std::size_t n = 0;

	bool allowed() const;
	/* Union of the rights some layer still denies. */
	AccessMask any_denied() const;
};

/* [fs.walk.layers] denied[i] = request & rights layer i handles. */
LayerMasks init_fs_masks(const Domain &d, AccessMask request);
LayerMasks init_net_masks(const Domain &d, AccessMask request);

/*
 * Rules that extend each layer besides its own (the supervisor extension's
 * committed rulesets); an empty span, or null entries, for none.
 */
using ExtraRules = std::span<const Rules *const>;

struct FsAudit;
/*
 * A test harness's view of every finished filesystem decision (FsAudit):
 * carried by the Model that runs the step (Model::set_fs_audit()) and handed
 * down explicitly, never global, so that two models never share one.
 */
using FsAuditHook = std::function<void(const FsAudit &)>;

/* Which rule granted what during a walk, for explanations. */
struct Grant {
	AccessMask bits = 0;
	VPath at;
	bool supervisor = false;
};

/**
 * struct FsWalk - an access check in progress over one path
 *
 * Like the kernel's loop, the walk goes up one dentry at a time
 * ([fs.walk.mounts]), so other operations can run between two steps.
 *
 * @at: the next dentry whose rules are read (while !@ended).
 * @ended: the walk went past the root, or stopped at a disconnected
 *         directory ([erratum.3]: @stopped_disconnected).
 * @next: how many dentries were read.
 * @record: keep @seq (the dentries read) and @grants, for explanations.
 */
struct FsWalk {
	AccessMask request = 0;
	LayerMasks masks;
	VPath at;
	bool ended = false;
	bool erratum3_fixed = true;
	bool stopped_disconnected = false;
	std::size_t next = 0;
	bool record = true;
	std::vector<VPath> seq;
	std::vector<std::vector<Grant>> grants;

	bool done() const { return masks.allowed() || ended; }
	bool allowed() const { return masks.allowed(); }
};

/*
 * The dentry the walk reads after @cur (Linux's jump_up: a mount root goes
 * to its mount point's parent), or nullopt past the root.  @disconnected is
 * set when the walk stops at a disconnected directory.
 */
std::optional<VPath> walk_up(const Vfs &vfs, VPath cur, bool erratum3_fixed,
			     bool *disconnected);

/* The dentries a walk from @start visits, with Linux's mount handling. */
std::vector<VPath> walk_sequence(const Vfs &vfs, VPath start,
				 bool erratum3_fixed, bool *stopped_disconnected);

FsWalk start_fs_walk(const Vfs &vfs, const Domain &d, const VPath &start,
		     AccessMask request, bool erratum3_fixed, bool record = true);
/* Read the rules of the next dentry of the walk (no-op once done()). */
void fs_walk_step(FsWalk &w, const Vfs &vfs, const Domain &d, ExtraRules extra);
/* Walk to the end (or the early exit); a walk from its start goes to @audit. */
void fs_walk_finish(FsWalk &w, const Vfs &vfs, const Domain &d, ExtraRules extra,
		    const FsAuditHook *audit = nullptr);

/* Unmask @masks with every layer's rule on @inode; true when all satisfied. */
bool unmask_inode(LayerMasks &masks, const Domain &d, InodeId inode,
		  ExtraRules extra, std::vector<std::vector<Grant>> *grants,
		  const VPath &at);

/**
 * struct ReferResult - the decision on a link or rename across directories
 *
 * @err: 0, EACCES or EXDEV ([refer.exdev]).
 * @lines: explanation, one line per finding.
 */
struct ReferResult {
	int err = 0;
	std::vector<std::string> lines;
};

/**
 * check_refer - Linux's current_check_refer_path()
 *
 * @old_dentry: the object linked or moved, found in @old_dir.
 * @new_dir/@new_dentry: destination directory and the object replaced or
 *                       exchanged there (-1 when the name is free).
 * @removable: rename (true) or link (false).
 * @audit: the harness's hook, if any: gets the decision (FsAudit).
 */
ReferResult check_refer(const Vfs &vfs, const Domain &d, const VPath &old_dir,
			DentryId old_dentry, const VPath &new_dir,
			DentryId new_dentry, bool removable, bool exchange,
			bool whiteout, bool erratum3_fixed, bool erratum4_fixed,
			ExtraRules extra, const FsAuditHook *audit = nullptr);

/* [fs.make] The right creating an object of @type needs (mknod hook). */
AccessMask make_access(FileType type, bool whiteout, bool erratum4_fixed);

/**
 * struct FsAudit - one finished filesystem decision, for test harnesses
 *
 * fuzz/ sets a Model's FsAuditHook to recompute every decision
 * declaratively from the layers' rules ("a layer never grants more than its
 * rules"); the model never reads it back, and it is null outside test
 * harnesses (one predictable branch per decision).
 *
 * @kind: a path walk (open, create, delete, truncate, exec, resolve_unix,
 *        same-directory refer), or a refer check across directories.
 * @extra: the rules that extended each layer (committed supervisor rules).
 * @start, @initial, @walk: walk: where it started, its masks before the
 *                          first dentry, its final state.
 * @resumed: walk: finished after a pause ([sup.pause]); its first part read
 *           the rules of an earlier step, so @extra is not what it read.
 * @old_dentry ... @err: refer: check_refer()'s arguments and its result.
 */
struct FsAudit {
	enum class Kind : std::uint8_t { walk, refer } kind = Kind::walk;
	const Vfs *vfs = nullptr;
	const Domain *domain = nullptr;
	ExtraRules extra;
	bool erratum3_fixed = true;
	VPath start;
	LayerMasks initial;
	const FsWalk *walk = nullptr;
	bool resumed = false;
	DentryId old_dentry = -1;
	VPath new_dir;
	DentryId new_dentry = -1;
	bool removable = false;
	bool exchange = false;
	int err = 0;
};


/* Explanation lines for a finished walk: per layer, grants or what is missing. */
std::vector<std::string> explain_fs_walk(const FsWalk &w, const Vfs &vfs,
					 const Domain &d);

} // namespace lockstep

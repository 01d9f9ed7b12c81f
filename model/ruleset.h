/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep model - Rulesets, layers and domains
 *
 * A ruleset is what landlock_create_ruleset() returns and add_rule() fills;
 * restrict_self() freezes a copy of it into a new layer of the task's domain
 * ([domain.layers]).  Layers are immutable and shared between the tasks that
 * inherited them, which is also what scope checks compare ([scope.hierarchy]).
 */
#pragma once

#include "model/access.h"
#include "model/vfs.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace lockstep {

/* Access granted by one rule, and its quiet flag ([rule.quiet]). */
struct RuleAccess {
	AccessMask access = 0;
	bool quiet = false;
	bool operator==(const RuleAccess &) const = default;
};

using FsRules = std::map<InodeId, RuleAccess>;
using NetRules = std::map<std::uint16_t, RuleAccess>;

/* The handled and quiet masks of a ruleset attr. */
struct Handled {
	AccessMask fs = 0;
	AccessMask net = 0;
	AccessMask scope = 0;
	AccessMask quiet_fs = 0;
	AccessMask quiet_net = 0;
	AccessMask quiet_scope = 0;
	bool operator==(const Handled &) const = default;
};

/* The rules of a ruleset (or of a supervisor's committed ruleset). */
struct Rules {
	FsRules fs;
	NetRules net;
	bool operator==(const Rules &) const = default;
};

/**
 * struct Ruleset - a ruleset object, shared by the fds that refer to it
 *
 * @label: how explanations name it ("r1, line 3").
 * @supervisor: for a supervisor ruleset, or a supervisee ruleset obtained
 *              from one, the index of the Supervisor object; else -1.
 * @is_supervisor: the fd is the supervisor side (restrict_self refuses it).
 */
struct Ruleset {
	Handled handled;
	Rules rules;
	std::string label;
	int supervisor = -1;
	bool is_supervisor = false;
	/* acyclic=bind-on-first-use: a supervisee enforces only once. */
	bool consumed = false;
};

/**
 * struct Layer - one enforced ruleset in a domain
 *
 * @id: identity of the layer (Linux's struct landlock_hierarchy); two tasks
 *      share a layer iff they inherited the same restrict_self() call.
 * @supervisor: index of the Supervisor object whose committed rules extend
 *              this layer (supervisor extension), or -1.
 */
struct Layer {
	int id = 0;
	Handled handled;
	Rules rules;
	std::string label;
	int supervisor = -1;
};

using LayerRef = std::shared_ptr<const Layer>;

/* One layer's rule on an object, in a domain's merged index. */
struct LayerRule {
	std::uint8_t layer = 0;
	RuleAccess rule;
};

/*
 * Every layer's filesystem rules by inode, like the kernel's merged rule
 * tree of a domain: a walk step is one lookup whatever the number of layers
 * and rules ([domain.layers]).
 */
using MergedFsRules = std::unordered_map<InodeId, std::vector<LayerRule>>;

/* A task's domain: its layers, oldest first (empty: not sandboxed). */
struct Domain {
	std::vector<LayerRef> layers;
	std::shared_ptr<const MergedFsRules> merged;

	std::size_t size() const { return layers.size(); }
	bool empty() const { return layers.empty(); }
	const Layer &operator[](std::size_t i) const { return *layers[i]; }
	/* Add a layer on top (restrict_self), updating the merged index. */
	void push(LayerRef layer);
};

/* Maximum number of stacked layers ([restrict.e2big]). */
inline constexpr std::size_t max_layers = 16;

/*
 * [fs.handled] The filesystem rights a layer denies unless a rule grants
 * them: its handled rights, plus REFER which is always denied by default.
 */
inline AccessMask layer_fs_handled(const Layer &l)
{
	return l.handled.fs | fs::refer;
}

/* Whether any layer handles any of @fs (or @net, @scope) rights. */
bool domain_handles(const Domain &d, AccessMask fs, AccessMask net,
		    AccessMask scope);

} // namespace lockstep

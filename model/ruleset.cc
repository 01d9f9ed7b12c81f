// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep model - Rulesets, layers and domains
 */
#include "model/ruleset.h"

namespace lockstep {

/* [domain.layers] A new layer on top, and the merged index that goes with it. */
void Domain::push(LayerRef layer)
{
	auto next = merged ? std::make_shared<MergedFsRules>(*merged)
			   : std::make_shared<MergedFsRules>();
	const auto level = static_cast<std::uint8_t>(layers.size());

	for (const auto &[inode, rule] : layer->rules.fs)
		(*next)[inode].push_back(LayerRule{level, rule});
	layers.push_back(std::move(layer));
	merged = std::move(next);
}

/*
 * [domain.applicable] Linux's landlock_get_applicable_subject(): a check
 * only applies when some layer handles one of the requested rights.  The
 * layer's stored fs mask is "upgraded" with REFER when it handles any fs
 * right, which is why a REFER-only request applies to any fs layer.
 */
bool domain_handles(const Domain &d, AccessMask fs, AccessMask net,
		    AccessMask scope)
{
	for (const auto &l : d.layers) {
		const AccessMask l_fs = l->handled.fs ? l->handled.fs | fs::refer : 0;

		if ((l_fs & fs) || (l->handled.net & net) ||
		    (l->handled.scope & scope))
			return true;
	}
	return false;
}

} // namespace lockstep

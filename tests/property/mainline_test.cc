// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep properties - Monotonicity of mainline Landlock in the model
 *
 * Random valid traces from the generator, with a layer or a rule added at a
 * random point, compared step by step with the original ([domain.layers],
 * [fs.walk.layers], [fs.handled], [refer.no_gain]).
 */
#include "tests/property/prop_test_util.h"

namespace lockstep::prop {
namespace {

TEST(Mainline, NewLayerNeverGrantsMore)
{
	expect_holds(new_layer_never_grants_more());
}

TEST(Mainline, NewRuleNeverDeniesMoreButReferNoGain)
{
	expect_holds(new_rule_never_denies_more(true));
}

TEST(Mainline, UnhandledRightsNeverDenied)
{
	expect_holds(unhandled_rights_never_denied());
}

/*
 * [refer.no_gain] The exception is real: a rule granting a right on the
 * destination of a rename, that the source does not grant, turns it into
 * EXDEV.  RapidCheck must find it, so the suite documents it.
 */
TEST(MainlineFinds, NewRuleDeniesRenameByReferNoGain)
{
	expect_found("a new rule can deny a rename: refer's no-gain rule");
}

} // namespace
} // namespace lockstep::prop

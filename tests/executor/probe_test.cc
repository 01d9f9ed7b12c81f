// SPDX-License-Identifier: GPL-2.0-only
/*
 * probe_kernel() on the running kernel.
 */
#include "exec_test_util.h"

namespace lockstep::exec::test {
namespace {

TEST(Probe, MatchesTheReferenceMachine)
{
	const KernelProbe k = probe_kernel();

	if (!k.uname.starts_with("6.18."))
		GTEST_SKIP() << "not the reference kernel (6.18): " << k.uname;
	EXPECT_EQ(k.profile.abi, 7);
	EXPECT_TRUE(k.profile.errata_queryable);
	EXPECT_EQ(k.profile.errata_mask(), 7u);
	EXPECT_EQ(k.profile.erratum(4), Erratum::not_fixed);
	EXPECT_EQ(format_profile(k.profile).substr(0, 20), "abi=7,errata=1+2+3");
}

TEST(Probe, RootIsCapSysAdmin)
{
	const KernelProbe k = probe_kernel();

	EXPECT_EQ(k.root, has_cap_sys_admin());
	EXPECT_EQ(k.profile.root, k.root);
	EXPECT_FALSE(k.uname.empty());
}

TEST(Probe, WorkerAgrees)
{
	Worker w;

	ASSERT_TRUE(w.error().empty()) << w.error();
	const KernelProbe k = probe_kernel();

	EXPECT_EQ(w.profile().abi, k.profile.abi);
	EXPECT_EQ(w.profile().errata, k.profile.errata);
	EXPECT_EQ(w.privileged(), k.root);
}

} // namespace
} // namespace lockstep::exec::test

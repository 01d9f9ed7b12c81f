// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep executor - Probe the running kernel's Landlock profile
 */
#include "kernel/executor/executor.h"

#include "kernel/executor/uapi.h"

#include <cerrno>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace lockstep::exec {

namespace {

long create_ruleset_query(std::uint32_t flag)
{
	const long r = syscall(uapi::nr_landlock_create_ruleset, nullptr, 0, flag);

	return r < 0 ? -errno : r;
}

/* Fills @k's ABI from the VERSION query; false when errata are meaningless. */
bool probe_abi(KernelProbe &k)
{
	const long abi = create_ruleset_query(uapi::create_ruleset_version);

	if (abi == -ENOSYS) {
		k.profile.abi = -1;
		k.notes.push_back("landlock_create_ruleset: ENOSYS, the kernel has no Landlock");
		return false;
	}
	if (abi == -EOPNOTSUPP) {
		k.profile.abi = 0;
		k.notes.push_back("landlock_create_ruleset: EOPNOTSUPP, Landlock is disabled "
				  "at boot (add lsm=landlock)");
		return false;
	}
	if (abi < 0) {
		k.profile.abi = -1;
		k.notes.push_back("landlock_create_ruleset(VERSION): " +
				  errno_name(static_cast<int>(-abi)));
		return false;
	}
	k.profile.abi = static_cast<int>(abi);
	return true;
}

void probe_errata(KernelProbe &k)
{
	const long mask = create_ruleset_query(uapi::create_ruleset_errata);

	if (mask < 0) {
		k.profile.errata_queryable = false;
		k.profile.errata.fill(Erratum::unknown);
		k.notes.push_back("errata not queryable (" + errno_name(static_cast<int>(-mask)) +
				  "): every erratum unknown");
		return;
	}
	k.profile.errata_queryable = true;
	for (int i = 0; i < num_errata; i++)
		k.profile.errata[i] = (mask >> i) & 1 ? Erratum::fixed : Erratum::not_fixed;
	if (mask >> num_errata)
		k.notes.push_back("errata mask " + std::to_string(mask) +
				  " has bits the model does not know");
}

} // namespace

bool has_cap_sys_admin()
{
	uapi::CapHeader hdr{uapi::capability_version_3, 0};
	uapi::CapData data[2] = {};

	if (syscall(uapi::nr_capget, &hdr, data) != 0)
		return false;
	return data[uapi::cap_sys_admin / 32].effective & (1u << (uapi::cap_sys_admin % 32));
}

KernelProbe probe_kernel()
{
	KernelProbe k;
	struct utsname u {};

	if (uname(&u) == 0)
		k.uname = u.release;
	k.root = has_cap_sys_admin();
	k.profile.root = k.root;
	if (probe_abi(k))
		probe_errata(k);
	else {
		k.profile.errata_queryable = false;
		k.profile.errata.fill(Erratum::unknown);
	}
	if (!k.root)
		k.notes.push_back("not root: traces that need privilege are skipped");
	return k;
}

const char *status_name(TraceRun::Status s)
{
	switch (s) {
	case TraceRun::Status::completed:
		return "completed";
	case TraceRun::Status::skipped:
		return "skipped";
	case TraceRun::Status::timeout:
		return "timeout";
	case TraceRun::Status::setup_error:
		return "setup_error";
	case TraceRun::Status::crashed:
		return "crashed";
	}
	return "?";
}

const char *status_name(StepRun::Status s)
{
	switch (s) {
	case StepRun::Status::done:
		return "done";
	case StepRun::Status::skipped:
		return "skipped";
	case StepRun::Status::timeout:
		return "timeout";
	case StepRun::Status::not_reached:
		return "not_reached";
	}
	return "?";
}

} // namespace lockstep::exec

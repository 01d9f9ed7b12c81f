#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# ctest kernel.supervisor.vm: the supervisor cases, the concurrency stress and
# the smoke test on the patched kernel (unmutated), in a 2-vCPU TCG VM.
#
# It never builds a kernel: it uses the bzImage that `kernel/build-kernel`
# left in its cache (release, else release-mutants booted without a
# mutant), and is skipped (exit 77, with the reason) when there is none.
#
# usage: supervisor_vm.sh LOCKSTEP_BINARY [WORKDIR]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)   # kernel/
lockstep=${1:?usage: supervisor_vm.sh LOCKSTEP_BINARY [WORKDIR]}
work=${2:-${TMPDIR:-/tmp}/lockstep-kernel-vm-test}
cache=${LOCKSTEP_KBUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lockstep/kbuild}
kernel=
for f in release release-mutants; do
	if [ -f "$cache/build/$f/arch/x86/boot/bzImage" ]; then
		kernel=$cache/build/$f/arch/x86/boot/bzImage
		break
	fi
done
if [ -z "$kernel" ]; then
	echo "SKIP: no patched bzImage in $cache/build/{release,release-mutants}" \
	     "(kernel/build-kernel --flavour release [--mutants]; never built by the tests)"
	exit 77
fi
. "$here/tests/vm_payloads.sh"
vm_payloads "$work"
echo "kernel: $kernel"
exec python3 "$here/run-mutants" --kernel "$kernel" --mutant none \
	--stages sup,stress,smoke --stress-seconds 3 --lockstep "$lockstep" \
	--stress "$work/stress" --smoke "$work/smoke" --run-dir "$work/runs"

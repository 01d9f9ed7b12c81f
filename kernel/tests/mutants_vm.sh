#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# ctest kernel.mutants.vm: every mutant of kernel/patches/test/0001 is killed,
# cheaply: one boot of the mutants kernel per mutant with only its killer from
# the kill table (run-mutants --killers: one supervisor case, the `move` stress
# scenario, or the smoke test), after the unmutated kernel passed all of them.
#
# It never builds a kernel: it uses the release-mutants bzImage that
# `kernel/build-kernel --flavour release --mutants` left in its cache (.ci/run
# builds it), and is skipped (exit 77, with the reason) when there is none.
#
# usage: mutants_vm.sh LOCKSTEP_BINARY [WORKDIR]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)   # kernel/
lockstep=${1:?usage: mutants_vm.sh LOCKSTEP_BINARY [WORKDIR]}
work=${2:-${TMPDIR:-/tmp}/lockstep-kernel-mutants-test}
cache=${LOCKSTEP_KBUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lockstep/kbuild}
kernel=$cache/build/release-mutants/arch/x86/boot/bzImage
if [ ! -f "$kernel" ]; then
	echo "SKIP: no mutants bzImage $kernel" \
	     "(kernel/build-kernel --flavour release --mutants; never built by the tests)"
	exit 77
fi
. "$here/tests/vm_payloads.sh"
vm_payloads "$work"
rm -rf "$work/runs"
echo "kernel: $kernel"
# 10 s per stress scenario: the races of per-step, in-place and no-ref were
# hit within 0.04-2 s of the start; the run stops at the first failure.  But
# not on every boot (no-ref's freed ruleset must be reused under the walk):
# a surviving mutant is booted up to 3 times.
exec python3 "$here/run-mutants" --kernel "$kernel" --killers --stress-seconds 10 --attempts 3 \
	--lockstep "$lockstep" --stress "$work/stress" --smoke "$work/smoke" \
	--run-dir "$work/runs"

# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the kernel.*.vm ctest scripts: what they need besides a kernel.
#
# vm_payloads WORKDIR: skip (exit 77, with the reason) without QEMU or gcc,
# else build the static supervisor smoke and stress payloads into WORKDIR.
# $here must be kernel/.
vm_payloads() {
	for tool in qemu-system-x86_64 gcc; do
		if ! command -v $tool >/dev/null 2>&1; then
			echo "SKIP: $tool not found"
			exit 77
		fi
	done
	mkdir -p "$1"
	for p in smoke stress; do
		gcc -static -O2 -Wall -Wextra -o "$1/$p" "$here/supervisor-smoke/$p.c"
	done
}

#!/bin/sh
# A wrong profile (erratum 4 claimed fixed on a kernel without the fix) must
# produce divergences, each with a C reproducer that compiles and shows the
# kernel's behaviour (exit 1: "divergence reproduced").
set -eu
lockstep=$1
cases=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

real=$("$lockstep" run --no-progress --no-corpus --generate 0 2>/dev/null | sed -n 's/.*profile \(abi=[^ ]*\).*/\1/p' | head -n1 || true)
case "$real" in
*errata=*4*|*errata=unknown*)
	echo "SKIP: this kernel reports erratum 4 as fixed or unknown ($real)"
	exit 77 ;;
esac

status=0
"$lockstep" run --no-progress -j 2 --profile abi=7,errata=1+2+3+4 --save-dir "$work/fail" \
	"$cases/errata" > "$work/ktap" || status=$?
if [ "$status" -ne 1 ]; then
	echo "FAIL: expected divergences (exit 1), got exit $status"
	cat "$work/ktap"
	exit 1
fi
n=0
for c in "$work"/fail/*.c; do
	[ -e "$c" ] || continue
	cc -o "$work/repro" "$c" -pthread
	rc=0
	"$work/repro" > "$work/out" 2>&1 || rc=$?
	if [ "$rc" -ne 1 ]; then
		echo "FAIL: $c exited $rc instead of 1 (divergence reproduced)"
		cat "$work/out"
		exit 1
	fi
	n=$((n + 1))
done
if [ "$n" -eq 0 ]; then
	echo "FAIL: no reproducer was written"
	exit 1
fi
echo "ok: $n divergences, each reproduced by its C program"

#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0-only
#
# OSS-Fuzz / ClusterFuzzLite build script: builds the standalone clang tree
# of fuzz/ with the engine's flags ($CC, $CXX, $CXXFLAGS with the
# sanitizer, $LIB_FUZZING_ENGINE) and puts in $OUT, per target, the
# program, its seed corpus (.zip), its dictionary and its options.
#
# fuzz_kernel runs traces on the kernel it runs on: it needs Landlock and,
# for most of the language, root (a private mount namespace).  OSS-Fuzz's
# bots have neither, so it is built only with LOCKSTEP_FUZZ_KERNEL=1 (a
# ClusterFuzzLite runner of your own on a Landlock kernel).
# fuzz_kernel_planted is a test of the suite, never a campaign.
SRC_DIR=${SRC:-$PWD}/lockstep
[ -d "$SRC_DIR/fuzz" ] || SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${WORK:-/tmp}/lockstep-fuzz

targets="fuzz_trace_parser fuzz_model fuzz_variants"
if [ "${LOCKSTEP_FUZZ_KERNEL:-0}" = 1 ]; then
	targets="$targets fuzz_kernel"
fi

cmake -S "$SRC_DIR/fuzz" -B "$BUILD" -G Ninja \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
	-DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
	-DLOCKSTEP_FUZZ_ENGINE="$LIB_FUZZING_ENGINE"
# shellcheck disable=SC2086
cmake --build "$BUILD" --target $targets fuzz-seeds -j "$(nproc)"

for t in $targets; do
	cp "$BUILD/$t" "$OUT/"
	if [ "$t" = fuzz_trace_parser ]; then
		seeds="$BUILD/seeds/text"
		cp "$SRC_DIR/fuzz/trace.dict" "$OUT/$t.dict"
		max_len=4096
	else
		seeds="$BUILD/seeds/codec"
		max_len=1024
	fi
	(cd "$seeds" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
	# The same limits as fuzz/run-fuzz.
	timeout=10
	[ "$t" = fuzz_kernel ] && timeout=40
	printf '[libfuzzer]\nmax_len = %s\ntimeout = %s\nrss_limit_mb = 3072\n' \
		"$max_len" "$timeout" > "$OUT/$t.options"
done

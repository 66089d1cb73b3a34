#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the firmware model's libFuzzer targets (clang, ASan+UBSan) in their
# own build directory and run each for a bounded time from its committed
# seed corpus and dictionary (firmware-model/fuzz/README.md).
#
# Usage: scripts/run-fuzzers.sh [TARGET...]   (default: every target)
# Environment:
#   PVGPU_FUZZ_SECONDS  time per target (default 60)
#   PVGPU_FUZZ_BUILD    build directory (default build/fuzz; configured
#                       here with CC=clang if it is not yet)
#
# Prints one line per target:
#   PASS fuzz/<target> (<N> execs, <R> exec/s)
#   FAIL fuzz/<target> (<reason>)
# and exits non-zero if any target failed (a crash, sanitizer report, leak,
# timeout, out-of-memory, or a harness FINDING). A failing target's log and
# reproducer are kept under <build>/fuzz-findings/<target>/. The seed
# corpus is copied to a scratch directory: the tree is never written.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${PVGPU_FUZZ_BUILD:-$root/build/fuzz}
secs=${PVGPU_FUZZ_SECONDS:-60}
fuzzdir=$root/firmware-model/fuzz
targets=${*:-"fuzz_channel fuzz_engine"}

case $secs in
''|*[!0-9]*) echo "PVGPU_FUZZ_SECONDS: not a number: $secs" >&2; exit 2 ;;
esac

if [ ! -f "$build/build.ninja" ]; then
	CC=${PVGPU_FUZZ_CC:-clang} meson setup "$build" "$root" \
		-Dfuzzers=enabled >"$build.setup.log" 2>&1 || {
		cat "$build.setup.log" >&2
		for t in $targets; do
			echo "FAIL fuzz/$t (configure failed: $build.setup.log)"
		done
		exit 1
	}
	rm -f "$build.setup.log"
fi
ninja_targets=
for t in $targets; do
	ninja_targets="$ninja_targets firmware-model/fuzz/$t"
done
# shellcheck disable=SC2086
if ! nice ninja -C "$build" $ninja_targets >"$build/fuzz-build.log" 2>&1; then
	tail -n 30 "$build/fuzz-build.log" >&2
	for t in $targets; do
		echo "FAIL fuzz/$t (build failed: $build/fuzz-build.log)"
	done
	exit 1
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/pvgpu-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM

# The first line of @log that says why libFuzzer stopped, shortened.
reason() {
	sed -n -e 's/.*\(FINDING: .*\)/\1/p' \
	       -e 's/.*ERROR: \(AddressSanitizer: [^ ]*\).*/\1/p' \
	       -e 's/.*ERROR: \(LeakSanitizer: .*\)/\1/p' \
	       -e 's/.*\(runtime error: .*\)/UBSan: \1/p' \
	       -e 's/.*ERROR: libFuzzer: \(.*\)/\1/p' \
	       -e 's/^\(\*\*.*\)$/\1/p' "$1" | head -n 1 | cut -c 1-160
}

failed=0
for t in $targets; do
	bin=$build/firmware-model/fuzz/$t
	work=$scratch/$t
	mkdir -p "$work/corpus" "$work/artifacts"
	if [ -d "$fuzzdir/corpus/$t" ]; then
		cp "$fuzzdir/corpus/$t/"* "$work/corpus/"
	fi
	dict=
	if [ -f "$fuzzdir/corpus/$t.dict" ]; then
		dict=-dict=$fuzzdir/corpus/$t.dict
	fi
	rc=0
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-malloc_limit_mb=512 -max_len=65536 -print_final_stats=1 \
		$dict -artifact_prefix="$work/artifacts/" "$work/corpus" \
		>"$work/log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
	if [ "$rc" -eq 0 ] && [ -n "$execs" ] &&
	   [ -z "$(ls -A "$work/artifacts")" ]; then
		echo "PASS fuzz/$t ($execs execs, $rate exec/s)"
		continue
	fi
	failed=1
	keep=$build/fuzz-findings/$t
	rm -rf "$keep"
	mkdir -p "$keep"
	cp "$work/log" "$keep/log"
	cp "$work/artifacts/"* "$keep/" 2>/dev/null || true
	why=$(reason "$work/log")
	echo "FAIL fuzz/$t (${why:-exit status $rc}; log and reproducer in $keep)"
done
exit $failed

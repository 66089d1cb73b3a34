#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Host check of igt_lite against what igt_runner expects (see
# tests/guest/README.md), and of the real tests' clean skip without a
# pvgpu device.
#   check-igt-lite.sh SELFTEST [TEST...]
set -u
self=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# run NAME EXPECTED_RC ARGS...: stdout in $tmp/out, stderr in $tmp/err
run() {
	local name=$1 want=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -eq "$want" ]; then ok; else
		bad "$name: exit $rc, expected $want"
		sed 's/^/  out: /' "$tmp/out" >&2
		sed 's/^/  err: /' "$tmp/err" >&2
	fi
}
has() {	# has NAME FILE REGEX
	if grep -Eq -- "$3" "$2"; then ok; else bad "$1: no line matching '$3' in $(basename "$2")"; sed 's/^/  | /' "$2" >&2; fi
}
hasnt() {
	if grep -Eq -- "$3" "$2"; then bad "$1: unexpected line matching '$3'"; else ok; fi
}
empty() {
	if [ -s "$2" ]; then bad "$1: $(basename "$2") not empty"; sed 's/^/  | /' "$2" >&2; else ok; fi
}

export IGT_LITE_SUBTEST_TIMEOUT=2
unset IGT_SENTINEL_ON_STDERR IGT_FORCE_DRIVER IGT_DEVICE

run list 0 "$self" --list-subtests
if [ "$(tr '\n' ' ' <"$tmp/out")" = "pass fail fail-err skip crash timeout helper-pass helper-fail thread-fail exit-handler exit-handler-fail " ]; then ok; else bad "list: $(cat "$tmp/out")"; fi
empty list "$tmp/err"

run list-filter 0 "$self" --list-subtests --run-subtest 'helper-*'
if [ "$(tr '\n' ' ' <"$tmp/out")" = "helper-pass helper-fail " ]; then ok; else bad "list-filter: $(cat "$tmp/out")"; fi

run show-testlist 0 "$self" --show-testlist
has show-testlist "$tmp/out" '^igt@igt_lite_selftest@pass$'

run pass 0 "$self" --run-subtest pass
has pass "$tmp/out" '^IGT-Version: '
has pass "$tmp/out" '^Starting subtest: pass$'
has pass "$tmp/out" '^Subtest pass: SUCCESS \([0-9]+\.[0-9]{3}s\)$'
empty pass "$tmp/err"

run pass-eq 0 "$self" --run-subtest=pass
has pass-eq "$tmp/out" '^Subtest pass: SUCCESS'

run fail 98 "$self" --run-subtest fail
has fail "$tmp/out" '^Subtest fail: FAIL \([0-9.]+s\)$'
has fail "$tmp/err" 'igt_lite_selftest.c:[0-9]+ in test_fail\(\)'
has fail "$tmp/err" 'EINVAL'
has fail "$tmp/err" '1 \+ 1 = 2, 3 = 3'

run fail-err 98 "$self" --run-subtest fail-err
has fail-err "$tmp/err" 'got -2 \(ENOENT\), expected -22 \(EINVAL\)'

run skip 77 "$self" --run-subtest skip
has skip "$tmp/out" '^Subtest skip: SKIP \('
has skip "$tmp/out" 'no such thing'
empty skip "$tmp/err"

run crash 98 "$self" --run-subtest crash
has crash "$tmp/out" '^Subtest crash: CRASH \('

run timeout 98 "$self" --run-subtest timeout
has timeout "$tmp/out" '^Subtest timeout: TIMEOUT \('

run helper-pass 0 "$self" --run-subtest helper-pass
run helper-fail 98 "$self" --run-subtest helper-fail
has helper-fail "$tmp/err" 'helper 2 fails on purpose'
run thread-fail 98 "$self" --run-subtest thread-fail
has thread-fail "$tmp/out" '^Subtest thread-fail: FAIL'

# exit handlers: last installed first, after success and after failure
for t in exit-handler exit-handler-fail; do
	[ "$t" = exit-handler ] && want=0 || want=98
	run "$t" "$want" "$self" --run-subtest "$t"
	if [ "$(grep '^exit handler' "$tmp/out" | tr '\n' '|')" = "exit handler second|exit handler first (sig 0)|" ]; then ok; else
		bad "$t: handlers did not run once each, last first"; sed 's/^/  | /' "$tmp/out" >&2; fi
done

# igt_runner's multiple mode and resume: comma lists, globs, negation
run multi 0 "$self" --run-subtest 'skip,helper-*,!helper-fail'
has multi "$tmp/out" '^Subtest skip: SKIP'
has multi "$tmp/out" '^Subtest helper-pass: SUCCESS'
hasnt multi "$tmp/out" 'helper-fail'
run multi-pass 0 "$self" --run-subtest 'pass,skip'
run resume 0 "$self" --run-subtest '*,!fail*,!crash,!timeout,!helper-fail,!thread-fail,!exit-handler*'
if [ "$(grep -c '^Starting subtest: ' "$tmp/out")" -eq 3 ]; then ok; else bad "resume: ran $(grep -c '^Starting subtest: ' "$tmp/out") subtests"; fi

run unknown 79 "$self" --run-subtest nosuch
has unknown "$tmp/err" 'Unknown subtest: nosuch'
run bad-option 79 "$self" --no-such-option
run help 0 "$self" --help
run hook 0 "$self" --hook 'echo hi' --run-subtest pass
run device-opt 0 "$self" --device drm:/dev/dri/card0 --run-subtest pass

IGT_SENTINEL_ON_STDERR=1 run sentinel 98 "$self" --run-subtest 'pass,fail'
has sentinel "$tmp/err" '^Starting subtest: pass$'
has sentinel "$tmp/err" '^Subtest pass: SUCCESS'
has sentinel "$tmp/err" '^Starting subtest: fail$'
has sentinel "$tmp/err" '^Subtest fail: FAIL'

# The real tests: listable, and without a pvgpu device every subtest skips.
for t in "$@"; do
	n=$(basename "$t")
	run "$n-list" 0 "$t" --list-subtests
	empty "$n-list" "$tmp/err"
	count=$(wc -l <"$tmp/out")
	if [ "$(grep -cvE '^[a-z0-9_-]+$' "$tmp/out")" -eq 0 ] && [ "$count" -gt 0 ]; then ok; else bad "$n: bad subtest names"; fi
	if ls /dev/dri/renderD* >/dev/null 2>&1; then
		echo "note: /dev/dri has render nodes; not checking $n's skip" >&2
		continue
	fi
	run "$n-skip" 77 "$t"
	if [ "$(grep -c '^Subtest .*: SKIP (' "$tmp/out")" -eq "$count" ]; then ok; else bad "$n: not all $count subtests skipped"; fi
	empty "$n-skip" "$tmp/err"
	IGT_FORCE_DRIVER=i915 run "$n-forced" 77 "$t"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

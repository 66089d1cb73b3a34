#!/bin/bash
# Runs inside the guest (installed as /opt/pvgpu/bin/pvgpu-guest-suite):
# every guest test under igt_runner (PVGPU_TEST_FILTER / PVGPU_TEST_EXCLUDE:
# igt_runner's -t / -x regexes), the timing-sensitive ones apart (below),
# then the kernel's own verdicts. Results land in $PVGPU_OUT for the host to
# judge (tests/vm/judge-guest.py):
#   igt/results.json   igt_runner's results (igt_results)
#   timing/NAME/attempt-N/results.json
#                      each timing-sensitive test's runs, alone
#   timing/planned.txt the timing-sensitive subtests this run had to run
#   timing/missing.txt timing-sensitive entries that matched no subtest
#   dmesg.txt          the whole kernel log
#   kmemleak.txt       leaks kmemleak found after the tests
set -u
out=${PVGPU_OUT:-/out}
kmemleak=/sys/kernel/debug/kmemleak

# Leaks reported before the tests are not the tests' doing.
if [ -w "$kmemleak" ]; then
	echo scan >"$kmemleak"
	echo clear >"$kmemleak"
fi

tests=/opt/pvgpu/tests
timing_list=/etc/pvgpu/timing-sensitive.txt
timing_res=$(grep -vE '^\s*(#|$)' "$timing_list" | awk '{ print "^" $1 "$" }' | paste -sd'|')
# An empty -x would exclude every test.
[ -n "$timing_res" ] || timing_res='^$'

runner_args=(-o -s --per-test-timeout 300 --inactivity-timeout 240)
[ -n "${PVGPU_TEST_FILTER:-}" ] && runner_args+=(-t "$PVGPU_TEST_FILTER")
[ -n "${PVGPU_TEST_EXCLUDE:-}" ] && runner_args+=(-x "$PVGPU_TEST_EXCLUDE")
# The test root's test-list.txt names the programs; igt_runner reads it.
igt_runner "${runner_args[@]}" -x "$timing_res" \
	"$tests" "$out/igt" >"$out/igt_runner.log" 2>&1
echo "igt_runner exited with $?" >>"$out/igt_runner.log"
igt_results "$out/igt" >>"$out/igt_runner.log" 2>&1

# Timing-sensitive tests (docs/pipeline.rst): each alone, with a short
# per-test timeout; once more alone if the first run did not pass. The host
# tells PASS from FLAKY from FAIL.
# igt_runner creates only the last component of its results path.
run_alone() {
	mkdir -p "$(dirname "$2")"
	igt_runner -o -s --per-test-timeout 60 --inactivity-timeout 60 \
		-t "^$1\$" "$tests" "$2" </dev/null >>"$out/timing/igt_runner.log" 2>&1
	igt_results "$2" </dev/null >>"$out/timing/igt_runner.log" 2>&1
}
mkdir -p "$out/timing"
grep -vE '^\s*(#|$)' "$timing_list" | awk '{ print $1 }' | while read -r entry; do
	prog=${entry#igt@}
	prog=${prog%%@*}
	subs=$("$tests/$prog" --list-subtests </dev/null 2>/dev/null |
		grep -E "^${entry#igt@"$prog"@}\$")
	if [ -z "$subs" ]; then
		echo "$entry" >>"$out/timing/missing.txt"
		continue
	fi
	for sub in $subs; do
		name="igt@$prog@$sub"
		[ -n "${PVGPU_TEST_FILTER:-}" ] && ! echo "$name" | grep -qE "$PVGPU_TEST_FILTER" && continue
		[ -n "${PVGPU_TEST_EXCLUDE:-}" ] && echo "$name" | grep -qE "$PVGPU_TEST_EXCLUDE" && continue
		echo "$name" >>"$out/timing/planned.txt"
		run_alone "$name" "$out/timing/$name/attempt-1"
		grep -qE '"result" *: *"pass"' "$out/timing/$name/attempt-1/results.json" 2>/dev/null ||
			run_alone "$name" "$out/timing/$name/attempt-2"
	done
done

if [ -w "$kmemleak" ]; then
	# kmemleak reports an object only after two scans found it unreferenced.
	echo scan >"$kmemleak"
	sleep 6
	echo scan >"$kmemleak"
	cat "$kmemleak" >"$out/kmemleak.txt"
fi
dmesg >"$out/dmesg.txt"
exit 0

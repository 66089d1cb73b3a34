#!/bin/bash
# Runs inside the guest (installed as /opt/pvgpu/bin/pvgpu-guest-suite):
# every guest test under igt_runner (PVGPU_TEST_FILTER / PVGPU_TEST_EXCLUDE:
# igt_runner's -t / -x regexes), then the kernel's own verdicts. Results
# land in $PVGPU_OUT for the host to judge (tests/vm/judge-guest.py):
#   igt/results.json   igt_runner's results (igt_results)
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

runner_args=(-o -s --per-test-timeout 300 --inactivity-timeout 240)
[ -n "${PVGPU_TEST_FILTER:-}" ] && runner_args+=(-t "$PVGPU_TEST_FILTER")
[ -n "${PVGPU_TEST_EXCLUDE:-}" ] && runner_args+=(-x "$PVGPU_TEST_EXCLUDE")
# The test root's test-list.txt names the programs; igt_runner reads it.
igt_runner "${runner_args[@]}" \
	/opt/pvgpu/tests "$out/igt" >"$out/igt_runner.log" 2>&1
echo "igt_runner exited with $?" >>"$out/igt_runner.log"
igt_results "$out/igt" >>"$out/igt_runner.log" 2>&1

if [ -w "$kmemleak" ]; then
	# kmemleak reports an object only after two scans found it unreferenced.
	echo scan >"$kmemleak"
	sleep 6
	echo scan >"$kmemleak"
	cat "$kmemleak" >"$out/kmemleak.txt"
fi
dmesg >"$out/dmesg.txt"
exit 0

#!/usr/bin/env bash
# The whole pvgpu test suite (README command 2; .ci/run calls it).
#   test-all.sh [--skip-guest] [--filter REGEX]
# Layers, each reporting PASS/FAIL/SKIP/FLAKY lines into
# build/test-results.txt:
#   host    firmware-model unit tests under ASan/UBSan (meson test, judged
#           from meson's testlog.json)
#   fuzz    each libFuzzer target for a bounded time from its seed corpus
#   qtest   the QEMU device without a guest
#   style   checkpatch --strict on guest-driver/; its build with W=1,
#           sparse and clang's uninitialised-variable warnings, clean
#   docs    the Sphinx build of docs/, warnings as errors
#   guest   the debug kernel (lockdep, KASAN, kmemleak, ...) running every
#           guest test and IGT's driver-agnostic tests under igt_runner,
#           then the kernel's own verdicts
#   virgl   the compute-kernel guest tests again on a device whose kernels
#           run through virglrenderer (backend=virgl)
#   migrate a VM with busy queues live-migrated, and saved and restored
#           (tests/vm/migrate.py; skipped with the guest layer)
# Then scripts/summarize-results.py: every skip must be documented in
# tests/expected-skips.txt, flaky tests are listed, and the last line is
# "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

skip_guest=0 filter=""
while [ $# -gt 0 ]; do
	case "$1" in
	--skip-guest) skip_guest=1; shift ;;
	--filter) filter=$2; shift 2 ;;
	*) die "test-all.sh: unknown option '$1'" ;;
	esac
done

results="$PVGPU_BUILD/test-results.txt"
: >"$results"
fail_layer() { echo "FAIL $1  # $2" | tee -a "$results"; }

"$PVGPU_ROOT/scripts/setup-host.sh" || fail_layer setup "host setup failed"

# --- host ---------------------------------------------------------------
step "test: host unit tests (ASan/UBSan)"
hostbuild="$PVGPU_BUILD/host-sanitize"
if { [ -f "$hostbuild/build.ninja" ] ||
	meson setup "$hostbuild" "$PVGPU_ROOT" -Db_sanitize=address,undefined \
		-Db_lundef=false --buildtype=debug >"$PVGPU_BUILD/host-setup.log" 2>&1; } &&
	meson compile -C "$hostbuild" >"$PVGPU_BUILD/host-build.log" 2>&1; then
	# meson runs them (timeouts and the sanitizer environment are in the
	# meson files); its verdicts are read back from testlog.json.
	meson test -C "$hostbuild" --no-rebuild >"$PVGPU_BUILD/host-test.log" 2>&1
	"$PVGPU_ROOT/scripts/judge-host-tests.py" "$hostbuild" | tee -a "$results" |
		grep -v '^PASS' || true
else
	tail -n 30 "$PVGPU_BUILD/host-build.log" "$PVGPU_BUILD/host-setup.log" 2>/dev/null >&2
	fail_layer host/build "firmware-model did not build"
fi

step "test: guest-suite judge self-test"
judge_rc=0
"$PVGPU_ROOT/tests/vm/test_judge.py" >"$PVGPU_BUILD/judge-selftest.log" 2>&1 || judge_rc=$?
"$PVGPU_ROOT/scripts/judge-host-tests.py" --tap host/vm <"$PVGPU_BUILD/judge-selftest.log" |
	tee -a "$results" | grep -v '^PASS' || true
[ "$judge_rc" = 0 ] || fail_layer host/vm/program "exit $judge_rc, see $PVGPU_BUILD/judge-selftest.log"

# --- fuzz ---------------------------------------------------------------
step "test: libFuzzer targets, bounded runs from the seed corpus"
"$PVGPU_ROOT/scripts/run-fuzzers.sh" 2>"$PVGPU_BUILD/fuzz.log" | tee -a "$results" |
	grep -v '^PASS' || true
grep -q '^[A-Z]* fuzz/' "$results" || fail_layer fuzz "no fuzzer ran, see $PVGPU_BUILD/fuzz.log"

# --- qtest --------------------------------------------------------------
step "test: qtest"
qtest_rc=0
"$PVGPU_ROOT/scripts/run-qtest.sh" >"$PVGPU_BUILD/qtest.log" 2>&1 || qtest_rc=$?
"$PVGPU_ROOT/scripts/judge-host-tests.py" --tap qtest <"$PVGPU_BUILD/qtest.log" |
	tee -a "$results" | grep -v '^PASS' || true
[ "$qtest_rc" = 0 ] || fail_layer qtest/program "exit $qtest_rc, see $PVGPU_BUILD/qtest.log"

# --- style --------------------------------------------------------------
step "test: checkpatch --strict on guest-driver/"
checkpatch=$("$PVGPU_ROOT/scripts/checkpatch.sh" --path)
if [ -n "$checkpatch" ] && "$PVGPU_ROOT/scripts/checkpatch.sh" >"$PVGPU_BUILD/checkpatch.log" 2>&1; then
	echo "PASS style/checkpatch-guest-driver" >>"$results"
else
	tail -n 20 "$PVGPU_BUILD/checkpatch.log" >&2
	fail_layer style/checkpatch-guest-driver "see $PVGPU_BUILD/checkpatch.log"
fi

# W=1, sparse (C=2) and clang's uninitialised-variable analysis, against the
# stock kernel's headers and, unless the guest layer is skipped, the debug
# kernel (which that layer builds anyway), whose config compiles the
# lockdep-only code too.
step "test: W=1, sparse and clang on guest-driver/"
check_kdirs=("/usr/src/linux-headers-$KERNEL_ABI-amd64")
if [ "$skip_guest" = 0 ]; then
	if debug_kdir=$("$PVGPU_ROOT/scripts/build-kernel.sh" debug); then
		check_kdirs+=("$debug_kdir/build")
	else
		check_kdirs=()
		fail_layer style/w1-sparse-guest-driver "the debug kernel did not build"
	fi
fi
if [ "${#check_kdirs[@]}" = 0 ]; then
	:
elif "$PVGPU_ROOT/scripts/check-guest-build.sh" "${check_kdirs[@]}" 2>"$PVGPU_BUILD/check-guest-build.log"; then
	echo "PASS style/w1-sparse-guest-driver" >>"$results"
else
	tail -n 30 "$PVGPU_BUILD/check-guest-build.log" >&2
	fail_layer style/w1-sparse-guest-driver "see $PVGPU_BUILD/check-guest-build.log"
fi

# --- docs ---------------------------------------------------------------
step "test: Sphinx build of docs/ (warnings are errors)"
"$PVGPU_ROOT/scripts/build-docs.sh" 2>"$PVGPU_BUILD/docs.log" | tee -a "$results" |
	grep -v '^PASS' || true
grep -q '^[A-Z]* docs/' "$results" || fail_layer docs/sphinx "see $PVGPU_BUILD/docs.log"

# --- guest --------------------------------------------------------------
# Every guest test runs; those whose timing TCG cannot always meet
# (tests/vm/timing-sensitive.txt) run alone, and again alone once if they
# fail: the summary reports them FLAKY, never PASS.
if [ "$skip_guest" = 0 ]; then
	step "test: guest suite on the debug kernel (igt_runner)"
	out="$PVGPU_BUILD/guest-results"
	# About 12 minutes on an idle machine; the limit is for a busy one.
	vmrc=0
	"$PVGPU_ROOT/scripts/vm.sh" --kernel debug --quiet --out "$out" --timeout 3600 \
		--device x-guest-inject=on \
		-- env PVGPU_TEST_FILTER="$filter" pvgpu-guest-suite || vmrc=$?
	[ "$vmrc" = 0 ] || fail_layer guest/vm "the VM run failed (exit $vmrc, see $PVGPU_BUILD/vm/console.log)"
	"$PVGPU_ROOT/tests/vm/judge-guest.py" "$out" | tee -a "$results" | grep -v '^PASS' || true

	# The compute kernels again, on a device that runs them through
	# virglrenderer on the host GPU (docs/virgl.rst): the same tests expect
	# the same bytes. Selected with the rest unless --filter names other
	# tests only (--filter virgl selects this step alone).
	virgl_tests='^igt@(pvgpu_compute|pvgpu_query)@'
	# A host with no GL at all (virglrenderer cannot initialise, the worker
	# says so) skips it, saying why; any other refusal of the device fails.
	virgl_probe() {
		local qemu
		qemu=$("$PVGPU_ROOT/scripts/build-qemu.sh" 2>/dev/null) || return 0
		echo '{"execute": "qmp_capabilities"} {"execute": "quit"}' |
			timeout 120 "$qemu" -machine q35 -nodefaults -display none \
			-bios /usr/share/qemu/qboot.rom -L /usr/share/qemu -S \
			-qmp stdio -device pvgpu,backend=virgl 2>&1 >/dev/null
	}
	if [ -z "$filter" ] || echo "virgl/pvgpu_compute@" | grep -Eq -- "$filter"; then
		virgl_err=$(virgl_probe)
	else
		virgl_err=filtered
	fi
	if [ "$virgl_err" = filtered ]; then
		:
	elif grep -qE "virgl_renderer_init|virglrenderer not initialised" <<<"$virgl_err"; then
		echo "SKIP virgl/guest  # no GL on this host: $(head -c 200 <<<"$virgl_err" | tr '\n' ' ')" |
			tee -a "$results"
	else
		step "test: guest suite on the virgl backend (igt_runner)"
		out="$PVGPU_BUILD/guest-results-virgl"
		vmrc=0
		"$PVGPU_ROOT/scripts/vm.sh" --kernel debug --quiet --out "$out" --timeout 1800 \
			--device x-guest-inject=on,backend=virgl \
			-- env PVGPU_TEST_FILTER="$virgl_tests" pvgpu-guest-suite || vmrc=$?
		[ "$vmrc" = 0 ] || fail_layer virgl/guest/vm "the VM run failed (exit $vmrc, see $PVGPU_BUILD/vm/console.log)"
		"$PVGPU_ROOT/tests/vm/judge-guest.py" "$out" virgl | tee -a "$results" | grep -v '^PASS' || true
	fi

	# A VM whose 64 exec queues are busy, live-migrated and saved to a file
	# and restored, one boot each; the guest checks every result
	# (docs/migration.rst). --filter selects by migrate/live and
	# migrate/save-restore.
	step "test: migration with busy queues (log: $PVGPU_BUILD/migrate.log)"
	"$PVGPU_ROOT/tests/vm/migrate.py" --tap --filter "$filter" >"$PVGPU_BUILD/migrate.log" 2>&1
	grep -qx '1\.\.0' "$PVGPU_BUILD/migrate.log" ||
		"$PVGPU_ROOT/scripts/judge-host-tests.py" --tap migrate <"$PVGPU_BUILD/migrate.log" |
		tee -a "$results" | grep -v '^PASS' || true
fi

echo "results: $results"
"$PVGPU_ROOT/scripts/summarize-results.py" "$results" "$PVGPU_ROOT/tests/expected-skips.txt"

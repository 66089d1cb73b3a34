#!/usr/bin/env bash
# Build QEMU with pvgpu (scripts/build-qemu.sh) and run the pvgpu qtest
# (tests/qtest/pvgpu-test.c). TAP on stdout; exits non-zero on failure.
# Extra arguments go to the test binary (e.g. -p /pvgpu/ping, --verbose).
# QTEST_LOG=1 shows the qtest protocol; PVGPU_QEMU_LOG=1 shows the device's
# guest errors (-d guest_errors) on stderr.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

qemu=$("$PVGPU_ROOT/scripts/build-qemu.sh")
build=$(dirname "$qemu")
test_bin=$build/tests/qtest/pvgpu-test
[ -x "$test_bin" ] || die "$test_bin was not built"

export QTEST_QEMU_BINARY=$qemu
# The virgl backend's worker, built with QEMU when it has virglrenderer
# (qemu-device/meson.build); without it the /pvgpu/virgl/backend test skips.
worker=$build/hw/misc/pvgpu/pvgpu-virgl-worker
if [ -x "$worker" ]; then
	export PVGPU_VIRGL_WORKER=$worker
fi
if [ -n "${PVGPU_QEMU_LOG:-}" ]; then
	export QTEST_QEMU_ARGS="-d guest_errors"
fi
# QEMU finds its firmware (qboot, option ROMs) in Debian's qemu-system-data.
export QEMU_DATADIR=${QEMU_DATADIR:-/usr/share/qemu}
step "running $test_bin"
# The whole qtest takes well under a minute on an idle 2-core machine; the
# limit leaves room for a busy one and still ends a hang.
exec timeout -k 10 600 "$test_bin" --tap -k "$@"

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the libFuzzer targets of the firmware model (not part of meson).
# Usage: firmware-model/fuzz/build.sh [OUTDIR]   (default /tmp/pvgpu-fuzz)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fm=$(dirname "$here")
root=$(dirname "$fm")
out=${1:-/tmp/pvgpu-fuzz}
CC=${CC:-clang}
CFLAGS=${CFLAGS:-"-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"}
mkdir -p "$out"
glib=$(pkg-config --cflags --libs glib-2.0)
srcs="$fm/boot.c $fm/config.c $fm/engine.c $fm/fw.c $fm/inject.c \
$fm/kernels.c $fm/log.c $fm/mmu.c $fm/msg.c $fm/queue.c $fm/regs.c \
$fm/ring.c $fm/sched.c $fm/tests/fake_platform.c $fm/tests/fake_driver.c \
$fm/tests/gpu_helpers.c $fm/tests/sched_helpers.c"
for t in fuzz_channel fuzz_engine; do
	# shellcheck disable=SC2086
	$CC -std=gnu11 $CFLAGS -I"$root/include/pvgpu" -I"$fm" -I"$fm/tests" \
		"$here/$t.c" $srcs $glib -lm -o "$out/$t"
	echo "built $out/$t"
done

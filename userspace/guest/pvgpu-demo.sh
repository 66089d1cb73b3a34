#!/bin/bash
# The guest half of `./pvgpu demo`: show that the device, its firmware and
# the driver work, then measure the cheapest firmware round trip.
set -u
echo
echo "=== pvgpu demo: kernel $(uname -r)"
if ! lsmod | grep -q '^pvgpu '; then
	echo "pvgpu.ko is not loaded"
	exit 1
fi
echo "--- driver log"
dmesg | grep -iE 'pvgpu' | sed 's/^\[[ 0-9.]*\] //'
echo "--- DRM nodes"
ls -l /dev/dri/
echo "--- device query (DRM_IOCTL_PVGPU_QUERY)"
pvgpu_info || exit 1
echo "--- the GPU at work: GEM, VM_BIND, two exec queues, a syncobj dependency"
pvgpu_gpu_demo || exit 1
echo "--- firmware round trip: 1000 pings (DRM_IOCTL_PVGPU_FW_PING)"
pvgpu_bench_ping -n 1000 || exit 1
echo "--- firmware log (debugfs)"
cat /sys/kernel/debug/dri/"$(basename "$(readlink -f /sys/class/drm/renderD128/device)")"/fw_log
echo "=== pvgpu demo: done"

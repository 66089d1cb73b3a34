#!/bin/bash
# The guest half of `./pvgpu bench --peers`: pvgpu against QEMU's own
# paravirtual GL GPU in the same boot.
#
#   pvgpu-bench-peers --virtio-gpu PCI --pvgpu-cpu PCI --pvgpu-virgl PCI
#
# Each PCI address (0000:00:05.0, pinned by the host with addr=) names one
# device: virtio-gpu-gl-pci (virtio_gpu, virgl on the host's GL), pvgpu
# backend=cpu and pvgpu backend=virgl. It loads virtio_gpu (/init loads only
# pvgpu), finds each device's render node through
# /sys/class/drm/renderD*/device, and runs pvgpu_bench_peers on the three
# nodes, after the platform floor; their JSON goes to $PVGPU_OUT/bench/
# (peers-cpu0.json, floor-cpu0.json), what the guest saw (each device's
# node, virtio_gpu's kernel messages) to $PVGPU_OUT/peers-guest.txt.
set -u
out=${PVGPU_OUT:-/out}
fail() {
	echo "pvgpu-bench-peers: $*" >&2
	exit 1
}

declare -A pci=()
while [ $# -gt 0 ]; do
	case "$1" in
	--virtio-gpu | --pvgpu-cpu | --pvgpu-virgl)
		[ $# -ge 2 ] || fail "$1 needs a PCI address"
		pci[${1#--}]=$2
		shift 2
		;;
	*) fail "unknown argument '$1' (usage: --virtio-gpu PCI --pvgpu-cpu PCI --pvgpu-virgl PCI)" ;;
	esac
done
peers=(virtio-gpu pvgpu-cpu pvgpu-virgl)
for p in "${peers[@]}"; do
	[ -n "${pci[$p]:-}" ] || fail "no --$p PCI address"
done
mkdir -p "$out/bench" || exit 1

modprobe virtio_gpu || fail "modprobe virtio_gpu failed (the stock kernel carries it; the debug kernel has none)"

# render_node PCI: the render node of the device at PCI once its driver
# has bound it (within 10 s: a loaded TCG guest can be slow to probe).
render_node() {
	local n i
	for ((i = 0; i < 100; i++)); do
		for n in /sys/class/drm/renderD*; do
			[ -e "$n/device" ] || continue
			if [ "$(basename "$(readlink -f "$n/device")")" = "$1" ]; then
				echo "/dev/dri/${n##*/}"
				return 0
			fi
		done
		sleep 0.1
	done
	return 1
}

# say LINE...: on the console and in peers-guest.txt.
say() {
	printf '%s\n' "$@" | tee -a "$out/peers-guest.txt"
}

: >"$out/peers-guest.txt"
say "=== pvgpu bench --peers: kernel $(uname -r), $(nproc) vCPUs (TCG)"
declare -A node=()
for p in "${peers[@]}"; do
	dev=/sys/bus/pci/devices/${pci[$p]}
	[ -e "$dev" ] ||
		fail "$p: no PCI device ${pci[$p]} (there are: $(cd /sys/bus/pci/devices && echo *))"
	node[$p]=$(render_node "${pci[$p]}")
	drv=$(readlink -f "$dev/driver")
	say "$p: ${pci[$p]} (PCI driver ${drv:+${drv##*/}}) ${node[$p]:-(no render node)}"
	[ -n "${node[$p]}" ] || fail "$p: device ${pci[$p]} has no render node"
done
say "--- virtio_gpu's kernel messages"
say "$(dmesg | grep -iE 'virtio[-_]gpu|\[drm\].*(virgl|features|number of)')"

# Without virgl the peer is virtio-gpu's 2D device, with no 3D to compare
# against: QEMU's display had no GL (see ./pvgpu bench --peers).
dmesg | grep -q 'features: +virgl' ||
	fail "virtio_gpu reports no 3D (no 'features: +virgl' in dmesg): QEMU ran virtio-gpu-gl-pci without a GL display"

command -v pvgpu_bench_peers >/dev/null ||
	fail "pvgpu_bench_peers is not in this guest image (userspace/bench/pvgpu_bench_peers.c not built?)"
# As in pvgpu-bench-all: latency on vCPU 0, where the devices' interrupts
# are routed (a wake-up on the other vCPU costs ten times more under TCG),
# and the platform floor of the same boot and vCPU, which bench-report.py
# divides every latency by.
echo "--- platform floor (MMIO write to interrupt handler, pvgpu-cpu), pinned to vCPU 0"
pvgpu_bench_ping --floor -n 2000 -c 0 -d "${node[pvgpu-cpu]}" \
	--json "$out/bench/floor-cpu0.json" || exit 1
echo "--- pvgpu_bench_peers (vCPU 0)"
taskset -c 0 pvgpu_bench_peers --virtio-gpu "${node[virtio-gpu]}" \
	--pvgpu-cpu "${node[pvgpu-cpu]}" --pvgpu-virgl "${node[pvgpu-virgl]}" \
	--json "$out/bench/peers-cpu0.json"

#!/bin/bash
# The guest half of `./pvgpu bench`: every benchmark, figures on stdout and,
# one JSON file per run, in $PVGPU_OUT/bench (scripts/bench-report.py reads
# them on the host).
set -u
bench_out=${PVGPU_OUT:-/out}/bench
mkdir -p "$bench_out" || exit 1
echo "=== pvgpu benchmarks: kernel $(uname -r), $(nproc) vCPUs (TCG)"
for cpu in 0 1; do
	[ "$cpu" -lt "$(nproc)" ] || continue
	echo "--- platform floor (MMIO write to interrupt handler), pinned to vCPU $cpu"
	pvgpu_bench_ping --floor -n 2000 -c "$cpu" --json "$bench_out/floor-cpu$cpu.json" || exit 1
	echo "--- ping round trip, benchmark pinned to vCPU $cpu"
	pvgpu_bench_ping -n 2000 -c "$cpu" --json "$bench_out/ping-cpu$cpu.json" || exit 1
done
echo "--- exec jobs: submit-to-signal latency, jobs per second"
pvgpu_bench_exec -n 1000 -j 20000 --json "$bench_out/exec.json" || exit 1
echo "--- VM_BIND: 4K map+unmap pairs/s, bind latency by size, 4K bind in a 100k-mapping VM"
pvgpu_bench_bind -r 5 -n 1000 -l 50 -m 100000 --json "$bench_out/bind.json" || exit 1

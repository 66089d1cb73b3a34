#!/bin/bash
# The guest half of `./pvgpu bench`: every benchmark, figures on stdout.
set -u
echo "=== pvgpu benchmarks: kernel $(uname -r), $(nproc) vCPUs (TCG)"
for cpu in 0 1; do
	[ "$cpu" -lt "$(nproc)" ] || continue
	echo "--- ping round trip, benchmark pinned to vCPU $cpu"
	pvgpu_bench_ping -n 2000 -c "$cpu" || exit 1
done
echo "--- exec jobs: submit-to-signal latency, jobs per second"
pvgpu_bench_exec -n 1000 -j 20000 || exit 1
echo "--- VM_BIND: 4K map+unmap pairs/s, bind latency by size, 4K bind in a 100k-mapping VM"
pvgpu_bench_bind -r 5 -n 1000 -l 50 -m 100000 || exit 1

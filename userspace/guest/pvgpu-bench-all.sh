#!/bin/bash
# The guest half of `./pvgpu bench`: every benchmark, figures on stdout.
set -u
echo "=== pvgpu benchmarks: kernel $(uname -r), $(nproc) vCPUs (TCG)"
for cpu in 0 1; do
	[ "$cpu" -lt "$(nproc)" ] || continue
	echo "--- ping round trip, benchmark pinned to vCPU $cpu"
	pvgpu_bench_ping -n 2000 -c "$cpu" || exit 1
done

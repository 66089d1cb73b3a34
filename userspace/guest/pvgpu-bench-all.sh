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
# Latency runs on vCPU 0, where pvgpu's interrupt is routed: under TCG an
# interrupt that must wake a thread on the other vCPU costs ten times more
# (compare floor-cpu0 with floor-cpu1), which would measure the emulated
# platform rather than pvgpu; their floor is cpu0's. Throughput is also
# measured unpinned, where submission and interrupt handling can run on
# different vCPUs at the same time.
echo "--- exec jobs: submit-to-signal latency, jobs per second (vCPU 0)"
taskset -c 0 pvgpu_bench_exec -n 1000 -j 20000 --json "$bench_out/exec-cpu0.json" || exit 1
echo "--- exec jobs, unpinned"
pvgpu_bench_exec -n 1000 -j 20000 --json "$bench_out/exec.json" || exit 1
echo "--- user queues: doorbell to stored value seen by the CPU, against EXEC and the ping; jobs/s (vCPU 0)"
taskset -c 0 pvgpu_bench_userq -n 1000 -j 20000 --json "$bench_out/userq-cpu0.json" || exit 1
echo "--- events: EXEC to a blocked reader, WAIT_EVENT against syncobj eventfd; notified jobs/s (vCPU 0)"
taskset -c 0 pvgpu_bench_event -n 1000 -j 20000 --json "$bench_out/event-cpu0.json" || exit 1
echo "--- VM_BIND: 4K map+unmap pairs/s, bind latency by size, 4K bind in a 100k-mapping VM (vCPU 0)"
taskset -c 0 pvgpu_bench_bind -r 5 -n 1000 -l 50 -m 100000 --json "$bench_out/bind.json" || exit 1
echo "--- SVM: GPU page fault service (4 KiB, 2 MiB THP) against the CPU's first-touch fault; faults/s; FILL first touch vs PREFETCH vs BO (vCPU 0)"
taskset -c 0 pvgpu_bench_svm --json "$bench_out/svm-cpu0.json" || exit 1

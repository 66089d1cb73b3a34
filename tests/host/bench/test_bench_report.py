#!/usr/bin/env python3
"""Test of scripts/bench-report.py on fixture results with known figures:
the latency goals (met, not met, not measured),
the ratios to the platform floor (and which floor run each run gets), no
ratio for figures that are not latencies in us, the missing-floor case,
unreadable files and an empty directory. Prints TAP.
"""
import json
import os
import subprocess
import sys
import tempfile

import tap
from tap import check

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = os.path.join(HERE, "..", "..", "..", "scripts", "bench-report.py")



def figure(name, unit, median, n=100, label=None):
    return {"name": name, "label": label or name, "unit": unit, "n": n,
            "median": median, "p10": median * 0.9, "p90": median * 1.1,
            "p99": median * 1.5, "min": median * 0.8, "max": median * 2,
            "mean": median, "stddev": median / 10}


def result(benchmark, cpu, figures, **options):
    return {"schema": "pvgpu-bench/1", "benchmark": benchmark,
            "conditions": {"timestamp": "2026-12-07T04:00:00Z",
                           "kernel_release": "6.12.117-pvgpu", "machine": "x86_64",
                           "cpus_online": 2, "cpu_pinned": cpu,
                           "options": options},
            "figures": figures}


def write(directory, name, doc):
    with open(os.path.join(directory, name), "w") as f:
        if isinstance(doc, str):
            f.write(doc)
        else:
            json.dump(doc, f)


def run(directory):
    p = subprocess.run([sys.executable, REPORT, directory], capture_output=True,
                       text=True)
    path = os.path.join(directory, "results.json")
    res = None
    if os.path.exists(path):
        with open(path) as f:
            res = json.load(f)
    return p, res


def by_key(res):
    return {(f["run"], f["name"]): f for f in res["figures"]}


def close(a, b):
    return a is not None and abs(a - b) <= 1e-9 * max(1.0, abs(b))


def with_floor():
    with tempfile.TemporaryDirectory() as d:
        write(d, "floor-cpu0.json", result("pvgpu_bench_ping", 0, [
            figure("floor_handler", "us", 20.0), figure("floor_wake", "us", 50.0)]))
        write(d, "floor-cpu1.json", result("pvgpu_bench_ping", 1, [
            figure("floor_handler", "us", 40.0)]))
        write(d, "ping-cpu0.json", result("pvgpu_bench_ping", 0, [
            figure("ping_rtt", "us", 30.0), figure("ping_syscall", "us", 70.0)]))
        write(d, "ping-cpu1.json", result("pvgpu_bench_ping", 1, [
            figure("ping_rtt", "us", 100.0)]))
        write(d, "exec.json", result("pvgpu_bench_exec", None, [
            figure("exec_bypass", "us", 90.0), figure("exec_jobs_1q", "jobs/s", 5000.0, n=1),
            figure("exec_bypass_per_ping", "ratio", 3.0, n=1)], **{"-n": 200}))
        p, res = run(d)
        check("floor: exit 0", p.returncode == 0, p.stderr)
        check("floor: results.json written", res is not None)
        if res is None:
            return
        check("floor: schema", res.get("schema") == "pvgpu-bench-results/1")
        check("floor: both floor runs listed",
              [(f["run"], f["median_us"]) for f in res["floor"]["runs"]] ==
              [("floor-cpu0", 20.0), ("floor-cpu1", 40.0)], res["floor"])
        figs = by_key(res)
        check("floor: every figure of every run", len(res["figures"]) == 9,
              len(res["figures"]))
        check("floor: ping_rtt cpu0 against the cpu0 floor",
              close(figs[("ping-cpu0", "ping_rtt")]["ratio_to_floor"], 1.5)
              and figs[("ping-cpu0", "ping_rtt")]["floor"]["run"] == "floor-cpu0")
        check("floor: ping_syscall cpu0 = 70/20",
              close(figs[("ping-cpu0", "ping_syscall")]["ratio_to_floor"], 3.5))
        check("floor: ping_rtt cpu1 against the cpu1 floor (100/40)",
              close(figs[("ping-cpu1", "ping_rtt")]["ratio_to_floor"], 2.5)
              and figs[("ping-cpu1", "ping_rtt")]["floor"]["run"] == "floor-cpu1")
        check("floor: unpinned run against the first floor (90/20)",
              close(figs[("exec", "exec_bypass")]["ratio_to_floor"], 4.5)
              and figs[("exec", "exec_bypass")]["floor"]["run"] == "floor-cpu0")
        check("floor: floor_wake relative to floor_handler (50/20)",
              close(figs[("floor-cpu0", "floor_wake")]["ratio_to_floor"], 2.5))
        check("floor: no ratio for jobs/s",
              figs[("exec", "exec_jobs_1q")]["ratio_to_floor"] is None
              and figs[("exec", "exec_jobs_1q")]["floor"] is None)
        check("floor: no ratio for a ratio figure",
              figs[("exec", "exec_bypass_per_ping")]["ratio_to_floor"] is None)
        e = figs[("exec", "exec_bypass")]
        check("floor: spread and conditions carried",
              e["unit"] == "us" and e["n"] == 100 and close(e["p90"], 99.0)
              and e["conditions"]["options"] == {"-n": 200}
              and e["conditions"]["kernel_release"] == "6.12.117-pvgpu"
              and e["benchmark"] == "pvgpu_bench_exec")
        lines = p.stdout.splitlines()
        row = [line for line in lines if line.startswith("ping-cpu1") and "ping_rtt" in line]
        check("floor: table row with median, p10, p90 and ratio",
              len(row) == 1 and row[0].split()[-4:] == ["100.00", "90.00", "110.00", "2.50"],
              row)
        check("floor: floor line printed",
              any("floor-cpu0 20.00 us" in line for line in lines), p.stdout)


def without_floor():
    with tempfile.TemporaryDirectory() as d:
        write(d, "ping-cpu0.json", result("pvgpu_bench_ping", 0, [
            figure("ping_rtt", "us", 30.0)]))
        # A floor figure in the wrong unit is no floor.
        write(d, "exec.json", result("pvgpu_bench_exec", None, [
            figure("exec_bypass", "us", 90.0), figure("floor_handler", "ms", 0.02)]))
        p, res = run(d)
        check("no floor: exit 0", p.returncode == 0, p.stderr)
        check("no floor: says so", "no ratios" in p.stdout, p.stdout)
        check("no floor: results.json written", res is not None)
        if res is None:
            return
        check("no floor: floor null", res["floor"] is None)
        check("no floor: no ratio anywhere",
              all(f["ratio_to_floor"] is None and f["floor"] is None
                  for f in res["figures"]) and len(res["figures"]) == 3)
        check("no floor: medians kept",
              close(by_key(res)[("ping-cpu0", "ping_rtt")]["median"], 30.0))
        check("no floor: no ratio column values",
              all(len(line.split()) == 7 for line in p.stdout.splitlines()
                  if line.startswith(("ping-cpu0", "exec "))), p.stdout)


def bad_inputs():
    with tempfile.TemporaryDirectory() as d:
        write(d, "floor-cpu0.json", result("pvgpu_bench_ping", 0, [
            figure("floor_handler", "us", 10.0)]))
        write(d, "broken.json", '{"schema": "pvgpu-bench/1", "figures": [')
        write(d, "other.json", {"schema": "something-else", "figures": []})
        write(d, "results.json", {"schema": "pvgpu-bench-results/1", "figures": "stale"})
        p, res = run(d)
        check("bad input: exit 1", p.returncode == 1, p.returncode)
        check("bad input: both files named",
              "broken.json" in p.stderr and "other.json" in p.stderr, p.stderr)
        check("bad input: good results still combined, old results.json ignored",
              res is not None and [f["run"] for f in res["figures"]] == ["floor-cpu0"]
              and len(res["errors"]) == 2)
    with tempfile.TemporaryDirectory() as d:
        p, res = run(d)
        check("empty dir: exit 1, nothing written", p.returncode == 1 and res is None,
              p.stderr)


def goals():
    with tempfile.TemporaryDirectory() as d:
        write(d, "floor-cpu0.json", result("pvgpu_bench_ping", 0, [
            figure("floor_handler", "us", 2.0)]))
        write(d, "ping-cpu0.json", result("pvgpu_bench_ping", 0, [
            figure("ping_rtt", "us", 3.0), figure("ping_syscall", "us", 7.0)]))
        write(d, "exec-cpu0.json", result("pvgpu_bench_exec", 0, [
            figure("exec_bypass_signal", "us", 8.0)]))
        # No unmap figures: that goal is not measured.
        write(d, "bind.json", result("pvgpu_bench_bind", 0, [
            figure("bind_map_4k", "us", 21.0),
            figure("bind_pairs_async_4k", "pairs/s", 9999.0, n=5),
            figure("bind_map_4k_big_vm", "us", 22.0),
            figure("bind_map_4k_empty_vm_beside", "us", 20.0)]))
        p, res = run(d)
        check("goals: exit 0", p.returncode == 0, p.stderr)
        if res is None:
            check("goals: results.json written", False)
            return
        g = {x["goal"]: x for x in res["goals"]}
        ping = g["firmware ping (handler) / floor"]
        check("goals: ping 3/2 = 1.5, met",
              close(ping["value"], 1.5) and ping["met"] is True, ping)
        ex = g["EXEC no-op submit to signal / floor"]
        check("goals: EXEC 8/2 = 4, not met",
              close(ex["value"], 4.0) and ex["met"] is False, ex)
        mp = g["sync 4 KiB MAP / firmware ping ioctl"]
        check("goals: MAP 21/7 = 3 is within <= 3",
              close(mp["value"], 3.0) and mp["met"] is True, mp)
        um = g["sync 4 KiB UNMAP / firmware ping ioctl"]
        check("goals: a missing figure is not measured",
              um["value"] is None and um["met"] is None, um)
        pairs = g["async 4 KiB MAP+UNMAP pairs/s"]
        check("goals: 9999 pairs/s is under >= 10000",
              close(pairs["value"], 9999.0) and pairs["met"] is False, pairs)
        big = g["4 KiB MAP, 100k-mapping VM / empty VM"]
        check("goals: 22/20 = 1.1, met",
              close(big["value"], 1.1) and big["met"] is True, big)
        lines = p.stdout.splitlines()
        check("goals: printed with their state",
              any("EXEC no-op submit to signal / floor" in line and "NOT met" in line
                  for line in lines)
              and any("UNMAP / firmware ping ioctl" in line and "not measured" in line
                      for line in lines), p.stdout)


def main():
    goals()
    with_floor()
    without_floor()
    bad_inputs()
    return tap.report()


if __name__ == "__main__":
    sys.exit(main())

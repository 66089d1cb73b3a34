#!/usr/bin/env python3
"""Summarise the JSON results of one `./pvgpu bench` boot.

Usage: bench-report.py DIR

Reads every DIR/*.json a benchmark wrote with --json (layout "pvgpu-bench/1",
docs/pipeline.rst, "Benchmarks"; DIR/results.json itself is skipped), prints
one row per figure (run, figure, unit, n, median, p10, p90) and, for every
latency figure in microseconds, its ratio to the platform floor: the median
of the figure floor_handler that `pvgpu_bench_ping --floor` measured in the
same boot (the floor run pinned to the same CPU as the figure's run if there
is one, else the first floor run by file name). Without a floor run it says
so and prints no ratios. Then the latency goals of docs/latency.rst (GOALS),
each measured value and whether it holds, and writes DIR/results.json
("pvgpu-bench-results/1"): every figure with its unit, spread, run
conditions, floor and ratio, and the goals.

Exit status: 0, or 1 if DIR holds no result or a file could not be read.
"""
import json
import math
import os
import sys

SCHEMA = "pvgpu-bench/1"
RESULTS_SCHEMA = "pvgpu-bench-results/1"
RESULTS = "results.json"
# Written by `./pvgpu bench` on the host: what the guest cannot see.
HOST = "host.json"
FLOOR_FIGURE = "floor_handler"
LATENCY_UNIT = "us"
SPREAD = ("median", "p10", "p90", "p99", "min", "max", "mean", "stddev")


def load_runs(directory):
    """(runs, errors): each readable result as a dict, sorted by file name."""
    runs, errors = [], []
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".json") or name in (RESULTS, HOST):
            continue
        path = os.path.join(directory, name)
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            errors.append(f"{name}: {e}")
            continue
        if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
            errors.append(f"{name}: not a {SCHEMA} result")
            continue
        if not isinstance(doc.get("figures"), list):
            errors.append(f"{name}: no list of figures")
            continue
        runs.append({"run": name[:-len(".json")], "file": name,
                     "benchmark": doc.get("benchmark"),
                     "conditions": doc.get("conditions") or {},
                     "figures": doc["figures"]})
    return runs, errors


def usable(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def find_floors(runs):
    """The floor_handler figure of every run that has one, in file order."""
    floors = []
    for run in runs:
        for fig in run["figures"]:
            if (fig.get("name") == FLOOR_FIGURE and fig.get("unit") == LATENCY_UNIT
                    and usable(fig.get("median")) and fig["median"] > 0):
                floors.append({"run": run["run"],
                               "cpu_pinned": run["conditions"].get("cpu_pinned"),
                               "median_us": fig["median"]})
                break
    return floors


def floor_for(run, floors):
    """The floor a figure of @run is compared with, None without one."""
    cpu = run["conditions"].get("cpu_pinned")
    for floor in floors:
        if cpu is not None and floor["cpu_pinned"] == cpu:
            return floor
    return floors[0] if floors else None


# The latency goals (docs/latency.rst, "Goals"): a ratio of two medians of
# the same boot, or one figure, against a bound. (run, figure) pairs; the
# runs pinned to vCPU 0. Reported, never asserted: a benchmark's figures
# move with the load of the machine.
GOALS = (
    ("firmware ping (handler) / floor", ("ping-cpu0", "ping_rtt"),
     ("floor-cpu0", "floor_handler"), "<=", 2.0),
    ("EXEC no-op submit to signal / floor", ("exec-cpu0", "exec_bypass_signal"),
     ("floor-cpu0", "floor_handler"), "<=", 3.0),
    ("sync 4 KiB MAP / firmware ping ioctl", ("bind", "bind_map_4k"),
     ("ping-cpu0", "ping_syscall"), "<=", 3.0),
    ("sync 4 KiB UNMAP / firmware ping ioctl", ("bind", "bind_unmap_4k"),
     ("ping-cpu0", "ping_syscall"), "<=", 3.0),
    ("async 4 KiB MAP+UNMAP pairs/s", ("bind", "bind_pairs_async_4k"),
     None, ">=", 10000.0),
    ("4 KiB MAP, 100k-mapping VM / empty VM", ("bind", "bind_map_4k_big_vm"),
     ("bind", "bind_map_4k_empty_vm_beside"), "<=", 1.1),
    ("4 KiB UNMAP, 100k-mapping VM / empty VM", ("bind", "bind_unmap_4k_big_vm"),
     ("bind", "bind_unmap_4k_empty_vm_beside"), "<=", 1.1),
)


def goals(runs):
    """Each goal with its measured value and whether it holds (None: not measured)."""
    medians = {}
    for run in runs:
        for fig in run["figures"]:
            if usable(fig.get("median")):
                medians[(run["run"], fig.get("name"))] = fig["median"]
    out = []
    for label, num, den, op, bound in GOALS:
        value = medians.get(num)
        if value is not None and den is not None:
            d = medians.get(den)
            value = value / d if d else None
        met = None
        if value is not None:
            met = value <= bound if op == "<=" else value >= bound
        out.append({"goal": label, "figure": list(num),
                    "per": list(den) if den else None, "value": value,
                    "bound": f"{op} {bound:g}", "met": met})
    return out


def fmt(v):
    if not usable(v):
        return "-"
    return f"{v:.2f}" if abs(v) < 1000 else f"{v:.0f}"


def report(directory, out=sys.stdout):
    runs, errors = load_runs(directory)
    for e in errors:
        print(f"bench-report: {e}", file=sys.stderr)
    if not runs:
        print(f"bench-report: no benchmark result (*.json) in {directory}", file=sys.stderr)
        return 1

    floors = find_floors(runs)
    figures = []
    for run in runs:
        floor = floor_for(run, floors)
        for fig in run["figures"]:
            entry = {"run": run["run"], "benchmark": run["benchmark"],
                     "name": fig.get("name"), "label": fig.get("label"),
                     "unit": fig.get("unit"), "n": fig.get("n")}
            for key in SPREAD:
                entry[key] = fig.get(key)
            entry["conditions"] = run["conditions"]
            entry["floor"] = None
            entry["ratio_to_floor"] = None
            if floor and entry["unit"] == LATENCY_UNIT and usable(entry["median"]):
                entry["floor"] = {"run": floor["run"], "median_us": floor["median_us"]}
                entry["ratio_to_floor"] = entry["median"] / floor["median_us"]
            figures.append(entry)

    print(f"pvgpu benchmark results in {directory}", file=out)
    if floors:
        print("platform floor (" + FLOOR_FIGURE + " median): " +
              ", ".join(f"{f['run']} {f['median_us']:.2f} us" for f in floors), file=out)
    else:
        print(f"platform floor: none ({FLOOR_FIGURE} not in any result; "
              "pvgpu_bench_ping --floor did not run): no ratios to the floor", file=out)
    rows = [("run", "figure", "unit", "n", "median", "p10", "p90", "x floor")]
    for e in figures:
        ratio = e["ratio_to_floor"]
        rows.append((e["run"], str(e["name"]), str(e["unit"]), str(e["n"]),
                     fmt(e["median"]), fmt(e["p10"]), fmt(e["p90"]),
                     f"{ratio:.2f}" if ratio is not None else ""))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        cells = [r[i].ljust(widths[i]) if i < 3 else r[i].rjust(widths[i])
                 for i in range(len(r))]
        print("  ".join(cells).rstrip(), file=out)

    goal_rows = goals(runs)
    print("latency goals (docs/latency.rst; medians of this boot):", file=out)
    for g in goal_rows:
        state = {True: "met", False: "NOT met", None: "not measured"}[g["met"]]
        print(f"  {g['goal']:<42} {fmt(g['value']):>9}  {g['bound']:<9} {state}",
              file=out)

    host = None
    try:
        with open(os.path.join(directory, HOST), encoding="utf-8") as f:
            host = json.load(f)
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as e:
        errors.append(f"{HOST}: {e}")
    results = {
        "schema": RESULTS_SCHEMA,
        "host": host,
        "floor": {"figure": FLOOR_FIGURE, "runs": floors} if floors else None,
        "runs": [{k: run[k] for k in ("run", "file", "benchmark", "conditions")}
                 for run in runs],
        "figures": figures,
        "goals": goal_rows,
        "errors": errors,
    }
    with open(os.path.join(directory, RESULTS), "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    print(f"written: {os.path.join(directory, RESULTS)}", file=out)
    return 1 if errors else 0


def main(argv):
    if len(argv) != 2 or argv[1].startswith("-"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    if not os.path.isdir(argv[1]):
        print(f"bench-report: {argv[1]}: not a directory", file=sys.stderr)
        return 1
    return report(argv[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv))

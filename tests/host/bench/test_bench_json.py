#!/usr/bin/env python3
"""Test of userspace/lib/pvgpu_bench_json.c: what bench_json_writer (its
driver, the program given as the argument) writes must parse with Python's
strict json module and hold exactly the values it was given. Prints TAP.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

import tap
from tap import check



def close(a, b):
    return isinstance(a, (int, float)) and abs(a - b) <= 1e-8 * max(1.0, abs(b))


def strict_load(path):
    """Parse @path as UTF-8 JSON, refusing NaN/Infinity and duplicate keys."""
    def no_constant(name):
        raise ValueError(f"non-JSON constant {name}")

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError(f"duplicate keys in {keys}")
        return dict(pairs)

    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    return json.loads(text, parse_constant=no_constant,
                      object_pairs_hook=no_duplicates)


def full(writer, d):
    path = os.path.join(d, "full.json")
    p = subprocess.run([writer, "full", path], capture_output=True, text=True)
    check("full: writer exit 0", p.returncode == 0, p.stderr)
    try:
        doc = strict_load(path)
    except (OSError, ValueError) as e:
        check("full: valid JSON", False, e)
        return
    check("full: valid JSON", True)
    check("full: schema and benchmark (escaped quotes)",
          doc["schema"] == "pvgpu-bench/1" and doc["benchmark"] == 'bench "quoted"')
    c = doc["conditions"]
    check("full: standard conditions",
          c["kernel_release"] == os.uname().release and c["machine"] == os.uname().machine
          and c["cpus_online"] == os.sysconf("SC_NPROCESSORS_ONLN"), c)
    check("full: pinned CPU is the first allowed",
          c["cpu_pinned"] == min(os.sched_getaffinity(0)), c["cpu_pinned"])
    check("full: timestamp is ISO 8601 UTC",
          isinstance(c["timestamp"], str) and len(c["timestamp"]) == 20
          and c["timestamp"].endswith("Z") and c["timestamp"][10] == "T", c["timestamp"])
    check("full: options of each kind",
          c["options"] == {"-n": 7, "--json": path, "--floor": True,
                           "--other": False, "--label": None}, c["options"])
    check("full: extra conditions",
          c["device"] == "/dev/dri/renderD128" and c["negative"] == -3
          and c["per_cpu"] == {"cpu1": 2000, "cpu3": 1 << 40}
          and c["per_cpu_none"] == {}, c)
    check("full: string escaping and invalid UTF-8 replaced",
          c["odd"] == 'a"b\\c\n\t\x01\x7f \u00e9 \ufffd!', repr(c.get("odd")))
    figs = {f["name"]: f for f in doc["figures"]}
    check("full: four figures in order",
          [f["name"] for f in doc["figures"]] ==
          ["fig_spread", "fig_value", "fig_nan", "fig_inf"])
    s = figs["fig_spread"]
    expect = {"median": 3, "p10": 1.4, "p90": 4.6, "p99": 4.96, "min": 1, "max": 5,
              "mean": 3, "stddev": math.sqrt(2.5)}
    check("full: spread of 1..5",
          s["n"] == 5 and s["unit"] == "us" and s["label"] == "row\twith tab"
          and all(close(s[k], v) for k, v in expect.items()), s)
    v = figs["fig_value"]
    check("full: single value, null label",
          v["n"] == 1 and v["label"] is None and v["unit"] == "jobs/s"
          and all(close(v[k], 1234567.891) for k in
                  ("median", "p10", "p90", "p99", "min", "max", "mean"))
          and v["stddev"] == 0, v)
    check("full: NaN and infinity become null",
          figs["fig_nan"]["median"] is None and figs["fig_inf"]["max"] is None
          and figs["fig_inf"]["stddev"] == 0)


def empty(writer, d):
    path = os.path.join(d, "empty.json")
    p = subprocess.run([writer, "empty", path], capture_output=True, text=True)
    try:
        doc = strict_load(path)
        ok = (p.returncode == 0 and doc["figures"] == [] and
              doc["conditions"]["options"] == {} and doc["benchmark"] == "empty")
        check("empty: valid JSON, no options, no figures", ok, doc)
    except (OSError, ValueError) as e:
        check("empty: valid JSON, no options, no figures", False, e)


def null(writer):
    p = subprocess.run([writer, "null"], capture_output=True, text=True)
    check("null: every call a no-op; an uncreatable file refused with a reason",
          p.returncode == 0 and "/nonexistent-dir/x.json" in p.stderr, p.stderr)


def main():
    if len(sys.argv) != 2:
        print("usage: test_bench_json.py BENCH_JSON_WRITER", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as d:
        full(sys.argv[1], d)
        empty(sys.argv[1], d)
    null(sys.argv[1])
    return tap.report()


if __name__ == "__main__":
    sys.exit(main())

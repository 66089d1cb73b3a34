#!/usr/bin/env python3
"""Turn what the guest suite brought back into PASS/FAIL/SKIP lines.

Usage: judge-guest.py OUT_DIR [PREFIX]
Every igt_runner result becomes one line; then one line per kernel check
(KASAN, lockdep, WARN/BUG, kmemleak, DMA-API debug), failing on any report.
PREFIX (e.g. "stock") goes in front of every name, for a second run.
"""
import json
import os
import re
import sys

out = sys.argv[1]
prefix = sys.argv[2] + "/" if len(sys.argv) > 2 else ""
lines = []


def emit(verdict, name, why=""):
    lines.append(f"{verdict} {prefix}{name}" + (f"  # {why}" if why else ""))


# Kernel messages that only say the VM runs under TCG on a busy host; a test
# that passed and whose kernel warnings are all of these still passed.
EMULATION_NOISE = [
    r"hrtimer: interrupt took \d+ ns",
    r"sched: RT throttling activated",
    r"clocksource: .*(unstable|skew)",
    r"workqueue: .* hogged CPU for",
    r"rcu: INFO: rcu_.* self-detected stall",
]


def only_noise(dmesg):
    """True if the test's dmesg has warnings and every one of them is noise."""
    warnings = 0
    for line in dmesg.splitlines():
        m = re.match(r"^<(\d)>\s*\[[ \d.]+\]\s*(.*)$", line)
        if not m or int(m.group(1)) > 4:
            continue
        if not any(re.search(p, m.group(2)) for p in EMULATION_NOISE):
            return False
        warnings += 1
    return warnings > 0


results_path = os.path.join(out, "igt", "results.json")
if not os.path.exists(results_path):
    emit("FAIL", "guest/igt_runner", "no results.json came back")
else:
    with open(results_path) as f:
        results = json.load(f)
    for name, test in sorted(results.get("tests", {}).items()):
        res = test.get("result", "notrun")
        if res == "pass":
            emit("PASS", f"guest/{name}")
        elif res == "dmesg-warn" and only_noise(test.get("dmesg", "")):
            emit("PASS", f"guest/{name}", "kernel warnings were emulation noise only")
        elif res == "skip":
            emit("SKIP", f"guest/{name}")
        else:
            emit("FAIL", f"guest/{name}", res)
    if not results.get("tests"):
        emit("FAIL", "guest/igt_runner", "no test ran")

dmesg = ""
try:
    with open(os.path.join(out, "dmesg.txt"), errors="replace") as f:
        dmesg = f.read()
except OSError:
    emit("FAIL", "kernel/dmesg", "no kernel log came back")

checks = {
    "kernel/no-kasan-report": r"BUG: KASAN|KASAN: ",
    "kernel/no-lockdep-report": r"WARNING: possible (circular|recursive)|"
    r"WARNING: inconsistent lock state|BUG: sleeping function|"
    r"WARNING: suspicious RCU usage|INFO: possible irq lock inversion|"
    r"WARNING: lock held when returning|BUG: lock held when returning",
    "kernel/no-warn-or-bug": r"------------\[ cut here \]------------|"
    r"\bBUG:|Oops:|general protection fault|Kernel panic",
    # Its two start-up lines are information, everything else a report.
    "kernel/no-dma-api-debug-report":
    r"DMA-API: (?!preallocated \d+ debug entries|debugging enabled by kernel config)",
    "kernel/no-debug-objects-report": r"ODEBUG: ",
}
for name, pattern in checks.items():
    hits = [l for l in dmesg.splitlines() if re.search(pattern, l)]
    if hits:
        emit("FAIL", name, hits[0].strip()[:160])
    else:
        emit("PASS", name)

leaks_path = os.path.join(out, "kmemleak.txt")
if os.path.exists(leaks_path):
    with open(leaks_path, errors="replace") as f:
        leaks = f.read()
    n = leaks.count("unreferenced object")
    if n:
        emit("FAIL", "kernel/no-kmemleak-report", f"{n} unreferenced objects")
    else:
        emit("PASS", "kernel/no-kmemleak-report")
else:
    emit("FAIL", "kernel/no-kmemleak-report", "kmemleak output missing")

print("\n".join(lines))

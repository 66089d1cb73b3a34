#!/usr/bin/env python3
"""Turn what the guest suite brought back into PASS/FAIL/SKIP/FLAKY lines.

Usage: judge-guest.py OUT_DIR [PREFIX]
Every igt_runner result becomes one line (a skip with the reason the test
printed; a timing-sensitive test PASS, FLAKY or FAIL from its runs alone,
see tests/vm/timing-sensitive.txt); then one line per kernel check
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
    r"clocksource: Long readout interval, skipping watchdog check",
    r"workqueue: .* hogged CPU for",
    r"rcu: INFO: rcu_.* self-detected stall",
]


def warnings_not_noise(dmesg):
    """(warnings, the ones that are not emulation noise) of a test's dmesg."""
    warnings, real = 0, []
    for line in dmesg.splitlines():
        m = re.match(r"^<(\d)>\s*\[[ \d.]+\]\s*(.*)$", line)
        if not m or int(m.group(1)) > 4:
            continue
        warnings += 1
        if not any(re.search(p, m.group(2)) for p in EMULATION_NOISE):
            real.append(m.group(2))
    return warnings, real


def only_noise(dmesg):
    """True if the test's dmesg has warnings and every one of them is noise."""
    warnings, real = warnings_not_noise(dmesg)
    return warnings > 0 and not real


def skip_reason(test):
    """Why a test skipped, from what it printed (igt_lite's and IGT's forms)."""
    text = (test.get("out", "") + "\n" + test.get("err", "")).splitlines()
    for i, line in enumerate(text):
        if "requirement not met" in line or line.startswith("Skipping in "):
            rest = [l.strip() for l in text[i + 1:i + 3] if l.strip()
                    and not l.startswith(("Subtest ", "Last errno"))]
            why = rest[0] if rest else line
            return why.removeprefix("Test requirement: ")[:160]
    return "no reason printed"


def verdict(test):
    """(PASS|FAIL|SKIP, why) of one igt_runner result."""
    res = test.get("result", "notrun")
    if res == "pass":
        return "PASS", ""
    if res == "dmesg-warn" and only_noise(test.get("dmesg", "")):
        return "PASS", "kernel warnings were emulation noise only"
    if res == "skip":
        return "SKIP", skip_reason(test)
    if res == "dmesg-warn":
        # Say which line: the next engineer sees it in CI's output.
        real = warnings_not_noise(test.get("dmesg", ""))[1]
        if real:
            return "FAIL", f"dmesg-warn: {real[0][:160]}"
    return "FAIL", res


def load_results(path):
    """igt_results' tests of one run, or None if the run left none."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f).get("tests", {})


tests = load_results(os.path.join(out, "igt", "results.json"))
if tests is None:
    emit("FAIL", "guest/igt_runner", "no results.json came back")
else:
    for name, test in sorted(tests.items()):
        result, why = verdict(test)
        emit(result, f"guest/{name}", why)
    if not tests:
        emit("FAIL", "guest/igt_runner", "no test ran")

# Timing-sensitive tests (tests/vm/timing-sensitive.txt): a first run alone,
# and a second alone only if the first did not pass. FLAKY is not a pass: the
# summary lists it.
timing = os.path.join(out, "timing")
if tests is not None and not os.path.isdir(timing):
    emit("FAIL", "guest/timing-sensitive", "the guest ran none (no timing/ directory)")
if os.path.exists(os.path.join(timing, "missing.txt")):
    with open(os.path.join(timing, "missing.txt")) as f:
        for entry in f.read().split():
            emit("FAIL", f"guest/{entry}", "timing-sensitive entry matches no subtest")
TIMING_LIST = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "timing-sensitive.txt")


def timing_failure(name):
    """The documented out-of-time failure regex of a timing-sensitive test."""
    with open(TIMING_LIST) as f:
        for line in f:
            fields = line.split(None, 2)
            if len(fields) < 2 or fields[0].startswith("#"):
                continue
            if re.fullmatch(fields[0], name):
                return re.compile(fields[1])
    return None


def ran_out_of_time(test, pattern):
    """True if a run failed, and only in the documented timing way: a plain
    failure or the runner's timeout (not a crash, not a kernel warning)."""
    text = f"result:{test.get('result')}\n{test.get('out', '')}\n{test.get('err', '')}"
    return pattern is not None and test.get("result") in ("fail", "timeout") \
        and pattern.search(text) is not None


planned = set()
if os.path.exists(os.path.join(timing, "planned.txt")):
    with open(os.path.join(timing, "planned.txt")) as f:
        planned = set(f.read().split())
ran = {n for n in os.listdir(timing) if n.startswith("igt@")} \
    if os.path.isdir(timing) else set()
for name in sorted(planned | ran):
    runs = []  # (verdict, why, the raw result) per attempt
    for attempt in (1, 2):
        got = load_results(os.path.join(timing, name, f"attempt-{attempt}", "results.json"))
        if got is not None:
            test = got.get(name, {"result": "notrun"})
            runs.append(verdict(test) + (test,))
        elif attempt == 1:
            # A first run that left nothing is a failed first run.
            runs.append(("FAIL", "no result", {}))
    pattern = timing_failure(name)
    if len(runs) == 1 and runs[0][1] == "no result":
        emit("FAIL", f"guest/{name}", "no result came back")
    elif runs[0][0] != "FAIL":
        emit(runs[0][0], f"guest/{name}", runs[0][1])
    elif len(runs) > 1 and runs[1][0] == "PASS":
        emit("FLAKY", f"guest/{name}", f"alone: {runs[0][1]}, then passed alone")
    elif len(runs) > 1 and all(ran_out_of_time(r[2], pattern) for r in runs):
        emit("FLAKY", f"guest/{name}",
             f"ran out of time alone twice ({pattern.pattern})")
    else:
        emit("FAIL", f"guest/{name}", "alone twice: " +
             ", ".join(r[1] or r[0] for r in runs))

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

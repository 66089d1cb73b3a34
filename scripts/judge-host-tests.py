#!/usr/bin/env python3
"""Turn test results into the suite's PASS/FAIL/SKIP lines.

Usage: judge-host-tests.py BUILD_DIR      judge what `meson test` recorded in
                                        BUILD_DIR/meson-logs/testlog.json
       judge-host-tests.py --tap PREFIX   read TAP on stdin
It runs nothing itself: meson runs the tests (their timeouts and the
sanitizer environment are declared in the meson files), this reads the
record. Each TAP result becomes one line, a skip with its reason. A program
that meson did not judge OK (exit status, timeout, signal), that printed a
sanitizer report, or that meson knows but did not run is a failure of its
own, whatever its TAP lines said.
"""
import json
import os
import re
import subprocess
import sys

TAP = re.compile(r"^(not ok|ok)\s+\d+\s*-?\s*(.*?)(\s+#\s*(SKIP|TODO)\b\s*(.*))?$")
SANITIZER = re.compile(r"ERROR: AddressSanitizer|runtime error:|"
                       r"ERROR: LeakSanitizer|SUMMARY: UndefinedBehaviorSanitizer")


def tap_lines(prefix, text):
    """Yield a result line per TAP 'ok'/'not ok' line of text."""
    for line in text.splitlines():
        m = TAP.match(line.strip())
        if not m:
            continue
        name = m.group(2).strip() or "?"
        name = name if name.startswith("/") else "/" + name
        if m.group(4) == "SKIP":
            why = m.group(5).strip() or "no reason given"
            yield f"SKIP {prefix}{name}  # {why}"
        elif m.group(1) == "ok":
            yield f"PASS {prefix}{name}"
        else:
            yield f"FAIL {prefix}{name}"


def judge_meson(build):
    """Lines for every test meson knows in build, from its testlog.json."""
    known = json.loads(subprocess.check_output(
        ["meson", "introspect", "--tests", build], text=True))
    log = os.path.join(build, "meson-logs", "testlog.json")
    ran = {}
    if os.path.exists(log):
        with open(log) as f:
            for line in f:
                if line.strip():
                    entry = json.loads(line)
                    ran[entry["name"]] = entry
    lines = []
    for t in known:
        # testlog.json names a test "project:suite / name".
        entry = next((e for n, e in ran.items()
                      if n.endswith(" / " + t["name"]) or n == t["name"]), None)
        prefix = f"host/{t['name']}"
        if entry is None:
            lines.append(f"FAIL {prefix}  # meson did not run it")
            continue
        out, err = entry.get("stdout", ""), entry.get("stderr", "")
        found = list(tap_lines(prefix, out))
        lines.extend(found)
        if entry["result"] == "SKIP" and not found:
            # A whole program skipped (exit 77, or a TAP plan of 1..0): one
            # line, so the skip list judges it like any other.
            why = next((l.split("#", 1)[1].strip() for l in out.splitlines()
                        if l.startswith("1..0") and "#" in l), "the program skipped")
            lines.append(f"SKIP {prefix}  # {why}")
        bad = SANITIZER.search(err) or SANITIZER.search(out)
        if entry["result"] not in ("OK", "SKIP", "EXPECTEDFAIL") or bad:
            why = bad.group(0) if bad else \
                f"meson: {entry['result']}, exit {entry.get('returncode')}"
            lines.append(f"FAIL {prefix}  # program: {why}")
            tail = "\n".join((err or out).splitlines()[-30:])
            sys.stderr.write(f"--- {prefix} output (tail) ---\n{tail}\n")
    return lines


if __name__ == "__main__":
    if sys.argv[1] == "--tap":
        found = list(tap_lines(sys.argv[2], sys.stdin.read()))
        print("\n".join(found) if found else f"FAIL {sys.argv[2]}  # no TAP results")
    else:
        print("\n".join(judge_meson(sys.argv[1])))

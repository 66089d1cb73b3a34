#!/usr/bin/env python3
"""The suite's verdict from build/test-results.txt.

Usage: summarize-results.py RESULTS EXPECTED_SKIPS
Every SKIP must match an entry of EXPECTED_SKIPS (tests/expected-skips.txt:
"REGEX  why" per line); a skip that matches none is a failure, appended to
RESULTS as "FAIL name  # undocumented skip: what the test said". Prints the
skips with both reasons, the flaky tests (tests/vm/timing-sensitive.txt), and
last "N passed, N failed". Exits 1 if anything failed.
"""
import re
import sys

results_path, expected_path = sys.argv[1], sys.argv[2]
expected = []
with open(expected_path) as f:
    for line in f:
        line = line.strip()
        if line and not line.startswith("#"):
            regex, _, why = line.partition(" ")
            expected.append((re.compile(regex), why.strip()))

with open(results_path) as f:
    lines = [l.rstrip("\n") for l in f if l.strip()]


def split(line):
    verdict, _, rest = line.partition(" ")
    name, _, why = rest.partition("  # ")
    return verdict, name.strip(), why.strip()


skips, flaky, added = [], [], []
for line in lines:
    verdict, name, why = split(line)
    if verdict == "FLAKY":
        flaky.append(f"  {name}: {why}")
    if verdict != "SKIP":
        continue
    doc = next((w for r, w in expected if r.search(name)), None)
    if doc is None:
        added.append(f"FAIL {name}  # undocumented skip: {why or 'no reason given'}")
    else:
        skips.append(f"  {name}: {doc} (test said: {why or 'nothing'})")

if added:
    with open(results_path, "a") as f:
        f.write("\n".join(added) + "\n")
    lines += added

count = {v: sum(1 for l in lines if l.startswith(v + " ")) for v in
         ("PASS", "FAIL", "SKIP", "FLAKY")}
print(f"skipped: {len(skips)} (each documented in {expected_path})")
print("\n".join(skips)) if skips else None
print(f"flaky: {len(flaky)} (timing-sensitive tests that did not pass their first run "
      f"alone, tests/vm/timing-sensitive.txt; not counted as passed)")
print("\n".join(flaky)) if flaky else None
for line in lines:
    if line.startswith("FAIL "):
        print(line)
print(f"{count['PASS']} passed, {count['FAIL']} failed")
sys.exit(1 if count["FAIL"] else 0)

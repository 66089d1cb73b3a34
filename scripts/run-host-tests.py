#!/usr/bin/env python3
"""Turn TAP into the suite's PASS/FAIL/SKIP lines.

Usage: run-host-tests.py BUILD_DIR      run every test meson knows in BUILD_DIR
       run-host-tests.py --tap PREFIX   read TAP on stdin
Each test program speaks TAP (GLib's --tap); every TAP result becomes one
line. A program that exits non-zero, dies, or prints a sanitizer report is
a failure of its own, whatever its TAP lines said.
"""
import json
import os
import re
import subprocess
import sys



def tap_lines(prefix, text):
    """Yield a result line per TAP 'ok'/'not ok' line of text."""
    for line in text.splitlines():
        m = re.match(r"^(not ok|ok)\s+\d+\s*-?\s*(.*?)(\s+#\s*(SKIP|TODO).*)?$",
                     line.strip())
        if not m:
            continue
        name = m.group(2).strip() or "?"
        name = name if name.startswith("/") else "/" + name
        if m.group(4) == "SKIP":
            yield f"SKIP {prefix}{name}"
        elif m.group(1) == "ok":
            yield f"PASS {prefix}{name}"
        else:
            yield f"FAIL {prefix}{name}"


if sys.argv[1] == "--tap":
    found = list(tap_lines(sys.argv[2], sys.stdin.read()))
    print("\n".join(found) if found else f"FAIL {sys.argv[2]}  # no TAP results")
    sys.exit(0)

build = sys.argv[1]
tests = json.loads(subprocess.check_output(
    ["meson", "introspect", "--tests", build], text=True))
sanitizer = re.compile(r"ERROR: AddressSanitizer|runtime error:|"
                       r"ERROR: LeakSanitizer|SUMMARY: UndefinedBehaviorSanitizer")
env_base = dict(os.environ,
                ASAN_OPTIONS="abort_on_error=1:detect_leaks=1",
                UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1",
                G_DEBUG="fatal-criticals", MALLOC_PERTURB_="165")
for t in tests:
    env = dict(env_base, **t.get("env", {}))
    cmd = list(t["cmd"])
    if t.get("protocol") == "tap" and "--tap" not in cmd:
        cmd.append("--tap")
    try:
        p = subprocess.run(cmd, env=env, cwd=t.get("workdir") or build,
                           capture_output=True, text=True,
                           timeout=t.get("timeout") or 300)
        rc, outp, errp = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, outp, errp = "timeout", e.stdout or "", e.stderr or ""
        outp = outp if isinstance(outp, str) else outp.decode()
        errp = errp if isinstance(errp, str) else errp.decode()
    prefix = f"host/{t['name']}"
    for line in tap_lines(prefix, outp):
        print(line)
    bad = sanitizer.search(errp) or sanitizer.search(outp)
    if rc != 0 or bad:
        why = bad.group(0) if bad else f"exit {rc}"
        print(f"FAIL {prefix}  # program: {why}")
        sys.stderr.write(f"--- {prefix} stderr (tail) ---\n" +
                         "\n".join(errp.splitlines()[-30:]) + "\n")

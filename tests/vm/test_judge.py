#!/usr/bin/env python3
"""Self-test of judge-guest.py: each kernel check must fail on a report of
its kind and pass on a clean log, and missing results must fail. Prints TAP.
"""
import json
import os
import subprocess
import sys
import tempfile

JUDGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "judge-guest.py")
CLEAN_DMESG = """[    0.000000] Linux version 6.12.117-pvgpu-debug
[    4.672159] DMA-API: preallocated 65536 debug entries
[    4.672342] DMA-API: debugging enabled by kernel config
[    6.087088] pvgpu 0000:00:01.0: [drm] firmware 0.1.0 running
"""
REPORTS = {
    "kernel/no-kasan-report":
        "[ 9.1] BUG: KASAN: slab-use-after-free in pvgpu_channel_send+0x1/0x2\n",
    "kernel/no-lockdep-report":
        "[ 9.1] WARNING: possible circular locking dependency detected\n",
    "kernel/no-warn-or-bug":
        "[ 9.1] ------------[ cut here ]------------\n[ 9.1] WARNING: CPU: 0\n",
    "kernel/no-dma-api-debug-report":
        "[ 9.1] DMA-API: pvgpu 0000:00:01.0: device driver frees DMA memory "
        "with wrong function\n",
    "kernel/no-debug-objects-report":
        "[ 9.1] ODEBUG: free active (active state 0) object: ffff timer_list\n",
}
LEAK = """unreferenced object 0xffff888003b6e000 (size 64):
  comm "modprobe", pid 120, jiffies 4294893190
  backtrace (crc 0):
    pvgpu_fw_init+0x10/0x20 [pvgpu]
"""
RESULTS = {"tests": {"igt@pvgpu_query@ping-basic": {"result": "pass"},
                     "igt@pvgpu_query@ping-noisy": {
                         "result": "dmesg-warn",
                         "dmesg": "<6> [9.0] [IGT] starting\n"
                                  "<4> [9.1] hrtimer: interrupt took 3126095 ns\n"
                                  "<4> [9.2] clocksource: Long readout interval, skipping "
                                  "watchdog check: cs_nsec: 1216678457 wd_nsec: 1216680052\n"},
                     "igt@pvgpu_query@ping-warned": {
                         "result": "dmesg-warn",
                         "dmesg": "<4> [9.1] hrtimer: interrupt took 3126095 ns\n"
                                  "<4> [9.2] pvgpu 0000:00:01.0: [drm] timed out\n"},
                     "igt@core_auth@basic-auth": {"result": "dmesg-warn"},
                     "igt@pvgpu_debugfs@fw-log": {"result": "skip"},
                     "igt@pvgpu_vm@udmabuf": {
                         "result": "skip",
                         "out": "Test requirement not met in udmabuf() at "
                                "pvgpu_vm.c:650: dev >= 0\n"
                                "no /dev/udmabuf (CONFIG_UDMABUF): ENOENT\n"
                                "Subtest udmabuf: SKIP (0.001s)\n"}}}
TIMING_NAME = "igt@syncobj_wait@wait-delayed-signal"
# Each timing-sensitive test's runs alone: {name: [attempt-1 result, ...]};
# None: the guest wrote no timing/ directory at all.
TIMING_OK = {TIMING_NAME: ["pass"]}


def judge(dmesg=CLEAN_DMESG, kmemleak="", results=RESULTS, timing=TIMING_OK,
          missing=""):
    with tempfile.TemporaryDirectory() as out:
        if results is not None:
            os.makedirs(os.path.join(out, "igt"))
            with open(os.path.join(out, "igt", "results.json"), "w") as f:
                json.dump(results, f)
        if timing is not None:
            os.makedirs(os.path.join(out, "timing"))
            if missing:
                with open(os.path.join(out, "timing", "missing.txt"), "w") as f:
                    f.write(missing + "\n")
        if timing is not None:
            with open(os.path.join(out, "timing", "planned.txt"), "w") as f:
                f.write("".join(f"{name}\n" for name in timing))
        for name, attempts in (timing or {}).items():
            for n, res in enumerate(attempts, 1):
                if res is None:
                    continue
                d = os.path.join(out, "timing", name, f"attempt-{n}")
                os.makedirs(d)
                res, err = res if isinstance(res, tuple) else (res, "")
                with open(os.path.join(d, "results.json"), "w") as f:
                    json.dump({"tests": {name: {"result": res, "err": err}}}, f)
        with open(os.path.join(out, "dmesg.txt"), "w") as f:
            f.write(dmesg)
        if kmemleak is not None:
            with open(os.path.join(out, "kmemleak.txt"), "w") as f:
                f.write(kmemleak)
        lines = subprocess.check_output([JUDGE, out], text=True).splitlines()
    return {l.split()[1]: l.split()[0] for l in lines}


def judge_lines(**kw):
    """judge()'s raw lines, for checking what a line says."""
    with tempfile.TemporaryDirectory() as out:
        os.makedirs(os.path.join(out, "igt"))
        with open(os.path.join(out, "igt", "results.json"), "w") as f:
            json.dump(kw.get("results", RESULTS), f)
        return subprocess.check_output([JUDGE, out], text=True).splitlines()


checks = []


def check(name, cond):
    checks.append((name, cond))


clean = judge()
for name in REPORTS:
    check(f"clean-log-passes-{name.split('/')[1]}", clean.get(name) == "PASS")
    hit = judge(dmesg=CLEAN_DMESG + REPORTS[name])
    check(f"report-fails-{name.split('/')[1]}", hit.get(name) == "FAIL")
check("clean-kmemleak-passes", clean.get("kernel/no-kmemleak-report") == "PASS")
check("leak-fails", judge(kmemleak=LEAK).get("kernel/no-kmemleak-report") == "FAIL")
check("missing-kmemleak-fails",
      judge(kmemleak=None).get("kernel/no-kmemleak-report") == "FAIL")
check("pass-result-passes", clean.get("guest/igt@pvgpu_query@ping-basic") == "PASS")
check("dmesg-warn-result-fails", clean.get("guest/igt@core_auth@basic-auth") == "FAIL")
check("emulation-noise-only-passes", clean.get("guest/igt@pvgpu_query@ping-noisy") == "PASS")
check("noise-plus-real-warning-fails",
      clean.get("guest/igt@pvgpu_query@ping-warned") == "FAIL")
check("dmesg-warn-line-names-the-warning",
      any(l == "FAIL guest/igt@pvgpu_query@ping-warned  # dmesg-warn: "
          "pvgpu 0000:00:01.0: [drm] timed out" for l in judge_lines()))
check("skip-result-skips", clean.get("guest/igt@pvgpu_debugfs@fw-log") == "SKIP")
check("skip-line-carries-reason",
      any(l.startswith("SKIP guest/igt@pvgpu_vm@udmabuf  # no /dev/udmabuf")
          for l in judge_lines()))
check("timing-first-pass-passes", clean.get("guest/" + TIMING_NAME) == "PASS")
check("timing-rerun-pass-is-flaky",
      judge(timing={TIMING_NAME: ["fail", "pass"]}).get("guest/" + TIMING_NAME) == "FLAKY")
check("timing-timeout-then-pass-is-flaky",
      judge(timing={TIMING_NAME: ["timeout", "pass"]}).get("guest/" + TIMING_NAME) == "FLAKY")
check("timing-two-unexplained-failures-fail",
      judge(timing={TIMING_NAME: ["fail", "fail"]}).get("guest/" + TIMING_NAME) == "FAIL")
check("timing-no-rerun-after-failure-fails",
      judge(timing={TIMING_NAME: ["fail"]}).get("guest/" + TIMING_NAME) == "FAIL")
check("timing-skip-skips",
      judge(timing={TIMING_NAME: ["skip"]}).get("guest/" + TIMING_NAME) == "SKIP")
ETIME = ("fail", "CRITICAL: Failed assertion: __syncobj_wait(...) == 0\n"
                 "CRITICAL: error: -62 != 0\n")
EINVAL = ("fail", "CRITICAL: error: -22 != 0\n")
check("timing-out-of-time-twice-is-flaky",
      judge(timing={TIMING_NAME: [ETIME, ETIME]}).get("guest/" + TIMING_NAME) == "FLAKY")
check("timing-other-failure-fails",
      judge(timing={TIMING_NAME: [ETIME, EINVAL]}).get("guest/" + TIMING_NAME) == "FAIL")
check("timing-out-of-time-crash-fails",
      judge(timing={TIMING_NAME: [ETIME, ("crash", ETIME[1])]}).get("guest/" + TIMING_NAME)
      == "FAIL")
check("timing-runner-timeout-twice-is-flaky",
      judge(timing={"igt@sw_sync@sync_multi_consumer": ["timeout", "timeout"]})
      .get("guest/igt@sw_sync@sync_multi_consumer") == "FLAKY")
check("timing-planned-but-no-result-fails",
      judge(timing={TIMING_NAME: []}).get("guest/" + TIMING_NAME) == "FAIL")
check("timing-lost-first-run-then-pass-is-flaky",
      judge(timing={TIMING_NAME: [None, "pass"]}).get("guest/" + TIMING_NAME) == "FLAKY")
check("timing-missing-entry-fails",
      judge(missing="igt@sw_sync@gone").get("guest/igt@sw_sync@gone") == "FAIL")
check("timing-directory-missing-fails",
      judge(timing=None).get("guest/timing-sensitive") == "FAIL")
check("missing-results-fail", judge(results=None).get("guest/igt_runner") == "FAIL")
check("empty-results-fail", judge(results={"tests": {}}).get("guest/igt_runner") == "FAIL")

print(f"1..{len(checks)}")
for i, (name, ok) in enumerate(checks, 1):
    print(f"{'ok' if ok else 'not ok'} {i} /judge/{name}")
sys.exit(0 if all(ok for _, ok in checks) else 1)

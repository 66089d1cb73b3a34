#!/usr/bin/env python3
"""trace-hops.py: where the host's time of each firmware ping goes.

Usage: scripts/trace-hops.py TRACE_LOG [--doorbell ID]

TRACE_LOG is QEMU's log with the pvgpu_doorbell, pvgpu_run,
pvgpu_run_inline, pvgpu_dma and pvgpu_irq trace events enabled and
host timestamps on (-msg timestamp=on); docs/latency.rst shows the
command. For every write to doorbell ID (default 0, the H2F doorbell a
ping rings) it finds the firmware run that followed (inline or the
bottom half), its first DMA and the interrupt, and prints the median and
p90 of each hop in microseconds. Doorbells with no interrupt before the
next doorbell are counted and left out.
"""
import re
import statistics
import sys

LINE = re.compile(r"^\d+@(\d+)\.(\d+):(\w+) ?(.*)$")
HOPS = ("doorbell to firmware run", "firmware run to first DMA",
        "firmware run to MSI-X", "doorbell to MSI-X")


def events(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if m:
                yield int(m[1]) * 1000000 + int(m[2]), m[3], m[4]


def hops(evs, doorbell):
    tag = f"(id {doorbell})"
    out, unanswered, cur = [], 0, None
    for t, name, args in evs:
        if name == "pvgpu_doorbell":
            if cur is not None:
                unanswered += 1
            cur = {"db": t} if tag in args else None
            continue
        if cur is None:
            continue
        if name in ("pvgpu_run", "pvgpu_run_inline") and "run" not in cur:
            cur["run"] = t
        elif name == "pvgpu_dma" and "run" in cur and "dma" not in cur:
            cur["dma"] = t
        elif name == "pvgpu_irq" and "run" in cur:
            dma = cur.get("dma", cur["run"])
            out.append((cur["run"] - cur["db"], dma - cur["run"],
                        t - cur["run"], t - cur["db"]))
            cur = None
    if cur is not None:
        unanswered += 1
    return out, unanswered


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--doorbell"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    doorbell = int(argv[3]) if len(argv) == 4 else 0
    rows, unanswered = hops(events(argv[1]), doorbell)
    if not rows:
        print(f"trace-hops: no doorbell {doorbell} followed by a run and an "
              f"interrupt in {argv[1]}", file=sys.stderr)
        return 1
    print(f"{len(rows)} doorbells {doorbell} answered by an interrupt, "
          f"{unanswered} not")
    for k, name in enumerate(HOPS):
        v = sorted(r[k] for r in rows)
        print(f"{name:26s} median {statistics.median(v):7.1f} us   "
              f"p90 {v[int(len(v) * 0.9)]:7.1f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

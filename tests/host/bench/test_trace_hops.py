#!/usr/bin/env python3
"""Test of scripts/trace-hops.py on a fixture trace with known hops: an
inline ping, a bottom-half ping, a doorbell of another id (ignored), a
doorbell with no interrupt (counted, left out) and a trace with nothing
to measure. Prints TAP.
"""
import os
import subprocess
import sys
import tempfile

import tap
from tap import check

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "..", "..", "..", "scripts", "trace-hops.py")

# Times in us after 100 s; two pings: inline (db 0 -> run 2 -> dma 3 ->
# irq 10) and bottom half (db 0 -> run 20 -> dma 24 -> irq 40).
TRACE = """\
1@100.000000:pvgpu_doorbell group 0 offset 0x000 (id 0) <- 0x1
1@100.000002:pvgpu_run_inline firmware run inside the doorbell write
1@100.000003:pvgpu_dma write 0 addr 0x1000 len 8 result 0
1@100.000010:pvgpu_irq vector 0 delivered 1
1@100.001000:pvgpu_doorbell group 1 offset 0x004 (id 1025) <- 0x1
1@100.001001:pvgpu_run_inline firmware run inside the doorbell write
1@100.001005:pvgpu_irq vector 0 delivered 1
1@100.002000:pvgpu_doorbell group 0 offset 0x000 (id 0) <- 0x2
1@100.002020:pvgpu_run timer expired 0
1@100.002024:pvgpu_dma write 0 addr 0x1000 len 8 result 0
1@100.002040:pvgpu_irq vector 0 delivered 1
1@100.003000:pvgpu_doorbell group 0 offset 0x000 (id 0) <- 0x3
1@100.003001:pvgpu_run_inline firmware run inside the doorbell write
not a trace line
"""


def run(*args):
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True,
                text=True)


def main():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "trace.log")
        with open(path, "w") as f:
            f.write(TRACE)
        r = run(path)
        out = r.stdout
        check("two pings measured, one unanswered",
              r.returncode == 0 and
              "2 doorbells 0 answered by an interrupt, 1 not" in out,
              out + r.stderr)
        # Medians of two values are their mean.
        check("doorbell to run", "doorbell to firmware run   median"
              "    11.0 us" in out, out)
        check("run to first DMA", "firmware run to first DMA  median"
              "     2.5 us" in out, out)
        check("run to MSI-X", "firmware run to MSI-X      median"
              "    14.0 us" in out, out)
        check("doorbell to MSI-X", "doorbell to MSI-X          median"
              "    25.0 us" in out, out)
        r = run(path, "--doorbell", "1025")
        check("other doorbell id", r.returncode == 0 and
              "1 doorbells 1025 answered" in r.stdout and
              "doorbell to MSI-X          median     5.0 us" in r.stdout,
              r.stdout + r.stderr)
        empty = os.path.join(d, "empty.log")
        open(empty, "w").close()
        r = run(empty)
        check("nothing to measure fails", r.returncode == 1 and
              "no doorbell" in r.stderr, r.stdout + r.stderr)
        r = run()
        check("usage", r.returncode == 2, r.stderr)

    return tap.report()


if __name__ == "__main__":
    sys.exit(main())

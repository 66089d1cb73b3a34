#!/usr/bin/env python3
"""Summarise a profile of QEMU under TCG by guest and host function.

    profile-report.py PERF_TXT KALLSYMS [--top N]

PERF_TXT is `perf report --stdio --sort sym` of a QEMU run with -perfmap:
code TCG generated is named guest-0x<guest pc>, which KALLSYMS (the
guest's /proc/kallsyms of the same boot) turns into the guest function.
Prints the split between code translated from the guest and QEMU's own
functions, the guest's split by module, and the top functions of both.
scripts/profile-vm.sh runs it.
"""
import bisect
import collections
import re
import sys


def load_kallsyms(path):
    syms = []
    for line in open(path, encoding="utf-8", errors="replace"):
        parts = line.split()
        if len(parts) < 3:
            continue
        addr = int(parts[0], 16)
        if addr == 0:
            continue
        name = parts[2]
        if len(parts) > 3:
            name += " " + parts[3]
        syms.append((addr, name))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def main():
    args = sys.argv[1:]
    top = 40
    if "--top" in args:
        i = args.index("--top")
        top = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    addrs, names = load_kallsyms(args[1])
    guest = collections.Counter()
    host = collections.Counter()
    line_re = re.compile(r"\s*([\d.]+)%\s+\[.\]\s+(\S+)")
    for line in open(args[0], encoding="utf-8", errors="replace"):
        m = line_re.match(line)
        if not m:
            continue
        pct, sym = float(m.group(1)), m.group(2)
        g = re.match(r"guest-0x([0-9a-f]+)", sym)
        if g:
            i = bisect.bisect_right(addrs, int(g.group(1), 16)) - 1
            guest[names[i] if i >= 0 else "?"] += pct
        else:
            host[sym] += pct
    # perf's percentages, rounded per line, need not add up to 100:
    # everything is given as a share of their sum.
    total = sum(guest.values()) + sum(host.values())
    if not total:
        sys.exit("profile-report: no samples in " + args[0])
    for c in (guest, host):
        for k in c:
            c[k] *= 100.0 / total
    gsum, hsum = sum(guest.values()), sum(host.values())
    print(f"samples in code translated from the guest: {gsum:5.1f}%")
    print(f"samples in QEMU's own functions:            {hsum:5.1f}%")
    mods = collections.Counter()
    for name, pct in guest.items():
        m = re.search(r"\[(\S+)\]", name)
        mods[m.group(1) if m else "kernel (or user space)"] += pct
    print("\nguest code by module:")
    for mod, pct in mods.most_common():
        print(f"  {pct:6.2f}%  {mod}")
    print(f"\ntop {top} guest functions:")
    for name, pct in guest.most_common(top):
        print(f"  {pct:6.2f}%  {name}")
    print(f"\ntop {top} QEMU functions:")
    for name, pct in host.most_common(top):
        print(f"  {pct:6.2f}%  {name}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Run the compile commands Kbuild recorded through clang's analyses.

    kbuild-clang-check.py KERNEL_BUILD_DIR CMDFILE... -- CLANG_WARNING...

Each CMDFILE is a Kbuild ".NAME.o.cmd" file; its "savedcmd_" line is the
gcc command that compiled NAME.c. This runs the same command as
"clang -fsyntax-only" with the given warning options added (e.g.
-Wconditional-uninitialized, clang's "may be used uninitialized", which sees
what gcc 12's -Wmaybe-uninitialized misses), from KERNEL_BUILD_DIR as Kbuild
does. Options only gcc knows (-mrecord-mcount, -fconserve-stack, ...) are
dropped as clang reports them. clang's diagnostics go to stdout; the caller
decides which of them count (scripts/check-guest-build.sh keeps those in the
pvgpu tree). Exit status 0 unless clang cannot be run at all.
"""
import re
import shlex
import subprocess
import sys

UNKNOWN = re.compile(r"(?:unknown argument:?|unsupported option|"
                     r"unsupported argument) '([^']+)'")


def compile_args(cmdfile):
    with open(cmdfile, encoding="utf-8") as f:
        for line in f:
            if line.startswith("savedcmd_"):
                args = shlex.split(line.split(":=", 1)[1])
                break
        else:
            sys.exit(f"{cmdfile}: no savedcmd_ line")
    out, skip = [], False
    # args[0] is gcc, the last one the source file.
    for a in args[1:-1]:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        if a == "-c" or a.startswith("-Wp,"):
            continue
        out.append(a)
    return out, args[-1]


def check(kdir, cmdfile, warnings):
    args, src = compile_args(cmdfile)
    dropped = set()
    for _ in range(64):
        cmd = (["clang", "-fsyntax-only", "-Wno-unknown-warning-option"] +
               [a for a in args if a not in dropped] + warnings + [src])
        try:
            p = subprocess.run(cmd, cwd=kdir, capture_output=True, text=True)
        except FileNotFoundError:
            sys.exit("clang not found (run: ./pvgpu setup)")
        bad = set(UNKNOWN.findall(p.stderr))
        # clang 14 refuses zero init without an opt-in; irrelevant here.
        if "trivial-auto-var-init=zero" in p.stderr:
            bad |= {a for a in args if a.startswith("-ftrivial-auto-var-init")}
        bad -= dropped
        if not bad:
            break
        dropped |= bad
    sys.stdout.write(p.stderr)
    if p.returncode:
        print(f"{src}: clang exit status {p.returncode}")


def main():
    if "--" not in sys.argv or sys.argv.index("--") < 3:
        sys.exit(__doc__)
    sep = sys.argv.index("--")
    kdir, cmdfiles, warnings = sys.argv[1], sys.argv[2:sep], sys.argv[sep + 1:]
    for cmdfile in cmdfiles:
        check(kdir, cmdfile, warnings)


if __name__ == "__main__":
    main()

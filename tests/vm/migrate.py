#!/usr/bin/env python3
"""Migration of a VM whose pvgpu GPU is busy, checked by the guest.

Usage:
  migrate.py [options] [live] [save-restore]   the tests (default: both)
  migrate.py [options] --bench [--reps N] [--json FILE]
                                                 the figures of both kinds

Each test boots its own VM (QEMU as scripts/vm.sh starts it, plus a QMP
socket and the console on a unix socket this script holds) running
pvgpu_busy_workload (userspace/tools/), which keeps --queues exec queues
busy until it reads "release" on its console. Once the guest prints that
it is busy:
  live          QEMU B is started with -incoming on a unix socket, A
                migrates to it (QMP migrate) and quits; B runs on.
  save-restore  A is stopped and migrated to a file, A quits; QEMU B loads
                the file (-incoming file:) and is continued.
Only then is "release" sent, to B: the busy phase cannot end before the
migration, so every queue has work in flight across it, and each queue
gets more jobs on B. The test passes when the guest's workload exits 0
(every counter, store, fence and bind check exact), the console shows
busy on A, release and the workload's PASS line on B, and the guest's
kernel log (sent back in /out) has no KASAN, lockdep, WARN/BUG, DMA-API
or debug-objects report. The two QEMUs never run the guest at the same
time (B waits for its incoming stream).

--bench does the same in one boot: --reps live migrations in a chain, then
--reps save/restore cycles, then the release; it prints the downtime and
total time QMP reports, the bytes transferred (live) and the file size
(save), median and spread, and writes them as JSON (schema pvgpu-bench/1,
as the guest benchmarks; default build/bench/migrate-<time>.json). The
workload must still pass, or the figures are refused.

--tap prints the verdicts as TAP (scripts/test-all.sh reads them);
--filter REGEX keeps the tests whose name migrate/TEST matches (none:
"1..0"). --inject PROP=VALUE qom-sets a device property on the source just
before the migration (x-inject-hang-engine=1 makes the test fail, as it
must). Files of a run: build/migrate/<test>/ (consoles, QMP transcripts,
the guest's kernel log; the state file is removed after a pass). The exit
status is 0 only if every test passed.
"""
import argparse
import base64
import datetime
import io
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("PVGPU_BUILD", os.path.join(ROOT, "build"))
SCRIPTS = os.path.join(ROOT, "scripts")

BUSY = "pvgpu_busy_workload: busy"
RELEASED = "pvgpu_busy_workload: released"
PASSED = "pvgpu_busy_workload: PASS"
SUMMARY = re.compile(r"^pvgpu_busy_workload: (PASS|FAIL): .*$", re.M)
EXIT = re.compile(r"^PVGPU_EXIT_STATUS=(\d+)\s*$", re.M)

# Generous bounds for a loaded 2-core host; reaching one is a failure with
# its reason, never a verdict on speed.
BOOT_TIMEOUT = 900
MIGRATE_TIMEOUT = 600
FINISH_TIMEOUT = 900
UNLIMITED_BANDWIDTH = 1 << 40     # bytes/s

# Reports of the debug kernel that fail a test: the checks of
# tests/vm/judge-guest.py, over the guest's whole kernel log.
KERNEL_REPORTS = {
    "KASAN report": r"BUG: KASAN|KASAN: ",
    "lockdep report": r"WARNING: possible (circular|recursive)|"
    r"WARNING: inconsistent lock state|BUG: sleeping function|"
    r"WARNING: suspicious RCU usage|INFO: possible irq lock inversion|"
    r"WARNING: lock held when returning|BUG: lock held when returning",
    "WARN or BUG": r"------------\[ cut here \]------------|"
    r"\bBUG:|Oops:|general protection fault|Kernel panic",
    "DMA-API debug report":
    r"DMA-API: (?!preallocated \d+ debug entries|debugging enabled by kernel config)",
    "debug-objects report": r"ODEBUG: ",
}


def log(msg):
    print(f"[migrate] {msg}", file=sys.stderr, flush=True)


class TestFailure(Exception):
    pass


def run_out(*cmd):
    """A build script's product path (its stdout); progress goes to stderr."""
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout.strip()


class Guest:
    """The files every QEMU of one run boots: kernel, initrd, QEMU copy."""

    def __init__(self, args):
        self.flavour = args.kernel
        self.mem = args.mem or (3072 if args.kernel == "debug" else 2048)
        self.dir = os.path.join(BUILD, "migrate")
        os.makedirs(self.dir, exist_ok=True)
        qemu = args.qemu or run_out(os.path.join(SCRIPTS, "build-qemu.sh"))
        kdir = run_out(os.path.join(SCRIPTS, "build-kernel.sh"), self.flavour)
        rootfs = run_out(os.path.join(SCRIPTS, "build-rootfs.sh"))
        stage = os.path.join(self.dir, f"stage-{self.flavour}")
        subprocess.run([os.path.join(SCRIPTS, "build-guest.sh"), kdir, stage], check=True,
                       stdout=sys.stderr)
        # Source and destination must be the same QEMU: a copy, so that a
        # rebuild of the cached one (another shell) cannot come in between.
        self.qemu = os.path.join(self.dir, "qemu-system-x86_64")
        shutil.copy2(qemu, self.qemu + ".new")
        os.replace(self.qemu + ".new", self.qemu)
        self.kernel = os.path.join(kdir, "bzImage")
        with open(os.path.join(kdir, "release")) as f:
            self.release = f.read().strip()
        cmd = ["pvgpu_busy_workload", "-q", str(args.queues), "-v", str(args.vms),
               "--hold", "/dev/ttyS0"]
        with open(os.path.join(stage, "etc/pvgpu/config"), "w") as f:
            f.write("PVGPU_MODE=run\nPVGPU_MODULE=1\nPVGPU_MODULE_ARGS=''\n")
        # The kernel log comes back in /out (init sends it over ttyS1):
        # the console shows only errors, and warnings count too.
        with open(os.path.join(stage, "etc/pvgpu/cmd"), "w") as f:
            f.write(" ".join(cmd) + "\nrc=$?\ndmesg >/out/dmesg.txt\nexit $rc\n")
        self.cmd = cmd
        overlay = os.path.join(self.dir, "overlay.cpio")
        subprocess.run(f"find . -mindepth 1 -print0 | LC_ALL=C sort -z | "
                       f"cpio --null -o -H newc --quiet > {overlay}",
                       shell=True, check=True, cwd=stage)
        self.initrd = os.path.join(self.dir, f"initrd-{self.flavour}.cpio")
        with open(self.initrd, "wb") as out:
            for part in (os.path.join(rootfs, "base.cpio"), overlay):
                with open(part, "rb") as f:
                    shutil.copyfileobj(f, out)
        self.append = "console=ttyS0 panic=-1 no_hash_pointers no_timer_check quiet"
        if self.flavour == "debug":
            self.append += " kasan.fault=report"


class Qmp:
    """A QMP client: one command at a time, events logged and skipped."""

    def __init__(self, path, logf):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.file = self.sock.makefile("r")
        self.log = logf
        self._read()                       # greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        line = self.file.readline()
        if not line:
            raise TestFailure("QMP connection closed")
        self.log.write("<- " + line)
        return json.loads(line)

    def cmd(self, name, **arguments):
        msg = {"execute": name}
        if arguments:
            msg["arguments"] = arguments
        text = json.dumps(msg)
        self.log.write("-> " + text + "\n")
        self.log.flush()
        try:
            self.sock.sendall(text.encode() + b"\n")
        except OSError as e:
            raise TestFailure(f"QMP {name}: {e} (QEMU gone)") from e
        while True:
            reply = self._read()
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise TestFailure(f"QMP {name}: {reply['error'].get('desc')}")

    def close(self):
        self.sock.close()


class Qemu:
    """One QEMU of a run: its console (held by a reader thread), QMP."""

    def __init__(self, guest, workdir, name, incoming=None):
        self.guest, self.name = guest, name
        base = os.path.join(workdir, name)
        self.console_path = base + ".console.log"
        self.out_raw = base + ".out.raw"
        self.qmp_path, self.con_path = base + ".qmp", base + ".con"
        for p in (self.qmp_path, self.con_path):
            if os.path.exists(p):
                os.unlink(p)
        self.text = ""
        self.lock = threading.Lock()
        cmd = [guest.qemu, "-machine", "q35", "-accel", "tcg", "-cpu", "max,la57=off",
               "-smp", "2", "-m", str(guest.mem),
               "-bios", "/usr/share/qemu/qboot.rom", "-L", "/usr/share/qemu",
               "-nodefaults", "-vga", "none", "-display", "none", "-no-reboot",
               "-chardev", f"socket,id=con,path={self.con_path},server=on,wait=off",
               "-serial", "chardev:con",
               "-chardev", f"file,id=out,path={self.out_raw}", "-serial", "chardev:out",
               "-kernel", guest.kernel, "-initrd", guest.initrd, "-append", guest.append,
               "-device", "pvgpu,id=gpu0",
               "-qmp", f"unix:{self.qmp_path},server=on,wait=off"]
        # A fresh boot waits (-S) until the console is held: nothing the
        # guest prints is lost. B waits for its stream anyway.
        cmd += ["-incoming", incoming] if incoming else ["-S"]
        with open(base + ".cmdline", "w") as f:
            f.write(" ".join(cmd) + "\n")
        self.stderr = open(base + ".stderr", "w")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.stderr,
                                     stderr=subprocess.STDOUT)
        self.started = time.monotonic()
        self.con = self._connect(self.con_path)
        self.qmp = Qmp(self._wait_socket(self.qmp_path), open(base + ".qmp.log", "w"))
        self.reader = threading.Thread(target=self._read_console, daemon=True)
        self.reader.start()

    def _wait_socket(self, path):
        deadline = time.monotonic() + 60
        while not os.path.exists(path):
            if self.proc.poll() is not None:
                raise TestFailure(f"QEMU {self.name} exited ({self.proc.returncode}) at start, "
                                  f"see {self.stderr.name}")
            if time.monotonic() > deadline:
                raise TestFailure(f"QEMU {self.name} made no socket {path}")
            time.sleep(0.05)
        return path

    def _connect(self, path):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self._wait_socket(path))
        return s

    def _read_console(self):
        with open(self.console_path, "w") as logf:
            while True:
                try:
                    data = self.con.recv(65536)
                except OSError:
                    break
                if not data:
                    break
                text = data.decode("utf-8", "replace").replace("\r", "")
                logf.write(text)
                logf.flush()
                with self.lock:
                    self.text += text

    def console(self):
        with self.lock:
            return self.text

    def wait_console(self, what, timeout):
        deadline = time.monotonic() + timeout
        while what not in self.console():
            if self.proc.poll() is not None:
                self.reader.join(5)
                if what in self.console():
                    break
                raise TestFailure(f"QEMU {self.name} exited ({self.proc.returncode}) before "
                                  f"'{what}'; see {self.console_path}")
            if time.monotonic() > deadline:
                raise TestFailure(f"no '{what}' from the guest on {self.name} within "
                                  f"{timeout}s; see {self.console_path}")
            time.sleep(0.2)

    def out_file(self, name):
        """File @name of the guest's /out, sent back on ttyS1 (images/rootfs/init)."""
        try:
            with open(self.out_raw, errors="replace") as f:
                raw = f.read()
        except OSError:
            return None
        m = re.search(r"PVGPU-OUT-BEGIN\n(.*?)PVGPU-OUT-END", raw.replace("\r", ""), re.S)
        if not m:
            return None
        try:
            data = base64.b64decode("".join(m.group(1).split()))
            with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                member = tar.extractfile("./" + name)
                text = member.read().decode("utf-8", "replace")
        except (ValueError, KeyError, tarfile.TarError, AttributeError):
            return None
        with open(os.path.join(os.path.dirname(self.console_path),
                               f"{self.name}.{name}"), "w") as f:
            f.write(text)
        return text

    def send_console(self, text):
        self.con.sendall(text.encode())

    def status(self):
        return self.qmp.cmd("query-status")["status"]

    def wait_migration(self, timeout):
        """Polls query-migrate until it completes; its last answer."""
        deadline = time.monotonic() + timeout
        while True:
            info = self.qmp.cmd("query-migrate")
            st = info.get("status")
            if st == "completed":
                return info
            if st in ("failed", "cancelled"):
                raise TestFailure(f"migration from {self.name} {st}: "
                                  f"{info.get('error-desc', 'no reason given')}")
            if time.monotonic() > deadline:
                raise TestFailure(f"migration from {self.name} not done within {timeout}s "
                                  f"(status {st})")
            time.sleep(0.1)

    def wait_loaded(self, timeout):
        """Waits until an incoming QEMU has its state; its run state."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise TestFailure(f"QEMU {self.name} exited ({self.proc.returncode}) while "
                                  f"loading the migration stream; see {self.stderr.name}")
            st = self.status()
            if st != "inmigrate":
                return st
            if time.monotonic() > deadline:
                raise TestFailure(f"QEMU {self.name} did not load its stream within {timeout}s")
            time.sleep(0.1)

    def quit(self):
        try:
            self.qmp.cmd("quit")
        except (TestFailure, OSError):
            pass
        self.wait_exit(60)

    def wait_exit(self, timeout):
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise TestFailure(f"QEMU {self.name} still running after {timeout}s; killed")
        finally:
            self.reader.join(10)
            self.qmp.close()
            self.con.close()
            self.stderr.close()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Run:
    """One boot and the QEMUs it passes through."""

    def __init__(self, guest, name, inject=()):
        self.guest = guest
        self.inject = list(inject)
        self.dir = os.path.join(guest.dir, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.count = 0
        self.qemus = []

    def qemu(self, incoming=None):
        name = chr(ord("a") + self.count) if self.count < 26 else f"q{self.count}"
        self.count += 1
        q = Qemu(self.guest, self.dir, name, incoming)
        self.qemus.append(q)
        return q

    def boot(self):
        a = self.qemu()
        a.qmp.cmd("cont")
        log(f"{a.name}: booting, waiting until the workload is busy")
        a.wait_console(BUSY, BOOT_TIMEOUT)
        log(f"{a.name}: {self.line(a, BUSY)}")
        return a

    @staticmethod
    def line(q, prefix):
        for line in q.console().splitlines():
            if line.startswith(prefix):
                return line
        return ""

    def prepare(self, src):
        """Migration parameters and the --inject settings, on @src."""
        # QEMU's default cap (128 MiB/s) is for a network; a local socket
        # or file takes what the host gives.
        src.qmp.cmd("migrate-set-parameters", **{"max-bandwidth": UNLIMITED_BANDWIDTH})
        for prop, value in self.inject:
            log(f"{src.name}: qom-set {prop} = {value}")
            src.qmp.cmd("qom-set", path="/machine/peripheral/gpu0", property=prop,
                        value=value)
        self.inject = []

    def live(self, src):
        """Live migration of @src to a new QEMU; the new one, and figures."""
        sock = os.path.join(self.dir, "migrate.sock")
        if os.path.exists(sock):
            os.unlink(sock)
        dst = self.qemu(incoming=f"unix:{sock}")
        dst._wait_socket(sock)
        self.prepare(src)
        src.qmp.cmd("migrate", uri=f"unix:{sock}")
        info = src.wait_migration(MIGRATE_TIMEOUT)
        src.quit()
        st = dst.wait_loaded(MIGRATE_TIMEOUT)
        if st != "running":
            raise TestFailure(f"{dst.name} is {st} after the live migration, not running")
        ram = info.get("ram", {})
        fig = {"downtime_ms": info.get("downtime"), "total_time_ms": info.get("total-time"),
               "setup_time_ms": info.get("setup-time"),
               "transferred_bytes": ram.get("transferred"),
               "dirty_sync_count": ram.get("dirty-sync-count")}
        log(f"live {src.name} -> {dst.name}: {fig}")
        return dst, fig

    def save_restore(self, src):
        """@src stopped, saved to a file, quit; a new QEMU loads it and runs on."""
        state = os.path.join(self.dir, "vm.state")
        if os.path.exists(state):
            os.unlink(state)
        self.prepare(src)
        src.qmp.cmd("stop")
        src.qmp.cmd("migrate", uri=f"file:{state}")
        info = src.wait_migration(MIGRATE_TIMEOUT)
        src.quit()
        size = os.path.getsize(state)
        t0 = time.monotonic()
        dst = self.qemu(incoming=f"file:{state}")
        st = dst.wait_loaded(MIGRATE_TIMEOUT)
        restore_ms = (time.monotonic() - t0) * 1000
        if st == "paused":
            dst.qmp.cmd("cont")
        elif st != "running":
            raise TestFailure(f"{dst.name} is {st} after loading {state}")
        os.unlink(state)
        fig = {"downtime_ms": info.get("downtime"), "total_time_ms": info.get("total-time"),
               "file_bytes": size, "restore_ms": round(restore_ms, 1)}
        log(f"save {src.name} -> file -> {dst.name}: {fig}")
        return dst, fig

    def finish(self, last):
        """Releases the workload on @last and judges the guest's result."""
        if RELEASED in last.console():
            raise TestFailure("the workload was released before the host said so")
        for q in self.qemus[:-1]:
            if RELEASED in q.console() or "pvgpu_busy_workload: draining" in q.console():
                raise TestFailure(f"the busy phase ended on {q.name}, before the migration")
        log(f"{last.name}: release")
        last.send_console("release\n")
        last.wait_console("PVGPU_EXIT_STATUS=", FINISH_TIMEOUT)
        last.wait_exit(120)
        text = last.console()
        status = int(EXIT.findall(text)[-1])
        summary = SUMMARY.findall(text)
        lines = [l for l in text.splitlines() if l.startswith("pvgpu_busy_workload:")]
        for line in lines:
            log(f"{last.name}: {line}")
        if RELEASED not in text:
            raise TestFailure(f"no '{RELEASED}' on {last.name}; see {last.console_path}")
        if status != 0 or summary != ["PASS"]:
            raise TestFailure(f"the guest's workload failed (exit {status}); see "
                              f"{last.console_path}")
        dmesg = last.out_file("dmesg.txt")
        if dmesg is None:
            raise TestFailure(f"no kernel log came back from {last.name}")
        for what, pattern in KERNEL_REPORTS.items():
            hits = [l for l in dmesg.splitlines() if re.search(pattern, l)]
            if hits:
                raise TestFailure(f"{what} in the guest's kernel log: {hits[0].strip()[:160]}")
        return [l for l in lines if l.startswith(PASSED)][0]

    def guest_said(self):
        """The workload's first failure and its summary, from any console."""
        fails = [l for q in self.qemus for l in q.console().splitlines()
                 if l.startswith("pvgpu_busy_workload: FAIL")]
        return " / ".join(dict.fromkeys([fails[0], fails[-1]])) if fails else ""

    def kill(self):
        for q in self.qemus:
            q.kill()

    def fail(self, e):
        """@e as a TestFailure, with what the guest said."""
        said = self.guest_said()
        return TestFailure(f"{e}; the guest said: {said}" if said else str(e))


def test_live(guest, inject):
    run = Run(guest, "live", inject)
    try:
        a = run.boot()
        b, fig = run.live(a)
        return run.finish(b), fig
    except (TestFailure, OSError) as e:
        raise run.fail(e) from e
    finally:
        run.kill()


def test_save_restore(guest, inject):
    run = Run(guest, "save-restore", inject)
    try:
        a = run.boot()
        b, fig = run.save_restore(a)
        return run.finish(b), fig
    except (TestFailure, OSError) as e:
        raise run.fail(e) from e
    finally:
        run.kill()


TESTS = {"live": test_live, "save-restore": test_save_restore}


def stats(values):
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    q = (lambda p: v[min(len(v) - 1, int(round(p * (len(v) - 1))))])
    return {"n": len(v), "median": statistics.median(v), "p10": q(0.10), "p90": q(0.90),
            "p99": q(0.99), "min": v[0], "max": v[-1], "mean": statistics.fmean(v),
            "stddev": statistics.pstdev(v) if len(v) > 1 else 0.0, "samples": values}


def bench(guest, args):
    run = Run(guest, "bench")
    live, save = [], []
    try:
        cur = run.boot()
        for _ in range(args.reps):
            cur, fig = run.live(cur)
            live.append(fig)
        for _ in range(args.reps):
            cur, fig = run.save_restore(cur)
            save.append(fig)
        summary = run.finish(cur)
    finally:
        run.kill()
    figures = []
    table = [("live_downtime", "live: downtime (QMP)", "ms", live, "downtime_ms"),
             ("live_total", "live: total time", "ms", live, "total_time_ms"),
             ("live_transferred", "live: bytes transferred", "bytes", live, "transferred_bytes"),
             ("save_downtime", "save: downtime (QMP)", "ms", save, "downtime_ms"),
             ("save_total", "save: total time", "ms", save, "total_time_ms"),
             ("save_file", "save: file size", "bytes", save, "file_bytes"),
             ("restore", "restore: start to loaded", "ms", save, "restore_ms")]
    print(f"migration of a VM with {args.queues} busy queues on {args.vms} VMs, "
          f"{guest.flavour} kernel, {guest.mem} MiB, TCG, {args.reps} of each")
    print(f"{'':28} {'median':>12} {'min':>12} {'max':>12}  unit")
    for name, label, unit, rows, key in table:
        s = stats([r[key] for r in rows])
        if s is None:
            continue
        figures.append({"name": name, "label": label, "unit": unit, **s})
        print(f"{label:28} {s['median']:12.0f} {s['min']:12.0f} {s['max']:12.0f}  {unit}")
    print(summary)
    now = datetime.datetime.now(datetime.timezone.utc)
    out = args.json or os.path.join(BUILD, "bench",
                                    f"migrate-{now.strftime('%Y%m%dT%H%M%SZ')}.json")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    def git(*a):
        r = subprocess.run(["git", "-C", ROOT, *a], capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None

    doc = {"schema": "pvgpu-bench/1", "benchmark": "migrate",
           "conditions": {"timestamp": now.isoformat(), "kernel_release": guest.release,
                          "commit": git("rev-parse", "HEAD"),
                          "tree_dirty": bool(git("status", "--porcelain")),
                          "machine": "q35 TCG (host)", "guest_mem_mib": guest.mem,
                          "host_cpus": os.cpu_count(),
                          "host_loadavg_at_end": list(os.getloadavg()),
                          "options": {"queues": args.queues, "vms": args.vms,
                                      "reps": args.reps, "kernel": guest.flavour},
                          "workload": " ".join(guest.cmd), "workload_result": summary},
           "figures": figures}
    with open(out, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print(f"json: {out}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("tests", nargs="*", metavar="TEST",
                   help="live, save-restore (default: both)")
    p.add_argument("--kernel", choices=["debug", "stock"], default="debug")
    p.add_argument("--mem", type=int, help="guest MiB (default 3072 debug, 2048 stock)")
    p.add_argument("--queues", type=int, default=64)
    p.add_argument("--vms", type=int, default=4)
    p.add_argument("--qemu", help="this qemu-system-x86_64, not scripts/build-qemu.sh's")
    p.add_argument("--tap", action="store_true", help="verdicts as TAP on stdout")
    p.add_argument("--filter", default="", metavar="REGEX",
                   help="only the tests whose name migrate/TEST matches")
    p.add_argument("--inject", action="append", default=[], metavar="PROP=VALUE",
                   type=lambda a: (a.split("=", 1)[0], json.loads(a.split("=", 1)[1])),
                   help="qom-set a pvgpu property on the source just before the "
                   "migration (e.g. x-inject-hang-engine=1: the test must fail)")
    p.add_argument("--bench", action="store_true")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--json")
    args = p.parse_args()
    names = args.tests or list(TESTS)
    for name in names:
        if name not in TESTS:
            p.error(f"no test '{name}' (tests: {', '.join(TESTS)})")
    names = [n for n in names if re.search(args.filter, f"migrate/{n}")]
    if not names:
        if args.tap:
            print("1..0")
        return 0

    if args.tap:
        print(f"1..{len(names)}", flush=True)
    try:
        guest = Guest(args)
    except (subprocess.SubprocessError, OSError) as e:
        log(f"the VM could not be built: {e}")
        for i, name in enumerate(names, 1):
            print(f"not ok {i} {name}\n# the VM could not be built: {e}", flush=True)
        return 1
    if args.bench:
        bench(guest, args)
        return 0
    failed = 0
    for i, name in enumerate(names, 1):
        t0 = time.monotonic()
        log(f"test {name}: {args.queues} queues, {args.kernel} kernel")
        try:
            summary, fig = TESTS[name](guest, args.inject)
            ok, why = True, f"{summary}; {fig}"
        except Exception as e:      # every test gets its verdict line
            ok, why = False, str(e) or type(e).__name__
            failed += 1
        took = time.monotonic() - t0
        log(f"test {name}: {'PASS' if ok else 'FAIL'} in {took:.0f}s: {why}")
        if args.tap:
            print(f"{'ok' if ok else 'not ok'} {i} {name}", flush=True)
            print(f"# {why}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

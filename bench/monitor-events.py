#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Cost of the thin monitor's security events on Debian's Linux: seconds from
QEMU start to the userspace marker with every event off (no policy) and with
every event on (examples/thin-monitor/policies/all-events.dts), and, in the
events-on run, the guest-measured cost of one caught system call: /init times
40000 one-byte read/write calls with system-call events on, then (after this
script types Ctrl-] s) off. A benchmark: it prints figures, never fails on them.

  bench/monitor-events.py [--build build] [--smp 2] [--runs 1] [--icount]
                          [--qemu 7|10] [--cpu MODEL] [--fgt-both]

--qemu 10 boots on QEMU 10 (scripts/setup's, from bookworm-backports) with
-cpu max,sve=off,sme=off,pauth=off (unless --cpu says otherwise), where the monitor catches system calls
with FEAT_FGT (HFGITR_EL2.SVC_EL0); --fgt-both adds an events-on run with
`fine-grained-traps = "off"` in the policy, i.e. the debug-breakpoint method
on the same CPU, so that a caught system call's cost is printed both ways.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

MARKER = b"LIBHYP-LINUX-UP"
ROUND = re.compile(rb"^bench: round (\d) 40000 syscalls from ([0-9.]+) to ([0-9.]+)")


def fail(message):
    sys.exit("monitor-events: error: " + message)


def need(path, what, how):
    if not os.path.isfile(path):
        fail("no %s at %s; %s" % (what, path, how))


def boot(cmd, timeout=600):
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    marker_at, rounds, events, tail = None, {}, 0, []
    try:
        for raw in proc.stdout:
            tail = (tail + [raw.decode("utf-8", "replace").rstrip()])[-15:]
            if marker_at is None and MARKER in raw:
                marker_at = time.monotonic() - start
            if raw.startswith(b"[hyp] EV "):
                events += 1
            if raw.startswith(b"bench: round 1 waiting"):
                proc.stdin.write(b"go\n")
                proc.stdin.flush()
            if raw.startswith(b"bench: round 2 waiting"):
                proc.stdin.write(b"\x1dsgo\n")  # system-call events off, then go
                proc.stdin.flush()
            m = ROUND.match(raw)
            if m:
                rounds[int(m.group(1))] = float(m.group(3)) - float(m.group(2))
            if time.monotonic() - start > timeout:
                break
    finally:  # QEMU runs in its own session: Ctrl-C here does not reach it
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    if marker_at is None:
        print("monitor-events: no %s from: %s; the last lines:" % (MARKER.decode(), " ".join(cmd)),
              file=sys.stderr)
        for line in tail:
            print("    " + line, file=sys.stderr)
    return marker_at, time.monotonic() - start, rounds, events


def main():
    p = argparse.ArgumentParser(description=__doc__)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p.add_argument("--build", default=os.path.join(root, "build"))
    p.add_argument("--smp", type=int, default=2)
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--icount", action="store_true")
    p.add_argument("--qemu", choices=("7", "10"), default="7")
    p.add_argument("--cpu", help="QEMU CPU model (default: cortex-a57; with --qemu 10, "
                   "max,sve=off,sme=off,pauth=off)")
    p.add_argument("--fgt-both", action="store_true",
                   help="with events on, also run with fine-grained traps off")
    a = p.parse_args()
    if a.fgt_both and a.qemu != "10":
        fail("--fgt-both needs --qemu 10 (QEMU 7.2 has no FEAT_FGT)")
    # -cpu max without SVE, SME and pointer authentication: libhyp does not
    # give guests those yet (Linux's first ZCR_EL1 or APIAKEY write traps).
    cpu = a.cpu or ("max,sve=off,sme=off,pauth=off" if a.qemu == "10" else "cortex-a57")
    cache = os.environ.get("LIBHYP_CACHE", os.path.expanduser("~/.cache/libhyp"))
    kernel = os.path.join(cache, "linux", "Image")
    initrd = os.path.join(a.build, "linux", "initramfs.cpio.gz")
    append = "console=ttyAMA0 earlycon=pl011,0x9000000 cryptomgr.notests"
    need(kernel, "arm64 Linux kernel", "run scripts/setup (it downloads Debian's)")
    need(initrd, "initramfs", "build first: scripts/test, or cmake --build %s" % a.build)
    need(os.path.join(a.build, "target", "examples", "thin-monitor", "thin-monitor.bin"),
         "thin-monitor image", "build first: scripts/test, or cmake --build %s" % a.build)
    if a.qemu == "10":
        need(os.path.join(cache, "qemu10", "bin", "qemu-system-aarch64"), "QEMU 10",
             "run scripts/setup (it fetches it from bookworm-backports)")
    elif not shutil.which("qemu-system-aarch64"):
        fail("qemu-system-aarch64 not found (Debian package qemu-system-arm); run scripts/setup")
    base = ["env", "LIBHYP_BUILD_DIR=" + a.build, os.path.join(root, "scripts", "run"),
            "thin-monitor", "--no-build", "--kernel", kernel, "--initrd", initrd,
            "--smp", str(a.smp), "--mem", "256M", "--qemu", a.qemu, "--cpu", cpu]
    if a.icount:
        base.append("--icount")
    policy = os.path.join(root, "examples", "thin-monitor", "policies", "all-events.dts")
    on = ["--append", append + " libhyp.syscall-bench"]
    variants = [("events off", base + ["--append", append]),
                ("events on", base + ["--policy", policy] + on)]
    if a.fgt_both:
        with open(policy) as f:
            text = f.read()
        no_fgt = tempfile.NamedTemporaryFile("w", suffix=".dts", prefix="no-fgt.", delete=False)
        no_fgt.write(text.replace('syscalls = "log";',
                                  'syscalls = "log";\n\t\t\tfine-grained-traps = "off";'))
        no_fgt.close()
        variants[1] = ("events on (FEAT_FGT)", variants[1][1])
        variants.append(("events on (breakpoint)", base + ["--policy", no_fgt.name] + on))
    print("monitor-events: QEMU %s, -cpu %s" % (a.qemu, cpu), flush=True)
    for name, cmd in variants:
        for run in range(a.runs):
            marker, total, rounds, events = boot(cmd)
            line = "%-22s smp %d%s run %d: marker at %s s, QEMU exit at %.2f s, %d event lines" % (
                name, a.smp, " icount" if a.icount else "", run + 1,
                "%.2f" % marker if marker is not None else "never", total, events)
            if 1 in rounds and 2 in rounds:
                per = (rounds[1] - rounds[2]) / 40000 * 1e6
                line += ("; 40000 syscalls: %.2f s caught, %.2f s not caught: %.1f us more "
                         "per caught syscall (guest time)" % (rounds[1], rounds[2], per))
            print(line, flush=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("monitor-events: interrupted")

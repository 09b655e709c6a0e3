#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Seconds from QEMU start to Linux's userspace marker, direct and under the
thin monitor, the guest's virtual counter at that marker (guest time since reset: with
--icount it repeats exactly and is what the thin monitor's exits cost the
guest), their ratio, and the monitor's exit table. A benchmark: it prints
figures and never fails on them.

  bench/linux-boot.py [--build build] [--smp 2] [--runs 1] [--icount]
"""
import argparse
import re
import os
import shutil
import subprocess
import sys
import time

MARKER = b"LIBHYP-LINUX-UP"
UPTIME = re.compile(r"^guest clock at userspace: ([0-9.]+) s")


def fail(message):
    sys.exit("linux-boot: error: " + message)


def need(path, what, how):
    if not os.path.isfile(path):
        fail("no %s at %s; %s" % (what, path, how))


def boot(cmd, timeout=300):
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    marker_at, lines = None, []
    try:
        for raw in proc.stdout:
            lines.append(raw.decode("utf-8", "replace").rstrip())
            if marker_at is None and MARKER in raw:
                marker_at = time.monotonic() - start
            if time.monotonic() - start > timeout:
                break
    finally:  # QEMU runs in its own session: Ctrl-C here does not reach it
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    if marker_at is None:
        print("linux-boot: no %s from: %s; the last lines:" % (MARKER.decode(), " ".join(cmd)),
              file=sys.stderr)
        for line in lines[-15:]:
            print("    " + line, file=sys.stderr)
    return marker_at, time.monotonic() - start, lines


def main():
    p = argparse.ArgumentParser(description=__doc__)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p.add_argument("--build", default=os.path.join(root, "build"))
    p.add_argument("--smp", type=int, default=2)
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--icount", action="store_true")
    a = p.parse_args()
    cache = os.environ.get("LIBHYP_CACHE", os.path.expanduser("~/.cache/libhyp"))
    kernel = os.path.join(cache, "linux", "Image")
    initrd = os.path.join(a.build, "linux", "initramfs.cpio.gz")
    append = "console=ttyAMA0 earlycon=pl011,0x9000000 cryptomgr.notests"
    icount = ["-icount", "shift=0,sleep=off"] if a.icount else []
    direct = (["qemu-system-aarch64", "-M", "virt,gic-version=3", "-cpu", "cortex-a57",
               "-smp", str(a.smp), "-m", "256M", "-nographic", "-monitor", "none",
               "-serial", "stdio", "-kernel", kernel, "-initrd", initrd, "-append", append]
              + icount)
    need(kernel, "arm64 Linux kernel", "run scripts/setup (it downloads Debian's)")
    need(initrd, "initramfs", "build first: scripts/test, or cmake --build %s" % a.build)
    need(os.path.join(a.build, "target", "examples", "thin-monitor", "thin-monitor.bin"),
         "thin-monitor image", "build first: scripts/test, or cmake --build %s" % a.build)
    if not shutil.which("qemu-system-aarch64"):
        fail("qemu-system-aarch64 not found (Debian package qemu-system-arm); run scripts/setup")
    monitor = ["env", "LIBHYP_BUILD_DIR=" + a.build, os.path.join(root, "scripts", "run"),
               "thin-monitor", "--no-build", "--kernel", kernel, "--initrd", initrd,
               "--smp", str(a.smp), "--mem", "256M", "--append", append]
    if a.icount:
        monitor.append("--icount")
    guest = {}
    for name, cmd in (("direct", direct), ("thin-monitor", monitor)):
        for run in range(a.runs):
            marker, total, lines = boot(cmd)
            up = next((float(m.group(1)) for m in map(UPTIME.match, lines) if m), None)
            if up is not None:
                guest.setdefault(name, []).append(up)
            print("%-13s smp %d%s run %d: marker at %s s, QEMU exit at %.2f s, guest "
                  "clock at the marker %s s" % (
                      name, a.smp, " icount" if a.icount else "", run + 1,
                      "%.2f" % marker if marker is not None else "never", total,
                      "%.3f" % up if up is not None else "?"))
        if name == "thin-monitor":
            for line in lines:
                if "thin-monitor:" in line and ("exits" in line or line.count("  ") > 1
                                                or "ticks" in line):
                    print("   ", line)
    if "direct" in guest and "thin-monitor" in guest:
        d = sum(guest["direct"]) / len(guest["direct"])
        m = sum(guest["thin-monitor"]) / len(guest["thin-monitor"])
        print("guest time to userspace: direct %.3f s, thin-monitor %.3f s: %.3fx" % (d, m, m / d))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("linux-boot: interrupted")

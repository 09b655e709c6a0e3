#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Partitioner boot time: from reset to the first instruction of each VM.

Boots examples/partitioner/configs/qemu-virt-3vm.dts (two Debian Linux VMs
and a bare-metal VM on QEMU virt, 4 CPUs) under -icount shift=0,sleep=off,
so guest time is instruction count and repeats exactly, and prints the
microseconds of the counter at which the partitioner entered each VM (its
`vm@N (name) starts N us after reset` lines). A benchmark: it prints figures
and never judges them; it fails only when a VM's line never comes.

  bench/partitioner-boot.py [--build build] [--timeout 300] [--config FILE.dts]

--config boots another config with the same three VMs, e.g.
examples/partitioner/configs/qemu-virt-3vm-coloured.dts.
"""
import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START = re.compile(r"partitioner: (vm@\d+) \((\S+)\) starts (\d+) us after reset")
VMS = 3


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--timeout", type=int, default=300, help="seconds (default 300)")
    p.add_argument("--config", default=os.path.join(ROOT, "examples", "partitioner",
                                                    "configs", "qemu-virt-3vm.dts"),
                   help="the config (default examples/partitioner/configs/qemu-virt-3vm.dts)")
    a = p.parse_args()
    cache = os.environ.get("LIBHYP_CACHE", os.path.expanduser("~/.cache/libhyp"))
    kernel = os.path.join(cache, "linux", "Image")
    initrd = os.path.join(a.build, "linux", "initramfs.cpio.gz")
    bare = os.path.join(a.build, "target", "tests", "guests", "psci-smccc.bin")
    for f, how in ((kernel, "run scripts/setup"), (initrd, "build first: scripts/test"),
                   (bare, "build first: scripts/test")):
        if not os.path.isfile(f):
            sys.exit("partitioner-boot: no %s; %s" % (f, how))
    args = "console=ttyAMA0 earlycon=pl011,0x9000000 cryptomgr.notests"
    cmd = ["env", "LIBHYP_BUILD_DIR=" + a.build, os.path.join(ROOT, "scripts", "run"),
           "partitioner", "--no-build", "--icount", "--config", a.config]
    for vm in ("vm@0", "vm@1"):
        cmd += ["--module", vm + "=kernel:" + kernel, "--module", vm + "=ramdisk:" + initrd,
                "--bootargs", vm + "=" + args]
    cmd += ["--module", "vm@2=kernel:" + bare]
    seen, lines = {}, []
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            lines.append(line)
            m = START.search(line)
            if m:
                seen[m.group(1)] = (m.group(2), int(m.group(3)))
            if len(seen) == VMS or time.monotonic() - start > a.timeout:
                break
    except KeyboardInterrupt:
        sys.exit("partitioner-boot: interrupted")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    if len(seen) != VMS:
        print("partitioner-boot: %d of %d VMs started; the last lines:" % (len(seen), VMS),
              file=sys.stderr)
        for line in lines[-15:]:
            print("    " + line, file=sys.stderr)
        sys.exit(1)
    print("partitioner boot, QEMU virt 4 CPUs 1 GiB, -icount shift=0,sleep=off:")
    for vm, (name, us) in sorted(seen.items(), key=lambda kv: kv[1][1]):
        print("  %-5s %-8s first instruction at %8.3f ms of guest time" % (vm, name, us / 1000))


if __name__ == "__main__":
    main()

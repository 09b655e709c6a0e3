#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""What cache colouring costs: one Debian Linux VM with 512 MiB under the
partitioner, uncoloured (bench/configs/partitioner-512m-plain.dts: one
contiguous range, 2 MiB blocks) and coloured
(bench/configs/partitioner-512m-coloured.dts: colours 0-7 of 16, 4 KiB
pages), on QEMU virt with 2 CPUs and 2 GiB under -icount shift=0,sleep=off
(guest time is instruction count and repeats exactly).

Prints, per configuration, the pages of the VM's stage-2 tables, the
microseconds the partitioner took to build the VM (stage 2, modules copied,
guest DTB), when the VM's first instruction ran (after the coloured VM's
stage-2 audit too), and Linux's own timestamp of its last line before
userspace (`Freeing unused kernel memory`), which includes whatever 4 KiB
stage-2 pages cost the guest in QEMU's TLB. A benchmark: it prints figures
and never judges them; it fails only when a run does not produce them.

  bench/colour-cost.py [--build build] [--timeout 300]
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIGURES = {
    "built": re.compile(r"partitioner: vm@0 \(linux\) built in (\d+) us, stage 2: (\d+) "
                        r"table pages"),
    "starts": re.compile(r"partitioner: vm@0 \(linux\) starts (\d+) us after reset"),
    "userspace": re.compile(r"^\[linux\] \[\s*(\d+\.\d+)\] Freeing unused kernel memory"),
    "audit": re.compile(r"colours 0-7 built: .*: (ok|WRONG)$"),
}


def run(build, config, kernel, initrd, timeout):
    args = "console=ttyAMA0 earlycon=pl011,0x9000000 cryptomgr.notests"
    cmd = ["env", "LIBHYP_BUILD_DIR=" + build, os.path.join(ROOT, "scripts", "run"),
           "partitioner", "--no-build", "--icount", "--smp", "2", "--mem", "2G",
           "--config", config, "--module", "vm@0=kernel:" + kernel,
           "--module", "vm@0=ramdisk:" + initrd, "--bootargs", "vm@0=" + args]
    try:
        out = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=timeout).stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout or b""
    lines = out.decode("utf-8", "replace").splitlines()
    found = {}
    for line in lines:
        for key, pattern in FIGURES.items():
            m = pattern.search(line)
            if m and key not in found:
                found[key] = m.groups()
    missing = [k for k in ("built", "starts", "userspace") if k not in found]
    if missing:
        print("colour-cost: %s: no %s; the last lines:" % (os.path.basename(config),
                                                           ", ".join(missing)),
              file=sys.stderr)
        for line in lines[-15:]:
            print("    " + line, file=sys.stderr)
        sys.exit(1)
    return found


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--timeout", type=int, default=300, help="seconds per run (default 300)")
    a = p.parse_args()
    cache = os.environ.get("LIBHYP_CACHE", os.path.expanduser("~/.cache/libhyp"))
    kernel = os.path.join(cache, "linux", "Image")
    initrd = os.path.join(a.build, "linux", "initramfs.cpio.gz")
    for f, how in ((kernel, "run scripts/setup"), (initrd, "build first: scripts/test")):
        if not os.path.isfile(f):
            sys.exit("colour-cost: no %s; %s" % (f, how))
    rows = []
    for name in ("plain", "coloured"):
        config = os.path.join(ROOT, "bench", "configs", "partitioner-512m-%s.dts" % name)
        rows.append((name, run(a.build, config, kernel, initrd, a.timeout)))
    print("colouring cost, one Linux VM with 512 MiB, QEMU virt 2 CPUs 2 GiB, "
          "-icount shift=0,sleep=off:")
    print("  %-9s %11s %11s %16s %20s %6s" % ("config", "table pages", "build (us)",
                                                "first insn (us)", "Linux userspace (s)",
                                                "audit"))
    for name, f in rows:
        print("  %-9s %11s %11s %16s %20s %6s" % (name, f["built"][1], f["built"][0],
                                                  f["starts"][0], f["userspace"][0],
                                                  f.get("audit", ("-",))[0]))

if __name__ == "__main__":
    main()

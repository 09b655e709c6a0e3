#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Child VMs: what creating, first invoking and destroying one costs.

Boots bench/configs/partitioner-child.dts (one bare-metal VM of 256 MiB
that may give 128 MiB to children) under -icount shift=0,sleep=off, so guest
time is instruction count and repeats exactly, with tests/guests/parent.c in
its "role=bench", and prints its figures: the mean time (ns of the guest's
counter) of CHILD_CREATE, the first CHILD_INVOKE and CHILD_DESTROY for a
child of 1 MiB and of 64 MiB, and of an invoke/return round trip against two
null hypercalls (SMCCC_VERSION, served on the exit fast path, and
CHILD_VERSION, served in the run loop like the child calls). A benchmark: it
prints figures and never judges them; it fails only when they never come.

  bench/child-vms.py [--build build] [--timeout 300]
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIGURE = re.compile(r"\[bench\] # bench (child-\S+) (.*)$")


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--timeout", type=int, default=300, help="seconds (default 300)")
    a = p.parse_args()
    guest = os.path.join(a.build, "target", "tests", "guests", "parent.bin")
    if not os.path.isfile(guest):
        sys.exit("child-vms: no %s; build first: scripts/test" % guest)
    cmd = ["env", "LIBHYP_BUILD_DIR=" + a.build, os.path.join(ROOT, "scripts", "run"),
           "partitioner", "--no-build", "--smp", "1", "--icount", "--config",
           os.path.join(ROOT, "bench", "configs", "partitioner-child.dts"),
           "--module", "vm@0=kernel:" + guest]
    try:
        out = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=a.timeout).stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout or b""
    lines = out.decode("utf-8", "replace").splitlines()
    figures = [m.groups() for m in map(FIGURE.search, lines) if m]
    if len(figures) != 3 or any("not ok" in l for l in lines):
        sys.stdout.write("\n".join(lines[-20:]) + "\n")
        sys.exit("child-vms: the benchmark guest did not finish")
    print("child VMs under the partitioner (QEMU virt, -icount shift=0: ns = instructions)")
    for name, values in figures:
        print("  %-16s %s" % (name, values))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Exit-cost table: boots the exitcost benchmark guest (bench/guest/exitcost.c)
natively on QEMU virt (EL1, QEMU's own PSCI) and under each example
hypervisor that is built, and prints one table: a row per operation, a
column per configuration, each cell `min / avg / max` in ns of guest
(virtual counter) time. Builds nothing. A benchmark: it prints figures and
never judges them; it fails only when a run does not produce them.

  bench/exit-cost.py [--build build] [--example NAME]... [--smp 2]
                     [--gic 3|2] [--policy FILE.dts] [--coloured] [--runs 1] [--raw]
                     [--no-icount] [--timeout 120]

--gic 2 runs everything on a GICv2 (QEMU virt gic-version=2): the guest
then sends SGIs through GICD_SGIR (the sgi1r-write and sgi-ipi rows), takes
and ends interrupts through the GICC (GICV) frame, and has no gicr-read row.

--example picks the hypervisors (default: each of thin-monitor,
thin-monitor-min, the partitioner and the TEE pairer that is built; the
partitioner runs the guest as its one VM, bench/configs/partitioner-exitcost.dts,
the TEE pairer as a VM with a trusted OS of its own,
bench/configs/tee-pairer-exitcost.dts (its tee-call row: the round trip of
an empty call to that TEE), both with --smp 2 only). Under thin-monitor-min the guest owns the
physical GIC, so GIC accesses, SGIs and interrupts cost no exit; its
compiled-in policy watches the PL031, so the PL031 row includes an event
line per access.

With --coloured, the partitioner also runs with the guest's RAM
cache-coloured (bench/configs/partitioner-exitcost-coloured.dts: 4 KiB
stage-2 pages instead of 2 MiB blocks), to show the TLB cost if QEMU has one.

With --policy, the thin monitor also runs with that policy merged into its
boot DTB (scripts/run --policy), e.g. examples/thin-monitor/policies/all-events.dts.
"""
import argparse
import datetime
import os
import re
import signal
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Example hypervisors that boot a guest image through scripts/run.
HYPERVISORS = ("thin-monitor", "thin-monitor-min", "partitioner", "tee-pairer")
# The partitioner's config: the guest as its one VM on every CPU.
PARTITIONER_CONFIG = os.path.join(ROOT, "bench", "configs", "partitioner-exitcost.dts")
# The same with its RAM cache-coloured (4 KiB stage-2 pages), for --coloured.
COLOURED_CONFIG = os.path.join(ROOT, "bench", "configs", "partitioner-exitcost-coloured.dts")
# The TEE pairer's: the same VM with a trusted OS of its own (the tee-call row).
TEE_PAIRER_CONFIG = os.path.join(ROOT, "bench", "configs", "tee-pairer-exitcost.dts")
# The partitioner tags each VM's lines with its name.
TAG = re.compile(r"^\[[A-Za-z0-9_-]+\] ")
BUILD_HINT = "build it with scripts/test or cmake --build build --target libhyp-target"
BENCH = re.compile(r"^# bench (\S+) (?:min=(\d+) avg=(\d+) max=(\d+) n=(\d+)|skipped \((.*)\))\s*$")
DONE = "# exitcost: done"
# A guest or hypervisor failure rather than a figure.
CRASH = re.compile(r"^(\[hyp\] )?\*\*\* libhyp|^not ok |^Bail out!")
TAIL = 25


class RunError(Exception):
    pass


def run(cmd, timeout):
    """Runs cmd; returns its output lines. Raises RunError saying why not."""
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as e:
        raise RunError("cannot start %s: %s" % (cmd[0], e))
    try:
        out, _ = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        timed_out = True
    lines = [TAG.sub("", l.rstrip("\r")) for l in out.decode("utf-8", "replace").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    tail = "\n".join("    " + l for l in lines[-TAIL:])
    crash = next((l for l in lines if CRASH.search(l)), None)
    if crash is not None:
        raise RunError("the run crashed (%r); last lines:\n%s" % (crash, tail))
    if timed_out:
        raise RunError("timed out after %d s; last lines:\n%s" % (timeout, tail))
    if DONE not in lines:
        raise RunError("exited (status %d) before %r; last lines:\n%s"
                       % (proc.returncode, DONE, tail))
    return lines


def parse(lines):
    """{op: (min, avg, max, n) or reason string}, in output order."""
    results = {}
    for line in lines:
        m = BENCH.match(line)
        if m:
            op = m.group(1)
            results[op] = m.group(6) if m.group(6) is not None else tuple(
                int(m.group(i)) for i in range(2, 6))
    return results


def combine(runs):
    """Several runs of one configuration: min of mins, mean of averages, max of maxes."""
    out = {}
    for res in runs:
        for op, v in res.items():
            out.setdefault(op, []).append(v)
    merged = {}
    for op, vals in out.items():
        figures = [v for v in vals if isinstance(v, tuple)]
        if not figures:
            merged[op] = vals[0]
        else:
            merged[op] = (min(v[0] for v in figures),
                          round(sum(v[1] for v in figures) / len(figures)),
                          max(v[2] for v in figures), sum(v[3] for v in figures))
    return merged


def describe():
    try:
        commit = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                                capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    try:
        qemu = subprocess.run(["qemu-system-aarch64", "--version"], capture_output=True,
                              text=True).stdout.split("\n")[0]
    except OSError:
        qemu = "qemu-system-aarch64 not found"
    return commit or "unknown", qemu


def table(columns, results):
    ops = []
    for name in columns:
        for op in results.get(name, {}):
            if op not in ops:
                ops.append(op)
    header = ["operation"] + list(columns)
    rows = []
    notes = []
    for op in ops:
        row = [op]
        for name in columns:
            res = results.get(name)
            if res is None:
                row.append("failed")
                continue
            v = res.get(op)
            if v is None:
                row.append("?")
            elif isinstance(v, str):
                row.append("-")
                note = "%s, %s: %s" % (op, name, v)
                notes.append(note)
            else:
                row.append("%d / %d / %d" % v[:3])
        rows.append(row)
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    fmt = lambda r: "  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i])
                              for i, c in enumerate(r))
    print(fmt(header))
    print(fmt(["-" * w for w in widths]))
    for r in rows:
        print(fmt(r))
    if notes:
        print("\n- skipped:")
        for n in notes:
            print("    " + n)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.path.join(ROOT, "build"),
                   help="the host build directory (default: build/)")
    p.add_argument("--example", action="append", choices=HYPERVISORS,
                   help="run under this example hypervisor (repeatable; default: every "
                        "one built)")
    p.add_argument("--smp", type=int, default=2, help="vCPUs (default 2)")
    p.add_argument("--mem", default="256M", help="guest RAM (default 256M)")
    p.add_argument("--gic", type=int, choices=(2, 3), default=3,
                   help="GIC version of QEMU virt (default 3)")
    p.add_argument("--policy", help="also run the thin monitor with this policy (.dts)")
    p.add_argument("--coloured", action="store_true",
                   help="also run the partitioner with the guest's RAM cache-coloured")
    p.add_argument("--runs", type=int, default=1,
                   help="runs per configuration, combined (default 1)")
    p.add_argument("--raw", action="store_true", help="also print each run's bench lines")
    p.add_argument("--no-icount", action="store_true",
                   help="host-timed TCG instead of -icount shift=0,sleep=off")
    p.add_argument("--timeout", type=int, default=120, help="seconds per QEMU run")
    a = p.parse_args()
    if a.smp < 1 or a.runs < 1:
        p.error("--smp and --runs must be at least 1")
    build = os.path.abspath(a.build)
    image = os.path.join(build, "target", "bench", "guest", "exitcost.bin")
    if not os.path.isfile(image):
        sys.exit("exit-cost: no guest image at %s; %s" % (image, BUILD_HINT))
    if a.policy and not os.path.isfile(a.policy):
        sys.exit("exit-cost: policy %s not found" % a.policy)

    icount = [] if a.no_icount else ["-icount", "shift=0,sleep=off"]
    configs = [("native", ["qemu-system-aarch64", "-M", "virt,gic-version=%d" % a.gic, "-cpu",
                           "cortex-a57", "-smp", str(a.smp), "-m", a.mem, "-nographic",
                           "-monitor", "none", "-serial", "stdio"] + icount
                + ["-kernel", image])]
    for hyp in a.example or HYPERVISORS:
        hyp_image = os.path.join(build, "target", "examples", hyp, hyp + ".bin")
        if not os.path.isfile(hyp_image):
            print("exit-cost: %s not built (no %s), left out; %s" % (hyp, hyp_image,
                  BUILD_HINT), file=sys.stderr)
            continue
        cmd = ["env", "LIBHYP_BUILD_DIR=" + build, os.path.join(ROOT, "scripts", "run"),
               hyp, "--no-build", "--kernel", image, "--smp", str(a.smp), "--mem", a.mem,
               "--gic", str(a.gic)]
        if hyp == "partitioner":
            if a.smp != 2:
                print("exit-cost: partitioner left out: its config is for --smp 2",
                      file=sys.stderr)
                continue
            cmd = cmd[:5] + ["--config", PARTITIONER_CONFIG,
                             "--module", "vm@0=kernel:" + image, "--smp", "2",
                             "--gic", str(a.gic)]
        if hyp == "tee-pairer":
            if a.smp != 2:
                print("exit-cost: tee-pairer left out: its config is for --smp 2",
                      file=sys.stderr)
                continue
            tee_os = os.path.join(build, "target", "examples", "tee-pairer", "trusted-os",
                                  "tee-os.bin")
            cmd = cmd[:5] + ["--config", TEE_PAIRER_CONFIG,
                             "--module", "vm@0=kernel:" + image,
                             "--module", "vm@1=kernel:" + tee_os, "--smp", "2",
                             "--gic", str(a.gic)]
        if not a.no_icount:
            cmd.append("--icount")
        configs.append((hyp, cmd))
        if a.coloured and hyp == "partitioner":
            configs.append(("partitioner+coloured",
                            [COLOURED_CONFIG if x == PARTITIONER_CONFIG else x for x in cmd]))
        if a.policy and hyp == "thin-monitor":
            name = "%s+%s" % (hyp, os.path.splitext(os.path.basename(a.policy))[0])
            configs.append((name, cmd + ["--policy", os.path.abspath(a.policy)]))

    commit, qemu = describe()
    print("exit-cost: %s, commit %s, %s; QEMU virt GICv%d cortex-a57 -smp %d -m %s%s"
          % (datetime.date.today().isoformat(), commit, qemu, a.gic, a.smp, a.mem,
             "" if a.no_icount else " -icount shift=0,sleep=off"))
    results = {}
    failed = False
    for name, cmd in configs:
        runs = []
        for i in range(a.runs):
            try:
                lines = run(cmd, a.timeout)
            except RunError as e:
                print("exit-cost: %s, run %d: %s\n    command: %s"
                      % (name, i + 1, e, " ".join(cmd)), file=sys.stderr)
                failed = True
                break
            if a.raw:
                for line in lines:
                    if BENCH.match(line):
                        print("%s run %d: %s" % (name, i + 1, line))
            runs.append(parse(lines))
        else:
            results[name] = combine(runs)
    print("\nns of guest time per operation, min / avg / max (%d run%s each):\n"
          % (a.runs, "" if a.runs == 1 else "s"))
    table([name for name, _ in configs], results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

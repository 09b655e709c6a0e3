#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Where an exit's instructions go: EL2 instructions per exit path.

Boots a guest under an example hypervisor with QEMU's translation-block log
limited to the hypervisor image (-d in_asm,exec,nochain -dfilter), cuts the
executed EL2 code into exits (from a lower-EL vector to the ERET that ends
it) and prints, per distinct path, how often it ran and how many EL2
instructions one run costs, split by function. Paths are named by the
functions they pass through. Run it after a change to an exit path, beside
bench/exit-cost.py, to see which function moved.

Figures, not a test: nothing here passes or fails on a count.

  bench/el2-profile.py                                   # exit-cost guest
  bench/el2-profile.py --kernel some.bin --top 20 --smp 1
  bench/el2-profile.py --gic 2                           # on a GICv2
"""
import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def symbols(elf):
    out = subprocess.run(["aarch64-linux-gnu-nm", "-n", elf], check=True,
                         capture_output=True, text=True).stdout
    addrs, names = [], []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1].lower() in "tw":
            addrs.append(int(parts[0], 16))
            names.append(parts[2])
    return addrs, names


def name_of(syms, pc):
    addrs, names = syms
    i = bisect.bisect_right(addrs, pc) - 1
    return names[i] if i >= 0 else hex(pc)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--example", default="thin-monitor")
    p.add_argument("--kernel", help="guest image (default: the exit-cost guest)")
    p.add_argument("--initrd", help="scripts/run --initrd")
    p.add_argument("--append", help="scripts/run --append")
    p.add_argument("--smp", type=int, default=2)
    p.add_argument("--mem", default="256M")
    p.add_argument("--gic", type=int, choices=(2, 3), default=3,
                   help="QEMU virt's GIC version (scripts/run --gic; default 3)")
    p.add_argument("--top", type=int, default=12, help="paths to show (default 12)")
    p.add_argument("--policy", help="scripts/run --policy")
    p.add_argument("--functions", type=int, default=12, help="functions per path (default 12)")
    p.add_argument("--by-total", action="store_true",
                   help="order paths by total instructions, not by count")
    p.add_argument("--timeout", type=int, default=300)
    p.add_argument("--callers", action="store_true",
                   help="also attribute library code (libfdt, picolibc) to the "
                        "libhyp function that ran last before it")
    a = p.parse_args()

    elf = os.path.join(a.build, "target/examples", a.example, a.example + ".elf")
    kernel = a.kernel or os.path.join(a.build, "target/bench/guest/exitcost.bin")
    for f in (elf, kernel):
        if not os.path.exists(f):
            sys.exit(f"el2-profile: {f} is missing; build first (scripts/test)")
    syms = symbols(elf)
    lo = syms[0][0] & ~0xfff
    hi = syms[0][-1] + 0x1000
    vectors = next(addr for addr, n in zip(*syms) if n == "hyp_vectors")

    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "exec.log")
        cmd = [os.path.join(ROOT, "scripts/run"), a.example, "--no-build", "--kernel", kernel, "--smp", str(a.smp), "--mem", a.mem,
               "--gic", str(a.gic), "--icount"]
        for opt in ("policy", "initrd", "append"):
            if getattr(a, opt):
                cmd += ["--" + opt, getattr(a, opt)]
        cmd += ["--", "-d", "in_asm,exec,nochain", "-D", log,
                "-dfilter", f"{lo:#x}..{hi - 1:#x}"]
        try:
            env = dict(os.environ, LIBHYP_BUILD_DIR=a.build)
            subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=a.timeout)
        except subprocess.TimeoutExpired:
            sys.exit(f"el2-profile: the run took more than {a.timeout} s")
        except FileNotFoundError as e:
            sys.exit(f"el2-profile: {e}")
        if not os.path.exists(log):
            sys.exit("el2-profile: QEMU wrote no log (does scripts/run pass '-- ARGS'?)")
        tb_len = translations(log)
        paths = collections.Counter()
        cost = collections.defaultdict(collections.Counter)
        for path, fns in exits(log, tb_len, syms, vectors):
            paths[path] += 1
            cost[path].update(fns)
        if a.callers:
            callers(log, tb_len, syms)
    total = sum(paths.values())
    print(f"el2-profile: {total} exits; EL2 instructions per exit by path "
          f"({a.example}, {os.path.basename(kernel)}, -smp {a.smp}, GICv{a.gic}, icount)\n")
    order = paths.most_common()
    if a.by_total:
        order.sort(key=lambda pn: -sum(cost[pn[0]].values()))
    grand = sum(sum(c.values()) for c in cost.values())
    print(f"EL2 instructions in all: {grand}\n")
    for path, n in order[:a.top]:
        per = {f: c / n for f, c in cost[path].items()}
        print(f"{n:8d} x {sum(per.values()):9.1f} insns = {sum(per.values()) * n:10.0f}  {path}")
        for f, c in sorted(per.items(), key=lambda x: -x[1])[:a.functions]:
            print(f"{'':22s}{c:7.1f}  {f}")
        print()


TRACE = re.compile(r"Trace (\d+): \S+ \[[0-9a-f]+/([0-9a-f]+)/")


def executed(log):
    """(cpu, pc) of each translation block run, in order, from the exec log."""
    with open(log, errors="replace") as f:
        for line in f:
            m = TRACE.search(line)
            if m:
                yield int(m.group(1)), int(m.group(2), 16)


def callers(log, tb_len, syms):
    """Instructions in libfdt and picolibc by the libhyp function that ran
    last before them (an approximate caller: good enough to find a hot loop)."""
    lib = re.compile(r"^(fdt_|_?_?mem|str|copy_|v?s?n?printf|__)")
    last, cost = {}, collections.Counter()
    for cpu, pc in executed(log):
        fn = name_of(syms, pc)
        if lib.match(fn):
            cost[(last.get(cpu, "?"), fn.split("_")[0] or fn)] += tb_len.get(pc, 1)
        else:
            last[cpu] = fn
    print("library instructions by the libhyp function before them:")
    for (caller, lib_fn), n in cost.most_common(15):
        print(f"{n:12d}  {caller} -> {lib_fn}*")
    print()


def translations(log):
    """TB start address -> its instruction count, from the in_asm log."""
    insn = re.compile(r"^0x([0-9a-f]+):\s")
    tb_len, cur = {}, None
    with open(log, errors="replace") as f:
        for line in f:
            m = insn.match(line)
            if m:
                if cur is None:
                    cur = int(m.group(1), 16)
                    tb_len[cur] = 0
                tb_len[cur] += 1
            elif line.startswith("IN:") or not line.strip():
                cur = None
    return tb_len


def exits(log, tb_len, syms, vectors):
    """Cut the exec trace into exits: a lower-EL vector entry starts one on
    its CPU, that CPU's next one ends it. Yields (path, instructions by
    function)."""
    cur, boot = {}, {}

    def close(e, boot=False):
        fns, order = collections.Counter(), []
        for pc in e:
            f = name_of(syms, pc)
            fns[f] += tb_len.get(pc, 1)
            if f not in order:
                order.append(f)
        if boot:
            return "(before the first exit: boot, guest loading)", fns
        return " > ".join(order), fns

    for cpu, pc in executed(log):
        off = pc - vectors
        if 0x400 <= off < 0x800 and off % 0x80 == 0:
            if cpu in boot:
                yield close(boot.pop(cpu), True)
            if cur.get(cpu):
                yield close(cur[cpu])
            cur[cpu] = []
        if cpu in cur:
            cur[cpu].append(pc)
        else:
            boot.setdefault(cpu, []).append(pc)
    for e in cur.values():
        if e:
            yield close(e)
    for e in boot.values():
        yield close(e, True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Checks that scripts/size's report is well formed and agrees with the
images: a block per example image built; every row's numbers and file real;
linked lines within file lines; totals the sums of their rows; the bytes by
origin adding up to the image, whose .text, .data and .bss equal the ELF's
sections (readelf); the minimal thin monitor linking none of the parts it
leaves out and staying within its budget (MIN_BUDGET); --compare's total the
sum of its rows. The budget is the only figure it judges.

  check-size.py --build BUILD --readelf READELF
"""
import argparse
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIZE = os.path.join(ROOT, "scripts", "size")
FILE_ROW = re.compile(r"^ *(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)  (\S+)$")
TOTAL_ROW = re.compile(r"^ *(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)  total: (\d+) source files$")
HEADER_ROW = re.compile(r"^ *(\d+)  (\S+\.h)$")
HEADER_TOTAL = re.compile(r"^ *(\d+)  total: (\d+) headers$")
BYTES_ROW = re.compile(r"^ +(-?\d+) +(-?\d+) +(-?\d+) +(-?\d+)  (.+)$")
DIFF_ROW = re.compile(r"^ *(-?\d+) +(-?\d+) +(-?\d+) +(-?\d+) +(-?\d+)  (.+)$")
# Parts the minimal configuration must not link (examples/thin-monitor-min).
NOT_IN_MIN = ("libhyp/uart/vpl011.c", "libhyp/fdt/guest_dtb.c", "libhyp/fdt/guest_devices.c",
              "libhyp/vgic/vgic_mmio.c", "libhyp/vgic/vgic.c", "libhyp/vgic/vgic_lr.c",
              "libhyp/gic/gic.c", "libhyp/fdt/platform.c", "libhyp/vm/loader.c",
              "libhyp/trap/insn.c", "libhyp/monitor/events_rate.c",
              "libhyp/monitor/monitor_calls.c", "libhyp/monitor/monitor_fgt.c",
              "libhyp/monitor/policy.c", "libhyp/mm/colour.c", "libhyp/core/spintable.c")
# The minimal thin monitor's budget (examples/thin-monitor-min/README.md):
# lines of our C and assembly linked, and .text bytes of the image. Issue 18
# asks for 4,000 lines and 48 KiB; the lines are not there yet, so the line
# budget is a ratchet at today's figure (4,148 lines), to be lowered as cuts
# land and never raised: an image above it fails.
MIN_BUDGET = {"lines": 4000, "text": 48 * 1024}


class Bad(Exception):
    pass


def expect(cond, why):
    if not cond:
        raise Bad(why)


def elf_sections(readelf, elf):
    out = subprocess.run([readelf, "-SW", elf], check=True, capture_output=True,
                         text=True).stdout
    sizes = {}
    for m in re.finditer(r"\]\s+(\.\w+)\s+\w+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", out):
        sizes[m.group(1)] = int(m.group(2), 16)
    return sizes


def check_block(name, lines, readelf, build):
    """One image's block; returns its source files."""
    it = iter(lines)
    head = next(it)
    expect(head.startswith("== %s: " % name), "block does not start with its name: %r" % head)
    elf = os.path.join(ROOT, head.split(": ", 1)[1])
    expect(os.path.isfile(elf), "%s: no ELF %s" % (name, elf))
    next(it)  # column titles
    files, sums = [], [0] * 6
    for line in it:
        m = TOTAL_ROW.match(line)
        if m:
            expect([int(x) for x in m.groups()[:6]] == sums,
                   "%s: source total %s is not the sum of its rows %s" % (name, line, sums))
            expect(int(m.group(7)) == len(files), "%s: file count wrong" % name)
            break
        m = FILE_ROW.match(line)
        expect(m, "%s: malformed source row %r" % (name, line))
        nums = [int(x) for x in m.groups()[:6]]
        expect(nums[1] <= nums[0], "%s: %s links more lines than it has" % (name, m.group(7)))
        expect(os.path.isfile(os.path.join(ROOT, m.group(7))),
               "%s: %s is not a file of the tree" % (name, m.group(7)))
        files.append(m.group(7))
        sums = [a + b for a, b in zip(sums, nums)]
    expect(files, "%s: no source files" % name)
    next(it)  # header titles
    hsum, hcount = 0, 0
    for line in it:
        m = HEADER_TOTAL.match(line)
        if m:
            expect(int(m.group(1)) == hsum and int(m.group(2)) == hcount,
                   "%s: header total is not the sum of its rows" % name)
            break
        m = HEADER_ROW.match(line)
        expect(m and os.path.isfile(os.path.join(ROOT, m.group(2))),
               "%s: malformed header row %r" % (name, line))
        hsum, hcount = hsum + int(m.group(1)), hcount + 1
    next(it)  # origin titles
    origins, image = {}, None
    for line in it:
        m = BYTES_ROW.match(line)
        expect(m, "%s: malformed bytes row %r" % (name, line))
        nums = [int(x) for x in m.groups()[:4]]
        if m.group(5) == "image":
            image = nums
            break
        origins[m.group(5)] = nums
    for need in ("our C and assembly", "libfdt", "picolibc"):
        expect(need in origins, "%s: no %s row" % (name, need))
    expect(origins["our C and assembly"] == sums[2:],
           "%s: our bytes differ from the sum of the source rows" % name)
    expect(image == [sum(v[i] for v in origins.values()) for i in range(4)],
           "%s: image bytes are not the sum of the origins" % name)
    sections = elf_sections(readelf, elf)
    expect(image[0] == sections.get(".text"), "%s: .text %d, ELF says %s"
           % (name, image[0], sections.get(".text")))
    expect(image[1] >= sections.get(".rodata", 0), "%s: .rodata below the ELF's" % name)
    expect(image[2] == sections.get(".data", 0) + sections.get(".tdata", 0),
           "%s: .data differs from the ELF's" % name)
    expect(image[3] == sections.get(".bss", 0) + sections.get(".tbss", 0),
           "%s: .bss differs from the ELF's" % name)
    summary = next(it)
    if name == "thin-monitor-min":
        expect(sums[1] <= MIN_BUDGET["lines"],
               "thin-monitor-min links %d lines of C and assembly, over its budget of %d"
               % (sums[1], MIN_BUDGET["lines"]))
        expect(image[0] <= MIN_BUDGET["text"],
               "thin-monitor-min's .text is %d bytes, over its budget of %d"
               % (image[0], MIN_BUDGET["text"]))
    expect(summary.startswith("summary %s: %d lines of C and assembly linked (%d in the %d "
                              "files), %d lines of headers, .text %d bytes"
                              % (name, sums[1], sums[0], len(files), hsum, image[0])),
           "%s: summary line disagrees: %r" % (name, summary))
    return files


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", required=True)
    p.add_argument("--readelf", required=True)
    a = p.parse_args()
    try:
        out = subprocess.run([sys.executable, SIZE, "--build", a.build], capture_output=True,
                             text=True, timeout=120)
        expect(out.returncode == 0, "scripts/size failed: %s" % out.stderr.strip())
        # <name>/<name>.map, as scripts/size reads them (a folder may hold
        # the same example for another port too: <name>-<port>.map).
        built = sorted(os.path.basename(os.path.dirname(m)) for m in
                       glob.glob(os.path.join(a.build, "target", "examples", "*", "*.map"))
                       if os.path.basename(m) == os.path.basename(os.path.dirname(m)) + ".map")
        blocks = [b.strip("\n").split("\n") for b in out.stdout.split("\n\n") if b.strip()]
        names = [b[0].split(":")[0][3:] for b in blocks]
        expect(names == built, "report names %s, images built %s" % (names, built))
        expect("thin-monitor-min" in names, "no thin-monitor-min image")
        files = {}
        for name, block in zip(names, blocks):
            files[name] = check_block(name, block, a.readelf, a.build)
        for f in NOT_IN_MIN:
            expect(f not in files["thin-monitor-min"], "thin-monitor-min links %s" % f)
        cmp = subprocess.run([sys.executable, SIZE, "--build", a.build, "--compare",
                              "thin-monitor-min", "thin-monitor"], capture_output=True,
                             text=True, timeout=120)
        expect(cmp.returncode == 0, "scripts/size --compare failed: %s" % cmp.stderr.strip())
        rows = [DIFF_ROW.match(line) for line in cmp.stdout.strip().split("\n")[2:]]
        expect(rows and all(rows), "malformed --compare output:\n%s" % cmp.stdout)
        sums = [sum(int(m.group(i)) for m in rows[:-1]) for i in range(1, 6)]
        expect([int(rows[-1].group(i)) for i in range(1, 6)] == sums and
               rows[-1].group(6) == "total", "--compare total is not the sum of its rows")
    except Bad as e:
        print("size report check FAILED: %s\n---- scripts/size output ----\n%s"
              % (e, out.stdout if "out" in locals() else ""))
        return 1
    print("size report well formed for %s" % ", ".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())

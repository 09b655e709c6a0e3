#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Write an arm64 Linux Image header followed by padding, for loader tests.

  make-image.py OUT --image-size BYTES [--text-offset BYTES] [--pad BYTES]
"""
import argparse
import struct

p = argparse.ArgumentParser(description=__doc__)
p.add_argument("out")
p.add_argument("--image-size", type=lambda v: int(v, 0), required=True)
p.add_argument("--text-offset", type=lambda v: int(v, 0), default=0)
p.add_argument("--pad", type=lambda v: int(v, 0), default=4096)
a = p.parse_args()
header = struct.pack("<IIQQQQQQ4sI",
                     0x14000000,        # code0: b . (never runs)
                     0,                 # code1
                     a.text_offset,
                     a.image_size,
                     0b0010,            # flags: little endian, 4 KiB pages
                     0, 0, 0,           # res2..res4
                     b"ARM\x64",        # magic
                     0)                 # res5
with open(a.out, "wb") as f:
    f.write(header + bytes(a.pad))

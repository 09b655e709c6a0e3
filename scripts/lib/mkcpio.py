#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Write a gzip'd newc cpio archive (a Linux initramfs) from a manifest.

Needs no root: owners, modes and device numbers come from the manifest, not
from the file system. The manifest uses the kernel's gen_init_cpio syntax,
one entry a line ('#' starts a comment):

  dir   NAME MODE UID GID
  file  NAME LOCATION MODE UID GID
  slink NAME TARGET MODE UID GID
  nod   NAME MODE UID GID c|b MAJOR MINOR

MODE is octal permission bits. Entries are written in manifest order with
inode numbers from 1 and every mtime set to --mtime (default 0), so the same
manifest and files give the same bytes.

  mkcpio.py --mtime 0 manifest.txt out.cpio.gz     (manifest "-" reads stdin)
"""
import argparse
import gzip
import os
import stat
import sys

TRAILER = "TRAILER!!!"


def pad4(n):
    return (4 - n % 4) % 4


class Writer:
    def __init__(self, out, mtime):
        self.out = out
        self.mtime = mtime
        self.ino = 0

    def entry(self, name, mode, uid=0, gid=0, data=b"", nlink=1, rdev=(0, 0), ino=None):
        if ino is None:
            self.ino += 1
            ino = self.ino
        name_bytes = name.encode() + b"\0"
        fields = (ino, mode, uid, gid, nlink, self.mtime, len(data),
                  0, 0, rdev[0], rdev[1], len(name_bytes), 0)
        header = b"070701" + b"".join(b"%08x" % f for f in fields)
        self.out.write(header + name_bytes + b"\0" * pad4(len(header) + len(name_bytes)))
        self.out.write(data + b"\0" * pad4(len(data)))

    def trailer(self):
        self.entry(TRAILER, 0, nlink=1, ino=0)


def parse_mode(text, where):
    try:
        mode = int(text, 8)
    except ValueError:
        sys.exit("mkcpio: %s: bad mode %r (octal expected)" % (where, text))
    if mode & ~0o7777:
        sys.exit("mkcpio: %s: mode %r has more than permission bits" % (where, text))
    return mode


def archive_name(name, where):
    if not name.startswith("/") or name == "/":
        sys.exit("mkcpio: %s: name %r must be an absolute path below /" % (where, name))
    return name.lstrip("/")


def build(manifest_lines, writer):
    for number, raw in enumerate(manifest_lines, 1):
        line = raw.split("#", 1)[0].split()
        where = "manifest line %d" % number
        if not line:
            continue
        kind, args = line[0], line[1:]
        expected = {"dir": 4, "file": 5, "slink": 5, "nod": 7}.get(kind)
        if expected is None:
            sys.exit("mkcpio: %s: unknown entry type %r" % (where, kind))
        if len(args) != expected:
            sys.exit("mkcpio: %s: %s takes %d fields, got %d" % (where, kind, expected, len(args)))
        name = archive_name(args[0], where)
        if kind == "dir":
            mode, uid, gid = parse_mode(args[1], where), int(args[2]), int(args[3])
            writer.entry(name, stat.S_IFDIR | mode, uid, gid, nlink=2)
        elif kind == "file":
            try:
                with open(args[1], "rb") as f:
                    data = f.read()
            except OSError as e:
                sys.exit("mkcpio: %s: cannot read %s: %s" % (where, args[1], e.strerror))
            mode, uid, gid = parse_mode(args[2], where), int(args[3]), int(args[4])
            writer.entry(name, stat.S_IFREG | mode, uid, gid, data=data)
        elif kind == "slink":
            mode, uid, gid = parse_mode(args[2], where), int(args[3]), int(args[4])
            writer.entry(name, stat.S_IFLNK | mode, uid, gid, data=args[1].encode())
        else:  # nod
            mode, uid, gid = parse_mode(args[1], where), int(args[2]), int(args[3])
            if args[4] not in ("c", "b"):
                sys.exit("mkcpio: %s: device type must be c or b" % where)
            kind_bits = stat.S_IFCHR if args[4] == "c" else stat.S_IFBLK
            writer.entry(name, kind_bits | mode, uid, gid, rdev=(int(args[5]), int(args[6])))
    writer.trailer()


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mtime", type=int, default=0, help="mtime of every entry (default 0)")
    p.add_argument("manifest", help="manifest file, or - for standard input")
    p.add_argument("output", help="the .cpio.gz to write")
    args = p.parse_args()
    if args.manifest == "-":
        lines = sys.stdin.read().splitlines()
    else:
        with open(args.manifest) as f:
            lines = f.read().splitlines()
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as raw:
        # No file name and a fixed time in the gzip header: reproducible.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=args.mtime,
                           compresslevel=9) as gz:
            build(lines, Writer(gz, args.mtime))
    os.replace(tmp, args.output)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Run a Linux virtio test: make a disk image, boot, check the image after.

  virtio-test.py --image FILE --qemu-test QEMU-TEST.PY [--prefix REGEX]
      [QEMU-TEST OPTIONS...] -- COMMAND...

Writes FILE: 8 MiB of reproducible pseudo-random bytes. Runs QEMU-TEST.PY
with the given options plus one --expect for the line /init prints after
reading the whole disk (its SHA-256), replacing @DISK@ in COMMAND with FILE
and @TOKEN@ with a token made for this run (/init writes 256 KiB of the
line "LIBHYP-VIRTIO-WRITE <token>" repeated at 7 MiB of the disk and reads
them back). --prefix: the guest's lines start with what REGEX matches (a
partitioner's "[<VM>] " tag; the caller's own --expect patterns carry it
themselves).
After QEMU has exited successfully, the image file's SHA-256 must be that
of the original bytes with those 256 KiB in place: the guest's writes went
through the device's DMA to the disk, and nothing else changed. Exits
non-zero, saying why, on any failure.
"""
import hashlib
import os
import random
import subprocess
import sys

SIZE = 8 << 20
WRITE_AT = 7 << 20
WRITE_SIZE = 256 << 10


def main():
    argv = sys.argv[1:]
    if len(argv) < 4 or argv[0] != "--image" or argv[2] != "--qemu-test":
        sys.exit(__doc__)
    image, qemu_test, rest = argv[1], argv[3], argv[4:]
    prefix = ""
    if rest[:1] == ["--prefix"] and len(rest) >= 2:
        prefix, rest = rest[1], rest[2:]

    data = random.Random(19).randbytes(SIZE)
    with open(image, "wb") as f:
        f.write(data)
    digest = hashlib.sha256(data).hexdigest()
    token = os.urandom(8).hex()
    rest = [a.replace("@DISK@", image).replace("@TOKEN@", token) for a in rest]
    if "--" not in rest:
        sys.exit("virtio-test: no '--' before the command")
    cut = rest.index("--")
    cmd = ([sys.executable, qemu_test] + rest[:cut] +
           ["--expect", "^%svirtio: vda sha256 %s$" % (prefix, digest)] +
           rest[cut:])
    print("virtio-test: image %s, sha256 %s, token %s" % (image, digest, token),
          flush=True)
    rc = subprocess.call(cmd)
    if rc != 0:
        sys.exit("virtio-test: the boot failed (qemu-test.py exit status %d, its reason "
                 "is above)" % rc)
    line = ("LIBHYP-VIRTIO-WRITE %s\n" % token).encode()
    pattern = (line * (WRITE_SIZE // len(line) + 1))[:WRITE_SIZE]
    want = data[:WRITE_AT] + pattern + data[WRITE_AT + WRITE_SIZE:]
    with open(image, "rb") as f:
        got = f.read()
    if got != want:
        diff = [i for i in range(0, SIZE, 512) if got[i:i + 512] != want[i:i + 512]]
        where = ("sectors %d..%d differ (%d of them)" % (diff[0] // 512, diff[-1] // 512,
                                                        len(diff))
                 if len(got) == SIZE else "its size is %d, not %d" % (len(got), SIZE))
        sys.exit("virtio-test: %s has sha256 %s, want %s (the original with the guest's "
                 "%d KiB at %#x): %s" % (image, hashlib.sha256(got).hexdigest(),
                                         hashlib.sha256(want).hexdigest(), WRITE_SIZE >> 10,
                                         WRITE_AT, where))
    print("virtio-test: %s has sha256 %s: the original with the guest's %d KiB of %r at "
          "%#x" % (image, hashlib.sha256(got).hexdigest(), WRITE_SIZE >> 10,
                   line.decode().strip(), WRITE_AT))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Run a Linux virtio test: make a disk image, boot, check the image after.

  virtio-test.py --image FILE --qemu-test QEMU-TEST.PY [QEMU-TEST OPTIONS...] \
      -- COMMAND...

Writes FILE: 8 MiB of reproducible pseudo-random bytes. Runs QEMU-TEST.PY
with the given options plus one --expect for the line /init prints after
reading the whole disk (its SHA-256), replacing @DISK@ in COMMAND with FILE
and @TOKEN@ with a token made for this run (/init writes
"LIBHYP-VIRTIO-WRITE <token>" at 7 MiB of the disk). After QEMU has exited
successfully, the token must be in the image file at 7 MiB: the guest's
write went through the device's DMA to the disk. Exits non-zero, saying
why, on any failure.
"""
import hashlib
import os
import random
import subprocess
import sys

SIZE = 8 << 20
WRITE_AT = 7 << 20


def main():
    argv = sys.argv[1:]
    if len(argv) < 4 or argv[0] != "--image" or argv[2] != "--qemu-test":
        sys.exit(__doc__)
    image, qemu_test, rest = argv[1], argv[3], argv[4:]

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
           ["--expect", "^virtio: vda sha256 %s$" % digest] + rest[cut:])
    print("virtio-test: image %s, sha256 %s, token %s" % (image, digest, token),
          flush=True)
    rc = subprocess.call(cmd)
    if rc != 0:
        sys.exit("virtio-test: the boot failed (qemu-test.py exit status %d, its reason "
                 "is above)" % rc)
    want = ("LIBHYP-VIRTIO-WRITE %s\n" % token).encode()
    with open(image, "rb") as f:
        f.seek(WRITE_AT)
        got = f.read(len(want))
    if got != want:
        sys.exit("virtio-test: the guest's write is not in %s at %#x: found %r, want %r"
                 % (image, WRITE_AT, got, want))
    print("virtio-test: found %r at %#x of the image" % (want.decode().strip(), WRITE_AT))


if __name__ == "__main__":
    main()

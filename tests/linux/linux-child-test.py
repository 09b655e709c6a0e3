#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Run Linux as a child-VM parent under the partitioner, expecting the
launch measurement that the host computes.

  linux-child-test.py --qemu-test QEMU-TEST.PY --config CONFIG.dtb \
      --image IMAGE [QEMU-TEST OPTIONS...] -- COMMAND...

Computes the child's launch measurement from CONFIG.dtb and IMAGE as
docs/bindings/child-vms.md defines it (SHA-256 of "libhyp-child-v1\\0",
the configuration's size as 8 bytes little endian, the configuration, the
image's size likewise, the image), here with Python's hashlib, not the
library's code; then runs QEMU-TEST.PY with the options given and one more
--expect: the measurement line tools/linux/childvm prints must carry
exactly that digest. Exits with QEMU-TEST.PY's status.
"""
import hashlib
import struct
import subprocess
import sys


def main():
    argv = sys.argv[1:]
    if (len(argv) < 6 or argv[0] != "--qemu-test" or argv[2] != "--config"
            or argv[4] != "--image"):
        sys.exit(__doc__)
    qemu_test, config, image, rest = argv[1], argv[3], argv[5], argv[6:]
    with open(config, "rb") as f:
        cfg = f.read()
    with open(image, "rb") as f:
        img = f.read()
    h = hashlib.sha256()
    h.update(b"libhyp-child-v1\0")
    h.update(struct.pack("<Q", len(cfg)))
    h.update(cfg)
    h.update(struct.pack("<Q", len(img)))
    h.update(img)
    digest = h.hexdigest()
    print("linux-child-test: %s (%d bytes) and %s (%d bytes) measure %s"
          % (config, len(cfg), image, len(img), digest))
    sys.exit(subprocess.call([sys.executable, qemu_test,
                              "--expect", r"^\[linux\] childvm: measurement %s$" % digest]
                             + rest))


if __name__ == "__main__":
    main()

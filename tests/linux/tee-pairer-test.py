#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Run the TEE pairer's Linux test, then check who served each VM's hwrng.

  tee-pairer-test.py --qemu-test QEMU-TEST.PY --log FILE [QEMU-TEST OPTIONS...] \
      -- COMMAND...

Runs QEMU-TEST.PY with --log FILE and the options given. After it has
succeeded, reads FILE: each Linux VM (linux-a, linux-b) printed
"optee: hwrng optee-rng gave <16 hex digits>", the last 8 bytes of what
its TEE produced; each trusted OS (tee-a, tee-b) logged every block it
produced with its last 8 bytes. The bytes linux-X read must be among those
tee-X logged and not among those of the other TEE. Exits non-zero, saying
why, on any failure.
"""
import re
import subprocess
import sys

PAIRS = (("linux-a", "tee-a"), ("linux-b", "tee-b"))


def main():
    argv = sys.argv[1:]
    if len(argv) < 4 or argv[0] != "--qemu-test" or argv[2] != "--log":
        sys.exit(__doc__)
    qemu_test, log, rest = argv[1], argv[3], argv[4:]
    rc = subprocess.call([sys.executable, qemu_test, "--log", log] + rest)
    if rc != 0:
        sys.exit("tee-pairer-test: the boot failed (qemu-test.py exit status %d, its "
                 "reason is above)" % rc)
    with open(log, errors="replace") as f:
        text = f.read()
    served = {}
    for tee in ("tee-a", "tee-b"):
        served[tee] = set(re.findall(r"^\[%s\] %s: rng: .*last 8: ([0-9a-f]{16})\r?$"
                                     % (tee, tee), text, re.M))
    for linux, tee in PAIRS:
        got = re.findall(r"^\[%s\] optee: hwrng optee-rng gave ([0-9a-f]{16})\r?$"
                         % linux, text, re.M)
        if len(got) != 1:
            sys.exit("tee-pairer-test: %s printed %d hwrng lines, want 1" % (linux, len(got)))
        other = "tee-b" if tee == "tee-a" else "tee-a"
        if got[0] not in served[tee]:
            sys.exit("tee-pairer-test: %s read %s from /dev/hwrng, which %s never "
                     "produced (it logged %s)" % (linux, got[0], tee, sorted(served[tee])))
        if got[0] in served[other]:
            sys.exit("tee-pairer-test: %s read %s, which %s produced too"
                     % (linux, got[0], other))
        print("tee-pairer-test: %s read %s from /dev/hwrng: produced by %s, its own TEE"
              % (linux, got[0], tee))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""A Debian Linux VM checkpointed on one boot and resumed on the next.

Boots the partitioner with examples/partitioner/configs/qemu-virt-linux-ckpt.dts
(one Linux VM with libhyp.shell, a checkpoint store), starts `sleep 1000` in
the background and reads /proc/uptime in its shell, presses Ctrl-] c, saves
the checkpoint with the QEMU monitor's pmemsave, and boots again with it as
the VM's multiboot,checkpoint module. The resumed shell must answer, its
uptime must go on from the first boot's (not below it, and not past it by
more than two minutes: the time between the boots does not exist for the
guest), and the background process must still be alive. Uses the console
and monitor helpers of tests/qemu/checkpoint-test.py. Bounds its own time;
prints why it failed.

  checkpoint-linux.py --build BUILD --kernel Image --initrd initramfs.cpio.gz
                      [--timeout 600] [--log FILE]
"""
import argparse
import importlib.util
import os
import re
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
spec = importlib.util.spec_from_file_location(
    "checkpoint_test", os.path.join(ROOT, "tests", "qemu", "checkpoint-test.py"))
ct = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ct)

CONFIG = os.path.join(ROOT, "examples", "partitioner", "configs", "qemu-virt-linux-ckpt.dts")
UPTIME = re.compile(r"^\[linux\] (\d+\.\d+) \d+\.\d+$")
ARGS = "console=ttyAMA0 earlycon=pl011,0x9000000 cryptomgr.notests libhyp.shell"


def boot(a, config, extra, sock, log):
    cmd = ["env", "LIBHYP_BUILD_DIR=" + a.build, os.path.join(ROOT, "scripts", "run"),
           "partitioner", "--no-build", "--smp", "1", "--config", config,
           "--module", "vm@0=kernel:" + a.kernel, "--module", "vm@0=ramdisk:" + a.initrd,
           "--bootargs", "vm@0=" + ARGS]
    for m in extra:
        cmd += ["--module", m]
    cmd += ["--", "-monitor", "unix:%s,server,nowait" % sock]
    if log:
        log.write("=== boot: %s\n" % " ".join(cmd))
    proc = ct.subprocess.Popen(cmd, stdin=ct.subprocess.PIPE, stdout=ct.subprocess.PIPE,
                               stderr=ct.subprocess.STDOUT, start_new_session=True)
    return proc, ct.Console(proc, log)


def need(found, what):
    if found[0] is None:
        raise RuntimeError(what)
    return found


def run(a, tmp, log, deadline):
    saved = os.path.join(tmp, "linux.ckpt")
    proc, con = boot(a, CONFIG, [], os.path.join(tmp, "m1"), log)
    try:
        i, _ = need(con.wait(lambda l: "libhyp-init: starting a shell" in l, deadline),
                    "first boot: no shell")
        time.sleep(2)
        con.send(b"sleep 1000 & echo BG-$!\n")
        i, line = need(con.wait(lambda l: re.match(r"^\[linux\] BG-\d+$", l), deadline, i),
                       "first boot: the background process did not start")
        pid = line.split("BG-")[1]
        con.send(b"cat /proc/uptime\n")
        i, line = need(con.wait(UPTIME.match, deadline, i), "first boot: no uptime")
        up1 = float(UPTIME.match(line).group(1))
        con.send(b"\x1dc")
        i, line = need(con.wait(lambda l: "(linux) paused; checkpoint" in l, deadline, i),
                       "first boot: no line saying the VM was paused and checkpointed")
        m = re.search(r"checkpoint (\d+) bytes at (0x[0-9a-f]+)", line)
        size, base = int(m.group(1)), int(m.group(2), 16)
        said = ct.monitor(os.path.join(tmp, "m1"),
                          'pmemsave %#x %#x "%s"' % (base, size, saved))
        while not os.path.exists(saved) or os.path.getsize(saved) < size:
            if time.monotonic() > deadline:
                raise RuntimeError("pmemsave did not save the store: " + said[-200:])
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, 9)
        proc.wait()
    resume = os.path.join(tmp, "resume.dts")
    with open(CONFIG) as f:
        text = f.read()
    anchor = "\t\t\tmodule@70000000 {\n"
    node = ("\t\t\tmodule@66000000 {\n"
            "\t\t\t\tcompatible = \"multiboot,checkpoint\", \"multiboot,module\";\n"
            "\t\t\t\treg = <0x0 0x66000000 0x0 0x4000000>;\n\t\t\t};\n")
    with open(resume, "w") as f:
        f.write(text.replace(anchor, node + anchor))
    proc, con = boot(a, resume, ["vm@0=checkpoint:" + saved], os.path.join(tmp, "m2"), log)
    try:
        i, _ = need(con.wait(lambda l: "partitioner: vm@0 (linux) resumes from its "
                             "checkpoint" in l, deadline), "second boot: the VM did not resume")
        time.sleep(2)
        con.send(b"\ncat /proc/uptime; kill -0 %s && echo ALIVE-%s\n" %
                 (pid.encode(), pid.encode()))
        j, line = need(con.wait(UPTIME.match, deadline, i),
                       "second boot: the resumed shell did not answer")
        up2 = float(UPTIME.match(line).group(1))
        if not up1 <= up2 <= up1 + 120:
            raise RuntimeError("uptime went from %.2f s to %.2f s" % (up1, up2))
        need(con.wait(lambda l: l == "[linux] ALIVE-" + pid, deadline, i),
             "second boot: the background process %s is gone" % pid)
        fresh = [l for l in con.lines if l and "Booting Linux" in l]
        if fresh:
            raise RuntimeError("second boot: Linux booted afresh: " + fresh[0])
    finally:
        os.killpg(proc.pid, 9)
        proc.wait()
    return size, up1, up2


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", required=True)
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--timeout", type=int, default=600)
    p.add_argument("--log")
    a = p.parse_args()
    log = open(a.log, "w") if a.log else None
    with tempfile.TemporaryDirectory() as tmp:
        try:
            size, up1, up2 = run(a, tmp, log, time.monotonic() + a.timeout)
        except RuntimeError as e:
            print("partitioner-checkpoint: FAILED: %s (console log: %s)" % (e, a.log))
            return 1
    print("partitioner-checkpoint: Linux paused at uptime %.2f s, checkpoint %d bytes, "
          "resumed at %.2f s with its background process" % (up1, size, up2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

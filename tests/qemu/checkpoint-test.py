#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Pause a VM of the partitioner and save its checkpoint (docs/checkpoint.md).

Boots examples/partitioner/configs/qemu-virt-ticker.dts (two ticker VMs and
a checkpoint store) with a QEMU monitor socket, then:
  1. Ctrl-] c with the focus on tick-a: the partitioner must say tick-a is
     paused and where its checkpoint is; tick-a must print no more ticks.
  2. Ctrl-] 1, Ctrl-] c: tick-b (a passed-through RTC not marked safe to
     detach) must be refused with the reason, and run on: its count must go
     at least 10 ticks further after tick-a's pause.
  3. The monitor's `pmemsave` saves the store; `hyp-config ckpt show` must
     accept it, name tick-a, one vCPU on, its RAM and UART, and the guest
     count the partitioner reported.
  4. A second boot with the checkpoint as tick-a's `multiboot,checkpoint`
     module: tick-a must resume, its first line the next tick after the last
     one of the first boot, its counter time after that one's and less than
     a second later (the time between the boots does not exist for it), and
     it must not boot afresh; tick-b boots as usual.
  5. The checkpoint damaged (one byte) for tick-a, and the good one for
     tick-b (taken with other devices): each refused with its reason, the
     other VM starting anyway.
Bounds its own time; prints why it failed.

  checkpoint-test.py --build BUILD --guest ticker.bin
                     --hyp-config HYP-CONFIG [--timeout 120] [--log FILE]
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAUSED = re.compile(r"^\[hyp\] partitioner: vm@0 \(tick-a\) paused; checkpoint (\d+) bytes "
                    r"at (0x[0-9a-f]+), guest count (\d+), written in \d+ ms$")
REFUSED = ("[hyp] partitioner: vm@1 (tick-b): not checkpointable: passed-through "
           "/pl031@9010000 is not marked safe to detach (checkpoint-detach); it runs on")
TICK = re.compile(r"^\[(tick-[ab])\] # tick (\d+) at")


def monitor(path, command):
    """One command on QEMU's monitor socket; returns its reply."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    out = b""
    try:
        while not out.endswith(b"(qemu) "):
            out += s.recv(4096)
        s.sendall(command.encode() + b"\n")
        out = b""
        while not out.endswith(b"(qemu) "):
            out += s.recv(4096)
    finally:
        s.close()
    return out.decode("utf-8", "replace")


class Console:
    """The partitioner's console, read on a thread, lines kept in order."""

    def __init__(self, proc, log):
        self.proc, self.log, self.lines, self.cond = proc, log, [], threading.Condition()
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if self.log:
                self.log.write(line + "\n")
                self.log.flush()
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.lines.append(None)
            self.cond.notify_all()

    def wait(self, match, deadline, start=0):
        """Index and line of the first line from @start that @match accepts."""
        i = start
        with self.cond:
            while True:
                while i < len(self.lines):
                    line = self.lines[i]
                    if line is None:
                        return None, None
                    if match(line):
                        return i, line
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0:
                    return None, None
                self.cond.wait(left)

    def send(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()


CONFIG = os.path.join(ROOT, "examples", "partitioner", "configs", "qemu-virt-ticker.dts")
TICK_AT = re.compile(r"^\[(tick-[ab])\] # tick (\d+) at (\d+) us$")


def boot(a, config, modules, sock, log):
    """Start the partitioner with the two tickers and extra --module args."""
    cmd = ["env", "LIBHYP_BUILD_DIR=" + a.build, os.path.join(ROOT, "scripts", "run"),
           "partitioner", "--no-build", "--smp", "2", "--config", config,
           "--module", "vm@0=kernel:" + a.guest, "--module", "vm@1=kernel:" + a.guest]
    for m in modules:
        cmd += ["--module", m]
    cmd += ["--", "-monitor", "unix:%s,server,nowait" % sock]
    if log:
        log.write("=== boot: %s\n" % " ".join(cmd))
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    return proc, Console(proc, log)


def with_module(tmp, name, vm):
    """The ticker config with a multiboot,checkpoint module for @vm."""
    with open(CONFIG) as f:
        text = f.read()
    anchor = "\t\t\tmodule@77%s00000 {\n" % ("0" if vm == "vm@0" else "1")
    node = ("\t\t\tmodule@78000000 {\n"
            "\t\t\t\tcompatible = \"multiboot,checkpoint\", \"multiboot,module\";\n"
            "\t\t\t\treg = <0x0 0x78000000 0x0 0x100000>;\n\t\t\t};\n")
    assert anchor in text
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text.replace(anchor, node + anchor))
    return path


def last_time(lines, vm):
    t = 0
    for line in lines:
        m = TICK_AT.match(line or "")
        if m and m.group(1) == vm:
            t = int(m.group(3))
    return t


def resume(a, tmp, saved, count, a_last, a_time, log, deadline):
    """Boots 2 to 4; the problems found."""
    problems = []
    sock = os.path.join(tmp, "monitor2")
    proc, con = boot(a, with_module(tmp, "resume-a.dts", "vm@0"),
                     ["vm@0=checkpoint:" + saved], sock, log)
    try:
        want = ("partitioner: vm@0 (tick-a) resumes from its checkpoint (%d bytes, guest "
                "count %d, restored in " % (os.path.getsize(saved), count))
        i, _ = con.wait(lambda l: l.startswith(want), deadline)
        if i is None:
            problems.append("second boot: no line %r" % want)
        i, line = con.wait(lambda l: bool(TICK_AT.match(l)) and "tick-a" in l, deadline)
        m = TICK_AT.match(line or "")
        if not m:
            problems.append("second boot: tick-a printed no tick")
        else:
            n, t = int(m.group(2)), int(m.group(3))
            if n != a_last + 1:
                problems.append("second boot: tick-a's first tick is %d, not %d" %
                                (n, a_last + 1))
            if not a_time < t < a_time + 1000000:
                problems.append("second boot: tick-a's time went from %d us to %d us" %
                                (a_time, t))
        j, _ = con.wait(lambda l: l.startswith("[tick-b] # tick 3 "), deadline)
        if j is None:
            problems.append("second boot: tick-b did not run")
        fresh = [l for l in con.lines if l and l.startswith("[tick-a] # running under")]
        if fresh:
            problems.append("second boot: tick-a booted afresh: " + fresh[0])
    finally:
        os.killpg(proc.pid, 9)
        proc.wait()
    # A damaged checkpoint for tick-a, the good one for tick-b.
    damaged = os.path.join(tmp, "damaged.ckpt")
    with open(saved, "rb") as f:
        data = bytearray(f.read())
    data[len(data) // 2] ^= 0x40
    with open(damaged, "wb") as f:
        f.write(bytes(data))
    cases = [("vm@0", damaged, "partitioner: vm@0 (tick-a): checkpoint refused: digest mismatch: "
              "the checkpoint is damaged; it does not start", "tick-b"),
             ("vm@1", saved, "partitioner: vm@1 (tick-b): checkpoint refused: taken with "
              "other devices (device digest differs); it does not start", "tick-a")]
    for n, (vm, ckpt, refusal, other) in enumerate(cases):
        sock = os.path.join(tmp, "monitor%d" % (3 + n))
        proc, con = boot(a, with_module(tmp, "refuse-%d.dts" % n, vm),
                         [vm + "=checkpoint:" + ckpt], sock, log)
        try:
            if con.wait(lambda l: l == refusal, deadline)[0] is None:
                problems.append("no refusal %r" % refusal)
            if con.wait(lambda l: l.startswith("[%s] # tick 3 " % other), deadline)[0] is None:
                problems.append("%s did not start after %s's refusal" % (other, vm))
        finally:
            os.killpg(proc.pid, 9)
            proc.wait()
    return problems


def last_tick(lines, vm, upto):
    n = 0
    for line in lines[:upto]:
        m = TICK.match(line or "")
        if m and m.group(1) == vm:
            n = int(m.group(2))
    return n


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", required=True)
    p.add_argument("--guest", required=True)
    p.add_argument("--hyp-config", required=True)
    p.add_argument("--timeout", type=int, default=120)
    p.add_argument("--log")
    a = p.parse_args()
    problems = []
    deadline = time.monotonic() + a.timeout
    log = open(a.log, "w") if a.log else None
    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "monitor")
        saved = os.path.join(tmp, "tick-a.ckpt")
        proc, con = boot(a, CONFIG, [], sock, log)
        try:
            i, _ = con.wait(lambda l: l.startswith("[tick-a] # tick 5 "), deadline)
            if i is None:
                raise RuntimeError("tick-a never reached its 5th tick")
            con.send(b"\x1dc")
            i, line = con.wait(lambda l: PAUSED.match(l) or "tick-a" in l and "paused" in l,
                               deadline, i)
            m = PAUSED.match(line or "")
            if not m:
                raise RuntimeError("no line saying tick-a was paused and checkpointed (%s)" %
                                   line)
            size, base, count = int(m.group(1)), int(m.group(2), 16), int(m.group(3))
            paused_at = i
            b_at_pause = last_tick(con.lines, "tick-b", paused_at)
            con.send(b"\x1d1")
            j, _ = con.wait(lambda l: l.startswith("[hyp] console input goes to tick-b"),
                            deadline, paused_at)
            if j is None:
                raise RuntimeError("the focus did not move to tick-b")
            con.send(b"\x1dc")
            j, _ = con.wait(lambda l: l == REFUSED, deadline, j)
            if j is None:
                problems.append("tick-b's checkpoint was not refused with: " + REFUSED)
            j, _ = con.wait(lambda l: (TICK.match(l) and TICK.match(l).group(1) == "tick-b"
                                       and int(TICK.match(l).group(2)) >= b_at_pause + 10),
                            deadline, paused_at)
            if j is None:
                problems.append("tick-b did not run on after tick-a's pause")
            after = [l for l in con.lines[paused_at + 1:] if l and l.startswith("[tick-a]")]
            if after:
                problems.append("tick-a printed after its pause: " + after[0])
            said = monitor(sock, 'pmemsave %#x %#x "%s"' % (base, size, saved))
            while not os.path.exists(saved) or os.path.getsize(saved) < size:
                if time.monotonic() > deadline:
                    raise RuntimeError("pmemsave did not save the store: " + said[-200:])
                time.sleep(0.1)
        except RuntimeError as e:
            problems.append(str(e))
        finally:
            os.killpg(proc.pid, 9)
            proc.wait()
        a_last = last_tick(con.lines, "tick-a", len(con.lines))
        a_time = last_time(con.lines, "tick-a")
        if not problems:
            show = subprocess.run([a.hyp_config, "ckpt", "show", saved],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            out = show.stdout.decode("utf-8", "replace")
            if log:
                log.write(out)
            want = [r'checkpoint version 1 of VM "tick-a", %d bytes' % size,
                    "guest time: %d ticks at " % count,
                    "vcpu 0: on, mpidr 0x0, pc 0x",
                    "ram 0: 0x40000000..0x40ffffff, ",
                    "vuart 0: UARTCR 0x"]
            if show.returncode != 0:
                problems.append("hyp-config ckpt show refused the checkpoint:\n" + out)
            problems += ["hyp-config ckpt show lacks %r:\n%s" % (w, out)
                         for w in want if w not in out]
        if not problems:
            problems += resume(a, tmp, saved, count, a_last, a_time, log, deadline)
    if problems:
        print("partitioner-checkpoint: FAILED")
        for pr in problems:
            print("  " + pr)
        print("  (console log: %s)" % (a.log or "none"))
        return 1
    print("partitioner-checkpoint: tick-a paused and saved (%d bytes), tick-b refused and "
          "ran on; tick-a resumed on a second boot; damaged and foreign checkpoints "
          "refused" % size)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Boot an image under QEMU and judge its console output.

Used by every QEMU test (ctest labels qemu and linux). The run is bounded by
--timeout. The test fails, printing the console log and the reason, on:
  * a timeout (listing the expectations still missing),
  * a libhyp crash dump or panic ("*** libhyp", possibly tagged "[hyp] "),
    unless --allow-crash,
  * QEMU exiting with a non-zero status, or before every --expect matched,
  * with --tap: any "not ok" line, a missing or wrong plan line.
With --stop-when-matched QEMU is stopped as soon as every --expect matched
(for images that never power off).

  qemu-test.py --timeout 60 --expect 'all 4 CPUs up' -- qemu-system-aarch64 ...
"""
import argparse
import os
import re
import select
import signal
import subprocess
import sys
import time

CRASH_MARKER = re.compile(r"^(\[hyp\] )?\*\*\* libhyp")
TAP_OK = re.compile(r"^(not )?ok (\d+)\b")
TAP_PLAN = re.compile(r"^1\.\.(\d+)\s*$")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--timeout", type=float, required=True, help="seconds before giving up")
    p.add_argument("--expect", action="append", default=[], metavar="REGEX",
                   help="a line matching REGEX must appear (repeatable, any order)")
    p.add_argument("--reject", action="append", default=[], metavar="REGEX",
                   help="a line matching REGEX fails the test at once (repeatable)")
    p.add_argument("--allow-crash", action="store_true",
                   help="a libhyp crash dump is expected, not a failure")
    p.add_argument("--stop-when-matched", action="store_true",
                   help="stop QEMU once every --expect has matched, and pass")
    p.add_argument("--tap", action="store_true",
                   help="judge TAP lines: no 'not ok', plan line present and matching")
    p.add_argument("--send-after", nargs=2, action="append", default=[],
                   metavar=("REGEX", "TEXT"),
                   help="once a line matches REGEX, type TEXT on the console "
                        "(\\n for Enter; repeatable, each fires once, in order)")
    p.add_argument("--log", help="also write the console log to this file")
    p.add_argument("command", nargs=argparse.REMAINDER,
                   help="-- then the QEMU command line")
    args = p.parse_args()
    if args.command and args.command[0] == "--":
        args.command = args.command[1:]
    if not args.command:
        p.error("no QEMU command given")
    return args


class Judge:
    def __init__(self, args):
        self.args = args
        self.expect = [(e, re.compile(e)) for e in args.expect]
        self.reject = [re.compile(r) for r in args.reject]
        self.matched = set()
        self.failure = None
        self.tap_results = {}
        self.tap_plan = None

    def feed(self, line):
        """Look at one console line; return a failure reason or None."""
        for pattern, rx in self.expect:
            if pattern not in self.matched and rx.search(line):
                self.matched.add(pattern)
        for rx in self.reject:
            if rx.search(line):
                return "rejected line: %r (matches %r)" % (line, rx.pattern)
        if not self.args.allow_crash and CRASH_MARKER.search(line):
            return "libhyp crash dump or panic: %r" % line
        if self.args.tap:
            m = TAP_OK.match(line)
            if m:
                self.tap_results[int(m.group(2))] = m.group(1) is None
                if m.group(1):
                    return "TAP failure: %r" % line
            m = TAP_PLAN.match(line)
            if m:
                self.tap_plan = int(m.group(1))
        return None

    def missing(self):
        return [p for p, _ in self.expect if p not in self.matched]

    def all_matched(self):
        return not self.missing()

    def final_verdict(self):
        missing = self.missing()
        if missing:
            return "expected lines never appeared: " + ", ".join(repr(m) for m in missing)
        if self.args.tap:
            if self.tap_plan is None:
                return "no TAP plan line (1..N)"
            if sorted(self.tap_results) != list(range(1, self.tap_plan + 1)):
                return "TAP plan 1..%d but saw tests %s" % (
                    self.tap_plan, sorted(self.tap_results))
        return None


def stop(proc):
    """Stop QEMU and anything a wrapper script started: the whole group."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main():
    args = parse_args()
    judge = Judge(args)
    log_lines = []
    start = time.monotonic()
    deadline = start + args.timeout
    try:
        proc = subprocess.Popen(args.command,
                                stdin=subprocess.PIPE if args.send_after else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
    except OSError as e:
        print("FAIL: cannot start %s: %s" % (args.command[0], e))
        return 1

    sends = [(re.compile(rx), text.encode().decode("unicode_escape").encode())
             for rx, text in args.send_after]
    reason = None
    pending = b""
    stopped_early = False
    fd = proc.stdout.fileno()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            reason = "timeout after %.0f s" % args.timeout
            missing = judge.missing()
            if missing:
                reason += "; still missing: " + ", ".join(repr(m) for m in missing)
            break
        ready, _, _ = select.select([fd], [], [], min(remaining, 0.5))
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8", "replace").rstrip("\r")
            log_lines.append(line)
            reason = judge.feed(line)
            if reason:
                break
            if sends and sends[0][0].search(line):
                # Typed slowly enough for a UART FIFO, as a person would.
                for byte in sends.pop(0)[1]:
                    proc.stdin.write(bytes([byte]))
                    proc.stdin.flush()
                    time.sleep(0.01)
        if reason:
            break
        if args.stop_when_matched and judge.all_matched():
            stopped_early = True
            break
    if pending:
        line = pending.decode("utf-8", "replace").rstrip("\r")
        log_lines.append(line)
        reason = reason or judge.feed(line)
    stop(proc)
    elapsed = time.monotonic() - start

    if reason is None and not stopped_early:
        if proc.returncode != 0:
            reason = "QEMU exited with status %d" % proc.returncode
        else:
            reason = judge.final_verdict()
    if args.log:
        with open(args.log, "w") as f:
            f.write("\n".join(log_lines) + "\n")

    if reason:
        print("---- console log (%d lines) ----" % len(log_lines))
        print("\n".join(log_lines))
        print("---- end of console log ----")
        print("FAIL: %s (after %.1f s)" % (reason, elapsed))
        print("command: %s" % " ".join(args.command))
        return 1
    print("PASS in %.1f s: %d expectations met%s" % (
        elapsed, len(judge.expect),
        ", %d TAP tests" % len(judge.tap_results) if args.tap else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())

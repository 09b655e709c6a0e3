#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Checkpoint size and cost for a Linux VM of 64 MiB and of 512 MiB.

For each size, boots the partitioner on QEMU virt (4 GiB) with one Debian
Linux VM (1 vCPU, that much RAM, libhyp.shell) and a checkpoint store,
waits for its shell, runs a command in it so that it has done some work,
saves the VM's RAM with QEMU's monitor command `pmemsave`, then presses
Ctrl-] c: the partitioner pauses the VM and writes its checkpoint at EL2
and says how big it is and how long that took; the checkpoint is saved
too and a second boot resumes the VM from it and says how long restoring
took. Then build/bench/ckpt_bench runs the library's writer, parser and
restore over the RAM images on this host. EL2 times are QEMU TCG times
(the counter follows the host clock), not a real board's. A benchmark: it
prints figures and judges none; it fails only when a boot does not reach
the shell or the checkpoint line never comes.

  cmake --build build --target benchmarks
  bench/checkpoint.py [--build build] [--sizes 64,512] [--timeout 600]
"""
import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The QEMU monitor helper of the checkpoint test.
_spec = importlib.util.spec_from_file_location(
    "checkpoint_test", os.path.join(ROOT, "tests", "qemu", "checkpoint-test.py"))
_test = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_test)
monitor = _test.monitor
MEMORY = re.compile(r"memory\s+(0x[0-9a-f]+)\.\.(0x[0-9a-f]+) \((\d+) MiB\)")

CONFIG = """/ {
	reserved-memory {
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;

		checkpoint-store@c0000000 {
			compatible = "libhyp,checkpoint-store";
			reg = <0x0 0xc0000000 0x0 0x8000000>;
			no-map;
		};
	};

	hypervisor {
		compatible = "libhyp,hypervisor";
		#address-cells = <1>;
		#size-cells = <0>;

		vm@0 {
			compatible = "libhyp,vm";
			reg = <0>;
			label = "linux";
			cpus = <&{/cpus/cpu@0}>;
			memory = <0x0 %#x>;
			vpl011;
			#address-cells = <2>;
			#size-cells = <2>;
%s
			module@70000000 {
				compatible = "multiboot,kernel", "multiboot,module";
				reg = <0x0 0x70000000 0x0 0x4000000>;
			};
			module@7c000000 {
				compatible = "multiboot,ramdisk", "multiboot,module";
				reg = <0x0 0x7c000000 0x0 0x2000000>;
			};
		};
	};
};
"""
RESUME = """
			module@c8000000 {
				compatible = "multiboot,checkpoint", "multiboot,module";
				reg = <0x0 0xc8000000 0x0 0x8000000>;
			};
"""
PAUSED = re.compile(r"paused; checkpoint (\d+) bytes at (0x[0-9a-f]+), guest count \d+, "
                    r"written in (\d+) ms")
RESUMED = re.compile(r"resumes from its checkpoint \((\d+) bytes, guest count \d+, "
                     r"restored in (\d+) ms\)")


def start(a, config, extra, sock):
    cache = os.environ.get("LIBHYP_CACHE", os.path.expanduser("~/.cache/libhyp"))
    kernel = os.path.join(cache, "linux", "Image")
    initrd = os.path.join(a.build, "linux", "initramfs.cpio.gz")
    args = "console=ttyAMA0 earlycon=pl011,0x9000000 cryptomgr.notests libhyp.shell"
    cmd = ["env", "LIBHYP_BUILD_DIR=" + a.build, os.path.join(ROOT, "scripts", "run"),
           "partitioner", "--no-build", "--smp", "1", "--mem", "4G", "--config", config,
           "--module", "vm@0=kernel:" + kernel, "--module", "vm@0=ramdisk:" + initrd,
           "--bootargs", "vm@0=" + args] + extra + [
           "--", "-monitor", "unix:%s,server,nowait" % sock]
    return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)


def lines_of(a, proc, lines):
    for raw in proc.stdout:
        line = raw.decode("utf-8", "replace").rstrip()
        lines.append(line)
        if a.verbose:
            sys.stderr.write(line + "\n")
        yield line


def saved(path, size):
    deadline = time.monotonic() + 120
    while not os.path.exists(path) or os.path.getsize(path) < size:
        if time.monotonic() > deadline:
            sys.exit("checkpoint: pmemsave wrote no %s" % path)
        time.sleep(0.2)


def one(a, mib, tmp):
    """Boot, save RAM, pause at EL2, save the checkpoint, resume on a second boot."""
    config = os.path.join(tmp, "ckpt-%dm.dts" % mib)
    resume = os.path.join(tmp, "resume-%dm.dts" % mib)
    sock = os.path.join(tmp, "mon-%d" % mib)
    image = os.path.join(tmp, "linux-%dm.ram" % mib)
    ckpt = os.path.join(tmp, "linux-%dm.ckpt" % mib)
    with open(config, "w") as f:
        f.write(CONFIG % (mib << 20, ""))
    with open(resume, "w") as f:
        f.write(CONFIG % (mib << 20, RESUME))
    proc = start(a, config, [], sock)
    ram, lines, start_t, fig = None, [], time.monotonic(), {"mib": mib}
    try:
        shell = False
        for line in lines_of(a, proc, lines):
            m = MEMORY.search(line)
            if m and ram is None:
                ram = (int(m.group(1), 16), int(m.group(2), 16) + 1 - int(m.group(1), 16))
            if not shell and "libhyp-init: starting a shell" in line:
                shell = True
                proc.stdin.write(b"echo CKPT-$((6*7)); ls -R /usr >/dev/null\n")
                proc.stdin.flush()
            if shell and "CKPT-42" in line and "echo" not in line:
                time.sleep(2)  # let the command finish
                monitor(sock, "stop")
                monitor(sock, 'pmemsave %#x %#x "%s"' % (ram[0], ram[1], image))
                saved(image, ram[1])
                monitor(sock, "cont")
                proc.stdin.write(b"\x1dc")
                proc.stdin.flush()
            m = PAUSED.search(line)
            if m:
                fig["size"], fig["write_ms"] = int(m.group(1)), int(m.group(3))
                monitor(sock, 'pmemsave %s %d "%s"' % (m.group(2), fig["size"], ckpt))
                saved(ckpt, fig["size"])
                break
            if time.monotonic() - start_t > a.timeout:
                break
    finally:
        os.killpg(proc.pid, 9)
        proc.wait()
    if "size" not in fig:
        sys.stderr.write("\n".join(lines[-30:]) + "\n")
        sys.exit("checkpoint: the %d MiB VM was not checkpointed" % mib)
    proc = start(a, resume, ["--module", "vm@0=checkpoint:" + ckpt], sock + "r")
    try:
        for line in lines_of(a, proc, []):
            m = RESUMED.search(line)
            if m:
                fig["restore_ms"] = int(m.group(2))
                break
    finally:
        os.killpg(proc.pid, 9)
        proc.wait()
    return image, fig


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--sizes", default="64,512", help="VM RAM sizes in MiB")
    p.add_argument("--timeout", type=int, default=600, help="seconds per boot")
    p.add_argument("--verbose", action="store_true", help="show the consoles")
    a = p.parse_args()
    tool = os.path.join(a.build, "bench", "ckpt_bench")
    if not os.path.isfile(tool):
        sys.exit("checkpoint: no %s; cmake --build %s --target benchmarks" % (tool, a.build))
    with tempfile.TemporaryDirectory() as tmp:
        runs = [one(a, int(s), tmp) for s in a.sizes.split(",")]
        for _, f in runs:
            print("%d MiB Linux VM at EL2 (QEMU TCG): checkpoint %d bytes (%.1f MiB), "
                  "written in %d ms, restored in %s ms" %
                  (f["mib"], f["size"], f["size"] / 2**20, f["write_ms"],
                   f.get("restore_ms", "?")))
        sys.stdout.flush()
        subprocess.run([tool] + [image for image, _ in runs], check=True)


if __name__ == "__main__":
    main()

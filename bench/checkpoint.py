#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Checkpoint size and cost for a Linux VM of 64 MiB and of 512 MiB.

For each size, boots the partitioner on QEMU virt with one Debian Linux VM
(1 vCPU, that much RAM, libhyp.shell), waits for its shell, runs a command
in it so that it has done some work, saves the VM's RAM with QEMU's monitor
command `pmemsave` (the partitioner's map says where it is), and runs
build/bench/ckpt_bench over the image: how many pages are not zero, how big
the checkpoint is, and how long writing, parsing (with the SHA-256 check)
and restoring it take on this host. The pause and restore inside the
hypervisor are not wired up yet (docs/checkpoint.md), so these are host
figures of the library's code over real guest RAM, not EL2 timings. A
benchmark: it prints figures and judges none; it fails only when a boot
does not reach the shell.

  cmake --build build --target benchmarks
  bench/checkpoint.py [--build build] [--sizes 64,512] [--timeout 600]
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEMORY = re.compile(r"memory\s+(0x[0-9a-f]+)\.\.(0x[0-9a-f]+) \((\d+) MiB\)")

CONFIG = """/ {
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


def monitor(path, command):
    """Send one command to QEMU's monitor socket; return what it printed."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(30)
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


def one(a, mib, tmp):
    cache = os.environ.get("LIBHYP_CACHE", os.path.expanduser("~/.cache/libhyp"))
    kernel = os.path.join(cache, "linux", "Image")
    initrd = os.path.join(a.build, "linux", "initramfs.cpio.gz")
    config = os.path.join(tmp, "ckpt-%dm.dts" % mib)
    sock = os.path.join(tmp, "mon-%d" % mib)
    image = os.path.join(tmp, "linux-%dm.ram" % mib)
    with open(config, "w") as f:
        f.write(CONFIG % (mib << 20))
    args = "console=ttyAMA0 earlycon=pl011,0x9000000 cryptomgr.notests libhyp.shell"
    cmd = ["env", "LIBHYP_BUILD_DIR=" + a.build, os.path.join(ROOT, "scripts", "run"),
           "partitioner", "--no-build", "--smp", "1", "--config", config,
           "--module", "vm@0=kernel:" + kernel, "--module", "vm@0=ramdisk:" + initrd,
           "--bootargs", "vm@0=" + args, "--", "-monitor", "unix:%s,server,nowait" % sock]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    ram, lines, start = None, [], time.monotonic()
    try:
        shell = done = False
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            lines.append(line)
            if a.verbose:
                sys.stderr.write(line + "\n")
            m = MEMORY.search(line)
            if m and ram is None:
                ram = (int(m.group(1), 16), int(m.group(2), 16) + 1 - int(m.group(1), 16))
            if not shell and "libhyp-init: starting a shell" in line:
                shell = True
                proc.stdin.write(b"echo CKPT-$((6*7)); ls -R /usr >/dev/null\n")
                proc.stdin.flush()
            if shell and "CKPT-42" in line and "echo" not in line:
                done = True
                break
            if time.monotonic() - start > a.timeout:
                break
        if not done or ram is None:
            sys.stderr.write("\n".join(lines[-30:]) + "\n")
            sys.exit("checkpoint: the %d MiB VM did not reach its shell" % mib)
        time.sleep(2)  # let the command finish
        monitor(sock, "stop")
        said = monitor(sock, 'pmemsave %#x %#x "%s"' % (ram[0], ram[1], image))
        deadline = time.monotonic() + 120
        while not os.path.exists(image) or os.path.getsize(image) < ram[1]:
            if time.monotonic() > deadline:
                sys.exit("checkpoint: pmemsave wrote no %s:\n%s" % (image, said))
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, 9)
        proc.wait()
    return image


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
        images = [one(a, int(s), tmp) for s in a.sizes.split(",")]
        sys.stdout.flush()
        subprocess.run([tool] + images, check=True)


if __name__ == "__main__":
    main()

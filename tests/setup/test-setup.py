#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""A fresh machine, faked: scripts/setup against stand-ins for dpkg and apt.

  tests/setup/test-setup.py [--setup scripts/setup] [--root SOURCE-TREE] [-v]

Each case runs the real scripts/setup (or --setup FILE) in a temporary
directory with a temporary HOME and LIBHYP_CACHE, and a PATH made only of

  * stand-ins for dpkg-query, apt-get, apt-cache, dpkg-deb, id (and sudo where
    a case has one), written here, keeping their state in files: which
    packages are installed, the uid `id -u` reports, which operations fail,
    and a log of every apt-get and apt-cache call with its arguments;
  * symlinks to the few real tools setup runs (bash, coreutils, awk, grep...);
  * empty executables named after the commands setup's PACKAGES table takes
    as proof that a package works (setup only looks them up).

So nothing depends on what the machine has installed, except the files setup
checks by absolute path (picolibc.specs, cmocka.h), which exist wherever the
real scripts/setup has run. Every case checks setup's exit status, what it
printed and which apt calls it made. A few more cases check that a failing
command in a script using scripts/lib/common.sh says so on stderr.

Prints one TAP line per case and "N passed, M failed"; exits 1 on any failure.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Real tools setup (and the stand-ins, and scripts/mkinitramfs) run, found on
# the PATH this test starts with. OPTIONAL ones are linked when present.
TOOLS = """bash sh env cat ls sort tail head mkdir rm cp mv ln chmod date basename
dirname awk grep sed od tr gzip stat mktemp true false readlink touch wc cut
nproc python3 tar""".split()
OPTIONAL_TOOLS = ["file"]
STAND_INS = ["dpkg-query", "apt-get", "apt-cache", "dpkg-deb", "id"]

KERNEL = "linux-image-6.1.0-99-cloud-arm64-unsigned"
KERNEL_VERSION = "6.1.99-1"
# The generic flavour of the same ABI: only for the boards' real DTBs.
GENERIC_KERNEL = "linux-image-6.1.0-99-arm64-unsigned"
ARM64 = ["libfdt-dev", KERNEL, "busybox-static", GENERIC_KERNEL]
# From bookworm-backports, for the host's architecture (the stand-ins': amd64).
QEMU10 = ["qemu-system-arm", "qemu-system-common", "qemu-system-data"]
QEMU10_VERSION = "1:10.0.2+ds-2~bpo12+1"
# The packages the "some missing" cases leave out: a command proof, a file
# proof and one whose proof is a stand-in (dpkg-deb).
SOME_MISSING = ["make", "libcmocka-dev", "dpkg-dev"]

# --- the stand-ins ---------------------------------------------------------
# @STATE@ and @ID@ are replaced when they are written. STANDIN_SUDO=1 is what
# the stand-in sudo sets for the command it runs: uid 0 from then on.

DPKG_QUERY = r"""
S=@STATE@
printf 'dpkg-query %s\n' "$*" >>"$S/calls.log"
fmt='${Package}\t${Status}\n' pkgs=()
while [ $# -gt 0 ]; do
  case $1 in
    -W|--show) ;;
    -f|--showformat) fmt=$2; shift ;;
    -f=*|--showformat=*) fmt=${1#*=} ;;
    -*) echo "dpkg-query stand-in: unexpected option $1" >&2; exit 2 ;;
    *) pkgs+=("$1") ;;
  esac
  shift
done
rc=0
for p in "${pkgs[@]}"; do
  if grep -qxF -- "$p" "$S/installed"; then
    line=${fmt//'${Package}'/$p}
    line=${line//'${db:Status-Status}'/installed}
    line=${line//'${Status}'/install ok installed}
    line=${line//'${Version}'/1.0-1}
    printf '%b' "$line"
  else
    # What dpkg-query does for a package it has never heard of: a fresh
    # machine's normal case.
    echo "dpkg-query: no packages found matching $p" >&2
    rc=1
  fi
done
exit $rc
"""

APT_GET = r"""
S=@STATE@
uid=$(cat "$S/uid"); [ "${STANDIN_SUDO:-0}" != 1 ] || uid=0
log="tool=apt-get uid=$uid sudo=${STANDIN_SUDO:-0} frontend=${DEBIAN_FRONTEND:-} cwd=$PWD"
for a in "$@"; do log+=$'\t'$a; done
printf '%s\n' "$log" >>"$S/apt.log"
arch=amd64 sub= pkgs=() opt=no
for a in "$@"; do
  if [ $opt = yes ]; then
    opt=no
    [ "$a" != APT::Architecture=arm64 ] || arch=arm64
    case $a in Dir::Etc::SourceList=*) grep -q bookworm-backports "${a#*=}" && arch=backports ;; esac
    continue
  fi
  case $a in
    -o) opt=yes ;;
    -*) ;;
    *) if [ -z "$sub" ]; then sub=$a; else pkgs+=("$a"); fi ;;
  esac
done
fails() { [ -e "$S/fail-$1" ]; }
case $sub in
  update)
    if fails "update-$arch"; then
      echo "Err:1 http://deb.debian.org/debian bookworm InRelease"
      echo "  Temporary failure resolving 'deb.debian.org'"
      echo "W: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease (stand-in)" >&2
      exit 100
    fi
    if [ $arch = amd64 ] && [ "$uid" != 0 ]; then
      echo "E: Could not open lock file /var/lib/apt/lists/lock - open (13: Permission denied)" >&2
      exit 100
    fi
    echo "Reading package lists... Done (stand-in, $arch)"
    ;;
  install)
    if [ "$uid" != 0 ]; then
      echo "E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)" >&2
      exit 100
    fi
    if fails install; then
      echo "E: Unable to locate package ${pkgs[0]} (stand-in)" >&2
      exit 100
    fi
    fails install-noop && exit 0
    for p in "${pkgs[@]}"; do
      grep -qxF -- "$p" "$S/installed" || printf '%s\n' "$p" >>"$S/installed"
      echo "Setting up $p (1.0-1) ... (stand-in)"
    done
    ;;
  download)
    for p in "${pkgs[@]}"; do
      if fails "download-$p"; then
        echo "E: Failed to fetch http://deb.debian.org/debian/pool/main/${p}_arm64.deb  Temporary failure resolving 'deb.debian.org' (stand-in)" >&2
        exit 100
      fi
      v=1.0-1 a=$arch
      case $p in linux-image-*) v=@KVER@ ;; esac
      if [ $arch = backports ]; then
        case $p in qemu-system-*) v=@QVER@ ;; *) echo "E: Unable to locate package $p (stand-in)" >&2; exit 100 ;; esac
        a=amd64; [ $p != qemu-system-data ] || a=all
      fi
      printf 'stand-in deb %s %s\n' "$p" "$v" >"${p}_${v//:/%3a}_$a.deb"
      echo "Get:1 http://deb.debian.org/debian bookworm/main $arch $p $arch $v (stand-in)"
    done
    ;;
  *) echo "apt-get stand-in: unexpected command '$sub'" >&2; exit 2 ;;
esac
"""

APT_CACHE = r"""
S=@STATE@
log="tool=apt-cache uid=$(cat "$S/uid") sudo=${STANDIN_SUDO:-0} frontend= cwd=$PWD"
for a in "$@"; do log+=$'\t'$a; done
printf '%s\n' "$log" >>"$S/apt.log"
sub= pattern= opt=no
for a in "$@"; do
  if [ $opt = yes ]; then opt=no; continue; fi
  case $a in
    -o) opt=yes ;;
    -*) ;;
    *) if [ -z "$sub" ]; then sub=$a; else pattern=$a; fi ;;
  esac
done
[ "$sub" = search ] || { echo "apt-cache stand-in: unexpected command '$sub'" >&2; exit 2; }
if [ -e "$S/fail-search" ]; then
  echo "E: The package cache file is corrupted (stand-in)" >&2
  exit 100
fi
while IFS= read -r line; do
  if grep -qE -- "$pattern" <<<"${line%% - *}"; then printf '%s\n' "$line"; fi
done <<'LIST'
linux-image-6.1.0-9-cloud-arm64-unsigned - Linux 6.1 for arm64 cloud (unsigned)
linux-image-6.1.0-99-cloud-arm64-unsigned - Linux 6.1 for arm64 cloud (unsigned)
linux-image-6.1.0-98-cloud-arm64-unsigned - Linux 6.1 for arm64 cloud (unsigned)
linux-image-6.1.0-99-cloud-arm64-dbg - Debug symbols for linux-image-6.1.0-99-cloud-arm64
linux-image-cloud-arm64 - Linux for arm64 cloud (meta-package)
LIST
"""

DPKG_DEB = r"""
S=@STATE@
printf 'dpkg-deb %s\n' "$*" >>"$S/calls.log"
deb=$2 base=${2##*/}
pkg=${base%%_*} ver=${base#*_}; ver=${ver%_*}; ver=${ver//%3a/:}
read -r a b p v <"$deb" 2>/dev/null && [ "$a $b $p $v" = "stand-in deb $pkg $ver" ] \
  || { echo "dpkg-deb: error: '$deb' is not a Debian format archive (stand-in)" >&2; exit 2; }
case $1 in
  -x)
    dest=$3
    case $pkg in
      libfdt-dev)
        mkdir -p "$dest/usr/lib/aarch64-linux-gnu" "$dest/usr/include"
        printf '!<arch>\n' >"$dest/usr/lib/aarch64-linux-gnu/libfdt.a"
        : >"$dest/usr/include/libfdt.h" ;;
      linux-image-*)
        k=${pkg#linux-image-}; k=$dest/boot/vmlinuz-${k%-unsigned}
        mkdir -p "$dest/boot"
        { head -c 56 /dev/zero; printf 'ARMd'; head -c 4032 /dev/zero; } >"$k"
        if [ -e "$S/kernel-gzip" ]; then gzip -n "$k" && mv "$k.gz" "$k"; fi ;;
      busybox-static)
        mkdir -p "$dest/bin"
        printf '#!/bin/sh\n' >"$dest/bin/busybox"
        chmod 755 "$dest/bin/busybox" ;;
      qemu-system-arm)
        mkdir -p "$dest/usr/bin"
        printf '#!/bin/sh\necho "QEMU emulator version 10.0.2 (stand-in) $*"\necho "module dir $QEMU_MODULE_DIR"\n' \
          >"$dest/usr/bin/qemu-system-aarch64"
        [ -e "$S/qemu-7" ] && sed -i 's/version 10.0.2/version 7.2.22/' "$dest/usr/bin/qemu-system-aarch64"
        chmod 755 "$dest/usr/bin/qemu-system-aarch64" ;;
      qemu-system-common)
        mkdir -p "$dest/usr/lib/x86_64-linux-gnu/qemu"
        : >"$dest/usr/lib/x86_64-linux-gnu/qemu/audio-alsa.so" ;;
      qemu-system-data)
        mkdir -p "$dest/usr/share/qemu"
        : >"$dest/usr/share/qemu/efi-virtio.rom" ;;
      *) echo "dpkg-deb stand-in: no contents for $pkg" >&2; exit 2 ;;
    esac ;;
  --fsys-tarfile)
    case $pkg in
      linux-image-*-arm64-unsigned)
        t=$(mktemp -d) k=${pkg#linux-image-}; k=${k%-unsigned}
        mkdir -p "$t/usr/lib/linux-image-$k/broadcom" "$t/usr/lib/linux-image-$k/xilinx"
        printf 'dtb\n' >"$t/usr/lib/linux-image-$k/broadcom/bcm2711-rpi-4-b.dtb"
        printf 'dtb\n' >"$t/usr/lib/linux-image-$k/xilinx/zynqmp-zcu102-rev1.0.dtb"
        tar -c -C "$t" ./usr; rm -rf "$t" ;;
      *) echo "dpkg-deb stand-in: no tar stream for $pkg" >&2; exit 2 ;;
    esac ;;
  -f)
    case $3 in
      Version) printf '%s\n' "$ver" ;;
      Package) printf '%s\n' "$pkg" ;;
      *) echo "dpkg-deb stand-in: unexpected field $3" >&2; exit 2 ;;
    esac ;;
  *) echo "dpkg-deb stand-in: unexpected option $1" >&2; exit 2 ;;
esac
"""

ID = r"""
S=@STATE@
if [ "$*" = -u ]; then
  if [ "${STANDIN_SUDO:-0}" = 1 ]; then echo 0; else cat "$S/uid"; fi
else
  exec @ID@ "$@"
fi
"""

# sudo that runs its command (after `-n true`, the non-interactive probe).
SUDO = r"""
S=@STATE@
printf 'sudo %s\n' "$*" >>"$S/calls.log"
while [ $# -gt 0 ]; do case $1 in -n|-E|-H) shift ;; *) break ;; esac; done
export STANDIN_SUDO=1
exec "$@"
"""

# sudo that wants a password it cannot ask for: stdin is no terminal.
SUDO_PASSWORD = r"""
S=@STATE@
printf 'sudo %s\n' "$*" >>"$S/calls.log"
echo "sudo: a password is required" >&2
exit 1
"""


def parse_packages(script):
    """setup's host packages as [(name, proof)], in table order."""
    with open(script) as f:
        text = f.read()
    table = re.findall(r'^\s*"([a-z0-9][a-z0-9.+-]*)\|([^|"]*)\|[^"]*"\s*$', text, re.M)
    if not table:
        # The table's earlier form, `name:proof` words, so that the test can
        # be pointed at an older setup (issue 10: it must fail there).
        m = re.search(r"^PACKAGES=\((.*?)^\)", text, re.M | re.S)
        words = re.sub(r"#.*", "", m.group(1)).split() if m else []
        table = [tuple(w.split(":", 1)) for w in words if ":" in w]
    return table


class Machine:
    """A temporary directory with the stand-ins, tools, state, HOME and cache."""

    def __init__(self, top, name, packages, installed, uid=0, sudo=None, fails=(),
                 flags=()):
        self.dir = os.path.join(top, name)
        self.bin = os.path.join(self.dir, "stand-ins")
        self.tools = os.path.join(self.dir, "tools")
        self.state = os.path.join(self.dir, "state")
        self.home = os.path.join(self.dir, "home")
        self.cache = os.path.join(self.dir, "cache")
        self.work = os.path.join(self.dir, "work")
        for d in (self.bin, self.tools, self.state, self.home, self.work):
            os.makedirs(d)
        scripts = {"dpkg-query": DPKG_QUERY, "apt-get": APT_GET, "apt-cache": APT_CACHE,
                   "dpkg-deb": DPKG_DEB, "id": ID}
        if sudo == "works":
            scripts["sudo"] = SUDO
        elif sudo == "password":
            scripts["sudo"] = SUDO_PASSWORD
        for name, body in scripts.items():
            body = (body.replace("@STATE@", shquote(self.state))
                    .replace("@ID@", shquote(REAL["id"])).replace("@KVER@", KERNEL_VERSION).replace("@QVER@", QEMU10_VERSION))
            write_exec(os.path.join(self.bin, name), "#!%s\n%s" % (REAL["bash"], body.lstrip()))
        for name, path in REAL.items():
            if name != "id":
                os.symlink(path, os.path.join(self.tools, name))
        for _, proof in packages:
            if proof and not proof.startswith("/") and proof not in scripts \
                    and not os.path.exists(os.path.join(self.tools, proof)):
                write_exec(os.path.join(self.tools, proof), "#!/bin/sh\nexit 0\n")
        self.set_state("installed", "".join(p + "\n" for p in installed))
        self.set_state("uid", "%d\n" % uid)
        for f in fails:
            self.set_state("fail-" + f, "")
        for f in flags:
            self.set_state(f, "")

    def set_state(self, name, text):
        with open(os.path.join(self.state, name), "w") as f:
            f.write(text)

    def env(self):
        return {"PATH": self.bin + ":" + self.tools, "HOME": self.home,
                "LIBHYP_CACHE": self.cache, "LC_ALL": "C"}

    def run(self, argv, env=None, timeout=60):
        """Runs argv here; returns a Result, with the apt calls since the last run."""
        log = os.path.join(self.state, "apt.log")
        other_log = os.path.join(self.state, "calls.log")
        for f in (log, other_log):
            if os.path.exists(f):
                os.remove(f)
        try:
            p = subprocess.run(argv, cwd=self.work, env=env or self.env(),
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=timeout)
            rc, out, err = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            rc, out, err = "timeout", e.stdout or b"", (e.stderr or b"") + b"\n(timed out)"
        calls, others = [], []
        if os.path.exists(log):
            with open(log) as f:
                calls = [AptCall(line.rstrip("\n")) for line in f]
        if os.path.exists(other_log):
            with open(other_log) as f:
                others = f.read().splitlines()
        return Result(argv, rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                      calls, others)

    def installed(self):
        with open(os.path.join(self.state, "installed")) as f:
            return f.read().split()


class AptCall:
    def __init__(self, line):
        head, *self.args = line.split("\t")
        self.info = dict(kv.split("=", 1) for kv in head.split(" "))
        self.tool = self.info["tool"]
        self.arm64 = "APT::Architecture=arm64" in self.args
        # bookworm-backports, through a private sources list (QEMU 10)
        self.backports = any(a.startswith("Dir::Etc::SourceList=") for a in self.args)
        words, skip = [], False
        for a in self.args:
            if skip:
                skip = False
            elif a == "-o":
                skip = True
            elif not a.startswith("-"):
                words.append(a)
        self.command = words[0] if words else ""
        self.operands = words[1:]

    def is_(self, tool, command, arm64, backports=False):
        return (self.tool == tool and self.command == command and self.arm64 == arm64
                and self.backports == backports)

    def __str__(self):
        return "%s (uid %s, sudo %s): %s" % (self.tool, self.info["uid"], self.info["sudo"],
                                             " ".join(self.args))


class Result:
    def __init__(self, argv, rc, out, err, calls, others):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err
        self.calls = calls    # apt-get and apt-cache, as AptCall
        self.others = others  # "dpkg-query ...", "dpkg-deb ...", "sudo ..." lines

    def find(self, tool, command, arm64=False, backports=False):
        return [c for c in self.calls if c.is_(tool, command, arm64, backports)]

    def last_err_line(self):
        lines = [l for l in self.err.splitlines() if l.strip()]
        return lines[-1] if lines else ""

    def dump(self):
        text = "$ %s\n  exit status: %s\n" % (" ".join(self.argv), self.rc)
        for name, s in (("stdout", self.out), ("stderr", self.err)):
            text += "  %s:\n%s" % (name, "".join("    | %s\n" % l for l in s.splitlines()))
        text += "  apt calls:\n" + "".join("    %s\n" % c for c in self.calls)
        text += "  other stand-in calls:\n" + "".join("    %s\n" % c for c in self.others)
        return text


class Case:
    def __init__(self, name):
        self.name, self.failures, self.results = name, [], []

    def check(self, ok, why):
        if not ok:
            self.failures.append(why)
        return ok

    def ran(self, r):
        self.results.append(r)
        self.check("command not found" not in r.err,
                   "a command was not found (a tool missing from the test's PATH?)")
        return r


def shquote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def write_exec(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)


REAL = {}


# --- checks shared by the cases ----------------------------------------------

def check_success(c, m, r):
    c.check(r.rc == 0, "setup exited %s, expected 0" % r.rc)
    lines = r.out.splitlines()
    c.check(lines and "ready" in lines[-1], "stdout's last line does not say 'ready'")
    c.check("error" not in r.err, "stderr mentions an error")
    c.check("command failed" not in r.err, "the ERR trap fired")


def check_cache(c, m):
    """What a successful setup leaves in LIBHYP_CACHE from the stand-ins' debs."""
    cache = m.cache
    c.check(os.path.isfile(os.path.join(cache, "sysroot/usr/lib/aarch64-linux-gnu/libfdt.a")),
            "no sysroot/usr/lib/aarch64-linux-gnu/libfdt.a in the cache")
    image = os.path.join(cache, "linux/Image")
    if c.check(os.path.isfile(image), "no linux/Image in the cache"):
        with open(image, "rb") as f:
            c.check(f.read(60)[56:60] == b"ARMd", "linux/Image has no ARMd magic at offset 56")
    pkg = os.path.join(cache, "linux/.package")
    if c.check(os.path.isfile(pkg), "no linux/.package in the cache"):
        with open(pkg) as f:
            got = f.read().strip()
        c.check(got == "%s %s" % (KERNEL, KERNEL_VERSION),
                "linux/.package says %r, expected the newest kernel %s %s"
                % (got, KERNEL, KERNEL_VERSION))
    bb = os.path.join(cache, "busybox/bin/busybox")
    c.check(os.path.isfile(bb) and os.access(bb, os.X_OK),
            "no executable busybox/bin/busybox in the cache")
    debs = sorted(os.listdir(os.path.join(cache, "debs"))) if os.path.isdir(
        os.path.join(cache, "debs")) else []
    for p in ARM64:
        c.check(any(d.startswith(p + "_") and d.endswith("_arm64.deb") for d in debs),
                "no %s_*_arm64.deb in the cache's debs/ (it has: %s)" % (p, " ".join(debs)))
    check_qemu10(c, m)


def check_qemu10(c, m):
    """QEMU 10's wrapper runs the unpacked binary with its own module dir."""
    for dtb in ("broadcom/bcm2711-rpi-4-b.dtb", "xilinx/zynqmp-zcu102-rev1.0.dtb"):
        c.check(os.path.isfile(os.path.join(m.cache, "dtbs", dtb)),
                "no dtbs/%s taken out of %s" % (dtb, GENERIC_KERNEL))
    q = os.path.join(m.cache, "qemu10/bin/qemu-system-aarch64")
    if not c.check(os.access(q, os.X_OK), "no executable qemu10/bin/qemu-system-aarch64"):
        return
    p = subprocess.run([q, "-M", "virt"], capture_output=True, text=True, env=m.env())
    c.check("version 10.0.2 (stand-in)" in p.stdout,
            "the wrapper does not run the unpacked QEMU: %r" % p.stdout)
    c.check("-audio none" in p.stdout and "-L %s/qemu10/root/usr/share/qemu" % m.cache in p.stdout,
            "the wrapper does not pass -audio none and its own -L: %r" % p.stdout)
    c.check("module dir %s/qemu10/root/usr/lib/" % m.cache in p.stdout,
            "the wrapper does not set QEMU_MODULE_DIR to the unpacked modules: %r" % p.stdout)
    pkgs = os.path.join(m.cache, "qemu10/.packages")
    if c.check(os.path.isfile(pkgs), "no qemu10/.packages"):
        with open(pkgs) as f:
            got = f.read().split("\n")
        c.check(got[0] == "qemu-system-arm %s" % QEMU10_VERSION,
                "qemu10/.packages starts %r, expected qemu-system-arm %s" % (got[0], QEMU10_VERSION))


def check_arm64_calls(c, m, r):
    """The arm64 lists fetched once, each package downloaded into the cache,
    through apt options that keep the system's apt state untouched."""
    ups = r.find("apt-get", "update", arm64=True)
    c.check(len(ups) == 1, "%d arm64 apt-get updates, expected 1" % len(ups))
    got = [p for d in r.find("apt-get", "download", arm64=True) for p in d.operands]
    c.check(got == ARM64, "arm64 downloads %s, expected %s" % (got, ARM64))
    for call in r.calls:
        if call.arm64:
            c.check("Dir::State::Lists=%s/lists" % m.cache in call.args
                    and "Dir::Cache=%s/apt-cache" % m.cache in call.args,
                    "arm64 call does not keep apt's state in the cache: %s" % call)
            c.check(call.info["sudo"] == "0", "arm64 call through sudo: %s" % call)
        if call.command == "download":
            c.check(call.info["cwd"] == os.path.join(m.cache, "debs"),
                    "download not run in the cache's debs/: %s" % call)
    c.check(len(r.find("apt-cache", "search", arm64=True)) == 1,
            "expected one arm64 apt-cache search for the kernel")
    check_backports_calls(c, m, r)


def check_backports_calls(c, m, r):
    """bookworm-backports' lists fetched once and QEMU 10 downloaded, all
    through a private sources list and apt state in the cache."""
    ups = r.find("apt-get", "update", backports=True)
    c.check(len(ups) == 1, "%d backports apt-get updates, expected 1" % len(ups))
    got = [p for d in r.find("apt-get", "download", backports=True) for p in d.operands]
    c.check(got == QEMU10, "backports downloads %s, expected %s" % (got, QEMU10))
    apt = os.path.join(m.cache, "backports")
    for call in r.calls:
        if call.backports:
            for opt in ("Dir::Etc::SourceList=%s/sources.list" % apt,
                        "Dir::Etc::SourceParts=%s/sources.list.d" % apt,
                        "Dir::State::Lists=%s/lists" % apt, "Dir::Cache=%s/apt-cache" % apt):
                c.check(opt in call.args, "backports call without %s: %s" % (opt, call))
            c.check(call.info["sudo"] == "0", "backports call through sudo: %s" % call)
            c.check(not call.arm64, "backports call for arm64: %s" % call)


def check_refusal(c, m, r, missing, sudo=False):
    """A non-zero exit whose last stderr line names the missing packages and
    the command that installs them, with nothing saying 'ready'."""
    c.check(r.rc not in (0, "timeout"), "setup exited %s, expected a failure" % r.rc)
    last = r.last_err_line()
    for p in missing:
        c.check(re.search(r"(^|[\s:,])%s([\s,.;]|$)" % re.escape(p), last),
                "stderr's last line does not name %s: %r" % (p, last))
    cmd = ("sudo " if sudo else "") + "apt-get install " + " ".join(missing)
    c.check(cmd in last, "stderr's last line does not give the command %r: %r" % (cmd, last))
    c.check("ready" not in r.out + r.err, "setup said 'ready'")
    c.check(not any(call.arm64 or call.backports for call in r.calls),
            "arm64 or backports calls after the failure")
    c.check("command failed" not in r.err,
            "the ERR trap spoke instead of (or besides) the message")


# --- the cases -----------------------------------------------------------------

def case_root_some_missing(c, mk, setup):
    m = mk(installed=[n for n, _ in mk.packages if n not in SOME_MISSING])
    r = c.ran(m.run([setup]))
    check_success(c, m, r)
    host = [x for x in r.calls if not x.arm64 and not x.backports]
    c.check([x.command for x in host] == ["update", "install"],
            "host apt calls %s, expected update then install" % [str(x) for x in host])
    inst = r.find("apt-get", "install")
    if inst:
        c.check(inst[0].operands == SOME_MISSING,
                "apt-get install %s, expected exactly %s" % (inst[0].operands, SOME_MISSING))
        c.check(inst[0].info["frontend"] == "noninteractive",
                "apt-get install without DEBIAN_FRONTEND=noninteractive")
        c.check("-y" in inst[0].args, "apt-get install without -y")
    for p in SOME_MISSING:
        c.check(re.search(r"^\s+%s\s+\S" % re.escape(p), r.out, re.M),
                "stdout does not list %s with a reason" % p)
    c.check(sorted(m.installed()) == sorted(n for n, _ in mk.packages),
            "not every package is installed afterwards")
    check_arm64_calls(c, m, r)
    check_cache(c, m)
    # Again, with the network gone: nothing to fetch, no apt call at all.
    for f in ["update-amd64", "update-arm64", "update-backports", "install", "search"] + \
             ["download-" + p for p in ARM64 + QEMU10]:
        m.set_state("fail-" + f, "")
    r = c.ran(m.run([setup]))
    check_success(c, m, r)
    c.check(not r.calls, "the second run called apt: %s" % "; ".join(map(str, r.calls)))
    c.check("all %d installed" % len(mk.packages) in r.out,
            "the second run does not say all %d host packages are installed" % len(mk.packages))
    c.check(r.out.count("cached") >= 3, "the second run does not report the arm64 cache")
    # The kernel unpacked again from the .deb already downloaded, still offline.
    shutil.rmtree(os.path.join(m.cache, "linux"))
    r = c.ran(m.run([setup]))
    check_success(c, m, r)
    c.check(not r.calls, "re-unpacking the kernel called apt: %s" % "; ".join(map(str, r.calls)))
    check_cache(c, m)


def case_root_all_installed(c, mk, setup):
    m = mk(installed=[n for n, _ in mk.packages])
    r = c.ran(m.run([setup]))
    check_success(c, m, r)
    c.check(not r.find("apt-get", "install"), "apt-get install called")
    c.check(not r.find("apt-get", "update"), "host apt-get update called")
    check_arm64_calls(c, m, r)
    check_cache(c, m)


def case_install_fails(c, mk, setup):
    m = mk(installed=[n for n, _ in mk.packages if n not in SOME_MISSING], fails=["install"])
    r = c.ran(m.run([setup]))
    c.check(len(r.find("apt-get", "install")) == 1, "expected one apt-get install")
    check_refusal(c, m, r, SOME_MISSING)


def case_update_fails(c, mk, setup):
    m = mk(installed=[n for n, _ in mk.packages if n not in SOME_MISSING],
           fails=["update-amd64"])
    r = c.ran(m.run([setup]))
    c.check(len(r.find("apt-get", "update")) == 1, "expected one host apt-get update")
    c.check(not r.find("apt-get", "install"), "apt-get install ran after update failed")
    check_refusal(c, m, r, SOME_MISSING)


def case_not_root_no_sudo(c, mk, setup):
    m = mk(installed=[n for n, _ in mk.packages if n not in SOME_MISSING], uid=1000)
    r = c.ran(m.run([setup]))
    c.check(not r.calls, "apt called: %s" % "; ".join(map(str, r.calls)))
    check_refusal(c, m, r, SOME_MISSING)
    lines = [l for l in r.err.splitlines() if l.strip()]
    c.check(len(lines) == 1, "stderr has %d lines, expected one" % len(lines))


def case_not_root_sudo_password(c, mk, setup):
    m = mk(installed=[n for n, _ in mk.packages if n not in SOME_MISSING], uid=1000,
           sudo="password")
    r = c.ran(m.run([setup]))
    c.check(not r.calls, "apt called: %s" % "; ".join(map(str, r.calls)))
    c.check("sudo -n true" in r.others, "setup did not ask sudo non-interactively first")
    check_refusal(c, m, r, SOME_MISSING)


def case_not_root_sudo(c, mk, setup):
    m = mk(installed=[n for n, _ in mk.packages if n not in SOME_MISSING], uid=1000,
           sudo="works")
    r = c.ran(m.run([setup]))
    check_success(c, m, r)
    host = [x for x in r.calls if not x.arm64 and not x.backports]
    c.check([x.command for x in host] == ["update", "install"],
            "host apt calls %s, expected update then install" % [str(x) for x in host])
    c.check(all(x.info["sudo"] == "1" for x in host), "host apt calls not through sudo")
    c.check(r.others.count("sudo -n true") == 1, "setup did not probe sudo -n true once")
    inst = r.find("apt-get", "install")
    c.check(inst and inst[0].operands == SOME_MISSING,
            "apt-get install %s, expected %s" % (inst and inst[0].operands, SOME_MISSING))
    c.check("sudo apt-get install " + " ".join(SOME_MISSING) in r.out,
            "stdout does not show the sudo command")
    check_arm64_calls(c, m, r)
    check_cache(c, m)


def case_install_noop(c, mk, setup):
    m = mk(installed=[n for n, _ in mk.packages if n not in SOME_MISSING],
           fails=["install-noop"])
    r = c.ran(m.run([setup]))
    check_refusal(c, m, r, SOME_MISSING)
    c.check("still not installed" in r.last_err_line(),
            "stderr's last line does not say the packages are still not installed")


def case_proof_missing(c, mk, setup):
    name, proof = next((n, p) for n, p in mk.packages if p and not p.startswith("/")
                       and p not in STAND_INS)
    m = mk(installed=[n for n, _ in mk.packages])
    os.remove(os.path.join(m.tools, proof))
    r = c.ran(m.run([setup]))
    c.check(r.rc not in (0, "timeout"), "setup exited %s, expected a failure" % r.rc)
    last = r.last_err_line()
    c.check(proof in last and name in last,
            "stderr's last line names neither %s nor %s: %r" % (proof, name, last))
    c.check("ready" not in r.out, "setup said 'ready'")


def arm64_failure(c, mk, setup, fails, says, flags=()):
    m = mk(installed=[n for n, _ in mk.packages], fails=fails, flags=flags)
    r = c.ran(m.run([setup]))
    r.cache = m.cache
    c.check(r.rc not in (0, "timeout"), "setup exited %s, expected a failure" % r.rc)
    last = r.last_err_line()
    c.check(says in last, "stderr's last line does not say %r: %r" % (says, last))
    c.check("(stand-in)" in r.err, "apt's (or QEMU's) own message is not on stderr")
    c.check("ready" not in r.out, "setup said 'ready'")
    return r


def case_download_fails(c, mk, setup):
    arm64_failure(c, mk, setup, ["download-busybox-static"], "busybox-static")


def case_kernel_download_fails(c, mk, setup):
    arm64_failure(c, mk, setup, ["download-" + KERNEL], KERNEL)


def case_arm64_update_fails(c, mk, setup):
    r = arm64_failure(c, mk, setup, ["update-arm64"], "apt-get update for arm64 failed")
    c.check(not r.find("apt-get", "download", arm64=True), "downloads after the update failed")


def case_backports_update_fails(c, mk, setup):
    r = arm64_failure(c, mk, setup, ["update-backports"],
                      "apt-get update for bookworm-backports failed")
    c.check(not r.find("apt-get", "download", backports=True), "downloads after the update failed")
    c.check(not os.path.exists(os.path.join(r.cache, "qemu10/bin")), "a qemu10/bin was left")


def case_qemu10_download_fails(c, mk, setup):
    arm64_failure(c, mk, setup, ["download-qemu-system-arm"], "qemu-system-arm")


def case_qemu10_too_old(c, mk, setup):
    arm64_failure(c, mk, setup, [], "does not report QEMU 10", flags=["qemu-7"])


def case_qemu10_offline(c, mk, setup):
    """Downloaded once; with the unpacked tree gone, unpacked again offline."""
    m = mk(installed=[n for n, _ in mk.packages])
    check_success(c, m, c.ran(m.run([setup])))
    for f in ["update-backports"] + ["download-" + p for p in QEMU10]:
        m.set_state("fail-" + f, "")
    shutil.rmtree(os.path.join(m.cache, "qemu10"))
    r = c.ran(m.run([setup]))
    check_success(c, m, r)
    c.check(not r.calls, "unpacking QEMU 10 again called apt: %s" % "; ".join(map(str, r.calls)))
    check_qemu10(c, m)


def case_search_fails(c, mk, setup):
    # Not a case setup handles by name: the ERR trap must still say what failed.
    m = mk(installed=[n for n, _ in mk.packages], fails=["search"])
    r = c.ran(m.run([setup]))
    c.check(r.rc not in (0, "timeout"), "setup exited %s, expected a failure" % r.rc)
    c.check(re.search(r"^setup: error: .*apt-cache", r.err, re.M),
            "no 'setup: error: ... apt-cache ...' line on stderr")
    c.check("ready" not in r.out, "setup said 'ready'")


def case_kernel_gzip(c, mk, setup):
    m = mk(installed=[n for n, _ in mk.packages], flags=["kernel-gzip"])
    r = c.ran(m.run([setup]))
    check_success(c, m, r)
    check_cache(c, m)


def case_err_trap(c, mk, root):
    """A failing command in a script on common.sh: one line naming it, exit 1."""
    m = mk(installed=[])
    snippet = (". %s; libhyp_script snippet\n"
               "x=$(false)\n"
               "echo unreachable\n") % shquote(os.path.join(root, "scripts/lib/common.sh"))
    r = c.ran(m.run([REAL["bash"], "-c", snippet]))
    c.check(r.rc == 1, "exit status %s, expected 1" % r.rc)
    c.check("unreachable" not in r.out, "the snippet went on after the failure")
    lines = [l for l in r.err.splitlines() if l.strip()]
    c.check(lines == ["snippet: error: command failed with status 1 at line 2: x=$(false)"],
            "stderr %r, expected the one 'command failed' line" % lines)


def case_mkinitramfs_no_busybox(c, mk, root):
    m = mk(installed=[])
    env = dict(m.env(), LIBHYP_BUSYBOX=os.path.join(m.dir, "no-such-busybox"))
    r = c.ran(m.run([os.path.join(root, "scripts/mkinitramfs"),
                     os.path.join(m.work, "initramfs.cpio.gz")], env=env))
    c.check(r.rc not in (0, "timeout"), "exit status %s, expected a failure" % r.rc)
    c.check(re.search(r"^mkinitramfs: error: .*no-such-busybox", r.last_err_line()),
            "stderr's last line does not name the missing busybox: %r" % r.last_err_line())


def case_mkinitramfs_unwritable(c, mk, root):
    m = mk(installed=[])
    busybox = os.path.join(m.work, "busybox")
    write_exec(busybox, "#!/bin/sh\n")
    blocker = os.path.join(m.work, "a-file")
    write_exec(blocker, "")
    env = dict(m.env(), LIBHYP_BUSYBOX=busybox)
    r = c.ran(m.run([os.path.join(root, "scripts/mkinitramfs"),
                     os.path.join(blocker, "sub", "initramfs.cpio.gz")], env=env))
    c.check(r.rc not in (0, "timeout"), "exit status %s, expected a failure" % r.rc)
    c.check(re.search(r"^mkinitramfs: error: ", r.last_err_line()),
            "stderr's last line is no 'mkinitramfs: error:' line: %r" % r.last_err_line())


def case_readme_commands(c, mk, root):
    """scripts/test and scripts/demo run setup first: where it cannot install,
    its line naming the packages and the command is their last word."""
    for script in ("test", "demo"):
        m = mk(installed=[n for n, _ in mk.packages if n not in SOME_MISSING], uid=1000)
        env = dict(m.env(), LIBHYP_BUILD_DIR=os.path.join(m.dir, "build"))
        r = c.ran(m.run([os.path.join(root, "scripts", script)], env=env))
        c.check(r.rc not in (0, "timeout"), "scripts/%s exited %s, expected a failure"
                % (script, r.rc))
        last = r.last_err_line()
        c.check(last.startswith("setup: error: ") and
                "apt-get install " + " ".join(SOME_MISSING) in last,
                "scripts/%s: stderr's last line is not setup's: %r" % (script, last))
        c.check("configuring" not in r.out, "scripts/%s went on to configure" % script)


def case_run_no_build(c, mk, root):
    m = mk(installed=[])
    kernel = os.path.join(m.work, "Image")
    write_exec(kernel, "")
    env = dict(m.env(), LIBHYP_BUILD_DIR=os.path.join(m.dir, "no-build"))
    r = c.ran(m.run([os.path.join(root, "scripts/run"), "thin-monitor", "--no-build",
                     "--kernel", kernel], env=env))
    c.check(r.rc not in (0, "timeout"), "exit status %s, expected a failure" % r.rc)
    last = r.last_err_line()
    c.check(re.search(r"^run: error: no image for 'thin-monitor'.*none built", last),
            "stderr's last line does not say there is no image: %r" % last)


SETUP_CASES = [
    ("root, 3 packages missing: update, install exactly those, download; "
     "a second run is offline", case_root_some_missing),
    ("root, everything installed: no apt-get install", case_root_all_installed),
    ("apt-get install fails: one line with the packages and the command", case_install_fails),
    ("apt-get update fails: one line with the packages and the command", case_update_fails),
    ("not root, no sudo: no apt call, one line with the packages and the command",
     case_not_root_no_sudo),
    ("not root, sudo wants a password: no apt call, the packages and the command",
     case_not_root_sudo_password),
    ("not root, sudo works: install through sudo", case_not_root_sudo),
    ("apt-get install succeeds but installs nothing: named", case_install_noop),
    ("a package's command missing although installed: named", case_proof_missing),
    ("arm64 busybox-static download fails: named", case_download_fails),
    ("arm64 kernel download fails: named", case_kernel_download_fails),
    ("arm64 apt-get update fails: said", case_arm64_update_fails),
    ("apt-cache search fails: the ERR trap names it", case_search_fails),
    ("bookworm-backports apt-get update fails: said", case_backports_update_fails),
    ("QEMU 10 download fails: named", case_qemu10_download_fails),
    ("QEMU from backports older than 10: said", case_qemu10_too_old),
    ("QEMU 10 unpacked again from its .debs, offline", case_qemu10_offline),
    ("gzip'd vmlinuz: unpacked to a raw Image", case_kernel_gzip),
]
SCRIPT_CASES = [
    ("common.sh: a failing command in a script says so, once", case_err_trap),
    ("mkinitramfs without busybox: named", case_mkinitramfs_no_busybox),
    ("mkinitramfs into an unwritable place: an error line", case_mkinitramfs_unwritable),
    ("scripts/test and scripts/demo end with setup's line when it cannot install",
     case_readme_commands),
    ("scripts/run without a build: names the missing image", case_run_no_build),
]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", default=os.path.dirname(os.path.dirname(here)),
                   help="the source tree (scripts/lib, scripts/mkinitramfs)")
    p.add_argument("--setup", help="the setup script to test (default ROOT/scripts/setup)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print every run's output, not only failing ones'")
    a = p.parse_args()
    setup = os.path.abspath(a.setup or os.path.join(a.root, "scripts/setup"))

    for t in TOOLS + OPTIONAL_TOOLS + ["id"]:
        path = shutil.which(t)
        if path:
            REAL[t] = os.path.realpath(path) if t in ("true", "false") else path
        elif t not in OPTIONAL_TOOLS:
            sys.exit("test-setup: error: '%s' not found on PATH; the test links it for setup" % t)
    packages = parse_packages(setup)
    if not packages:
        sys.exit("test-setup: error: no PACKAGES table found in %s" % setup)
    names = [n for n, _ in packages]
    for n in SOME_MISSING:
        if n not in names:
            sys.exit("test-setup: error: %s is not in %s's PACKAGES; update SOME_MISSING" % (n, setup))
    for n, proof in packages:
        if proof.startswith("/") and not os.access(proof, os.R_OK):
            sys.exit("test-setup: error: %s (package %s) missing on this machine; the test needs "
                     "what the real scripts/setup installs: run it first" % (proof, n))

    top = tempfile.mkdtemp(prefix="libhyp-test-setup.")
    passed = failed = 0
    try:
        cases = [(d, f, setup) for d, f in SETUP_CASES] + \
                [(d, f, a.root) for d, f in SCRIPT_CASES]
        print("1..%d" % len(cases))
        for i, (desc, fn, arg) in enumerate(cases, 1):
            c = Case(desc)
            n = [0]

            def mk(**kw):
                n[0] += 1
                return Machine(top, "%02d-%s.%d" % (i, fn.__name__, n[0]), packages, **kw)
            mk.packages = packages
            try:
                fn(c, mk, arg)
            except Exception as e:  # a bug in the test, or in what it ran
                c.check(False, "%s: %s" % (type(e).__name__, e))
            if c.failures:
                failed += 1
                print("not ok %d - %s" % (i, desc))
                for why in c.failures:
                    print("#   %s" % why)
            else:
                passed += 1
                print("ok %d - %s" % (i, desc))
            if c.failures or a.verbose:
                for r in c.results:
                    print("".join("#   %s\n" % l for l in r.dump().splitlines()), end="")
            sys.stdout.flush()
    finally:
        if a.keep:
            print("# kept %s" % top)
        else:
            shutil.rmtree(top, ignore_errors=True)
    print("%d passed, %d failed (%s)" % (passed, failed, setup))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

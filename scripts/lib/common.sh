# SPDX-License-Identifier: BSD-2-Clause
#
# Sourced by every script under scripts/: strict mode that never ends a script
# in silence. `set -e` alone exits with a bare status when a command fails
# outside an `||` or `if`; the ERR trap below first names the command, its
# status and the line on stderr, so every non-zero exit says why.
#
#   . "$root/scripts/lib/common.sh"; libhyp_script NAME
#
# defines die MESSAGE (prints "NAME: error: MESSAGE" on stderr, exits 1) and
# say MESSAGE ("NAME: MESSAGE" on stdout).

libhyp_script() {
  LIBHYP_SCRIPT=$1
  set -Eeuo pipefail
  trap 'libhyp_on_err $? "$BASH_COMMAND" "$LINENO"' ERR
}

# Only the outermost shell reports: a failing command substitution fails its
# parent too, which then reports the assignment with the same status.
libhyp_on_err() {
  [ "${BASH_SUBSHELL:-0}" -eq 0 ] || return 0
  printf '%s: error: command failed with status %s at line %s: %s\n' \
    "$LIBHYP_SCRIPT" "$1" "$3" "$2" >&2
}

die() {
  printf '%s: error: %s\n' "$LIBHYP_SCRIPT" "$*" >&2
  exit 1
}

say() { printf '%s: %s\n' "$LIBHYP_SCRIPT" "$*"; }

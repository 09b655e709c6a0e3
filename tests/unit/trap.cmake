# SPDX-License-Identifier: BSD-2-Clause
#
# Trap decoder tests (libhyp/trap/), included from tests/unit/CMakeLists.txt.
libhyp_unit_test(trap SOURCES test_trap.c)

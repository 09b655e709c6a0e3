# SPDX-License-Identifier: BSD-2-Clause
#
# Virtual GICv3 tests (libhyp/vgic/), included from tests/unit/CMakeLists.txt.
libhyp_unit_test(vgic SOURCES test_vgic.c)

# SPDX-License-Identifier: BSD-2-Clause
#
# Virtual GIC tests (libhyp/vgic/), included from tests/unit/CMakeLists.txt.
libhyp_unit_test(vgic SOURCES test_vgic.c)
# The same model as a virtual GICv2 (distributor banking, ITARGETSR, GICD_SGIR).
libhyp_unit_test(vgic_v2 SOURCES test_vgic_v2.c)

# SPDX-License-Identifier: BSD-2-Clause
#
# Virtual PL011 tests (libhyp/uart/vpl011.c), included from
# tests/unit/CMakeLists.txt.
libhyp_unit_test(vpl011 SOURCES test_vpl011.c)
# Several VMs on one UART: line assembly and input focus (libhyp/uart/vconsole.c).
libhyp_unit_test(vconsole SOURCES test_vconsole.c)

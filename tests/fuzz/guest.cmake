# SPDX-License-Identifier: BSD-2-Clause
#
# Guest loading fuzzer (modules, kernel images, layout, guest DTB), included
# from tests/fuzz/CMakeLists.txt after libhyp_fuzzer() is defined. Seeded
# with the DTBs tests/unit/guest.cmake compiles.
libhyp_fuzzer(fuzz_guest SOURCES fuzz_guest.c
              CORPUS ${PROJECT_BINARY_DIR}/tests/unit/dts-guest DEPENDS guest_dtbs)

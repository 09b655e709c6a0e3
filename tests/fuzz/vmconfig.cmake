# SPDX-License-Identifier: BSD-2-Clause
#
# Partitioner configuration validator fuzzer, included from
# tests/fuzz/CMakeLists.txt after libhyp_fuzzer() is defined. Seeded with the
# configs tests/unit/vmconfig.cmake compiles (one valid, the rest refused).
libhyp_fuzzer(fuzz_config SOURCES fuzz_config.c
              CORPUS ${PROJECT_BINARY_DIR}/tests/unit/dts-config DEPENDS config_dtbs)

# SPDX-License-Identifier: BSD-2-Clause
#
# Monitor policy parser and event line formatter fuzzer, included from
# tests/fuzz/CMakeLists.txt after libhyp_fuzzer() is defined. Seeded with the
# good policies tests/unit/policy.cmake compiles.
libhyp_fuzzer(fuzz_policy SOURCES fuzz_policy.c
              CORPUS ${PROJECT_BINARY_DIR}/tests/unit/dts-policy DEPENDS policy_dtbs)

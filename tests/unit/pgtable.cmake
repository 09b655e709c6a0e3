# SPDX-License-Identifier: BSD-2-Clause
#
# Page-table tests (libhyp/pgtable, libhyp/mm), included from
# tests/unit/CMakeLists.txt:
#   unit.pgtable        hand-written cases and the randomized differential test
#                       (LIBHYP_SEED and LIBHYP_PGTABLE_OPS override seed and length)
#   coverage.pgtable    line and branch coverage of libhyp/pgtable with clang's
#                       source-based coverage; fails below 95 % of lines
libhyp_unit_test(pgtable SOURCES test_pgtable.c fake_arch.c)

add_test(NAME coverage.pgtable
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/coverage-pgtable ${PROJECT_BINARY_DIR}/coverage)
set_tests_properties(coverage.pgtable PROPERTIES LABELS coverage TIMEOUT 600)

# `cmake --build build --target coverage` prints the same report by hand.
add_custom_target(coverage
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/coverage-pgtable ${PROJECT_BINARY_DIR}/coverage
  USES_TERMINAL COMMENT "Coverage of libhyp/pgtable")

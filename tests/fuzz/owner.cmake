# SPDX-License-Identifier: BSD-2-Clause
#
# Memory-ownership fuzzer (libhyp/mm/owner.c), included from
# tests/fuzz/CMakeLists.txt after libhyp_fuzzer() is defined. Its inputs are
# operation sequences, so it starts from an empty corpus; each input runs up to
# 24 operations with a full check after each, hence fewer runs in ctest.
set(LIBHYP_OWNER_SEEDS ${CMAKE_CURRENT_BINARY_DIR}/fuzz_owner-seeds)
file(MAKE_DIRECTORY ${LIBHYP_OWNER_SEEDS})
libhyp_fuzzer(fuzz_owner SOURCES fuzz_owner.c ${PROJECT_SOURCE_DIR}/tests/unit/fake_arch.c
              CORPUS ${LIBHYP_OWNER_SEEDS} RUNS 20000)

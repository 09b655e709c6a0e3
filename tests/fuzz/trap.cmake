# SPDX-License-Identifier: BSD-2-Clause
#
# Trap decoder fuzzer, included from tests/fuzz/CMakeLists.txt (after
# libhyp_fuzzer() is defined). Inputs are raw syndrome/instruction words, so
# the seed corpus starts empty; libFuzzer grows it under the build tree.
set(fuzz_trap_corpus ${CMAKE_CURRENT_BINARY_DIR}/fuzz_trap-seeds)
file(MAKE_DIRECTORY ${fuzz_trap_corpus})
libhyp_fuzzer(fuzz_trap SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_trap.c
              CORPUS ${fuzz_trap_corpus})

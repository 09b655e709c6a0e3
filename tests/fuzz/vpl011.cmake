# SPDX-License-Identifier: BSD-2-Clause
#
# Virtual PL011 fuzzer, included from tests/fuzz/CMakeLists.txt (after
# libhyp_fuzzer() is defined). Inputs are opcode streams, so the seed corpus
# starts empty; libFuzzer grows it under the build tree.
set(fuzz_vpl011_corpus ${CMAKE_CURRENT_BINARY_DIR}/fuzz_vpl011-seeds)
file(MAKE_DIRECTORY ${fuzz_vpl011_corpus})
libhyp_fuzzer(fuzz_vpl011 SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_vpl011.c
              CORPUS ${fuzz_vpl011_corpus})

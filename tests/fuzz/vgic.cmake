# SPDX-License-Identifier: BSD-2-Clause
#
# Virtual GICv3 fuzzer, included from tests/fuzz/CMakeLists.txt (after
# libhyp_fuzzer() is defined). Inputs are operation streams, so the seed
# corpus starts empty; libFuzzer grows it under the build tree.
set(fuzz_vgic_corpus ${CMAKE_CURRENT_BINARY_DIR}/fuzz_vgic-seeds)
file(MAKE_DIRECTORY ${fuzz_vgic_corpus})
libhyp_fuzzer(fuzz_vgic SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_vgic.c
              CORPUS ${fuzz_vgic_corpus})

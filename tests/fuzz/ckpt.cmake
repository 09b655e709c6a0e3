# SPDX-License-Identifier: BSD-2-Clause
#
# Checkpoint parser fuzzer, included from tests/fuzz/CMakeLists.txt (after
# libhyp_fuzzer() is defined). Seeds: the sample checkpoints make_ckpt
# writes (tests/tools/checkpoint.cmake). Each input costs a SHA-256 over up
# to 8 KiB and a vGIC set-up, so the ctest run is kept to 50000 inputs.
libhyp_fuzzer(fuzz_ckpt SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_ckpt.c
              CORPUS ${PROJECT_BINARY_DIR}/tests/tools/ckpt DEPENDS ckpt_samples
              RUNS 50000)

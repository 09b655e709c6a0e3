# SPDX-License-Identifier: BSD-2-Clause
#
# From the host build, build (and install) this same source tree for the
# target with the aarch64 toolchain file, so that one `cmake --build` and one
# `ctest` cover both. Results:
#   LIBHYP_TARGET_BINARY_DIR   build tree (images under examples/, tests/images/)
#   LIBHYP_TARGET_INSTALL_DIR  `cmake --install` result (for out-of-tree tests)
include(ExternalProject)

set(LIBHYP_TARGET_BINARY_DIR ${PROJECT_BINARY_DIR}/target)
set(LIBHYP_TARGET_INSTALL_DIR ${PROJECT_BINARY_DIR}/target-install)
set(LIBHYP_TOOLCHAIN_FILE ${PROJECT_SOURCE_DIR}/cmake/aarch64-picolibc.cmake)

set(target_args
  -DCMAKE_TOOLCHAIN_FILE=${LIBHYP_TOOLCHAIN_FILE}
  -DCMAKE_INSTALL_PREFIX=${LIBHYP_TARGET_INSTALL_DIR}
  -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
  -DLIBHYP_MAX_CPUS=${LIBHYP_MAX_CPUS}
  -DLIBHYP_STACK_SIZE=${LIBHYP_STACK_SIZE}
  -DLIBHYP_WERROR=${LIBHYP_WERROR})
if(DEFINED LIBHYP_SYSROOT)
  list(APPEND target_args -DLIBHYP_SYSROOT=${LIBHYP_SYSROOT})
endif()

find_program(LIBHYP_CROSS_GCC aarch64-linux-gnu-gcc)
if(NOT LIBHYP_CROSS_GCC)
  message(FATAL_ERROR "libhyp: aarch64-linux-gnu-gcc not found (Debian package "
    "gcc-aarch64-linux-gnu). Run scripts/setup, or configure with "
    "-DLIBHYP_WITH_TARGET=OFF for host tests only.")
endif()

ExternalProject_Add(libhyp-target
  SOURCE_DIR ${PROJECT_SOURCE_DIR}
  BINARY_DIR ${LIBHYP_TARGET_BINARY_DIR}
  INSTALL_DIR ${LIBHYP_TARGET_INSTALL_DIR}
  CMAKE_ARGS ${target_args}
  BUILD_ALWAYS ON)

# SPDX-License-Identifier: BSD-2-Clause
#
# CMake package for an installed libhyp. Use with the installed toolchain
# file (lib/cmake/libhyp/aarch64-picolibc.cmake):
#
#   find_package(libhyp REQUIRED)
#   libhyp_add_hypervisor(my-hyp PORT qemu-virt SOURCES main.c)
get_filename_component(_libhyp_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT LIBHYP_TOOLCHAIN STREQUAL "aarch64-picolibc")
  message(FATAL_ERROR "libhyp is built for bare-metal aarch64: configure with "
    "-DCMAKE_TOOLCHAIN_FILE=${CMAKE_CURRENT_LIST_DIR}/aarch64-picolibc.cmake")
endif()
set(LIBHYP_TOOLCHAIN_FILE "${CMAKE_CURRENT_LIST_DIR}/aarch64-picolibc.cmake")
set(LIBHYP_LINKER_SCRIPT "${_libhyp_prefix}/share/libhyp/hyp.ld")
set(LIBHYP_PORTS_DIR "${_libhyp_prefix}/share/libhyp/ports")
include("${CMAKE_CURRENT_LIST_DIR}/libhyp-fdt.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/libhypTargets.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/libhyp-functions.cmake")

# SPDX-License-Identifier: BSD-2-Clause
#
# libhyp::fdt: Debian's arm64 libfdt.a, unpacked by scripts/setup into
# LIBHYP_SYSROOT. Shared by the in-tree target build and installed packages.
if(NOT TARGET libhyp::fdt)
  find_library(LIBHYP_FDT_LIBRARY NAMES libfdt.a
               PATHS ${LIBHYP_SYSROOT}/usr/lib/aarch64-linux-gnu
               NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
  find_path(LIBHYP_FDT_INCLUDE_DIR libfdt.h PATHS ${LIBHYP_SYSROOT}/usr/include
            NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
  if(NOT LIBHYP_FDT_LIBRARY OR NOT LIBHYP_FDT_INCLUDE_DIR)
    message(FATAL_ERROR
      "libhyp: Debian's arm64 libfdt (package libfdt-dev:arm64) was not found under "
      "LIBHYP_SYSROOT='${LIBHYP_SYSROOT}'. Run scripts/setup, which downloads and "
      "unpacks it there, or point LIBHYP_SYSROOT at a sysroot that has "
      "usr/lib/aarch64-linux-gnu/libfdt.a.")
  endif()
  add_library(libhyp::fdt STATIC IMPORTED)
  set_target_properties(libhyp::fdt PROPERTIES
    IMPORTED_LOCATION "${LIBHYP_FDT_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LIBHYP_FDT_INCLUDE_DIR}")
endif()

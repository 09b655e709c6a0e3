# SPDX-License-Identifier: BSD-2-Clause
#
# Toolchain file for libhyp's target build: bare-metal AArch64 at EL2 with
# Debian's gcc-aarch64-linux-gnu and picolibc-aarch64-linux-gnu, plus
# Debian's arm64 libfdt.a unpacked into a sysroot by scripts/setup.
#
#   cmake -B build-target -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-picolibc.cmake
#
# LIBHYP_SYSROOT (cache or environment) points at that sysroot; it defaults to
# ${LIBHYP_CACHE:-~/.cache/libhyp}/sysroot.

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(LIBHYP_TOOLCHAIN aarch64-picolibc)

set(LIBHYP_CROSS_PREFIX "aarch64-linux-gnu-" CACHE STRING "Cross tool prefix")
set(CMAKE_C_COMPILER "${LIBHYP_CROSS_PREFIX}gcc")
set(CMAKE_ASM_COMPILER "${LIBHYP_CROSS_PREFIX}gcc")
set(CMAKE_OBJCOPY "${LIBHYP_CROSS_PREFIX}objcopy" CACHE FILEPATH "objcopy")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(LIBHYP_PICOLIBC_SPECS "/usr/lib/picolibc/aarch64-linux-gnu/picolibc.specs"
    CACHE FILEPATH "picolibc specs file")

if(NOT DEFINED LIBHYP_SYSROOT)
  if(DEFINED ENV{LIBHYP_SYSROOT})
    set(_sysroot "$ENV{LIBHYP_SYSROOT}")
  elseif(DEFINED ENV{LIBHYP_CACHE})
    set(_sysroot "$ENV{LIBHYP_CACHE}/sysroot")
  else()
    set(_sysroot "$ENV{HOME}/.cache/libhyp/sysroot")
  endif()
  set(LIBHYP_SYSROOT "${_sysroot}" CACHE PATH "Sysroot holding Debian's arm64 libfdt")
endif()
# Sub-builds (try_compile) must see the same values.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES LIBHYP_SYSROOT LIBHYP_PICOLIBC_SPECS
     LIBHYP_CROSS_PREFIX)

# Code generation every libhyp object and every hypervisor shares:
#  - no FP/SIMD at EL2 (guest FP state is never saved on exits),
#  - no unaligned accesses (the MMU may be off, making all memory Device),
#  - inline atomics (outline atomics need HWCAP probing, absent here),
#  - integer-only printf from picolibc.
set(LIBHYP_TARGET_FLAGS
    "--specs=${LIBHYP_PICOLIBC_SPECS} -ffreestanding -mgeneral-regs-only -mstrict-align -mno-outline-atomics -fno-common -fno-pie -ffunction-sections -fdata-sections -DPICOLIBC_INTEGER_PRINTF_SCANF")
set(CMAKE_C_FLAGS_INIT "${LIBHYP_TARGET_FLAGS}")
set(CMAKE_ASM_FLAGS_INIT "${LIBHYP_TARGET_FLAGS}")
# CMake passes the C flags (with the specs file and the printf choice) to the
# link step too.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostartfiles -static -no-pie -Wl,--gc-sections")

set(CMAKE_FIND_ROOT_PATH "${LIBHYP_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# SPDX-License-Identifier: BSD-2-Clause
#
# Child VM configuration fuzzer (libhyp/config/childcfg.c), included from
# tests/fuzz/CMakeLists.txt after libhyp_fuzzer() is defined. Seeded with the
# child configurations of childcfg-seeds/, compiled with dtc.
find_program(LIBHYP_FUZZ_DTC dtc REQUIRED)
set(LIBHYP_CHILDCFG_SEEDS ${CMAKE_CURRENT_BINARY_DIR}/fuzz_childcfg-seeds)
file(MAKE_DIRECTORY ${LIBHYP_CHILDCFG_SEEDS})
set(childcfg_seed_dtbs)
foreach(name child parent)
  set(dts ${CMAKE_CURRENT_SOURCE_DIR}/childcfg-seeds/${name}.dts)
  add_custom_command(OUTPUT ${LIBHYP_CHILDCFG_SEEDS}/${name}.dtb
    COMMAND ${LIBHYP_FUZZ_DTC} -q -I dts -O dtb -o ${LIBHYP_CHILDCFG_SEEDS}/${name}.dtb ${dts}
    DEPENDS ${dts} COMMENT "DTC ${name}.dts (fuzz seed)" VERBATIM)
  list(APPEND childcfg_seed_dtbs ${LIBHYP_CHILDCFG_SEEDS}/${name}.dtb)
endforeach()
add_custom_target(childcfg_seeds DEPENDS ${childcfg_seed_dtbs})
libhyp_fuzzer(fuzz_childcfg SOURCES fuzz_childcfg.c CORPUS ${LIBHYP_CHILDCFG_SEEDS}
              DEPENDS childcfg_seeds)

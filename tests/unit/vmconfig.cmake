# SPDX-License-Identifier: BSD-2-Clause
#
# Partitioner configuration tests (libhyp/config/), included from
# tests/unit/CMakeLists.txt. Compiles tests/unit/dts-config/*.dts with dtc:
# good-3vm.dts is a valid partition of board.dtsi, every bad-*.dts includes it
# and breaks one thing (they are also the fuzz_config seeds).
#   unit.vmconfig   the validator: the valid map, every refusal, limits
find_program(LIBHYP_DTC dtc)
if(NOT LIBHYP_DTC)
  message(FATAL_ERROR "libhyp: the config tests need dtc (Debian package "
    "device-tree-compiler); run scripts/setup")
endif()

set(config_dtb_dir ${CMAKE_CURRENT_BINARY_DIR}/dts-config)
file(MAKE_DIRECTORY ${config_dtb_dir})
file(GLOB config_dts_files CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/dts-config/*.dts
     ${CMAKE_CURRENT_SOURCE_DIR}/dts-config/*.dtsi)
set(config_dtbs)
foreach(dts IN LISTS config_dts_files)
  if(dts MATCHES "\\.dtsi$")
    continue()
  endif()
  get_filename_component(name ${dts} NAME_WE)
  # -q: the broken configs trip dtc's own checks on purpose.
  add_custom_command(OUTPUT ${config_dtb_dir}/${name}.dtb
    COMMAND ${LIBHYP_DTC} -q -I dts -O dtb -o ${config_dtb_dir}/${name}.dtb ${dts}
    DEPENDS ${config_dts_files} COMMENT "DTC ${name}.dts" VERBATIM)
  list(APPEND config_dtbs ${config_dtb_dir}/${name}.dtb)
endforeach()
add_custom_target(config_dtbs DEPENDS ${config_dtbs})

libhyp_unit_test(vmconfig SOURCES test_vmconfig.c dtb_edit.c ARGS ${config_dtb_dir})
target_compile_definitions(test_vmconfig PRIVATE
                           HYP_TEST_CONFIG_DTB_DIR="${config_dtb_dir}")
add_dependencies(test_vmconfig config_dtbs)

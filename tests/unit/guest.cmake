# SPDX-License-Identifier: BSD-2-Clause
#
# Guest loading tests (libhyp/fdt/modules.c, image.c, guest_dtb.c), included
# from tests/unit/CMakeLists.txt. Compiles tests/unit/dts-guest/*.dts with dtc;
# the host boards there /include/ the platform tests' boards from dts/.
#   unit.guest   modules, images, layout, guest DTB round trips
find_program(LIBHYP_DTC dtc)
if(NOT LIBHYP_DTC)
  message(FATAL_ERROR "libhyp: the guest tests need dtc (Debian package "
    "device-tree-compiler); run scripts/setup")
endif()

set(guest_dtb_dir ${CMAKE_CURRENT_BINARY_DIR}/dts-guest)
file(MAKE_DIRECTORY ${guest_dtb_dir})
file(GLOB guest_dts_files CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/dts-guest/*.dts)
file(GLOB guest_dts_included CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/dts/*.dts)
set(guest_dtbs)
foreach(dts IN LISTS guest_dts_files)
  get_filename_component(name ${dts} NAME_WE)
  add_custom_command(OUTPUT ${guest_dtb_dir}/${name}.dtb
    COMMAND ${LIBHYP_DTC} -q -I dts -O dtb -o ${guest_dtb_dir}/${name}.dtb ${dts}
    DEPENDS ${guest_dts_files} ${guest_dts_included} COMMENT "DTC ${name}.dts" VERBATIM)
  list(APPEND guest_dtbs ${guest_dtb_dir}/${name}.dtb)
endforeach()
add_custom_target(guest_dtbs DEPENDS ${guest_dtbs})

libhyp_unit_test(guest SOURCES test_guest.c dtb_edit.c ARGS ${guest_dtb_dir})
target_compile_definitions(test_guest PRIVATE HYP_TEST_GUEST_DTB_DIR="${guest_dtb_dir}")
add_dependencies(test_guest guest_dtbs)

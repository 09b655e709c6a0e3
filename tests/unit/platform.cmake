# SPDX-License-Identifier: BSD-2-Clause
#
# Platform discovery tests (libhyp/fdt/platform.c), included from
# tests/unit/CMakeLists.txt. Compiles tests/unit/dts/*.dts with dtc and dumps
# QEMU virt DTBs (GICv3 and GICv2) for the test to parse.
#   unit.platform       hand-written boards, good and broken
#   unit.platform-qemu  DTBs QEMU itself generates
#   unit.platform-real  the Raspberry Pi 4's and the ZCU102's own DTBs, from
#                       Debian's linux-image-*-arm64 (scripts/setup puts them
#                       in LIBHYP_CACHE/dtbs)
find_program(LIBHYP_DTC dtc)
find_program(LIBHYP_QEMU_FOR_DTB qemu-system-aarch64)
if(NOT LIBHYP_DTC OR NOT LIBHYP_QEMU_FOR_DTB)
  message(FATAL_ERROR "libhyp: the platform tests need dtc (Debian package "
    "device-tree-compiler) and qemu-system-aarch64 (qemu-system-arm); run scripts/setup")
endif()

set(dtb_dir ${CMAKE_CURRENT_BINARY_DIR}/dts)
file(MAKE_DIRECTORY ${dtb_dir})
# Every .dts may /include/ good-gicv3.dts, so each DTB depends on all of them.
file(GLOB dts_files CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/dts/*.dts)
set(dtbs)
foreach(dts IN LISTS dts_files)
  get_filename_component(name ${dts} NAME_WE)
  # -q: the broken boards trip dtc's own checks on purpose.
  add_custom_command(OUTPUT ${dtb_dir}/${name}.dtb
    COMMAND ${LIBHYP_DTC} -q -I dts -O dtb -o ${dtb_dir}/${name}.dtb ${dts}
    DEPENDS ${dts_files} COMMENT "DTC ${name}.dts" VERBATIM)
  list(APPEND dtbs ${dtb_dir}/${name}.dtb)
endforeach()
foreach(variant "3;4;1G" "2;2;512M")
  list(GET variant 0 gic)
  list(GET variant 1 smp)
  list(GET variant 2 mem)
  set(out ${dtb_dir}/qemu-virt-gicv${gic}.dtb)
  add_custom_command(OUTPUT ${out}
    COMMAND ${LIBHYP_QEMU_FOR_DTB} -M virt,virtualization=on,gic-version=${gic},dumpdtb=${out}
            -cpu cortex-a57 -smp ${smp} -m ${mem} -nographic
    COMMENT "QEMU dumpdtb virt GICv${gic}" VERBATIM)
  list(APPEND dtbs ${out})
endforeach()
add_custom_target(platform_dtbs DEPENDS ${dtbs})

libhyp_unit_test(platform SOURCES test_platform.c dtb_edit.c ARGS ${dtb_dir})
target_compile_definitions(test_platform PRIVATE HYP_TEST_DTB_DIR="${dtb_dir}")
add_dependencies(test_platform platform_dtbs)
add_test(NAME unit.platform-qemu COMMAND test_platform --qemu ${dtb_dir})
set_tests_properties(unit.platform-qemu PROPERTIES LABELS unit TIMEOUT 60)
if(DEFINED ENV{LIBHYP_CACHE})
  set(real_dtb_dir "$ENV{LIBHYP_CACHE}/dtbs")
else()
  set(real_dtb_dir "$ENV{HOME}/.cache/libhyp/dtbs")
endif()
add_test(NAME unit.platform-real COMMAND test_platform --real ${real_dtb_dir})
set_tests_properties(unit.platform-real PROPERTIES LABELS unit TIMEOUT 60)

# The node index platform discovery and the guest DTB builder look parents
# and phandles up in, against libfdt on the same DTBs.
libhyp_unit_test(fdt_index SOURCES test_fdt_index.c ARGS ${dtb_dir})
add_dependencies(test_fdt_index platform_dtbs)

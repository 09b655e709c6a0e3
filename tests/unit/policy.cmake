# SPDX-License-Identifier: BSD-2-Clause
#
# Monitor policy and event log tests (libhyp/monitor/), included from
# tests/unit/CMakeLists.txt. Compiles tests/unit/dts-policy/*.dts with dtc;
# those are all good policies (the fuzz_policy seeds): the tests break them
# one property at a time with libfdt.
#   unit.policy   policy binding parser, control-register lock check
#   unit.events   event line format, token bucket, counters, table
find_program(LIBHYP_DTC dtc)
if(NOT LIBHYP_DTC)
  message(FATAL_ERROR "libhyp: the policy tests need dtc (Debian package "
    "device-tree-compiler); run scripts/setup")
endif()

set(policy_dtb_dir ${CMAKE_CURRENT_BINARY_DIR}/dts-policy)
file(MAKE_DIRECTORY ${policy_dtb_dir})
file(GLOB policy_dts_files CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/dts-policy/*.dts)
set(policy_dtbs)
foreach(dts IN LISTS policy_dts_files)
  get_filename_component(name ${dts} NAME_WE)
  # -q: the binding's `interrupts` string trips dtc's interrupts_property check.
  add_custom_command(OUTPUT ${policy_dtb_dir}/${name}.dtb
    COMMAND ${LIBHYP_DTC} -q -I dts -O dtb -o ${policy_dtb_dir}/${name}.dtb ${dts}
    DEPENDS ${dts} COMMENT "DTC ${name}.dts" VERBATIM)
  list(APPEND policy_dtbs ${policy_dtb_dir}/${name}.dtb)
endforeach()
add_custom_target(policy_dtbs DEPENDS ${policy_dtbs})

libhyp_unit_test(policy SOURCES test_policy.c dtb_edit.c ARGS ${policy_dtb_dir})
target_compile_definitions(test_policy PRIVATE
                           HYP_TEST_POLICY_DTB_DIR="${policy_dtb_dir}")
add_dependencies(test_policy policy_dtbs)

libhyp_unit_test(events SOURCES test_events.c LIBS pthread)

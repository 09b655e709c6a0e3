# SPDX-License-Identifier: BSD-2-Clause
#
# libhyp_add_hypervisor(<name> PORT <port> SOURCES <src>...
#                       [LIBRARIES <lib>...] [INCLUDE_DIRECTORIES <dir>...])
#
# Links a hypervisor from your sources, the port's port.c and libhyp.a into
#   <name>.elf   the image with symbols (for gdb),
#   <name>.bin   the raw image to load (arm64 Image format),
#   <name>.map   the linker map,
# and, for ports with a QEMU command line, <name>-qemu.sh that boots it
# (extra arguments are passed on to QEMU). A port whose machine makes no DTB
# of its own names its board DTS (LIBHYP_PORT_DTS): it is compiled with dtc
# into <name>-board.dtb, which replaces @DTB@ in the QEMU arguments. A port
# that needs QEMU 10 (LIBHYP_PORT_QEMU_VERSION 10) gets a script that runs
# $LIBHYP_QEMU10, else scripts/setup's copy in the cache. Needs LIBHYP_LINKER_SCRIPT and
# LIBHYP_PORTS_DIR, which the in-tree build and libhypConfig.cmake set.
function(libhyp_add_hypervisor name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "PORT" "SOURCES;LIBRARIES;INCLUDE_DIRECTORIES")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "libhyp_add_hypervisor(${name}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_PORT OR NOT ARG_SOURCES)
    message(FATAL_ERROR "libhyp_add_hypervisor(${name}): PORT and SOURCES are required")
  endif()
  set(port_dir "${LIBHYP_PORTS_DIR}/${ARG_PORT}")
  if(NOT EXISTS "${port_dir}/port.cmake")
    file(GLOB known RELATIVE "${LIBHYP_PORTS_DIR}" "${LIBHYP_PORTS_DIR}/*/port.cmake")
    string(REPLACE "/port.cmake" "" known "${known}")
    message(FATAL_ERROR "libhyp_add_hypervisor(${name}): unknown port '${ARG_PORT}' "
                        "(known: ${known})")
  endif()
  unset(LIBHYP_PORT_LOAD_ADDRESS)
  unset(LIBHYP_PORT_CFLAGS)
  unset(LIBHYP_PORT_QEMU_ARGS)
  unset(LIBHYP_PORT_DTS)
  unset(LIBHYP_PORT_QEMU_VERSION)
  include("${port_dir}/port.cmake")
  if(NOT LIBHYP_PORT_LOAD_ADDRESS)
    message(FATAL_ERROR "port ${ARG_PORT}: port.cmake sets no LIBHYP_PORT_LOAD_ADDRESS")
  endif()

  add_executable(${name} ${ARG_SOURCES} "${port_dir}/port.c")
  set_target_properties(${name} PROPERTIES SUFFIX ".elf"
                        LINK_DEPENDS "${LIBHYP_LINKER_SCRIPT}")
  target_compile_options(${name} PRIVATE ${LIBHYP_PORT_CFLAGS})
  target_include_directories(${name} PRIVATE ${ARG_INCLUDE_DIRECTORIES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBRARIES} libhyp::libhyp)
  set(out "$<TARGET_FILE_DIR:${name}>/${name}")
  target_link_options(${name} PRIVATE
    -T "${LIBHYP_LINKER_SCRIPT}"
    "-Wl,--defsym=__hyp_load_addr=${LIBHYP_PORT_LOAD_ADDRESS}"
    "-Wl,-Map=${out}.map"
    # Take these from libhyp.a even when only libc or libfdt ask for them.
    "-Wl,--undefined=__stack_chk_fail")
  add_custom_command(TARGET ${name} POST_BUILD
    COMMAND ${CMAKE_OBJCOPY} -O binary "$<TARGET_FILE:${name}>" "${out}.bin"
    BYPRODUCTS "${CMAKE_CURRENT_BINARY_DIR}/${name}.bin" "${CMAKE_CURRENT_BINARY_DIR}/${name}.map"
    COMMENT "libhyp: ${name}.bin for port ${ARG_PORT}")
  if(LIBHYP_PORT_DTS)
    find_program(LIBHYP_DTC dtc REQUIRED)
    set(board_dtb "${CMAKE_CURRENT_BINARY_DIR}/${name}-board.dtb")
    add_custom_command(OUTPUT "${board_dtb}"
      COMMAND ${LIBHYP_DTC} -q -I dts -O dtb -o "${board_dtb}" "${LIBHYP_PORT_DTS}"
      DEPENDS "${LIBHYP_PORT_DTS}"
      COMMENT "libhyp: board DTB of port ${ARG_PORT} for ${name}")
    add_custom_target(${name}-board-dtb ALL DEPENDS "${board_dtb}")
    list(TRANSFORM LIBHYP_PORT_QEMU_ARGS REPLACE "@DTB@" "${board_dtb}")
  endif()
  if(LIBHYP_PORT_QEMU_ARGS)
    list(JOIN LIBHYP_PORT_QEMU_ARGS " " qemu_args)
    set(qemu qemu-system-aarch64)
    if(LIBHYP_PORT_QEMU_VERSION EQUAL 10)
      # The system's QEMU is bookworm's 7.2: take scripts/setup's QEMU 10.
      set(qemu "\"\${LIBHYP_QEMU10:-\${LIBHYP_CACHE:-\$HOME/.cache/libhyp}/qemu10/bin/qemu-system-aarch64}\"")
    endif()
    file(GENERATE OUTPUT "${CMAKE_CURRENT_BINARY_DIR}/${name}-qemu.sh"
      CONTENT "#!/bin/sh\n# Boots ${name} (port ${ARG_PORT}) under QEMU; arguments go to QEMU.\nexec ${qemu} ${qemu_args} -kernel \"$<TARGET_FILE_DIR:${name}>/${name}.bin\" \"$@\"\n"
      FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                       WORLD_READ WORLD_EXECUTE)
  endif()
endfunction()

# SPDX-License-Identifier: BSD-2-Clause
#
# cmake -DSOURCE_DIR=... -DBINARY_DIR=... -DPREFIX=<libhyp install>
#       [-DOUTPUTS=file;...] -P build-consumer.cmake
# Configures and builds an out-of-tree project (the consumer by default, or
# examples/minimal-oot, docs/snippets) from scratch against PREFIX, and
# checks that it produced OUTPUTS.
if(NOT DEFINED OUTPUTS)
  set(OUTPUTS consumer.elf consumer.bin consumer.map consumer-qemu.sh)
endif()
file(REMOVE_RECURSE "${BINARY_DIR}")
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BINARY_DIR}
          -DCMAKE_TOOLCHAIN_FILE=${PREFIX}/lib/cmake/libhyp/aarch64-picolibc.cmake
          -DCMAKE_PREFIX_PATH=${PREFIX}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the out-of-tree project ${SOURCE_DIR} against ${PREFIX} failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BINARY_DIR} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the out-of-tree project ${SOURCE_DIR} failed")
endif()
foreach(f ${OUTPUTS})
  if(NOT EXISTS "${BINARY_DIR}/${f}")
    message(FATAL_ERROR "the build of ${SOURCE_DIR} did not produce ${f}")
  endif()
endforeach()
message(STATUS "out-of-tree project built: ${BINARY_DIR}")

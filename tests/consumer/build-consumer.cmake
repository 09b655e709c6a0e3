# SPDX-License-Identifier: BSD-2-Clause
#
# cmake -DSOURCE_DIR=... -DBINARY_DIR=... -DPREFIX=<libhyp install> -P build-consumer.cmake
# Configures and builds the consumer project from scratch against PREFIX.
file(REMOVE_RECURSE "${BINARY_DIR}")
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BINARY_DIR}
          -DCMAKE_TOOLCHAIN_FILE=${PREFIX}/lib/cmake/libhyp/aarch64-picolibc.cmake
          -DCMAKE_PREFIX_PATH=${PREFIX}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the out-of-tree consumer against ${PREFIX} failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BINARY_DIR} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the out-of-tree consumer failed")
endif()
foreach(f consumer.elf consumer.bin consumer.map consumer-qemu.sh)
  if(NOT EXISTS "${BINARY_DIR}/${f}")
    message(FATAL_ERROR "the consumer build did not produce ${f}")
  endif()
endforeach()
message(STATUS "out-of-tree consumer built: ${BINARY_DIR}/consumer.bin")

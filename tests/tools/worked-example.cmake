# SPDX-License-Identifier: BSD-2-Clause
#
# cmake -DPAGE=<docs/bindings/x.md> -DTOOL=<hyp-config> -DBOARD=<board.dtb>
#       -DCONFIG_DTB=<scripts/config-dtb> -DOUT=<dir> -DARGS=<a@@b> -P worked-example.cmake
#
# A binding page's worked example, checked by the validator: the ```dts
# block right after the page's `<!-- worked-example: SUBCOMMAND -->` line is
# written to OUT, compiled (a complete /dts-v1/ file with dtc; a fragment
# merged into BOARD with scripts/config-dtb) and given to
# `hyp-config SUBCOMMAND ARGS... FILE.dtb`, which must accept it.
file(READ "${PAGE}" text)
string(REGEX MATCHALL "<!-- worked-example: [a-z-]+ -->" markers "${text}")
list(LENGTH markers n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "${PAGE}: ${n} worked-example markers (want exactly one)")
endif()
string(REGEX MATCH "<!-- worked-example: ([a-z-]+) -->" m "${text}")
set(cmd ${CMAKE_MATCH_1})
string(FIND "${text}" "${m}" at)
string(SUBSTRING "${text}" ${at} -1 rest)
string(FIND "${rest}" "\n```dts\n" open)
string(FIND "${rest}" "\n```\n" close)
string(LENGTH "${m}" mlen)
if(NOT open EQUAL mlen OR close LESS open)
  message(FATAL_ERROR "${PAGE}: the worked-example marker is not followed by a ```dts block")
endif()
math(EXPR start "${open} + 8")
math(EXPR len "${close} + 1 - ${start}")
string(SUBSTRING "${rest}" ${start} ${len} dts)
get_filename_component(name "${PAGE}" NAME_WE)
file(MAKE_DIRECTORY "${OUT}")
set(src "${OUT}/${name}.dts")
set(dtb "${OUT}/${name}.dtb")
file(WRITE "${src}" "${dts}")
if(dts MATCHES "/dts-v1/")
  execute_process(COMMAND dtc -q -I dts -O dtb -o "${dtb}" "${src}" RESULT_VARIABLE rc)
else()
  execute_process(COMMAND "${CONFIG_DTB}" "${BOARD}" "${src}" "${dtb}" RESULT_VARIABLE rc)
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PAGE}: its worked example (${src}) does not compile")
endif()
string(REPLACE "@@" ";" args "${ARGS}")
execute_process(COMMAND "${TOOL}" ${cmd} ${args} "${dtb}" RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("hyp-config ${cmd} ${args} ${name}.dtb:\n${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PAGE}: hyp-config ${cmd} refused its worked example (exit ${rc})")
endif()

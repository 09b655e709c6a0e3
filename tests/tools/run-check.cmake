# SPDX-License-Identifier: BSD-2-Clause
#
# Run one command and check what it did (cmake -P, for the `tools` tests):
#   -DCMD=<command@@arg@@...>  the command line, "@@" between words
#   -DRC=<n>                   the exit status it must have
#   -DSTDOUT_FILE=<file>       optional: stdout must equal this file exactly
#   -DEXPECT=<regex@@...>      optional: each must match stdout + stderr
#   -DREJECT=<regex@@...>      optional: none may match stdout + stderr
foreach(var CMD EXPECT REJECT)
  string(REPLACE "@@" ";" ${var} "${${var}}")
endforeach()
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
set(all "${out}${err}")
set(problems "")
if(NOT rc STREQUAL RC)
  string(APPEND problems "exit status ${rc}, expected ${RC}\n")
endif()
if(DEFINED STDOUT_FILE)
  file(READ ${STDOUT_FILE} want)
  if(NOT out STREQUAL want)
    string(APPEND problems "stdout differs from ${STDOUT_FILE}\n")
  endif()
endif()
foreach(re IN LISTS EXPECT)
  if(NOT all MATCHES "${re}")
    string(APPEND problems "output lacks /${re}/\n")
  endif()
endforeach()
foreach(re IN LISTS REJECT)
  if(all MATCHES "${re}")
    string(APPEND problems "output has /${re}/\n")
  endif()
endforeach()
if(problems)
  string(REPLACE ";" " " shown "${CMD}")
  message(FATAL_ERROR "${shown}\n${problems}--- stdout:\n${out}--- stderr:\n${err}")
endif()

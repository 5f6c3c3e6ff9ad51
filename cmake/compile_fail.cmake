# Compile-fail harness, run as a ctest test via `cmake -P`.
#
#   COMPILER           the C++ compiler (CMAKE_CXX_COMPILER)
#   SOURCE             the test file
#   INCLUDES           include dirs, '|'-separated
#   IMPLICIT_INCLUDES  the compiler's own include dirs ('|'-separated; skipped:
#                      passing -I/usr/include breaks #include_next)
#   EXPECT_FAIL        ON : SOURCE must fail to compile and the compiler output
#                           must match the regex on its first line,
#                           "// expect: <CMake regex>"
#                      OFF: SOURCE must compile (control case, *.pass.cpp)
cmake_minimum_required(VERSION 3.25)  # policies for script mode

foreach(var COMPILER SOURCE EXPECT_FAIL)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "compile_fail.cmake: ${var} not set")
  endif()
endforeach()

string(REPLACE "|" ";" includes "${INCLUDES}")
string(REPLACE "|" ";" implicit "${IMPLICIT_INCLUDES}")
list(REMOVE_DUPLICATES includes)
set(include_flags "")
foreach(dir IN LISTS includes)
  if(dir AND NOT dir IN_LIST implicit)
    list(APPEND include_flags "-I${dir}")
  endif()
endforeach()

if(EXPECT_FAIL)
  file(STRINGS "${SOURCE}" first_line LIMIT_COUNT 1)
  if(NOT first_line MATCHES "^// expect: (.+)$")
    message(FATAL_ERROR "${SOURCE}: first line must be '// expect: <regex>'")
  endif()
  set(expect "${CMAKE_MATCH_1}")
  # Optional second line "// reject: <CMake regex>": nothing in the output
  # may match it (a misleading follow-up error, say).
  file(STRINGS "${SOURCE}" first_two_lines LIMIT_COUNT 2)
  list(LENGTH first_two_lines n_lines)
  set(reject "")
  if(n_lines EQUAL 2)
    list(GET first_two_lines 1 second_line)
    if(second_line MATCHES "^// reject: (.+)$")
      set(reject "${CMAKE_MATCH_1}")
    endif()
  endif()
endif()

execute_process(
  # LC_ALL=C: plain ASCII quotes in diagnostics, so regexes stay simple.
  COMMAND "${CMAKE_COMMAND}" -E env LC_ALL=C
          "${COMPILER}" -std=c++20 -fsyntax-only -fdiagnostics-color=never
          ${include_flags} "${SOURCE}"
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)

if(NOT EXPECT_FAIL)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "expected ${SOURCE} to compile, but it failed:\n${output}")
  endif()
  message(STATUS "compiles, as expected")
  return()
endif()

if(result EQUAL 0)
  message(FATAL_ERROR "expected a compile error in ${SOURCE}, but it compiled")
endif()
# The sentence must be the FIRST error the user reads: the regex is matched
# against the first line of the output that reports an error.
string(REPLACE ";" "," output_no_semicolons "${output}")
string(REPLACE "\n" ";" output_lines "${output_no_semicolons}")
set(first_error "")
foreach(line IN LISTS output_lines)
  if(line MATCHES "(^|: )(fatal )?error: ")
    set(first_error "${line}")
    break()
  endif()
endforeach()
if(NOT first_error MATCHES "${expect}")
  message(FATAL_ERROR "${SOURCE} failed to compile as expected, but its first error line "
                      "does not match '${expect}':\nfirst error: ${first_error}\n\n${output}")
endif()
if(reject AND output MATCHES "${reject}")
  message(FATAL_ERROR "${SOURCE}: the output matches the rejected '${reject}':\n${output}")
endif()
message(STATUS "fails to compile; the first error line matches '${expect}', as expected")

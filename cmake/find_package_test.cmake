# find_package consumer test, run as a ctest test via `cmake -P`:
# install duet into WORK_DIR/prefix, then configure, build and run the consumer
# project CONSUMER_SOURCE_DIR against it (its CMakeLists.txt calls
# find_package(duet CONFIG ...)).
#
#   DUET_BINARY_DIR      duet's build tree
#   CONSUMER_SOURCE_DIR  test/find_package or test/find_package_core
#   WORK_DIR             scratch dir (recreated)
#   GENERATOR            CMake generator
#   CXX_COMPILER         C++ compiler
#   CONSUMER_ARGS        optional, '|'-separated: more arguments for the
#                        consumer's configure (e.g. -DCMAKE_DISABLE_FIND_PACKAGE_xtensor=ON)
#   LIGHT_HEADER         optional: a header (e.g. duet/scalar.hpp) compiled
#                        alone against the install tree with -H; no header it
#                        opens may match the regex FORBIDDEN_HEADERS
cmake_minimum_required(VERSION 3.25)  # policies for script mode

function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    list(JOIN ARGV " " cmd)
    message(FATAL_ERROR "failed (${result}): ${cmd}")
  endif()
endfunction()

set(prefix "${WORK_DIR}/prefix")
set(build "${WORK_DIR}/build")
file(REMOVE_RECURSE "${WORK_DIR}")

run("${CMAKE_COMMAND}" --install "${DUET_BINARY_DIR}" --prefix "${prefix}")
string(REPLACE "|" ";" consumer_args "${CONSUMER_ARGS}")
run("${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE_DIR}" -B "${build}" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_PREFIX_PATH=${prefix}" --no-warn-unused-cli
    ${consumer_args})
run("${CMAKE_COMMAND}" --build "${build}")
run("${build}/duet_consumer")

if(LIGHT_HEADER)
  # g++ and clang++ -H print every header opened, one per line, on stderr.
  set(tu "${WORK_DIR}/light_header.cpp")
  file(WRITE "${tu}" "#include <${LIGHT_HEADER}>\nint main() {}\n")
  execute_process(
    COMMAND "${CXX_COMPILER}" -std=c++20 -fsyntax-only -H "-I${prefix}/include" "${tu}"
    RESULT_VARIABLE result ERROR_VARIABLE opened)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "<${LIGHT_HEADER}> does not compile on its own:\n${opened}")
  endif()
  string(REPLACE "\n" ";" opened "${opened}")
  set(forbidden "")
  set(count 0)
  foreach(line IN LISTS opened)
    if(line MATCHES "^\\.+ ")
      math(EXPR count "${count} + 1")
      if(line MATCHES "${FORBIDDEN_HEADERS}")
        string(APPEND forbidden "\n${line}")
      endif()
    endif()
  endforeach()
  if(forbidden)
    message(FATAL_ERROR "<${LIGHT_HEADER}> opens headers of a dependency it must not "
                        "need (the dots are the include depth):${forbidden}")
  endif()
  message(STATUS "<${LIGHT_HEADER}>: ${count} headers opened, none matches ${FORBIDDEN_HEADERS}")
endif()

# find_package consumer test, run as a ctest test via `cmake -P`:
# install duet into WORK_DIR/prefix, then configure, build and run the consumer
# project CONSUMER_SOURCE_DIR against it with find_package(duet CONFIG REQUIRED).
#
#   DUET_BINARY_DIR      duet's build tree
#   CONSUMER_SOURCE_DIR  test/find_package
#   WORK_DIR             scratch dir (recreated)
#   GENERATOR            CMake generator
#   CXX_COMPILER         C++ compiler
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
run("${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE_DIR}" -B "${build}" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_PREFIX_PATH=${prefix}")
run("${CMAKE_COMMAND}" --build "${build}")
run("${build}/duet_consumer")

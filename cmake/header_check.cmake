# Every public header compiles on its own (it includes what it uses) and
# twice (#pragma once): one generated translation unit per header, compiled
# into an object library with the project's warnings. A header that is not
# self-contained fails the build of the test stage.
file(GLOB_RECURSE duet_public_headers CONFIGURE_DEPENDS
     RELATIVE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/include/duet/*.hpp)
set(duet_header_check_sources "")
foreach(header IN LISTS duet_public_headers)
  string(REPLACE "/" "__" flat ${header})
  set(tu ${CMAKE_CURRENT_BINARY_DIR}/header_check/${flat}.cpp)
  file(CONFIGURE OUTPUT ${tu} CONTENT "#include <${header}>\n#include <${header}>\n")
  list(APPEND duet_header_check_sources ${tu})
endforeach()
add_library(duet_header_check OBJECT ${duet_header_check_sources})
target_link_libraries(duet_header_check PRIVATE duet::duet duet_warnings)

# inferscope_subsystem(NAME SOURCES ... DEPS ...)
# Declares one library per folder under src/, so the dependency graph is visible here and a
# wrong-way include fails to link.
function(inferscope_subsystem name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  if(NOT ARG_SOURCES)
    # A subsystem whose first file has not landed yet.
    add_library(inferscope_${name} INTERFACE)
    target_include_directories(inferscope_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(inferscope_${name} INTERFACE ${ARG_DEPS})
    return()
  endif()
  add_library(inferscope_${name} STATIC ${ARG_SOURCES})
  target_include_directories(inferscope_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(inferscope_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  target_compile_options(inferscope_${name} PRIVATE ${INFERSCOPE_WARNINGS})
endfunction()

# inferscope_test(NAME SOURCE LIBS ... LABELS ...)
function(inferscope_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  target_compile_options(${name} PRIVATE ${INFERSCOPE_WARNINGS})
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    PROPERTIES LABELS "${ARG_LABELS}"
    DISCOVERY_TIMEOUT 60)
endfunction()

# Helpers that give every module the same shape: a library, a unit-test binary beside the
# code, and fuzz targets whose seed corpora live under tests/fuzz/corpus.

# aa_add_library(NAME SOURCES ... DEPS ...) creates library aa_NAME rooted at src/.
function(aa_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(aa_${name} ${ARG_SOURCES})
  target_include_directories(aa_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR})
  target_link_libraries(aa_${name} PUBLIC ${ARG_DEPS})
endfunction()

# aa_add_test(NAME SOURCES ... DEPS ...) creates a GoogleTest binary NAME and registers each
# of its tests with ctest. The fuzzing build still defines the target, so a module's
# CMakeLists may set its properties, but leaves it out of `all` and registers no tests.
function(aa_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(ADMINAUTO_FUZZ)
    add_executable(${name} EXCLUDE_FROM_ALL ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
                       PROPERTIES ENVIRONMENT "ADMINAUTO_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()

# aa_add_fuzzer(NAME SOURCE DEPS ...) builds a libFuzzer target in the fuzzing build and runs
# it for ADMINAUTO_FUZZ_SECONDS on a copy of its corpus. In the other builds it links the same
# entry point to a replay driver that feeds it every corpus and regression input, so the
# corpus also runs under the GCC sanitizer build.
# fuzz_targets builds every fuzz executable and nothing else, so the fuzzing stage of the
# test command skips the command-line tools and benchmarks.
if(ADMINAUTO_FUZZ)
  add_custom_target(fuzz_targets)
endif()

function(aa_add_fuzzer name source)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  set(corpus ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${name})
  set(regressions ${CMAKE_SOURCE_DIR}/tests/fuzz/regressions/${name})
  if(ADMINAUTO_FUZZ)
    add_executable(fuzz_${name} ${source})
    target_link_libraries(fuzz_${name} PRIVATE ${ARG_DEPS})
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
    add_dependencies(fuzz_targets fuzz_${name})
    add_test(NAME fuzz.${name}
             COMMAND ${CMAKE_SOURCE_DIR}/tests/fuzz/run-fuzzer $<TARGET_FILE:fuzz_${name}>
                     ${corpus} ${ADMINAUTO_FUZZ_SECONDS})
  else()
    add_executable(replay_${name} ${source} ${CMAKE_SOURCE_DIR}/tests/fuzz/replay_main.cc)
    target_link_libraries(replay_${name} PRIVATE ${ARG_DEPS})
    add_test(NAME fuzz_replay.${name} COMMAND replay_${name} ${corpus} ${regressions})
  endif()
endfunction()

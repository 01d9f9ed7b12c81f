# The fixture of the ctest label fuzz: configure and build the clang tree of
# fuzz/ (its libFuzzer targets, the tool and the seeds).
#
#   cmake -DSRC=fuzz -DTREE=DIR -DCC=clang-14 -DCXX=clang++-14 -DNINJA=ninja
#         -P build_tree.cmake
#
# Exits 77 (skipped) when clang is missing: scripts/setup installs it.
if(NOT CC OR NOT CXX OR NOT EXISTS "${CXX}")
  message("fuzz: no clang++ (install clang-14 and libfuzzer-14-dev: scripts/setup): skipped")
  cmake_language(EXIT 77)
endif()
set(generator)
if(NINJA)
  set(generator -G Ninja -DCMAKE_MAKE_PROGRAM=${NINJA})
endif()
if(NOT EXISTS "${TREE}/CMakeCache.txt")
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${SRC} -B ${TREE} ${generator}
    -DCMAKE_C_COMPILER=${CC} -DCMAKE_CXX_COMPILER=${CXX}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    file(REMOVE "${TREE}/CMakeCache.txt")
    message(FATAL_ERROR "fuzz: configuring ${TREE} failed (${rc})")
  endif()
endif()
# Two jobs: ctest counts this test as two processors (PROCESSORS 2).
execute_process(COMMAND ${CMAKE_COMMAND} --build ${TREE} --target fuzz -j 2
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "fuzz: building ${TREE} failed (${rc})")
endif()

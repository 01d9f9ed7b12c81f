# The ctest label fuzz: a short run of every target, the codec's test, the
# dictionary, and the planted bug.  Included with FUZZ_TREE (the clang build
# of fuzz/), FUZZ_LOCKSTEP (the lockstep command, if built) and FUZZ_FIXTURE
# (the fixture that builds FUZZ_TREE, if any).
#
# Each test uses one core (libFuzzer runs one process; fuzz_kernel's
# children take turns with it), so ctest -j2 runs two at a time.  Every
# file they write is in FUZZ_TREE (run-fuzz: work/, artifacts/, findings/;
# planted-bug: planted/).
set(LOCKSTEP_FUZZ_SECONDS 60 CACHE STRING
  "Seconds each fuzz target runs in the ctest label fuzz")
set(LOCKSTEP_PLANTED_SECONDS 300 CACHE STRING
  "Longest time fuzz_kernel_planted may take to find the planted bug")
find_package(Python3 REQUIRED COMPONENTS Interpreter)
get_filename_component(FUZZ_SRC "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

function(fuzz_test name timeout)
  add_test(NAME ${name} COMMAND ${ARGN})
  set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT ${timeout})
  if(FUZZ_FIXTURE)
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED ${FUZZ_FIXTURE})
  endif()
endfunction()

# Through cmake -E chdir: the program does not exist before the fixture.
fuzz_test(fuzz.codec 600 ${CMAKE_COMMAND} -E chdir ${FUZZ_TREE} ${FUZZ_TREE}/fuzz_codec_test)
fuzz_test(fuzz.dict 60 ${CMAKE_COMMAND} -DTOOL=${FUZZ_TREE}/lockstep-fuzz-tool
  -DDICT=${FUZZ_SRC}/trace.dict -P ${FUZZ_SRC}/tests/check_dict.cmake)
# A fresh working corpus each time: a short run starts from the seeds, so
# that its result does not depend on earlier runs in the same tree.
math(EXPR fuzz_timeout "${LOCKSTEP_FUZZ_SECONDS} + 240")
# A fixed libFuzzer seed: the short run is then the start of the 10-minute
# campaign `run-fuzz --seconds 600 --fresh TARGET -- -seed=1` that was run
# clean before this landed (fuzz/README.md), so CI passes or fails on what
# the code does, not on the draw.  fuzz_kernel's inputs run on the kernel,
# so its path through them also depends on the kernel's answers: a kernel
# that behaves otherwise (another version, a regression) takes it
# elsewhere, which is what it is for.
foreach(target fuzz_trace_parser fuzz_model fuzz_variants fuzz_kernel)
  set(extra -seed=1)
  fuzz_test(fuzz.short.${target} ${fuzz_timeout} ${Python3_EXECUTABLE} ${FUZZ_SRC}/run-fuzz
    --build ${FUZZ_TREE} --seconds ${LOCKSTEP_FUZZ_SECONDS} --fresh ${target} -- ${extra})
endforeach()
math(EXPR planted_timeout "${LOCKSTEP_PLANTED_SECONDS} + 240")
set(planted_args --build ${FUZZ_TREE} --seconds ${LOCKSTEP_PLANTED_SECONDS})
if(FUZZ_LOCKSTEP)
  list(APPEND planted_args --lockstep ${FUZZ_LOCKSTEP})
endif()
fuzz_test(fuzz.planted_bug ${planted_timeout} ${Python3_EXECUTABLE} ${FUZZ_SRC}/planted-bug
  ${planted_args})

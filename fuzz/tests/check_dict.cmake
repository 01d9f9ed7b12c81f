# fuzz/trace.dict is what `lockstep-fuzz-tool dict` prints: regenerate it
# with `lockstep-fuzz-tool dict > fuzz/trace.dict` when the language grows.
execute_process(COMMAND ${TOOL} dict OUTPUT_VARIABLE now RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "lockstep-fuzz-tool dict failed (${rc})")
endif()
file(READ ${DICT} committed)
if(NOT now STREQUAL committed)
  message(FATAL_ERROR "fuzz/trace.dict is out of date: run\n"
    "  ${TOOL} dict > ${DICT}")
endif()

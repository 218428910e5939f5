# FEDSTACK_FUZZ=ON: everything is compiled with coverage for libFuzzer plus ASan and
# UBSan, and tests/fuzz adds one fuzz target per input surface. Only clang has
# libFuzzer; the GCC build never includes this file.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "FEDSTACK_FUZZ needs clang (CXX=clang++), not ${CMAKE_CXX_COMPILER_ID}")
endif()
# -fno-sanitize-recover: undefined behaviour stops the run like a crash does.
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                    -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)

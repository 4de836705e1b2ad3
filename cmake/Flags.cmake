# Compiler and linker flags shared by every target: warnings as errors and the hardening
# flags of a release build, plus the sanitizer and fuzzing variants.

add_compile_options(-Wall -Wextra -Wpedantic -Werror -Wno-error=deprecated-declarations)

# Hardening for every build type: stack protector, fortified libc calls (needs optimisation),
# position-independent executables and full RELRO.
add_compile_options(-fstack-protector-strong -fno-strict-overflow)
if(NOT CMAKE_BUILD_TYPE STREQUAL "Debug")
  add_compile_definitions(_FORTIFY_SOURCE=2)
endif()
add_link_options(-pie -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack)

if(ADMINAUTO_SANITIZE)
  # -fno-sanitize-recover makes UBSan stop the process, so a report fails the test.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
endif()

if(ADMINAUTO_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ADMINAUTO_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

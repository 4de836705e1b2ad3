# Compiler and linker flags shared by every target: warnings as errors and the hardening
# flags of a release build, plus the sanitizer and fuzzing variants.

add_compile_options(-Wall -Wextra -Wpedantic -Werror -Wno-error=deprecated-declarations)

# Hardening for every build type: stack protector and stack-clash probes, position-independent
# executables, full RELRO and a non-executable stack.
add_compile_options(-fstack-protector-strong -fstack-clash-protection)
add_link_options(-pie -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack)

# Signed overflow wraps in production builds instead of letting the optimiser assume it never
# happens. The sanitizer builds leave it undefined so UBSan reports it.
if(NOT ADMINAUTO_SANITIZE AND NOT ADMINAUTO_FUZZ)
  add_compile_options(-fno-strict-overflow)
endif()

# Fortified libc calls need optimisation. The sanitizer builds leave them out because the
# fortified wrappers bypass ASan's interceptors, and ASan checks the same calls more fully.
if(NOT CMAKE_BUILD_TYPE STREQUAL "Debug" AND NOT ADMINAUTO_SANITIZE AND NOT ADMINAUTO_FUZZ)
  add_compile_definitions(_FORTIFY_SOURCE=2)
endif()

if(ADMINAUTO_SANITIZE OR ADMINAUTO_FUZZ)
  # libstdc++ assertions check container indexing, which ASan misses inside a vector's
  # capacity. -O1 with line tables only keeps stack traces readable and compiles faster than
  # -O2 with full debug information.
  add_compile_definitions(_GLIBCXX_ASSERTIONS)
  set(CMAKE_CXX_FLAGS_RELWITHDEBINFO "-O1 -gline-tables-only -DNDEBUG")
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    set(CMAKE_CXX_FLAGS_RELWITHDEBINFO "-O1 -g1 -DNDEBUG")
  endif()
endif()

if(ADMINAUTO_SANITIZE)
  # -fno-sanitize-recover makes UBSan stop the process, so a report fails the test.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
  # GCC 12 at -O1 with the sanitizers reports uninitialized members inside libstdc++'s own
  # std::regex and std::function, which the ordinary build does not. The ordinary build keeps
  # the warning as an error; ASan and UBSan check the same code at run time here.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
endif()

if(ADMINAUTO_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ADMINAUTO_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  # Every library gets coverage instrumentation. Only the fuzz executables link libFuzzer's
  # main (see aa_add_fuzzer).
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
endif()

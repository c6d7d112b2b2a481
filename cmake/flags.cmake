# One INTERFACE target carries every compile and link flag our own code uses.
add_library(copytrader_flags INTERFACE)

target_compile_options(copytrader_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
  -fstack-protector-strong)
# GCC 12 at -O2 reports Asio's awaitable frames (allocated by thread_info_base, freed by the frame's
# own operator delete) as mismatched new/delete: a false positive on every coroutine.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(copytrader_flags INTERFACE -Wno-mismatched-new-delete)
endif()
if(COPYTRADER_WERROR)
  target_compile_options(copytrader_flags INTERFACE -Werror)
endif()

# The Boost implementation units and our code must agree on these.
set(COPYTRADER_BOOST_DEFINITIONS
  BOOST_ASIO_SEPARATE_COMPILATION
  BOOST_BEAST_SEPARATE_COMPILATION
  BOOST_ASIO_NO_DEPRECATED
  BOOST_ALLOW_DEPRECATED_HEADERS)

if(COPYTRADER_SANITIZE)
  set(COPYTRADER_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_compile_options(${COPYTRADER_SANITIZER_FLAGS})
  add_link_options(${COPYTRADER_SANITIZER_FLAGS})
  # The test build also gets the crash points (lib/core/crash_point.hpp); a release build has none.
  add_compile_definitions(COPYTRADER_TEST_HOOKS)
else()
  # _FORTIFY_SOURCE needs optimisation and conflicts with ASan, so only the non-sanitized build gets it.
  if(NOT CMAKE_BUILD_TYPE STREQUAL "Debug")
    target_compile_definitions(copytrader_flags INTERFACE _FORTIFY_SOURCE=2)
  endif()
endif()

set(CMAKE_POSITION_INDEPENDENT_CODE ON)
include(CheckPIESupported)
check_pie_supported()
target_link_options(copytrader_flags INTERFACE -Wl,-z,relro,-z,now)

#include "core/crash_point.hpp"

#ifdef COPYTRADER_TEST_HOOKS
#include <csignal>
#include <cstdlib>
#include <string>

namespace copytrader {

void crash_point(std::string_view point) {
  static const std::string armed = [] {
    const char* v = std::getenv("COPYTRADER_CRASH_AT");
    return std::string(v != nullptr ? v : "");
  }();
  if (!armed.empty() && point == armed) std::raise(SIGKILL);
}

} // namespace copytrader
#endif

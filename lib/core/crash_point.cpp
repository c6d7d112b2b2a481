#include "core/crash_point.hpp"

#ifdef COPYTRADER_TEST_HOOKS
#include <unistd.h>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>

namespace copytrader {

void crash_point(std::string_view point) {
  static const std::string armed = [] {
    const char* v = std::getenv("COPYTRADER_CRASH_AT");
    return std::string(v != nullptr ? v : "");
  }();
  if (!armed.empty() && point == armed) std::raise(SIGKILL);
}

void stop_point(std::string_view point) {
  static bool sent = false;
  const char* armed = std::getenv("COPYTRADER_STOP_AT");
  if (sent || armed == nullptr || point != armed) return;
  sent = true;
  ::kill(::getpid(), SIGTERM);
}

void fail_point(std::string_view point) {
  static std::set<std::string, std::less<>> fired;
  const char* armed = std::getenv("COPYTRADER_FAIL_AT");
  if (armed == nullptr || point != armed || fired.contains(point)) return;
  const char* flag = std::getenv("COPYTRADER_FAIL_FLAG");
  if (flag != nullptr && !std::filesystem::exists(flag)) return;
  fired.emplace(point);
  throw std::runtime_error("injected failure at " + std::string(point));
}

} // namespace copytrader
#endif

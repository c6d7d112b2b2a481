#include "systemd/notifier.hpp"

#include <systemd/sd-daemon.h>

#include <ctime>
#include <string>

namespace copytrader {
namespace {

std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

} // namespace

void notifier::ready(std::string_view status_line) { notify("READY=1\nSTATUS=" + one_line(status_line)); }

void notifier::reloading() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const auto usec = static_cast<long long>(now.tv_sec) * 1'000'000LL + now.tv_nsec / 1000;
  notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void notifier::stopping() { notify("STOPPING=1"); }
void notifier::watchdog() { notify("WATCHDOG=1"); }
void notifier::status(std::string_view line) { notify("STATUS=" + one_line(line)); }

void systemd_notifier::notify(std::string_view state) {
  const std::string message(state);
  sd_notify(0, message.c_str());
}

std::optional<std::chrono::microseconds> systemd_watchdog_interval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    return std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(usec));
  }
  return std::nullopt;
}

} // namespace copytrader

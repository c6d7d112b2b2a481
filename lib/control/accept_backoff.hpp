#pragma once
// When accept fails (the process is out of descriptors: EMFILE, ENFILE, ENOBUFS), the connection
// stays queued, so accepting again at once fails again at once: a loop that burns the io thread and
// floods the journal (faults.md I3). A listener waits this long before the next try, and says so
// once per streak. Sans-I/O.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <utility>

namespace copytrader::control {

class accept_backoff {
public:
  static constexpr std::chrono::milliseconds first{10};
  static constexpr std::chrono::milliseconds longest{1000};

  // A failed accept: the pause before the next one (doubling up to `longest`).
  std::chrono::milliseconds failed() noexcept {
    ++streak_;
    const auto shift = std::min<std::uint32_t>(streak_ - 1, 7);
    return std::min<std::chrono::milliseconds>(first * (1 << shift), longest);
  }
  // The first failure of a streak is the one worth a log line.
  [[nodiscard]] bool first_of_streak() const noexcept { return streak_ == 1; }
  // An accept succeeded: how many failed before it (0 if none).
  std::uint32_t succeeded() noexcept { return std::exchange(streak_, 0); }

private:
  std::uint32_t streak_ = 0;
};

} // namespace copytrader::control

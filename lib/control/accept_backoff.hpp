#pragma once
// When accept fails (the process is out of descriptors: EMFILE, ENFILE, ENOBUFS), the connection
// stays queued, so accepting again at once fails again at once: a loop that burns the io thread and
// floods the journal (faults.md I3). A listener waits this long before the next try, and says so
// once per streak. The policy is sans-I/O; wait_after_failed_accept applies it with a timer.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string_view>
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

// A failed accept of `listener`: one error line for the first of a streak, then the pause.
boost::asio::awaitable<void> wait_after_failed_accept(accept_backoff& backoff, boost::asio::steady_timer& pause,
                                                      std::string_view listener, boost::system::error_code error);

} // namespace copytrader::control

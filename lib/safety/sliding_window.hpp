#pragma once
// Counts events in the last `window` and says when the next one fits under `limit`. The building
// block of the request budget (token_bucket) and the order ceiling: because every used slot comes
// back exactly one window after it was used, no window of that length ever holds more than `limit`.

#include <chrono>
#include <cstddef>
#include <deque>

namespace copytrader {

using steady_time = std::chrono::steady_clock::time_point;

class sliding_window {
public:
  sliding_window(std::size_t limit, std::chrono::nanoseconds window) : limit_(limit), window_(window) {}

  [[nodiscard]] std::size_t limit() const noexcept { return limit_; }
  [[nodiscard]] std::chrono::nanoseconds window() const noexcept { return window_; }

  // Free slots at `now`.
  std::size_t available(steady_time now);
  // The earliest time at or after `now` with `count` free slots (count <= limit).
  steady_time next_free(steady_time now, std::size_t count = 1);
  // Records a use at `now`; the caller checked available() first.
  void use(steady_time now) { used_.push_back(now); }
  // Marks every slot used until `until` (a 429 cool-down: nothing goes out before it).
  void block_until(steady_time until);

  void set_limit(std::size_t limit, std::chrono::nanoseconds window);

private:
  void expire(steady_time now);

  std::size_t limit_;
  std::chrono::nanoseconds window_;
  std::deque<steady_time> used_;
  steady_time blocked_until_{};
};

} // namespace copytrader

#include "safety/sliding_window.hpp"

namespace copytrader {

void sliding_window::expire(steady_time now) {
  while (!used_.empty() && used_.front() + window_ <= now) used_.pop_front();
}

std::size_t sliding_window::available(steady_time now) {
  if (now < blocked_until_) return 0;
  expire(now);
  return used_.size() >= limit_ ? 0 : limit_ - used_.size();
}

steady_time sliding_window::next_free(steady_time now, std::size_t count) {
  steady_time at = now < blocked_until_ ? blocked_until_ : now;
  expire(at);
  if (used_.size() + count <= limit_) return at;
  // The oldest uses come back first: `count` slots are free once (size + count - limit) have.
  return used_[used_.size() + count - limit_ - 1] + window_;
}

void sliding_window::block_until(steady_time until) {
  if (until > blocked_until_) blocked_until_ = until;
}

void sliding_window::set_limit(std::size_t limit, std::chrono::nanoseconds window) {
  limit_ = limit;
  window_ = window;
}

} // namespace copytrader

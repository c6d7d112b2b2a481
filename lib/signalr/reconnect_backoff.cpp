#include "signalr/reconnect_backoff.hpp"

#include <algorithm>

namespace copytrader {

std::chrono::milliseconds reconnect_backoff::next_delay() {
  const std::uint32_t attempt = attempt_++;
  if (attempt == 0) return std::chrono::milliseconds(0);
  const std::uint32_t doublings = std::min<std::uint32_t>(attempt - 1, 30);
  const auto ceiling = std::min(cap_.count(), base_.count() << doublings);
  std::uniform_int_distribution<std::int64_t> draw(ceiling / 2, ceiling);
  return std::chrono::milliseconds(draw(rng_));
}

} // namespace copytrader

#include "safety/token_bucket.hpp"

#include <algorithm>

namespace copytrader {

token_bucket::ticket token_bucket::enqueue(request_priority priority) {
  const ticket t = next_ticket_++;
  lanes_[static_cast<std::size_t>(priority)].push_back(t);
  return t;
}

bool token_bucket::cancel(ticket t) {
  for (auto& lane : lanes_) {
    if (auto it = std::find(lane.begin(), lane.end(), t); it != lane.end()) {
      lane.erase(it);
      return true;
    }
  }
  return false;
}

std::optional<token_bucket::ticket> token_bucket::grant(steady_time now) {
  for (std::size_t i = 0; i < lanes_.size(); ++i) {
    auto& lane = lanes_[i];
    if (lane.empty()) continue;
    // Only the highest waiting lane may take a slot.
    if (slots_.available(now) == 0) return std::nullopt;
    const ticket t = lane.front();
    lane.pop_front();
    slots_.use(now);
    ++granted_[i];
    return t;
  }
  return std::nullopt;
}

std::optional<steady_time> token_bucket::next_grant_time(steady_time now) {
  if (waiting() == 0) return std::nullopt;
  return slots_.next_free(now);
}

void token_bucket::cool_down(steady_time now, std::chrono::nanoseconds cooldown) {
  ++throttled_;
  slots_.block_until(now + cooldown);
}

std::size_t token_bucket::waiting() const noexcept {
  std::size_t n = 0;
  for (const auto& lane : lanes_) n += lane.size();
  return n;
}

} // namespace copytrader

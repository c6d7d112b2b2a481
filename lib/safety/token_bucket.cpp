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

std::size_t token_bucket::needs(std::size_t lane) const noexcept {
  const auto priority = static_cast<request_priority>(lane);
  if (priority == request_priority::exit) return 1;
  if (priority == request_priority::entry && entries_use_reserve_) return 1;
  return reserve_ + 1;
}

std::optional<token_bucket::ticket> token_bucket::grant(steady_time now) {
  for (std::size_t i = 0; i < lanes_.size(); ++i) {
    auto& lane = lanes_[i];
    if (lane.empty()) continue;
    // Only the highest waiting lane may take a slot; below it nobody jumps the queue, reserve or not.
    const std::size_t free = slots_.available(now);
    if (free < needs(i)) return std::nullopt;
    if (free <= reserve_) ++reserve_grants_;
    const ticket t = lane.front();
    lane.pop_front();
    slots_.use(now);
    ++granted_[i];
    return t;
  }
  return std::nullopt;
}

std::optional<steady_time> token_bucket::next_grant_time(steady_time now) {
  for (std::size_t i = 0; i < lanes_.size(); ++i) {
    if (!lanes_[i].empty()) return slots_.next_free(now, needs(i));
  }
  return std::nullopt;
}

bool token_bucket::take_now(request_priority priority, steady_time now) {
  const auto lane = static_cast<std::size_t>(priority);
  for (std::size_t i = 0; i <= lane; ++i) {
    if (!lanes_[i].empty()) return false;
  }
  const std::size_t free = slots_.available(now);
  if (free < needs(lane)) return false;
  if (free <= reserve_) ++reserve_grants_;
  slots_.use(now);
  ++granted_[lane];
  return true;
}

void token_bucket::set_reserve(std::size_t reserve, bool entries_may_use) {
  reserve_ = std::min(reserve, slots_.limit() - 1);
  entries_use_reserve_ = entries_may_use;
}

std::uint64_t token_bucket::granted_total() const noexcept {
  std::uint64_t n = 0;
  for (auto g : granted_) n += g;
  return n;
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

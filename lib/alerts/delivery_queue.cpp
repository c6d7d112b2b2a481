#include "alerts/delivery_queue.hpp"

#include <algorithm>

namespace copytrader::alerts {

bool delivery_queue::push(alert a) {
  if (items_.size() >= policy_.limit) {
    ++counters_.dropped;
    return false;
  }
  items_.push_back(item{std::move(a), 0, {}});
  return true;
}

const alert* delivery_queue::ready(time_point now) const {
  if (items_.empty() || items_.front().not_before > now) return nullptr;
  return &items_.front().message;
}

std::optional<delivery_queue::time_point> delivery_queue::wake_at() const {
  if (items_.empty()) return std::nullopt;
  return items_.front().not_before;
}

settled delivery_queue::finish(time_point now, attempt_result result, std::optional<duration> retry_after) {
  if (items_.empty()) return settled::failed;
  item& head = items_.front();
  ++head.attempts;
  if (result == attempt_result::delivered) {
    ++counters_.delivered;
    items_.pop_front();
    return settled::delivered;
  }
  if (result == attempt_result::refused || head.attempts >= policy_.max_attempts) {
    ++counters_.failed;
    items_.pop_front();
    return settled::failed;
  }
  ++counters_.retries;
  duration wait = policy_.first_retry;
  for (int i = 1; i < head.attempts && wait < policy_.longest_retry; ++i) wait *= 2;
  if (retry_after) wait = std::max(wait, *retry_after);
  head.not_before = now + std::min(wait, policy_.longest_retry);
  return settled::retrying;
}

} // namespace copytrader::alerts

#pragma once
// One alert target's queue: bounded (past the limit a new alert is dropped and counted, so a dead
// receiver cannot grow the daemon), first in first out, and each alert tried up to max_attempts
// times with a doubling back-off (or the receiver's Retry-After, within the cap). Pure: the caller
// gives `now` and says how each attempt went.

#include "alerts/alert.hpp"
#include "core/duration.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

namespace copytrader::alerts {

struct delivery_policy {
  std::size_t limit = 50;
  int max_attempts = 4;
  duration first_retry = std::chrono::seconds(2);
  duration longest_retry = std::chrono::minutes(2);
};

enum class attempt_result {
  delivered,
  retryable, // no answer, a timeout, 429 or 5xx: the receiver may take it later
  refused,   // any other answer: the same request will not do better (a revoked webhook)
};

enum class settled { delivered, retrying, failed };

struct delivery_counters {
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;  // refused, or out of attempts
  std::uint64_t dropped = 0; // the queue was full
  std::uint64_t retries = 0;
};

class delivery_queue {
public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit delivery_queue(delivery_policy policy) : policy_(policy) {}

  // False when the queue is full and the alert was dropped.
  bool push(alert a);
  // The alert to try now, if the head's back-off has passed.
  [[nodiscard]] const alert* ready(time_point now) const;
  // When the head may be tried; nullopt when the queue is empty.
  [[nodiscard]] std::optional<time_point> wake_at() const;
  // How the attempt on the head went.
  settled finish(time_point now, attempt_result result, std::optional<duration> retry_after = std::nullopt);

  [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
  [[nodiscard]] const delivery_counters& counters() const noexcept { return counters_; }

private:
  struct item {
    alert message;
    int attempts = 0;
    time_point not_before{};
  };
  delivery_policy policy_;
  std::deque<item> items_;
  delivery_counters counters_;
};

} // namespace copytrader::alerts

#pragma once
// The demo's leader trades every few hundred milliseconds, far faster than anyone trades, and every
// step costs each follower a few requests (a place, a close, the cancels of two legs). copytraderd
// keeps each login under its request budget (`safety.rate_limit`: 180 a minute by default, where the
// venue allows 200) and holds entries when only the exit reserve is left, so a demo that outran the
// budget would show followers held out of sync. Its leader waits instead, counting each login's
// requests in the simulator's log.

#include "config/config.hpp"
#include "safety/exit_reserve.hpp"
#include "safety/request_budget.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

namespace copytrader::demo {

// What one step may cost a follower: a reversal's close, the cancels of two legs and a place, with
// room for the reconciliation's reads.
inline constexpr std::size_t step_cost_per_follower = 10;

// How long the leader waits before its next step so that a login whose `followers` sent requests at
// `sends_ns` (oldest first, CLOCK_MONOTONIC) still has room, at `now_ns`, for that step outside the
// exit reserve. Sends that have left the window are dropped from `sends_ns`.
inline std::chrono::nanoseconds budget_pause(std::deque<std::int64_t>& sends_ns, std::int64_t now_ns,
                                             std::size_t followers, const rate_limit_config& budget = {}) {
  // The daemon gives a slot back a little after the window (request_budget::with_margin).
  const std::int64_t window =
      request_budget::with_margin(std::chrono::duration_cast<std::chrono::nanoseconds>(budget.window)).count();
  while (!sends_ns.empty() && sends_ns.front() <= now_ns - window) sends_ns.pop_front();
  const auto capacity = static_cast<std::size_t>(budget.max_requests);
  std::optional<std::size_t> configured;
  if (budget.exit_reserve) configured = static_cast<std::size_t>(*budget.exit_reserve);
  const std::size_t for_entries = capacity - plan_exit_reserve(capacity, followers, configured).reserve;
  const std::size_t room = for_entries - std::min(for_entries, step_cost_per_follower * followers);
  if (sends_ns.size() <= room) return std::chrono::nanoseconds(0);
  // Enough of the oldest sends must leave the window that `room` are left in it.
  const std::int64_t leaves_at = sends_ns[sends_ns.size() - room - 1] + window;
  return std::chrono::nanoseconds(std::max<std::int64_t>(0, leaves_at - now_ns));
}

} // namespace copytrader::demo

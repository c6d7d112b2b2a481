#pragma once
// Stops new entries when the leader produces copy events faster than a sane strategy would
// (design.md section 3). It counts copy events (one leader change that makes the daemon send
// follower orders), not follower orders. Tripped: entries are refused on every follower, exits and
// flattens still pass; only reset() (copytraderctl reset-breaker) re-arms it.

#include "safety/sliding_window.hpp"

#include <cstdint>

namespace copytrader {

enum class copy_kind : std::uint8_t { entry, exit };

class circuit_breaker {
public:
  circuit_breaker(std::size_t max_events, std::chrono::nanoseconds window) : events_(max_events, window) {}

  // Records a copy event at `now`; true when its orders may go.
  bool admit(copy_kind kind, steady_time now);
  // Re-arms with an empty window: the events that tripped it do not trip it again.
  void reset() {
    tripped_ = false;
    events_ = sliding_window(events_.limit(), events_.window());
  }
  void reconfigure(std::size_t max_events, std::chrono::nanoseconds window) { events_.set_limit(max_events, window); }

  [[nodiscard]] bool tripped() const noexcept { return tripped_; }
  [[nodiscard]] std::uint64_t trips() const noexcept { return trips_; }

private:
  sliding_window events_;
  bool tripped_ = false;
  std::uint64_t trips_ = 0;
};

} // namespace copytrader

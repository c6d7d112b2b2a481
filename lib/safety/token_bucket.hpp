#pragma once
// The request budget of one login (design.md section 3): capacity and refill from
// safety.rate_limit, priority lanes (exits > entries > bracket moves > reads), delays but never drops.
// Sans-I/O: the shell asks when a request may go and sleeps until then; a 429 cools the login down.
//
// A request waits in its lane; a lower lane never takes a slot while a higher lane has someone
// waiting, so an exit is never stuck behind a reconciliation read.
//
// The exit reserve (issue 19): the last `reserve` slots of the window are kept for the exit lane
// (closes, reductions, the cancels of legs that could reverse a position, protection of an open
// one), and for entries only when the configuration lets them; reads and bracket moves never take
// them. A window spent by entries and reads therefore still closes every follower at once.

#include "safety/sliding_window.hpp"

#include <array>
#include <cstdint>
#include <deque>
#include <optional>

namespace copytrader {

enum class request_priority : std::uint8_t { exit = 0, entry = 1, bracket_move = 2, read = 3 };
inline constexpr std::size_t priority_lanes = 4;

class token_bucket {
public:
  using ticket = std::uint64_t;

  token_bucket(std::size_t capacity, std::chrono::nanoseconds window) : slots_(capacity, window) {}

  // Queues a request; returns its ticket.
  ticket enqueue(request_priority priority);
  // Withdraws a queued request (its caller gave up); false if it was not waiting.
  bool cancel(ticket t);
  // The next ticket that may send at `now`, highest lane first, consuming a slot; nullopt when none.
  std::optional<ticket> grant(steady_time now);
  // When grant() would next succeed, if anyone is waiting.
  std::optional<steady_time> next_grant_time(steady_time now);
  // A slot now for a request that will not wait (nobody waiting in its lane or above, and a slot
  // its lane may take); false leaves everything as it was.
  bool take_now(request_priority priority, steady_time now);
  // The earliest time a request of this lane finds a slot it may take (ignoring those waiting).
  steady_time next_free_for(request_priority priority, steady_time now) {
    return slots_.next_free(now, needs(static_cast<std::size_t>(priority)));
  }

  // The venue answered 429: nothing is sent for `cooldown` (Retry-After when given).
  void cool_down(steady_time now, std::chrono::nanoseconds cooldown);

  // Keeps `reserve` slots (at most capacity - 1) for exits, and for entries if `entries_may_use`.
  void set_reserve(std::size_t reserve, bool entries_may_use);
  [[nodiscard]] std::size_t reserve() const noexcept { return reserve_; }
  // Exits granted from the reserve (the slots others could not have taken) since start.
  [[nodiscard]] std::uint64_t reserve_grants() const noexcept { return reserve_grants_; }

  [[nodiscard]] std::size_t waiting() const noexcept;
  std::size_t available(steady_time now) { return slots_.available(now); }
  [[nodiscard]] std::size_t capacity() const noexcept { return slots_.limit(); }
  [[nodiscard]] std::uint64_t throttled_count() const noexcept { return throttled_; }
  // Requests granted since start, per lane (status shows the share reconciliation reads took).
  [[nodiscard]] std::uint64_t granted(request_priority priority) const noexcept {
    return granted_[static_cast<std::size_t>(priority)];
  }
  [[nodiscard]] std::uint64_t granted_total() const noexcept;

private:
  // Free slots a request of this lane needs before it may take one.
  [[nodiscard]] std::size_t needs(std::size_t lane) const noexcept;

  sliding_window slots_;
  std::size_t reserve_ = 0;
  bool entries_use_reserve_ = false;
  std::uint64_t reserve_grants_ = 0;
  std::array<std::deque<ticket>, priority_lanes> lanes_;
  ticket next_ticket_ = 1;
  std::uint64_t throttled_ = 0;
  std::array<std::uint64_t, priority_lanes> granted_{};
};

} // namespace copytrader

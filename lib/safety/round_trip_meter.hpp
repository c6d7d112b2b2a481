#pragma once
// What one leader round trip costs a login in requests, measured rather than guessed (issue 19): a
// round trip runs from the leader's first fill out of flat until the followers have settled after
// the leader is flat again (at least `settle_time` later, with none of the login's requests still
// waiting). The figure is the mean of the last few round trips; with the login's window it says how
// many round trips a minute the login sustains. Sans-I/O: the engine reports the leader's moves and
// ticks it; `granted` is the login's running count of requests sent.

#include "safety/leader_move_log.hpp"
#include "safety/sliding_window.hpp"

#include <cstdint>
#include <deque>
#include <optional>

namespace copytrader {

class round_trip_meter {
public:
  static constexpr std::chrono::seconds settle_time{3};
  static constexpr std::size_t kept = 8; // round trips in the moving figure

  // Reads moves of a leader_move_log numbered after `read` only (a login created later).
  explicit round_trip_meter(std::uint64_t read = 0) : read_(read) {}

  // After every leader change: whether the leader now holds nothing at all.
  void leader_moved(bool leader_flat, steady_time now, std::uint64_t granted);
  // The log's moves not read yet, each as leader_moved with `granted`: exact when called before any
  // request sent after the first of them was counted (the login's budget calls it before a grant).
  void catch_up(const leader_move_log& log, std::uint64_t granted);
  // Often (the engine's ticker): closes a round trip whose followers have settled.
  void tick(steady_time now, std::uint64_t granted, std::size_t waiting);

  // Requests per round trip, once one has been measured.
  [[nodiscard]] std::optional<double> requests_per_round_trip() const;
  // Round trips a minute the window sustains at that cost (capacity requests per `window`).
  [[nodiscard]] std::optional<double> round_trips_per_minute(std::size_t capacity,
                                                             std::chrono::nanoseconds window) const;
  [[nodiscard]] std::uint64_t measured() const noexcept { return measured_; }

private:
  enum class phase : std::uint8_t { flat, open, settling };
  void finish(std::uint64_t granted);

  phase phase_ = phase::flat;
  std::uint64_t granted_at_open_ = 0;
  steady_time flat_at_{};
  std::deque<std::uint64_t> costs_;
  std::uint64_t measured_ = 0;
  std::uint64_t read_ = 0; // the last leader_move_log move applied
};

} // namespace copytrader

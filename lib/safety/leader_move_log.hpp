#pragma once
// The leader's moves, kept until every login's round-trip meter has read them. Recording a move is
// one append, whatever the number of logins: with 50 logins, writing each login's meter on the
// leader's change cost the first follower's copy about 10 us before it could go (issue 15,
// docs/performance.md). A login reads the moves it has not seen before its budget grants anything,
// so the count of requests it reads with each move is the count at that move.

#include "safety/sliding_window.hpp"

#include <cstdint>
#include <vector>

namespace copytrader {

struct leader_move {
  std::uint64_t seq = 0;
  bool leader_flat = false; // the leader holds nothing at all after it
  steady_time at{};
};

class leader_move_log {
public:
  void record(bool leader_flat, steady_time at) { moves_.push_back({++last_, leader_flat, at}); }
  // The latest move's number (0: none yet); a meter that starts now reads only later ones.
  [[nodiscard]] std::uint64_t last() const noexcept { return last_; }
  template <class Visit>
  void for_each_after(std::uint64_t seq, Visit&& visit) const {
    for (const auto& m : moves_)
      if (m.seq > seq) visit(m);
  }
  // Every reader has read up to last(): what was kept can go (the numbers go on).
  void forget_read() noexcept { moves_.clear(); }
  [[nodiscard]] std::size_t kept() const noexcept { return moves_.size(); }

private:
  std::vector<leader_move> moves_;
  std::uint64_t last_ = 0;
};

} // namespace copytrader

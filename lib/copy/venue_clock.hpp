#pragma once
// The venue's clock as seen from here, sans-I/O. It runs on the local monotonic clock plus an offset
// learned from the venue's own timestamps on real-time events (a trade's creation time as it
// arrives), so a host wall clock that is minutes off, or jumps while running (NTP step, faults.md
// H1/H2), changes nothing once one event has been seen. A delivery delay only makes (local - venue)
// larger, so the smallest recent difference is the offset; a lone timestamp far from the others (a
// venue glitch, faults.md D10) is left out by agreeing with the median first. Every window sent to
// the venue (a tag search, the trades of the last max_copy_age) and the age of a fill are taken on
// this clock: a host clock minutes off would otherwise refuse every copy as stale, or search for a
// tag before the order existed and send it again.

#include "projectx/models.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace copytrader::copy {

class venue_clock {
public:
  using steady_time = std::chrono::steady_clock::time_point;

  // A difference this far from the median is a stray stamp, not delivery delay.
  static constexpr std::chrono::seconds agreement{5};
  // An event stamped this far from the venue's now cannot have been delayed that long on a live
  // link: the stamp is wrong, and is neither used to judge the event's age nor to drop it.
  static constexpr std::chrono::hours implausible{1};

  // A real-time event stamped `venue` by the venue, received at `local` (never a REST read of old
  // entities: their age is not delivery delay).
  void observe(projectx::timestamp venue, steady_time local) noexcept;
  // The venue's time now. Before the first event: the host's wall clock as it read at the first
  // call, carried on the monotonic clock from there.
  [[nodiscard]] projectx::timestamp now(steady_time local, std::chrono::system_clock::time_point wall) const noexcept;
  [[nodiscard]] bool learned() const noexcept { return count_ > 0; }
  [[nodiscard]] static bool plausible(projectx::timestamp stamp, projectx::timestamp venue_now) noexcept {
    const auto gap = venue_now - stamp;
    return gap <= implausible && gap >= -implausible;
  }

private:
  [[nodiscard]] std::int64_t offset_us() const noexcept; // local - venue, learned

  // The latest few: a venue clock that was stepped is learned once most of them agree.
  std::array<std::int64_t, 9> samples_us_{};
  std::size_t count_ = 0;
  std::size_t next_ = 0;
  mutable std::optional<std::int64_t> wall_anchor_us_; // local - wall, before any event
};

} // namespace copytrader::copy

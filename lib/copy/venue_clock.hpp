#pragma once
// The venue's clock as seen from here, sans-I/O: the local wall clock minus an offset learned from
// the venue's own timestamps on real-time events (a trade's creation time as it arrives). A delivery
// delay only makes (local - venue) larger, so the smallest recent difference is the offset. Every
// window sent to the venue (a tag search, the trades of the last max_copy_age) and the age of a fill
// are taken on this clock: a host clock minutes off would otherwise refuse every copy as stale, or
// search for a tag before the order existed and send it again.

#include "projectx/models.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace copytrader::copy {

class venue_clock {
public:
  // A real-time event stamped `venue` by the venue, received at `local` (never a REST read of old
  // entities: their age is not delivery delay).
  void observe(projectx::timestamp venue, std::chrono::system_clock::time_point local) noexcept;
  // local - venue; zero until the first event.
  [[nodiscard]] std::chrono::microseconds offset() const noexcept;
  [[nodiscard]] projectx::timestamp now(std::chrono::system_clock::time_point local) const noexcept;

private:
  // The latest few: a clock stepped forward is learned after that many events.
  std::array<std::int64_t, 8> samples_us_{};
  std::size_t count_ = 0;
  std::size_t next_ = 0;
};

} // namespace copytrader::copy

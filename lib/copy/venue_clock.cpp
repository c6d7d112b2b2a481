#include "copy/venue_clock.hpp"

#include <algorithm>
#include <cstdlib>

namespace copytrader::copy {
namespace {

std::int64_t micros(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

std::int64_t micros(projectx::timestamp t) { return t.time_since_epoch().count(); }

} // namespace

void venue_clock::observe(projectx::timestamp venue, steady_time local) noexcept {
  samples_us_[next_] = micros(local) - micros(venue);
  next_ = (next_ + 1) % samples_us_.size();
  count_ = std::min(count_ + 1, samples_us_.size());
}

std::int64_t venue_clock::offset_us() const noexcept {
  std::array<std::int64_t, 9> sorted = samples_us_;
  const auto end = sorted.begin() + static_cast<std::ptrdiff_t>(count_);
  std::sort(sorted.begin(), end);
  const std::int64_t median = sorted[count_ / 2];
  const std::int64_t agree = std::chrono::duration_cast<std::chrono::microseconds>(agreement).count();
  // Sorted: the first that agrees with the median is the smallest delay among the agreeing ones.
  return *std::find_if(sorted.begin(), end, [&](std::int64_t d) { return std::llabs(d - median) <= agree; });
}

projectx::timestamp venue_clock::now(steady_time local, std::chrono::system_clock::time_point wall) const noexcept {
  std::int64_t offset = 0;
  if (count_ > 0) {
    offset = offset_us();
  } else {
    if (!wall_anchor_us_)
      wall_anchor_us_ =
          micros(local) - std::chrono::duration_cast<std::chrono::microseconds>(wall.time_since_epoch()).count();
    offset = *wall_anchor_us_;
  }
  return projectx::timestamp{std::chrono::microseconds(micros(local) - offset)};
}

} // namespace copytrader::copy

#include "copy/venue_clock.hpp"

#include <algorithm>

namespace copytrader::copy {

void venue_clock::observe(projectx::timestamp venue, std::chrono::system_clock::time_point local) noexcept {
  const auto difference = std::chrono::duration_cast<std::chrono::microseconds>(local - venue).count();
  samples_us_[next_] = difference;
  next_ = (next_ + 1) % samples_us_.size();
  count_ = std::min(count_ + 1, samples_us_.size());
}

std::chrono::microseconds venue_clock::offset() const noexcept {
  if (count_ == 0) return std::chrono::microseconds(0);
  return std::chrono::microseconds(
      *std::min_element(samples_us_.begin(), samples_us_.begin() + static_cast<std::ptrdiff_t>(count_)));
}

projectx::timestamp venue_clock::now(std::chrono::system_clock::time_point local) const noexcept {
  return std::chrono::time_point_cast<std::chrono::microseconds>(local) - offset();
}

} // namespace copytrader::copy

#pragma once
// A link (a user hub) that has been down for `threshold` is told once per outage; it is up again
// when it says so. Pure: the caller gives `now` and whether the link is up.

#include "core/duration.hpp"

#include <chrono>
#include <optional>

namespace copytrader::alerts {

class outage_watch {
public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit outage_watch(duration threshold) : threshold_(threshold) {}

  // True once per outage: at the first look after the link has been down for the threshold.
  bool observe(time_point now, bool up) {
    if (up) {
      down_since_.reset();
      told_ = false;
      return false;
    }
    if (!down_since_) down_since_ = now;
    if (told_ || now - *down_since_ < threshold_) return false;
    told_ = true;
    return true;
  }
  [[nodiscard]] duration down_for(time_point now) const {
    return down_since_ ? std::chrono::duration_cast<duration>(now - *down_since_) : duration{};
  }
  void set_threshold(duration threshold) noexcept { threshold_ = threshold; }

private:
  duration threshold_;
  std::optional<time_point> down_since_;
  bool told_ = false;
};

} // namespace copytrader::alerts

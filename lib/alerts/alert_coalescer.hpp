#pragma once
// A flood of one alert becomes one message per repeat interval. Alerts are the same when their kind
// and follower are: the first goes out at once; the ones after it within the interval are held and
// counted, and when the interval has passed the latest of them goes out saying how many it stands
// for. Pure: the caller gives `now`.

#include "alerts/alert.hpp"
#include "core/duration.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace copytrader::alerts {

class alert_coalescer {
public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit alert_coalescer(duration repeat_interval) : interval_(repeat_interval) {}

  // The alert to send now, or nothing when it is held (counted in coalesced()).
  std::optional<alert> admit(time_point now, alert a);
  // The held alerts whose interval has passed, each with the count it stands for.
  std::vector<alert> due(time_point now);
  // When due() next has something; nullopt when nothing is held.
  [[nodiscard]] std::optional<time_point> next_due() const;
  [[nodiscard]] std::uint64_t coalesced() const noexcept { return coalesced_; }

private:
  struct entry {
    time_point last_sent{};
    std::uint64_t held = 0;
    alert latest;
  };
  duration interval_;
  std::map<std::pair<alert_kind, std::string>, entry> entries_;
  std::uint64_t coalesced_ = 0;
};

} // namespace copytrader::alerts

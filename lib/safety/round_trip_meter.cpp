#include "safety/round_trip_meter.hpp"

#include <numeric>

namespace copytrader {

void round_trip_meter::leader_moved(bool leader_flat, steady_time now, std::uint64_t granted) {
  switch (phase_) {
    case phase::flat:
      if (!leader_flat) {
        phase_ = phase::open;
        granted_at_open_ = granted;
      }
      break;
    case phase::open:
      if (leader_flat) {
        phase_ = phase::settling;
        flat_at_ = now;
      }
      break;
    case phase::settling:
      if (!leader_flat) {
        // Opened again before the last one settled: that one ends here, the new one starts.
        finish(granted);
        phase_ = phase::open;
        granted_at_open_ = granted;
      }
      break;
  }
}

void round_trip_meter::catch_up(const leader_move_log& log, std::uint64_t granted) {
  if (read_ == log.last()) return;
  log.for_each_after(read_, [&](const leader_move& m) { leader_moved(m.leader_flat, m.at, granted); });
  read_ = log.last();
}

void round_trip_meter::tick(steady_time now, std::uint64_t granted, std::size_t waiting) {
  if (phase_ != phase::settling || now - flat_at_ < settle_time || waiting > 0) return;
  finish(granted);
  phase_ = phase::flat;
}

void round_trip_meter::finish(std::uint64_t granted) {
  costs_.push_back(granted - granted_at_open_);
  if (costs_.size() > kept) costs_.pop_front();
  ++measured_;
}

std::optional<double> round_trip_meter::requests_per_round_trip() const {
  if (costs_.empty()) return std::nullopt;
  return static_cast<double>(std::accumulate(costs_.begin(), costs_.end(), std::uint64_t{0})) /
         static_cast<double>(costs_.size());
}

std::optional<double> round_trip_meter::round_trips_per_minute(std::size_t capacity,
                                                               std::chrono::nanoseconds window) const {
  const auto cost = requests_per_round_trip();
  if (!cost || *cost <= 0 || window.count() <= 0) return std::nullopt;
  const double per_minute = static_cast<double>(capacity) * 60e9 / static_cast<double>(window.count());
  return per_minute / *cost;
}

} // namespace copytrader

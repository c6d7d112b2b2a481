#include "alerts/alert_coalescer.hpp"

namespace copytrader::alerts {

std::optional<alert> alert_coalescer::admit(time_point now, alert a) {
  if (a.kind == alert_kind::test) return a; // asked for by hand: always sent
  auto [it, fresh] = entries_.try_emplace({a.kind, a.follower});
  entry& e = it->second;
  if (!fresh && now - e.last_sent < interval_) {
    ++e.held;
    ++coalesced_;
    e.latest = std::move(a);
    return std::nullopt;
  }
  a.repeats = e.held;
  e.last_sent = now;
  e.held = 0;
  e.latest = {};
  return a;
}

std::vector<alert> alert_coalescer::due(time_point now) {
  std::vector<alert> out;
  for (auto it = entries_.begin(); it != entries_.end();) {
    entry& e = it->second;
    if (now - e.last_sent < interval_) {
      ++it;
      continue;
    }
    if (e.held == 0) { // quiet for a whole interval: the next one goes out at once
      it = entries_.erase(it);
      continue;
    }
    e.latest.repeats = e.held - 1; // the latest itself goes out; the others it stands for
    out.push_back(std::move(e.latest));
    e.latest = {};
    e.held = 0;
    e.last_sent = now;
    ++it;
  }
  return out;
}

std::optional<alert_coalescer::time_point> alert_coalescer::next_due() const {
  std::optional<time_point> next;
  for (const auto& [key, e] : entries_) {
    if (e.held == 0) continue;
    const auto at = e.last_sent + interval_;
    if (!next || at < *next) next = at;
  }
  return next;
}

} // namespace copytrader::alerts

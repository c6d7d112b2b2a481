// The engine's alerts that no single event raises: a hub that stays down. The others are raised
// where their event is handled (the breaker in copy_engine.cpp, refusals and drift in the follower
// session), through copy_context::raise.

#include "engine/copy_engine.hpp"

#include <fmt/format.h>

namespace copytrader::engine {

void copy_engine::watch_hubs(steady_clock::time_point now) {
  for (const auto& [username, hub] : hubs_) {
    auto [it, fresh] = hub_watch_.try_emplace(username, config_.alerts.hub_down_after);
    it->second.set_threshold(config_.alerts.hub_down_after);
    if (!it->second.observe(now, hub->connected())) continue;
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(it->second.down_for(now)).count();
    const std::string why = hub->last_error().empty() ? std::string() : " (" + hub->last_error() + ")";
    if (username == config_.leader.login.username) {
      ctx_.raise(alerts::alert_kind::leader_hub_down, "",
                 fmt::format("the leader's real-time hub has been down for {} s{}: the leader's trades reach the "
                             "followers only through reconciliation, every reconcile_interval",
                             seconds, why),
                 "check the network and the platform's status; copytraderctl status shows the hub's last error");
      continue;
    }
    std::string names;
    for (const auto& f : followers_)
      if (f->rules().login.username == username && !f->retired())
        names += (names.empty() ? "" : ", ") + f->rules().name;
    ctx_.raise(alerts::alert_kind::follower_hub_down, names,
               fmt::format("the real-time hub of login {} has been down for {} s{}: its followers' fills are learned "
                           "by reconciliation only, every reconcile_interval",
                           username, seconds, why),
               "check the network and the platform's status; copytraderctl status shows the hub's last error");
  }
}

} // namespace copytrader::engine

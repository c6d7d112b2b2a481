// Each login's request budget seen from the engine: the exit reserve sized for the followers the
// login carries, the cost of a leader round trip measured, and the figures status and metrics show.

#include "engine/copy_engine.hpp"

#include <spdlog/spdlog.h>

namespace copytrader::engine {

void copy_engine::apply_exit_reserves() {
  const auto& limit = config_.safety.rate_limit;
  for (auto& [username, login] : logins_) {
    // Every session counts, a retired one too: it may still hold a position to close.
    std::size_t followers = 0;
    for (const auto& f : followers_) followers += f->rules().login.username == username ? 1U : 0U;
    const auto configured =
        limit.exit_reserve ? std::optional<std::size_t>(static_cast<std::size_t>(*limit.exit_reserve)) : std::nullopt;
    const auto plan = plan_exit_reserve(login->budget().capacity(), followers, configured);
    login->keep_for_exits(plan, limit.entries_use_reserve);
    if (auto warning = exit_reserve_warning(username, followers, plan)) spdlog::warn("{}", *warning);
  }
}

void copy_engine::meter_leader_move(steady_clock::time_point now) {
  // On the leader's change, before the followers' sends run: one append, no list of contracts, no
  // login touched (each reads the move before its next grant).
  bool flat = true;
  ctx_.tracker.for_each_open([&flat](const std::string&) { flat = false; });
  leader_moves_.record(flat, now);
}

void copy_engine::meter_tick(steady_clock::time_point now) {
  for (auto& [username, login] : logins_) {
    login->read_leader_moves();
    login->round_trips().tick(now, login->budget().granted_total(), login->budget().waiting());
  }
  leader_moves_.forget_read();
}

std::vector<login_figures> copy_engine::logins() {
  std::vector<login_figures> out;
  for (auto& [username, login] : logins_) {
    login->read_leader_moves();
    login_figures f;
    auto& budget = login->budget();
    f.username = username;
    f.tokens = budget.available();
    f.capacity = budget.capacity();
    f.waiting = budget.waiting();
    f.throttled = budget.throttled_count();
    for (std::size_t i = 0; i < f.granted.size(); ++i) f.granted[i] = budget.granted(static_cast<request_priority>(i));
    f.exit_reserve = budget.reserve();
    f.exit_reserve_needed = login->exit_reserve().needed;
    f.reserve_grants = budget.reserve_grants();
    const auto& meter = login->round_trips();
    f.round_trips = meter.measured();
    f.requests_per_round_trip = meter.requests_per_round_trip();
    f.round_trips_per_minute = meter.round_trips_per_minute(
        budget.capacity(), std::chrono::duration_cast<std::chrono::nanoseconds>(config_.safety.rate_limit.window));
    f.connections_open = login->http().open_connections();
    f.connection_pool = login->http().pool_size();
    f.pool_waits = login->http().pool_waits();
    if (auto hub = hubs_.find(username); hub != hubs_.end()) {
      f.hub_connected = hub->second->connected();
      f.hub_connections = hub->second->connections();
      f.hub_error = hub->second->last_error();
    }
    out.push_back(std::move(f));
  }
  return out;
}

} // namespace copytrader::engine

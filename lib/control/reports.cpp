#include "control/reports.hpp"

#include "control/guard_report.hpp"

#include <boost/json/array.hpp>

#include <cmath>

namespace copytrader::control {
namespace json = boost::json;

namespace {

json::array follower_positions(const engine::follower_session& f) {
  json::array out;
  for (const auto& [contract, plan] : f.plans()) {
    const std::int32_t position = f.book().confirmed(contract);
    if (plan.target == 0 && plan.leader_target == 0 && plan.expected == 0 && position == 0) continue;
    // Both targets: what the leader implies, and what the follower is held to (with why), so that a
    // follower held below the leader is visible, not shown as in sync.
    json::object row{
        {"contract", contract}, {"position", position}, {"target", plan.target}, {"leader_target", plan.leader_target}};
    // Brackets present: the working stop and target sizes (a dashboard shows a position without them).
    std::int32_t stops = 0, targets = 0;
    for (const auto& leg : f.book().legs(contract)) (leg.is_stop() ? stops : targets) += leg.size;
    row["stops"] = stops;
    row["targets"] = targets;
    if (plan.hands_off)
      row["held"] = "hands-off";
    else if (plan.cap && plan.target != plan.leader_target && plan.cap->reason == copy::hold_reason::guard)
      row["held"] =
          std::string(copy::to_string(plan.cap->reason)) + " (" + std::string(guard::to_string(plan.guard_rule)) + ")";
    else if (plan.cap && plan.target != plan.leader_target)
      row["held"] = copy::to_string(plan.cap->reason);
    out.push_back(std::move(row));
  }
  return out;
}

// A figure not measured yet is null, not 0: 0 would read as free.
json::value optional_number(const std::optional<double>& v) {
  if (!v) return nullptr;
  return std::round(*v * 10) / 10; // one decimal is all a reader needs
}

std::int32_t sum_of(const json::array& positions, const char* key) {
  std::int32_t total = 0;
  for (const auto& p : positions) total += static_cast<std::int32_t>(p.as_object().at(key).as_int64());
  return total;
}

} // namespace

std::string_view follower_state(const engine::follower_session& f) {
  if (f.retired()) return "retiring";
  if (f.disabled_reason()) return "unusable";
  if (f.manually_disabled() || !f.rules().enabled) return "disabled";
  return "active";
}

json::object status_report(engine::copy_engine& engine) {
  const auto& ctx = engine.context();
  const auto& cfg = engine.configuration();
  json::array leader_positions;
  for (const auto& contract : ctx.tracker.open_contracts())
    leader_positions.push_back(json::object{{"contract", contract}, {"net", ctx.tracker.net(contract)}});
  for (const auto& [key, state] : ctx.contracts) {
    if (state.manual && state.manual->net != 0)
      leader_positions.push_back(json::object{{"contract", key}, {"net", state.manual->net}});
  }
  json::array logins;
  for (const auto& l : engine.logins()) {
    logins.push_back(json::object{
        {"username", l.username},
        {"tokens", l.tokens},
        {"capacity", l.capacity},
        {"waiting", l.waiting},
        {"throttled", l.throttled},
        {"requests",
         json::object{
             {"exit", l.granted[0]}, {"entry", l.granted[1]}, {"bracket_move", l.granted[2]}, {"read", l.granted[3]}}},
        {"hub_connected", l.hub_connected},
        {"hub_connections", l.hub_connections},
        {"connections_open", l.connections_open},
        {"connection_pool", l.connection_pool},
        {"pool_waits", l.pool_waits},
        {"exit_reserve", l.exit_reserve},
        {"exit_reserve_needed", l.exit_reserve_needed},
        {"reserve_grants", l.reserve_grants},
        {"round_trips", l.round_trips},
        {"requests_per_round_trip", optional_number(l.requests_per_round_trip)},
        {"round_trips_per_minute", optional_number(l.round_trips_per_minute)}});
  }
  json::array followers;
  for (const auto* f : engine.followers()) {
    json::object o{{"name", f->rules().name},
                   {"account", f->rules().account},
                   {"state", follower_state(*f)},
                   {"positions", follower_positions(*f)}};
    if (f->disabled_reason()) o["reason"] = *f->disabled_reason();
    o["guard"] = guard_report(*f, ctx);
    if (auto unmapped = f->unmapped_held(); !unmapped.empty()) {
      json::array contracts;
      for (auto& c : unmapped) contracts.emplace_back(std::move(c));
      o["unmapped"] = std::move(contracts);
    }
    if (auto untagged = f->untagged_held(); !untagged.empty()) {
      json::array contracts;
      for (auto& c : untagged) contracts.emplace_back(std::move(c));
      o["untagged"] = std::move(contracts);
    }
    if (auto orphans = f->orphan_legs(); !orphans.empty()) {
      json::array legs;
      for (const auto& leg : orphans) {
        json::object l{{"order", leg.id},
                       {"contract", leg.contract},
                       {"kind", leg.is_stop() ? "stop" : "target"},
                       {"side", leg.side == projectx::side::bid ? "buy" : "sell"},
                       {"size", leg.size}};
        if (auto price = leg.is_stop() ? leg.stop_price : leg.limit_price) l["price"] = *price;
        legs.push_back(std::move(l));
      }
      o["orphan_legs"] = std::move(legs);
    }
    followers.push_back(std::move(o));
  }
  return json::object{
      {"copying", ctx.leader_ready},
      {"problem", ctx.leader_ready ? std::string() : ctx.leader_problem},
      {"dry_run", ctx.copy.dry_run},
      {"leader", json::object{{"account", cfg.leader.account},
                              {"hub_connected", engine.leader_hub_connected()},
                              {"positions", std::move(leader_positions)}}},
      {"breaker", json::object{{"tripped", ctx.breaker.tripped()},
                               {"trips", ctx.breaker.trips()},
                               {"max_orders", cfg.safety.circuit_breaker.max_orders},
                               {"window_ms", cfg.safety.circuit_breaker.window.count()}}},
      {"logins", std::move(logins)},
      {"followers", std::move(followers)},
  };
}

json::object stats_report(engine::copy_engine& engine) {
  const auto& ctx = engine.context();
  std::map<std::string, std::uint64_t> throttled;
  for (const auto& l : engine.logins()) throttled[l.username] = l.throttled;
  json::array followers;
  for (const auto* f : engine.followers()) {
    const auto& figures = f->figures();
    const auto latency = figures.latency_us.summary();
    const auto sent = figures.sent_us.summary();
    const auto positions = follower_positions(*f);
    followers.push_back(json::object{
        {"name", f->rules().name},
        {"orders_sent", figures.orders_sent},
        {"dry_run_orders", figures.dry_run_orders},
        {"confirmed", figures.confirmed},
        {"rejected", figures.rejected},
        {"unknown", figures.unknown},
        {"unknown_resolved", figures.unknown_resolved},
        {"failed", figures.failed},
        {"corrections", figures.corrections},
        {"position", sum_of(positions, "position")},
        {"target", sum_of(positions, "target")},
        {"positions", positions},
        {"latency_us",
         json::object{
             {"p50", latency.p50}, {"p99", latency.p99}, {"max", latency.max}, {"count", figures.latency.count}}},
        {"sent_us", json::object{{"p50", sent.p50}, {"p99", sent.p99}, {"max", sent.max}}},
        {"throttled", throttled[f->rules().login.username]},
        {"last_error", figures.last_error},
    });
  }
  const auto legs_wait = ctx.legs_wait_us.summary();
  return json::object{
      {"leader_changes", ctx.counters.leader_changes},
      {"total_copies", ctx.counters.total_copies},
      {"successful_copies", ctx.counters.successful_copies},
      {"failed_copies", ctx.counters.failed_copies},
      {"circuit_breaker_trips", ctx.breaker.trips()},
      {"reconcile_corrections", ctx.counters.reconcile_corrections},
      {"reads_deferred", ctx.counters.reads_deferred},
      {"leader_legs_wait_us", json::object{{"p50", legs_wait.p50}, {"p99", legs_wait.p99}, {"max", legs_wait.max}}},
      {"followers", std::move(followers)},
  };
}

boost::json::object alert_report(const alerts::alert_figures& figures) {
  boost::json::array targets;
  for (const auto& t : figures.targets)
    targets.push_back(boost::json::object{{"name", t.name},
                                          {"format", to_string(t.format)},
                                          {"sent", t.counters.delivered},
                                          {"failed", t.counters.failed},
                                          {"dropped", t.counters.dropped},
                                          {"queued", t.queued},
                                          {"last_error", t.last_error}});
  return boost::json::object{{"raised", figures.raised},          {"coalesced", figures.coalesced},
                             {"sent", figures.totals.delivered},  {"failed", figures.totals.failed},
                             {"dropped", figures.totals.dropped}, {"retries", figures.totals.retries},
                             {"targets", std::move(targets)}};
}

} // namespace copytrader::control

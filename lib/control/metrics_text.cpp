#include "control/metrics_text.hpp"

#include "control/reports.hpp"

#include <fmt/format.h>

#include <iterator>

namespace copytrader::control {

namespace {

class writer {
public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  template <typename T>
  void sample(std::string_view name, std::string_view labels, T value) {
    if (labels.empty())
      fmt::format_to(std::back_inserter(out_), "{} {}\n", name, value);
    else
      fmt::format_to(std::back_inserter(out_), "{}{{{}}} {}\n", name, labels, value);
  }
  std::string take() { return std::move(out_); }

private:
  std::string out_;
};

std::string label(std::string_view key, std::string_view value) {
  return fmt::format("{}=\"{}\"", key, escape_label(value));
}

} // namespace

std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string metrics_text(engine::copy_engine& engine) {
  const auto& ctx = engine.context();
  const auto logins = engine.logins();
  const auto followers = engine.followers();
  writer w;

  w.family("copytrader_copying", "gauge", "1 while the engine copies (the leader's account and positions are read)");
  w.sample("copytrader_copying", "", ctx.leader_ready ? 1 : 0);
  w.family("copytrader_leader_changes_total", "counter", "Changes of the leader's position the engine planned for");
  w.sample("copytrader_leader_changes_total", "", ctx.counters.leader_changes);
  w.family("copytrader_copies_total", "counter", "Follower orders and closes sent (copies)");
  w.sample("copytrader_copies_total", "", ctx.counters.total_copies);
  w.family("copytrader_copies_successful_total", "counter", "Follower orders confirmed");
  w.sample("copytrader_copies_successful_total", "", ctx.counters.successful_copies);
  w.family("copytrader_copies_failed_total", "counter", "Follower orders refused or left unresolved");
  w.sample("copytrader_copies_failed_total", "", ctx.counters.failed_copies);
  w.family("copytrader_reconcile_corrections_total", "counter", "Leader positions corrected by a REST read");
  w.sample("copytrader_reconcile_corrections_total", "", ctx.counters.reconcile_corrections);
  w.family("copytrader_reconcile_reads_deferred_total", "counter",
           "Periodic reconciliation reads put off while a login was down to its exit reserve");
  w.sample("copytrader_reconcile_reads_deferred_total", "", ctx.counters.reads_deferred);
  w.family("copytrader_circuit_breaker_trips_total", "counter", "Times the circuit breaker tripped");
  w.sample("copytrader_circuit_breaker_trips_total", "", ctx.breaker.trips());
  w.family("copytrader_circuit_breaker_tripped", "gauge", "1 while the breaker refuses entries");
  w.sample("copytrader_circuit_breaker_tripped", "", ctx.breaker.tripped() ? 1 : 0);

  w.family("copytrader_hub_connected", "gauge", "1 while the login's user hub is connected");
  for (const auto& l : logins)
    w.sample("copytrader_hub_connected", label("login", l.username), l.hub_connected ? 1 : 0);
  w.family("copytrader_hub_reconnects_total", "counter", "User hub connections after the first");
  for (const auto& l : logins)
    w.sample("copytrader_hub_reconnects_total", label("login", l.username),
             l.hub_connections > 0 ? l.hub_connections - 1 : 0);
  w.family("copytrader_https_connections", "gauge", "Warm HTTPS connections of the login's pool");
  for (const auto& l : logins) w.sample("copytrader_https_connections", label("login", l.username), l.connections_open);
  w.family("copytrader_https_connection_pool", "gauge", "The login's pool size (api.connections_per_login bounds it)");
  for (const auto& l : logins)
    w.sample("copytrader_https_connection_pool", label("login", l.username), l.connection_pool);
  w.family("copytrader_https_pool_waits_total", "counter",
           "Requests that waited for another's answer to free a connection (raise api.connections_per_login)");
  for (const auto& l : logins) w.sample("copytrader_https_pool_waits_total", label("login", l.username), l.pool_waits);
  w.family("copytrader_rate_limit_tokens", "gauge", "Requests the login may send now");
  for (const auto& l : logins) w.sample("copytrader_rate_limit_tokens", label("login", l.username), l.tokens);
  w.family("copytrader_rate_limit_capacity", "gauge", "The login's token bucket capacity");
  for (const auto& l : logins) w.sample("copytrader_rate_limit_capacity", label("login", l.username), l.capacity);
  w.family("copytrader_requests_total", "counter", "REST requests sent, per login and priority lane");
  for (const auto& l : logins) {
    static constexpr const char* lanes[] = {"exit", "entry", "bracket_move", "read"};
    for (std::size_t i = 0; i < l.granted.size(); ++i)
      w.sample("copytrader_requests_total", label("login", l.username) + "," + label("priority", lanes[i]),
               l.granted[i]);
  }
  w.family("copytrader_rate_limit_exit_reserve", "gauge", "Requests of the login's window kept for exits");
  for (const auto& l : logins)
    w.sample("copytrader_rate_limit_exit_reserve", label("login", l.username), l.exit_reserve);
  w.family("copytrader_exit_reserve_grants_total", "counter", "Exits sent on the login's reserve");
  for (const auto& l : logins)
    w.sample("copytrader_exit_reserve_grants_total", label("login", l.username), l.reserve_grants);
  // Absent until a leader round trip has been measured: 0 would read as free.
  w.family("copytrader_round_trip_requests", "gauge", "Requests one leader round trip costs the login (moving mean)");
  for (const auto& l : logins) {
    if (l.requests_per_round_trip)
      w.sample("copytrader_round_trip_requests", label("login", l.username), *l.requests_per_round_trip);
  }
  w.family("copytrader_round_trips_per_minute", "gauge", "Leader round trips a minute the login's window sustains");
  for (const auto& l : logins) {
    if (l.round_trips_per_minute)
      w.sample("copytrader_round_trips_per_minute", label("login", l.username), *l.round_trips_per_minute);
  }
  w.family("copytrader_throttled_total", "counter", "HTTP 429 answers from the venue");
  for (const auto& l : logins) w.sample("copytrader_throttled_total", label("login", l.username), l.throttled);

  struct per_follower {
    const char* name;
    const char* help;
    std::uint64_t engine::follower_figures::*field;
  };
  static constexpr per_follower counters[] = {
      {"copytrader_follower_orders_sent_total", "Orders sent for the follower", &engine::follower_figures::orders_sent},
      {"copytrader_follower_rejects_total", "Orders the venue refused", &engine::follower_figures::rejected},
      {"copytrader_follower_unknown_outcomes_total", "Orders whose outcome needed a tag search",
       &engine::follower_figures::unknown},
      {"copytrader_follower_unknown_resolved_total", "Unknown outcomes resolved by the tag search",
       &engine::follower_figures::unknown_resolved},
      {"copytrader_follower_failures_total", "Orders left unresolved", &engine::follower_figures::failed},
      {"copytrader_follower_corrections_total", "Reconciliation corrections of the follower's book",
       &engine::follower_figures::corrections},
  };
  for (const auto& c : counters) {
    w.family(c.name, "counter", c.help);
    for (const auto* f : followers) w.sample(c.name, label("follower", f->rules().name), f->figures().*c.field);
  }
  w.family("copytrader_follower_active", "gauge", "1 while the follower takes new entries");
  for (const auto* f : followers)
    w.sample("copytrader_follower_active", label("follower", f->rules().name), follower_state(*f) == "active" ? 1 : 0);
  // A family's samples stay together, as the format requires.
  for (const bool target : {false, true}) {
    const char* name = target ? "copytrader_follower_target" : "copytrader_follower_position";
    w.family(name, "gauge",
             target ? "What the follower should hold per contract" : "The follower's confirmed position per contract");
    for (const auto* f : followers) {
      for (const auto& [contract, plan] : f->plans()) {
        w.sample(name, label("follower", f->rules().name) + "," + label("contract", contract),
                 target ? plan.target : f->book().confirmed(contract));
      }
    }
  }

  // What the leader implies before any hold: position != this while target == position is a follower
  // held back (breaker, disabled, filter, hands-off), which the target alone cannot show.
  w.family("copytrader_follower_leader_target", "gauge", "What the leader implies for the follower per contract");
  for (const auto* f : followers) {
    for (const auto& [contract, plan] : f->plans())
      w.sample("copytrader_follower_leader_target",
               label("follower", f->rules().name) + "," + label("contract", contract), plan.leader_target);
  }

  w.family("copytrader_follower_guard_state", "gauge",
           "The account guard: 0 active, 1 close-only, 2 locked until the next trading day, 3 halted until unlock");
  for (const auto* f : followers)
    w.sample("copytrader_follower_guard_state", label("follower", f->rules().name),
             static_cast<int>(f->guard().state().mode));
  w.family("copytrader_follower_headroom_usd", "gauge", "Dollars left above a loss limit if every stop fired now");
  for (const auto* f : followers) {
    const auto& g = f->guard();
    if (!g.guarded() || !g.balance()) continue;
    const auto facts = g.facts(f->book(), ctx);
    if (auto room = guard::mll_headroom(*g.limits(), facts))
      w.sample("copytrader_follower_headroom_usd",
               label("follower", f->rules().name) + "," + label("guard", "max_loss"), *room);
    if (auto room = guard::daily_loss_headroom(*g.limits(), facts))
      w.sample("copytrader_follower_headroom_usd",
               label("follower", f->rules().name) + "," + label("guard", "daily_loss"), *room);
  }
  w.family("copytrader_guard_actions_total", "counter", "The account guard's decisions, by rule and action");
  for (const auto* f : followers) {
    for (const auto& [key, count] : f->figures().guard_actions)
      w.sample("copytrader_guard_actions_total",
               label("follower", f->rules().name) + "," + label("guard", key.first) + "," + label("action", key.second),
               count);
  }

  // A leader position a follower's contract_map leaves out is not copied: visible, never silent.
  w.family("copytrader_follower_unmapped_contracts", "gauge",
           "Leader contracts held now that the follower's contract_map does not map (not copied)");
  for (const auto* f : followers)
    w.sample("copytrader_follower_unmapped_contracts", label("follower", f->rules().name), f->unmapped_held().size());

  // Legs the venue refused to cancel (code 6): each can fire on a flat account and open a position.
  w.family("copytrader_follower_orphan_legs", "gauge", "Working legs the venue refused to cancel (cancel by hand)");
  for (const auto* f : followers)
    w.sample("copytrader_follower_orphan_legs", label("follower", f->rules().name), f->orphan_legs().size());

  w.family("copytrader_copy_latency_seconds", "histogram", "Leader event seen to follower order confirmed");
  for (const auto* f : followers) {
    const auto& h = f->figures().latency;
    const std::string name = label("follower", f->rules().name);
    for (std::size_t i = 0; i < h.bounds_us.size(); ++i)
      w.sample("copytrader_copy_latency_seconds_bucket",
               fmt::format("{},le=\"{}\"", name, static_cast<double>(h.bounds_us[i]) / 1e6), h.at_most[i]);
    w.sample("copytrader_copy_latency_seconds_bucket", name + ",le=\"+Inf\"", h.count);
    w.sample("copytrader_copy_latency_seconds_sum", name, static_cast<double>(h.sum_us) / 1e6);
    w.sample("copytrader_copy_latency_seconds_count", name, h.count);
  }
  return w.take();
}

std::string alert_metrics_text(const alerts::alert_figures& figures) {
  writer w;
  w.family("copytrader_alerts_raised_total", "counter", "Alerts raised, before coalescing");
  w.sample("copytrader_alerts_raised_total", "", figures.raised);
  w.family("copytrader_alerts_coalesced_total", "counter", "Alerts held back as repeats of one sent");
  w.sample("copytrader_alerts_coalesced_total", "", figures.coalesced);
  w.family("copytrader_alerts_sent_total", "counter",
           "Alert messages a target took (test-alert's are answered, not counted)");
  w.sample("copytrader_alerts_sent_total", "", figures.totals.delivered);
  w.family("copytrader_alerts_failed_total", "counter", "Alert messages refused or out of attempts");
  w.sample("copytrader_alerts_failed_total", "", figures.totals.failed);
  w.family("copytrader_alerts_dropped_total", "counter", "Alert messages dropped: a target's queue was full");
  w.sample("copytrader_alerts_dropped_total", "", figures.totals.dropped);
  w.family("copytrader_alert_queue", "gauge", "Alert messages waiting, per target");
  for (const auto& t : figures.targets) w.sample("copytrader_alert_queue", label("target", t.name), t.queued);
  return w.take();
}

} // namespace copytrader::control

#include "control/ctl_view.hpp"

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <iterator>

namespace copytrader::control {
namespace json = boost::json;

namespace {

std::string text(const json::value* v) {
  if (v == nullptr || v->is_null()) return "";
  if (v->is_string()) return std::string(v->as_string());
  return json::serialize(*v);
}

std::string field(const json::object& o, std::string_view key) { return text(o.if_contains(key)); }

const json::array& list(const json::object& o, std::string_view key) {
  static const json::array none;
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_array() ? v->as_array() : none;
}

const json::object& object(const json::object& o, std::string_view key) {
  static const json::object none;
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? v->as_object() : none;
}

bool flag(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_bool() && v->as_bool();
}

// "MES 2/2" per contract: position/target; "MES 5/5 (leader 7, held: entries blocked)" when held back.
std::string positions_text(const json::array& positions) {
  std::string out;
  for (const auto& p : positions) {
    const auto& o = p.as_object();
    out += fmt::format("{}{} {}/{}", out.empty() ? "" : ", ", field(o, "contract"), field(o, "position"),
                       field(o, "target"));
    if (o.contains("held")) out += fmt::format(" (leader {}, held: {})", field(o, "leader_target"), field(o, "held"));
  }
  return out.empty() ? "flat" : out;
}

// Dollars as people read them: 50000.00, not 5E4.
std::string usd(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_number()) return text(v);
  return fmt::format("{:.2f}", v->to_number<double>());
}

// 0.2, not 2E-1.
std::string decimal(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_number()) return text(v);
  return fmt::format("{:.1f}", v->to_number<double>());
}

std::uint64_t number(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_number() ? v->to_number<std::uint64_t>() : 0;
}

// "a leader round trip costs 20.0 requests (3 measured): 9.0 a minute sustained", once measured.
std::string round_trip_text(const json::object& login) {
  const auto* cost = login.if_contains("requests_per_round_trip");
  if (cost == nullptr || !cost->is_number()) return "no leader round trip measured yet";
  return fmt::format("a leader round trip costs {} requests ({} measured): {} a minute sustained",
                     decimal(login, "requests_per_round_trip"), field(login, "round_trips"),
                     decimal(login, "round_trips_per_minute"));
}

// A price as the venue gave it: 4980.25, not 4.98025E3.
std::string price(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_number()) return "?";
  return fmt::format("{}", v->to_number<double>());
}

// "locked (G2 daily loss) until 2026-06-16 17:00 CDT: day loss ..." or "active".
std::string guard_state_text(const json::object& g) {
  std::string out = field(g, "state");
  if (g.contains("rule")) out += " (" + field(g, "rule") + ")";
  if (g.contains("until")) out += " until " + field(g, "until");
  if (g.contains("reason")) out += ": " + field(g, "reason");
  return out;
}

std::string money_text(const json::object& g) {
  if (!g.contains("balance") || g.at("balance").is_null()) return "balance not read yet";
  std::string out = "balance " + usd(g, "balance");
  if (g.contains("floor")) out += ", floor " + usd(g, "floor") + ", headroom " + usd(g, "mll_headroom");
  if (g.contains("daily_loss_limit"))
    out += ", day loss at stops " + usd(g, "day_loss_at_stops") + "/" + usd(g, "daily_loss_limit");
  out += ", open risk " + usd(g, "open_risk");
  if (flag(g, "unprotected")) out += " (a position has no stop)";
  return out;
}

} // namespace

std::string render_risk(const json::object& risk) {
  std::string out;
  auto put = std::back_inserter(out);
  for (const auto& f : list(risk, "followers")) {
    const auto& g = f.as_object();
    if (!flag(g, "guarded")) {
      fmt::format_to(put, "{}: no risk limits (hedging and canTrade checks only){}\n", field(g, "name"),
                     g.contains("warning") ? "; " + field(g, "warning") : "");
      continue;
    }
    fmt::format_to(put, "{}: {}, profile {}, trading day {}\n", field(g, "name"), field(g, "program"),
                   field(g, "profile").empty() ? "(none)" : field(g, "profile"), field(g, "trading_day"));
    fmt::format_to(put, "  state:  {}\n", guard_state_text(g));
    fmt::format_to(put, "  money:  {}\n", money_text(g));
    if (g.contains("balance") && !g.at("balance").is_null())
      fmt::format_to(put, "  day:    start {}, realized {}, fees {}, high-water {}, {} mini-equivalents held\n",
                     usd(g, "day_start_balance"), usd(g, "day_realized"), usd(g, "day_fees"), usd(g, "high_water"),
                     decimal(g, "mini_equivalents"));
    if (g.contains("warning")) fmt::format_to(put, "  WARNING: {}\n", field(g, "warning"));
  }
  return out;
}

std::string render_status(const json::object& s) {
  std::string out;
  auto put = std::back_inserter(out);
  const auto& leader = object(s, "leader");
  fmt::format_to(put, "copying:  {}\n",
                 flag(s, "copying") ? (flag(s, "dry_run") ? "yes (dry run: nothing is sent)" : "yes")
                                    : "NO: " + field(s, "problem"));
  std::string leader_positions;
  for (const auto& p : list(leader, "positions")) {
    const auto& o = p.as_object();
    leader_positions +=
        fmt::format("{}{} {}", leader_positions.empty() ? "" : ", ", field(o, "contract"), field(o, "net"));
  }
  fmt::format_to(put, "leader:   account {}, hub {}, {}\n", field(leader, "account"),
                 flag(leader, "hub_connected") ? "connected" : "DISCONNECTED",
                 leader_positions.empty() ? "flat" : leader_positions);
  const auto& breaker = object(s, "breaker");
  fmt::format_to(put, "breaker:  {} ({} trips; more than {} copy events in {} ms trips it)\n",
                 flag(breaker, "tripped") ? "TRIPPED: entries refused, run copytraderctl reset-breaker" : "armed",
                 field(breaker, "trips"), field(breaker, "max_orders"), field(breaker, "window_ms"));
  for (const auto& l : list(s, "logins")) {
    const auto& o = l.as_object();
    // The share of the budget reconciliation reads took since start (design.md section 3).
    const auto& requests = object(o, "requests");
    std::uint64_t total = 0;
    for (const auto& [lane, n] : requests) total += n.is_number() ? n.to_number<std::uint64_t>() : 0;
    const auto* reads = requests.if_contains("read");
    const std::uint64_t read_count = reads != nullptr && reads->is_number() ? reads->to_number<std::uint64_t>() : 0;
    fmt::format_to(put, "login:    {}: {}/{} requests free, {} waiting, {} x 429, reads {}% of {} sent, hub {}\n",
                   field(o, "username"), field(o, "tokens"), field(o, "capacity"), field(o, "waiting"),
                   field(o, "throttled"), total == 0 ? 0 : (100 * read_count + total / 2) / total, total,
                   flag(o, "hub_connected") ? "connected" : "DISCONNECTED");
    fmt::format_to(put, "          {}/{} HTTPS connections warm, {} requests waited for a free one\n",
                   field(o, "connections_open"), field(o, "connection_pool"), field(o, "pool_waits"));
    fmt::format_to(put, "          {} kept for exits ({} to close every follower at once{}); {}\n",
                   field(o, "exit_reserve"), field(o, "exit_reserve_needed"),
                   number(o, "exit_reserve") < number(o, "exit_reserve_needed") ? ": TOO FEW, see the journal" : "",
                   round_trip_text(o));
  }
  const auto& reload = object(s, "reload");
  if (flag(reload, "attempted"))
    fmt::format_to(put, "reload:   {} at {}\n", flag(reload, "ok") ? "ok" : "REFUSED (see the journal)",
                   field(reload, "when"));
  if (const auto& a = object(s, "alerts"); !list(a, "targets").empty()) {
    fmt::format_to(put, "alerts:   {} sent, {} failed, {} dropped, {} held back as repeats\n", number(a, "sent"),
                   number(a, "failed"), number(a, "dropped"), number(a, "coalesced"));
    for (const auto& t : list(a, "targets")) {
      const auto& o = t.as_object();
      fmt::format_to(put, "  {} ({}): {} sent, {} queued{}\n", field(o, "name"), field(o, "format"), number(o, "sent"),
                     number(o, "queued"),
                     field(o, "last_error").empty() ? "" : ", last error: " + field(o, "last_error"));
    }
  }
  fmt::format_to(put, "\n{:<20} {:>9} {:<10} {}\n", "FOLLOWER", "ACCOUNT", "STATE", "POSITION/TARGET");
  for (const auto& f : list(s, "followers")) {
    const auto& o = f.as_object();
    std::string state = field(o, "state");
    if (o.contains("reason")) state += " (" + field(o, "reason") + ")";
    fmt::format_to(put, "{:<20} {:>9} {:<10} {}\n", field(o, "name"), field(o, "account"), state,
                   positions_text(list(o, "positions")));
    const auto& g = object(o, "guard");
    if (flag(g, "guarded") || (g.contains("state") && field(g, "state") != "active"))
      fmt::format_to(put, "{:<20} guard: {}; {}\n", "", guard_state_text(g), money_text(g));
    for (const auto& contract : list(o, "unmapped"))
      fmt::format_to(put, "{:<20} UNMAPPED: the leader holds {}, which contract_map leaves out; not copied\n", "",
                     text(&contract));
    for (const auto& contract : list(o, "untagged"))
      fmt::format_to(put,
                     "{:<20} UNTAGGED: the leader's entry on {} names no strategy, so allowed_strategies sits it "
                     "out (docs/leader-bots.md)\n",
                     "", text(&contract));
    for (const auto& leg : list(o, "orphan_legs")) {
      const auto& l = leg.as_object();
      fmt::format_to(put,
                     "{:<20} ORPHAN {} {} {} {} at {} (order {}): the venue will not cancel it; cancel it by hand\n",
                     "", field(l, "kind"), field(l, "side"), field(l, "size"), field(l, "contract"), price(l, "price"),
                     field(l, "order"));
    }
  }
  return out;
}

std::string render_stats(const json::object& s) {
  std::string out;
  auto put = std::back_inserter(out);
  fmt::format_to(
      put, "leader_changes {}  total_copies {}  successful_copies {}  failed_copies {}  circuit_breaker_trips {}\n",
      field(s, "leader_changes"), field(s, "total_copies"), field(s, "successful_copies"), field(s, "failed_copies"),
      field(s, "circuit_breaker_trips"));
  fmt::format_to(put, "reconcile_corrections {}\n", field(s, "reconcile_corrections"));
  fmt::format_to(put, "reads_deferred {}\n\n", field(s, "reads_deferred"));
  fmt::format_to(put, "{:<16} {:>5} {:>5} {:>8} {:>5} {:>9} {:>9} {:>9} {:>4}  {}\n", "FOLLOWER", "SENT", "REJ",
                 "UNKNOWN", "POS", "P50_US", "P99_US", "MAX_US", "429", "LAST ERROR");
  for (const auto& f : list(s, "followers")) {
    const auto& o = f.as_object();
    const auto& latency = object(o, "latency_us");
    fmt::format_to(put, "{:<16} {:>5} {:>5} {:>8} {:>5} {:>9} {:>9} {:>9} {:>4}  {}\n", field(o, "name"),
                   field(o, "orders_sent"), field(o, "rejected"),
                   field(o, "unknown") + "/" + field(o, "unknown_resolved"),
                   field(o, "position") + "/" + field(o, "target"), field(latency, "p50"), field(latency, "p99"),
                   field(latency, "max"), field(o, "throttled"), field(o, "last_error"));
  }
  return out;
}

std::string render_signal(const json::object& plan) {
  std::string out = flag(plan, "dry_run") ? "dry run, nothing sent:\n" : "signal sent:\n";
  auto put = std::back_inserter(out);
  for (const auto& f : list(plan, "followers")) {
    const auto& o = f.as_object();
    const std::string note = field(o, "note");
    if (field(o, "contract").empty()) {
      fmt::format_to(put, "  {:<16} nothing: {}\n", field(o, "name"), note);
      continue;
    }
    fmt::format_to(put, "  {:<16} {} {} -> {}{}\n", field(o, "name"), field(o, "contract"), field(o, "from"),
                   field(o, "to"), note.empty() ? "" : " (" + note + ")");
  }
  return out;
}

std::string render_flatten(const json::object& result) {
  std::string out;
  for (const auto& name : list(result, "flat")) out += "flat: " + text(&name) + "\n";
  for (const auto& skipped : list(result, "skipped")) out += "NOT flattened: " + text(&skipped) + "\n";
  return out;
}

} // namespace copytrader::control

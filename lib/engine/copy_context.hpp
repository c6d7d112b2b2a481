#pragma once
// What the copy engine knows of the leader and shares with every follower session: the leader's
// net per contract, its bracket legs, the episode filter, the circuit breaker, contract details
// and the counters. One io thread owns it; sessions read it when they plan.

#include "alerts/alert.hpp"
#include "config/config.hpp"
#include "copy/contract_routes.hpp"
#include "copy/leader_legs.hpp"
#include "copy/planner.hpp"
#include "copy/position_tracker.hpp"
#include "copy/sizing.hpp"
#include "copy/venue_clock.hpp"
#include "core/background.hpp"
#include "core/time_source.hpp"
#include "engine/latency_window.hpp"
#include "guard/account_guard.hpp"
#include "projectx/models.hpp"
#include "safety/circuit_breaker.hpp"

#include <fmt/format.h>
#include <boost/asio/post.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace copytrader::engine {

using steady_clock = std::chrono::steady_clock;

// How long a position event that disagrees with the trades waits before it is adopted (a late trade
// closes the gap; a lost one does not). The same for the leader and every follower.
inline constexpr std::chrono::milliseconds settle_time{750};

// A manual signal (copytraderctl copy) is a leader position of its own, kept under a pseudo contract
// ("manual", or "manual:<leader contract>") that followers map like a leader contract. It ends when
// an opposite signal or `flatten --all` takes it to zero, or when no follower holds it any more.
struct manual_position {
  std::int32_t net = 0;
  std::string contract; // the leader contract it stands for; "" = each follower's contract_id
  std::optional<std::int32_t> sl_ticks;
  std::optional<std::int32_t> tp_ticks;
};

struct leader_contract_state {
  std::string event;               // names the latest change in tags: the trade id, or r<n> for a correction
  steady_clock::time_point seen{}; // when the daemon read it (the start of a copy's latency)
  double fill_price = 0;           // of the latest leader fill
  std::optional<double> average_price;
  std::optional<steady_clock::time_point> legs_due; // bracket_wait for the latest entry's legs
  std::optional<projectx::order_id> entry_order;    // the entry whose legs are awaited
  bool entries_blocked = false;                     // breaker tripped or fill too old: this episode adds nothing
  bool fresh_at_start = false; // held at start, with a fill younger than max_copy_age: copied under close_only
  std::uint64_t leg_moves = 0; // bumped each time the leader drags a leg
  std::optional<manual_position> manual; // set for a manual signal's pseudo contract
  std::uint64_t episode = 0;             // counts the episodes (flat to flat; a reversal starts one)
};

// One name, one meaning (docs/operations.md, "stats"): a copy is one follower order or close sent to
// the venue; total = successful + failed + those still unresolved. Dry-run decisions are not copies.
struct engine_counters {
  std::uint64_t leader_changes = 0;    // changes of the leader's position the engine planned for
  std::uint64_t total_copies = 0;      // follower orders and closes sent
  std::uint64_t successful_copies = 0; // of which confirmed (or resolved as placed)
  std::uint64_t failed_copies = 0;     // of which refused, or left unresolved
  std::uint64_t reconcile_corrections = 0;
  std::uint64_t reads_deferred = 0; // periodic reconciliation reads put off while a login was short
};

// One follower order or close the venue took, for the dashboard's list and latency chart.
struct copy_record {
  std::chrono::system_clock::time_point at;
  std::string follower;
  std::string action; // "buy", "sell", "close"
  std::string contract;
  std::int32_t size = 0;
  std::int64_t latency_us = 0; // the leader's event read -> confirmed; 0 when not timed
  bool timed = false;          // the copy latency of its leader change (once per change and follower)
  std::string event;           // the leader trade it copies, "" for a close of the follower's own
};

struct copy_context {
  copy_context(projectx::account_number leader, const config& cfg, background_tasks& background,
               const time_source& clocks = real_time())
      : time(clocks),
        tasks(background),
        tracker(leader, settle_time, cfg.copy.max_copy_age),
        legs(leader),
        episodes(cfg.copy.strategy_pattern),
        breaker(static_cast<std::size_t>(cfg.safety.circuit_breaker.max_orders), cfg.safety.circuit_breaker.window),
        copy(cfg.copy),
        safety(cfg.safety),
        risk(cfg.risk),
        products(cfg.risk.product_groups) {}

  const time_source& time; // every reading of the clock in the engine goes through it
  [[nodiscard]] steady_clock::time_point now() const { return time.monotonic(); }
  background_tasks& tasks; // every task nobody awaits starts here (the failure policy)
  copy::position_tracker tracker;
  copy::leader_legs legs;
  copy::episode_tracker episodes;
  circuit_breaker breaker;
  copy_config copy;
  safety_config safety;
  risk_config risk;
  guard::product_table products; // risk.product_groups, built once per configuration
  // G7: whether another account of this follower's login (the leader included) holds the other
  // direction in a product group. Set by the engine, which sees every account.
  std::function<guard::hedge_conflict(const follower_config& self, std::string_view group, int direction)> hedge;
  std::map<std::string, leader_contract_state, std::less<>> contracts;
  std::map<std::string, projectx::contract, std::less<>> contract_info; // tick sizes, from the preflight
  // The venue's product code of each contract_map symbol (ES -> EP), resolved once for every follower.
  std::map<std::string, std::string, std::less<>> symbol_products;
  // Fail closed: nothing is copied until the leader's account and positions have been read.
  bool leader_ready = false;
  std::string leader_problem = "starting";
  engine_counters counters;
  // Followers made runnable (follower_session::nudge), counted so that the hub client can let
  // them run before it parses the rest of a message.
  std::uint64_t nudges = 0;
  // bracket: mirror: a leader entry's trade read -> its legs armed (or gone), the latest 4096: how
  // long mirrored copies waited for the venue's leg events before they could go.
  latency_window legs_wait_us;
  static constexpr std::size_t copies_kept = 200;
  // Kept only while a dashboard can show them: without one, a copy allocates nothing for the list.
  bool keep_recent_copies = false;
  std::deque<copy_record> recent_copies; // the latest copies_kept, oldest first
  std::uint64_t copies_noted = 0;        // counts note_copy: a rendering of the list is stale when it moves
  void note_copy(copy_record record) {
    recent_copies.push_back(std::move(record));
    if (recent_copies.size() > copies_kept) recent_copies.pop_front();
    ++copies_noted;
  }
  // Where alerts go (the daemon's dispatcher). Raised during a copy, an alert is handed over after
  // the handlers already queued (the followers' sends): its logging and queueing never come first.
  std::function<void(alerts::alert)> alert_sink;
  void raise(alerts::alert_kind kind, std::string follower, std::string what, std::string action) const {
    if (!alert_sink) return;
    boost::asio::post(tasks.executor(),
                      [sink = alert_sink, a = alerts::alert{kind, std::move(follower), std::move(what),
                                                            std::move(action), 0}]() mutable { sink(std::move(a)); });
  }
  copy::venue_clock venue_clock;  // learned from the leader's and the followers' trade events
  std::uint64_t local_events = 0; // numbering for corrections' tags

  // A tag event for what no leader trade names (a correction, a protective stop): the start time in
  // hex and a counter, so that a restarted daemon never reuses a tag the venue already holds.
  std::string local_event(char kind) {
    if (run_id.empty())
      run_id =
          fmt::format("{:x}", std::chrono::duration_cast<std::chrono::seconds>(time.wall().time_since_epoch()).count());
    return fmt::format("{}{}x{}", kind, run_id, ++local_events);
  }
  std::string run_id;

  [[nodiscard]] std::int32_t leader_net(const std::string& key, const leader_contract_state& state) const {
    return state.manual ? state.manual->net : tracker.net(key);
  }
  // The follower contract a leader contract (or a manual signal) lands on; null: not copied.
  [[nodiscard]] static const std::string* follower_contract(const std::string& key, const leader_contract_state& state,
                                                            const copy::contract_routes& routes) {
    if (!state.manual) return routes.follower_contract(key);
    if (state.manual->contract.empty()) return routes.fixed_contract();
    return routes.follower_contract(state.manual->contract);
  }

  // The instant the guard's trading day is judged by: the venue's clock, not the host's.
  [[nodiscard]] guard::sys_time venue_now() const {
    return std::chrono::time_point_cast<guard::sys_time::duration>(venue_clock.now(time.monotonic(), time.wall()));
  }

  [[nodiscard]] double tick_size(const std::string& contract) const {
    auto it = contract_info.find(contract);
    return it == contract_info.end() ? 0.0 : it->second.tick_size;
  }
};

} // namespace copytrader::engine

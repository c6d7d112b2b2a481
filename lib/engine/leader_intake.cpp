// The leader's side of the engine: its hub events turned into position changes (the tracker's pure
// decision), each change logged, screened by the circuit breaker and handed to every follower.

#include "engine/copy_engine.hpp"

#include "copy/sizing.hpp"
#include "core/crash_point.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstdlib>

namespace copytrader::engine {
namespace asio = boost::asio;
namespace px = copytrader::projectx;

void copy_engine::on_leader_events(const std::vector<px::user_event>& events) {
  const auto now = ctx_.now();
  const auto wall = ctx_.time.wall();
  const px::account_number leader = config_.leader.account;
  bool changed = false;
  std::vector<std::string> new_contracts;
  ++leader_events_;
  for (const auto& e : events) {
    if (const auto* t = std::get_if<px::trade_event>(&e)) {
      if (t->value.account_id != leader) continue;
      crash_point("leader_trade"); // F1: received, nothing done or recorded yet
      if (t->value.created) ctx_.venue_clock.observe(*t->value.created, now);
      const auto venue_now = ctx_.venue_clock.now(now, wall);
      if (t->value.created && !copy::venue_clock::plausible(*t->value.created, venue_now)) {
        // Said after the followers had their turn, like every line about a leader change.
        asio::post(executor_, [id = t->value.id, stamp = *t->value.created, venue_now] {
          spdlog::warn(
              "leader trade {} is stamped {}, an hour or more from the venue's clock ({}); the stamp is not "
              "used, the fill counts as it arrived",
              id, px::format_timestamp(stamp), px::format_timestamp(venue_now));
        });
      }
      if (auto change = ctx_.tracker.on_trade(t->value, now, venue_now))
        on_leader_change(*change, t->value.price); // which nudges the followers it concerns
      watermark_ = std::max(watermark_, t->value.id);
    } else if (const auto* p = std::get_if<px::position_event>(&e)) {
      if (p->value.account_id != leader) continue;
      ctx_.tracker.on_position(p->value, now);
      if (p->value.signed_size() != 0) ctx_.contracts[p->value.contract_id].average_price = p->value.average_price;
    } else if (const auto* o = std::get_if<px::order_event>(&e)) {
      if (o->value.account_id != leader) continue;
      ctx_.tracker.on_order(o->value);
      if (!ctx_.contract_info.contains(o->value.contract_id)) new_contracts.push_back(o->value.contract_id);
      if (ctx_.legs.on_order(o->value)) {
        ++ctx_.contracts[o->value.contract_id].leg_moves;
        changed = true;
      }
    }
  }
  for (auto& [contract, state] : ctx_.contracts) {
    if (state.legs_due && state.entry_order && !ctx_.legs.pending(*state.entry_order)) {
      state.legs_due.reset(); // the legs are armed: the mirror followers' entries can go
      changed = true;
      ctx_.legs_wait_us.add(std::chrono::duration_cast<std::chrono::microseconds>(now - state.seen).count());
    }
  }
  if (changed) nudge_all();
  for (auto& c : new_contracts) tasks_.spawn("contract details", learn_contract(std::move(c)));
}

void copy_engine::on_leader_change(const copy::position_change& change, double fill_price) {
  const auto now = ctx_.now();
  auto& state = ctx_.contracts[change.contract];
  state.seen = now;
  const bool manual = change.cause == copy::change_cause::manual_signal;
  state.event = change.trade ? std::to_string(*change.trade) : ctx_.local_event(manual ? 'm' : 'r');
  if (fill_price > 0) state.fill_price = fill_price;
  ctx_.episodes.on_leader_change(change.contract, change.old_net, change.new_net, change.entry_tag);
  ++ctx_.counters.leader_changes;

  const bool adds = change.new_net != 0 && (change.old_net == 0 || (change.old_net > 0) != (change.new_net > 0) ||
                                            std::abs(change.new_net) > std::abs(change.old_net));
  const bool new_episode = change.new_net != 0 && (change.old_net == 0 || (change.old_net > 0) != (change.new_net > 0));
  if (change.new_net == 0 || new_episode) state.entries_blocked = false; // a new episode starts clean
  if (new_episode) ++state.episode;
  const auto trips = ctx_.breaker.trips();
  const bool admitted = ctx_.breaker.admit(adds ? copy_kind::entry : copy_kind::exit, now);
  std::string note;
  if (adds && change.stale) {
    state.entries_blocked = true;
    note = fmt::format("the leader's fill on {} is older than max_copy_age: not copied as an entry", change.contract);
  } else if (adds && !admitted) {
    state.entries_blocked = true;
  }
  // Every trip is said once, whatever tripped it: an exit trips it too (and passes), and the next
  // entry is then refused by a breaker nobody was told about.
  std::string tripped;
  if (ctx_.breaker.trips() != trips)
    tripped = fmt::format(
        "circuit breaker tripped on {} {}: more than {} copy events in {} ms; entries stop until "
        "copytraderctl reset-breaker, exits still go",
        adds ? "an entry on" : "an exit on", change.contract, config_.safety.circuit_breaker.max_orders,
        config_.safety.circuit_breaker.window.count());
  if (adds && change.order && ctx_.legs.pending(*change.order)) {
    state.legs_due = now + config_.copy.bracket_wait;
    state.entry_order = change.order;
    // Mirror followers are woken when the legs arm (on_leader_events) or at legs_due, not for nothing now.
    for (auto& f : followers_) f->nudge_unless_waiting_for_legs(change.contract, *state.legs_due);
  } else {
    nudge_all();
  }
  meter_leader_move(now);
  // Logged (and alerted) after the followers had their turn: no log line is formatted before the sends.
  auto alert_sink = tripped.empty() ? decltype(ctx_.alert_sink){} : ctx_.alert_sink;
  asio::post(executor_, [contract = change.contract, from = change.old_net, to = change.new_net, cause = change.cause,
                         event = state.event, note = std::move(note), tripped = std::move(tripped),
                         alert_sink = std::move(alert_sink)] {
    if (cause == copy::change_cause::position_correction)
      spdlog::info("leader {} {} -> {} (position correction)", contract, from, to);
    else if (cause == copy::change_cause::manual_signal)
      spdlog::info("leader {} {} -> {} (manual signal {})", contract, from, to, event);
    else
      spdlog::info("leader {} {} -> {} (trade {})", contract, from, to, event);
    if (!note.empty()) spdlog::error("{}", note);
    if (tripped.empty()) return;
    spdlog::error("{}", tripped);
    if (alert_sink)
      alert_sink(alerts::alert{alerts::alert_kind::breaker_tripped, "", tripped,
                               "find out why the leader moved so fast, then copytraderctl reset-breaker", 0});
  });
}

asio::awaitable<void> copy_engine::learn_contract(std::string contract) {
  // The leader's order events for a new contract come in twos and threes: one read serves them all.
  if (ctx_.contract_info.contains(contract) || !learning_.insert(contract).second) co_return;
  const scope_exit done([this, contract] { learning_.erase(contract); });
  auto info = co_await login_for(config_.leader.login).rest().contract_by_id(contract);
  if (info) {
    ctx_.contract_info[contract] = *info;
    nudge_all(); // an entry the guard held for the tick value goes now, not at its next recheck
  } else
    spdlog::warn("contract {} could not be read: {}", contract, info.error().message);
}

} // namespace copytrader::engine

// A follower's bracket legs kept fitting its position: cancelled when larger than it or on a flat
// account, resized after a reduction, a missing stop or target placed, the leader's drags mirrored.

#include "copy/follower_plan.hpp"
#include "copy/leg_plan.hpp"
#include "copy/sizing.hpp"
#include "core/crash_point.hpp"
#include "engine/follower_session.hpp"
#include "logging/log.hpp"
#include "projectx/hub_client.hpp"

#include <spdlog/spdlog.h>

#include <cmath>

namespace copytrader::engine {
namespace asio = boost::asio;
namespace px = copytrader::projectx;

namespace {

double round_to_tick(double price, double tick) { return tick > 0 ? std::round(price / tick) * tick : price; }

} // namespace

void follower_session::nudge_unless_waiting_for_legs(const std::string& leader_contract,
                                                     steady_clock::time_point legs_due) {
  // Each follower woken for nothing costs the first real copy a converge: with 50 mirror followers
  // that was about a fifth of the first one's latency (docs/performance.md).
  const auto state = ctx_.contracts.find(leader_contract);
  const std::string* mine = state == ctx_.contracts.end()
                                ? nullptr
                                : copy_context::follower_contract(leader_contract, state->second, routes_);
  if (dirty_ || rules_.bracket != bracket_mode::mirror || mine == nullptr) {
    nudge();
    return;
  }
  std::int32_t target = 0; // as refresh_targets sums it: every leader contract mapped onto mine
  for (const auto& [key, leader] : ctx_.contracts) {
    const std::string* onto = copy_context::follower_contract(key, leader, routes_);
    if (onto != nullptr && *onto == *mine) target += copy::target_size(ctx_.leader_net(key, leader), rules_);
  }
  if (copy::only_waits_for_legs(target, book_.expected(*mine)))
    wake_at(legs_due);
  else
    nudge();
}

asio::awaitable<void> follower_session::maintain_legs(const std::string& contract, const contract_target& t) {
  const auto now = ctx_.now();
  if (!book_.quiet(contract) || book_.arming(contract) || book_.leg_fill_pending(contract)) co_return;
  const std::int32_t position = book_.confirmed(contract);
  if (position != 0) crash_point("legs_check"); // F5: filled, protection not yet verified
  const bool protect = rules_.bracket != bracket_mode::none;
  auto fixes = copy::plan_leg_fixes(position, book_.legs(contract), protect, protect);
  std::erase_if(fixes, [&](const copy::leg_fix& f) {
    return f.kind == copy::leg_fix_kind::cancel && orphans_.contains(f.order);
  });
  if (!fixes.empty()) plans_[contract].legs_settle = now + copy::leg_settle;
  for (const auto& fix : fixes) {
    switch (fix.kind) {
      case copy::leg_fix_kind::cancel: {
        if (orphans_.contains(fix.order)) break; // the venue will not cancel it: asked once
        // A leg larger than the position, or on a flat one, reverses it if it fires: exit priority.
        auto r = co_await cancel_leg(contract, fix.order, request_priority::exit);
        spdlog::info("follower {}: cancelled leg {} on {} (position {}): {}", rules_.name, fix.order, contract,
                     position, px::to_string(r.kind));
        break;
      }
      case copy::leg_fix_kind::resize: {
        if (!take_budget_turn(request_priority::bracket_move, contract)) co_return;
        px::modify_order_params m;
        m.account = rules_.account;
        m.order = fix.order;
        m.size = fix.size;
        auto r = co_await login_.rest().modify(m, px::budget_turn::taken);
        spdlog::info("follower {}: resized leg {} on {} to {} (position {}): {}", rules_.name, fix.order, contract,
                     fix.size, position, px::to_string(r.kind));
        audit("resize_leg", {}, fmt::format("{} {} {} {}", fix.order, contract, fix.size, px::to_string(r.kind)));
        break;
      }
      case copy::leg_fix_kind::add_stop:
      case copy::leg_fix_kind::add_target:
        co_await place_protection(contract, fix.kind == copy::leg_fix_kind::add_stop, fix.size);
        break;
    }
  }
  if (fixes.empty() && rules_.bracket == bracket_mode::mirror && position != 0) co_await mirror_leg_moves(contract, t);
}

bool follower_session::events_trusted() const { return hub_ == nullptr || hub_->connected(); }

asio::awaitable<std::optional<std::vector<px::order_id>>> follower_session::working_orders_read(
    const std::string& contract) {
  std::vector<px::order_id> out;
  auto orders = co_await login_.rest().open_orders(rules_.account);
  if (!orders) {
    spdlog::warn(
        "follower {}: closed {} while its hub is down; its working orders could not be read ({}): the next "
        "account read cancels what is left",
        rules_.name, contract, orders.error().message);
    co_return std::nullopt;
  }
  for (const auto& o : *orders) {
    if (o.contract_id == contract && copy::follower_book::works_as_leg(o)) out.push_back(o.id);
  }
  co_return out;
}

asio::awaitable<px::place_outcome> follower_session::cancel_leg(const std::string& contract, px::order_id leg,
                                                                request_priority priority) {
  auto r = co_await login_.rest().cancel(rules_.account, leg, priority);
  audit("cancel_leg", {}, fmt::format("{} {} {}", leg, contract, px::to_string(r.kind)));
  if (r.kind == px::outcome_kind::confirmed) book_.cancelled(leg);
  if (r.refusal != px::refusal_kind::cancel_not_allowed) co_return r;
  orphans_.insert(leg);
  if (guard_.cancel_not_allowed(r.message)) {
    last_guard_note_ = guard_.state().reason;
    ++figures_.guard_actions[{std::string(guard::to_string(guard::guard_rule::account_state)), "halted"}];
    const log_fields fields{{"FOLLOWER", rules_.name}, {"GUARD", guard::to_string(guard::guard_rule::account_state)}};
    spdlog::error(
        "follower {}: the venue refuses to cancel this account's orders ({}); leg {} on {} stays working "
        "and no entry is sent. Take account {} out of the platform's own copier (a follower there cannot "
        "cancel through the API; a live account cannot either), cancel its working orders by hand, then "
        "copytraderctl unlock {}",
        rules_.name, r.message, leg, contract, rules_.account, rules_.name);
    audit("guard", {}, fmt::format("halted: {}", guard_.state().reason));
    if (guards_ != nullptr && guard_.take_dirty()) guards_->save(rules_.account, guard_.snapshot());
  } else {
    spdlog::warn("follower {}: leg {} on {} stays working: the venue refuses to cancel it ({})", rules_.name, leg,
                 contract, r.message);
  }
  co_return r;
}

std::vector<copy::working_order> follower_session::orphan_legs() const {
  std::vector<copy::working_order> out;
  if (orphans_.empty()) return out; // the usual case: status and every metrics scrape ask
  for (const auto& contract : book_.contracts()) {
    for (auto& leg : book_.legs(contract)) {
      if (orphans_.contains(leg.id)) out.push_back(std::move(leg));
    }
  }
  return out;
}

asio::awaitable<void> follower_session::place_protection(const std::string& contract, bool stop, std::int32_t size) {
  const auto average = book_.average_price(contract);
  const double tick = ctx_.tick_size(contract);
  const std::int32_t position = book_.confirmed(contract);
  if (!average || tick <= 0 || position == 0) co_return;
  const bool is_long = position > 0;
  const std::int32_t ticks = stop ? rules_.sl_ticks : rules_.tp_ticks;
  const double offset = ticks * tick * ((is_long == stop) ? -1.0 : 1.0);
  px::place_order_params p;
  p.account = rules_.account;
  p.contract_id = contract;
  p.type = stop ? px::order_type::stop : px::order_type::limit;
  p.side = is_long ? px::side::ask : px::side::bid;
  p.size = size;
  const double price = round_to_tick(*average + offset, tick);
  if (stop)
    p.stop_price = price;
  else
    p.limit_price = price;
  const std::string tag = next_tag(ctx_.local_event('p'));
  p.custom_tag = tag;
  const auto r = co_await place_resolved(p, request_priority::exit);
  if (r.kind == px::outcome_kind::confirmed) {
    spdlog::warn("follower {}: position of {} on {} had no {}; placed one at {} (tag {})", rules_.name, position,
                 contract, stop ? "stop" : "target", price, tag);
  } else {
    note_failure(fmt::format("protecting {} on {} with a {} failed: {}", position, contract, stop ? "stop" : "target",
                             r.message));
  }
  audit(stop ? "add_stop" : "add_target", tag,
        fmt::format("{} {} {} {}", contract, size, price, px::to_string(r.kind)));
}

asio::awaitable<void> follower_session::mirror_leg_moves(const std::string& contract, const contract_target& t) {
  if (t.source.empty()) co_return;
  const auto& leader = ctx_.contracts.find(t.source)->second;
  auto& done = plans_[contract].mirrored_moves;
  if (done == leader.leg_moves) co_return;
  const auto before = done;
  done = leader.leg_moves;
  const auto prices = ctx_.legs.prices(t.source);
  const auto average = book_.average_price(contract);
  const double leader_tick = ctx_.tick_size(t.source);
  const double tick = ctx_.tick_size(contract);
  if (!average || !leader.average_price || leader_tick <= 0 || tick <= 0) co_return;
  const bool same_direction = (book_.confirmed(contract) > 0) == (ctx_.tracker.net(t.source) > 0);
  for (const auto& leg : book_.legs(contract)) {
    const auto leader_price = leg.is_stop() ? prices.stop : prices.target;
    if (!leader_price) continue;
    // The leader's distance from its fill, in its ticks, laid off from the follower's own fill.
    double distance_ticks = std::round((*leader_price - *leader.average_price) / leader_tick);
    if (!same_direction) distance_ticks = -distance_ticks; // invert
    const double wanted = round_to_tick(*average + distance_ticks * tick, tick);
    const auto current = leg.is_stop() ? leg.stop_price : leg.limit_price;
    if (current && std::abs(*current - wanted) < tick / 2) continue;
    px::modify_order_params m;
    m.account = rules_.account;
    m.order = leg.id;
    (leg.is_stop() ? m.stop_price : m.limit_price) = wanted;
    if (!take_budget_turn(request_priority::bracket_move, contract)) {
      plans_[contract].mirrored_moves = before; // not mirrored yet: again when a slot is due
      co_return;
    }
    auto r = co_await login_.rest().modify(m, px::budget_turn::taken);
    spdlog::info("follower {}: moved {} leg {} on {} to {} (the leader's moved): {}", rules_.name,
                 leg.is_stop() ? "stop" : "target", leg.id, contract, wanted, px::to_string(r.kind));
    audit("move_leg", {}, fmt::format("{} {} {} {}", leg.id, contract, wanted, px::to_string(r.kind)));
  }
}

void follower_session::shadow_leg_moves(const std::string& contract, const contract_target& t) {
  if (rules_.bracket != bracket_mode::mirror || t.source.empty()) return;
  auto shadow = shadow_legs_.find(contract);
  if (shadow == shadow_legs_.end() || shadow->second.empty()) return;
  const auto& leader = ctx_.contracts.find(t.source)->second;
  auto& done = plans_[contract].mirrored_moves;
  if (done == leader.leg_moves) return;
  done = leader.leg_moves;
  const auto prices = ctx_.legs.prices(t.source);
  const double leader_tick = ctx_.tick_size(t.source);
  if (!leader.average_price || leader_tick <= 0) return;
  const auto distance = [&](const std::optional<double>& price) -> std::optional<std::int32_t> {
    if (!price) return std::nullopt;
    return static_cast<std::int32_t>(std::lround(std::abs(*price - *leader.average_price) / leader_tick));
  };
  say_shadow_legs(contract, shadow->second.on_leader_legs(distance(prices.stop), distance(prices.target)),
                  " (the leader's moved)");
}

void follower_session::say_shadow_legs(const std::string& contract, const std::vector<copy::shadow_change>& changes,
                                       std::string_view why) {
  for (const auto& c : changes) {
    const auto leg = copy::to_string(c.leg);
    switch (c.kind) {
      case copy::shadow_change_kind::place:
        spdlog::info("dry run: follower {} would place a {} of {} on {} at {} ticks{}", rules_.name, leg, c.size,
                     contract, c.ticks, why);
        break;
      case copy::shadow_change_kind::resize:
        spdlog::info("dry run: follower {} would resize its {} on {} to {}{}", rules_.name, leg, contract, c.size, why);
        break;
      case copy::shadow_change_kind::cancel:
        spdlog::info("dry run: follower {} would cancel its {} on {}{}", rules_.name, leg, contract, why);
        break;
      case copy::shadow_change_kind::move:
        spdlog::info("dry run: follower {} would move its {} on {} to {} ticks from its entry{}", rules_.name, leg,
                     contract, c.ticks, why);
        break;
    }
  }
}

} // namespace copytrader::engine

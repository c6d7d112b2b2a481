#include "guard/account_guard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace copytrader::guard {

namespace {

// Room in whole contracts for `budget` dollars at `per_contract` each: never rounded up.
std::int32_t contracts_within(double budget, double per_contract) {
  if (!(per_contract > 0)) return 0;
  if (budget <= 0) return 0;
  const double n = std::floor(budget / per_contract + 1e-9);
  return n >= 1e6 ? 1'000'000 : static_cast<std::int32_t>(n);
}

bool in_blackout(const blackout_window& w, const trading_calendar& calendar, const product_table& products,
                 std::string_view contract, sys_time now) {
  if (now < calendar.to_sys(w.start) || now >= calendar.to_sys(w.end)) return false;
  if (w.products.empty()) return true;
  const auto info = products.classify(contract);
  const auto code = product_code(contract);
  return std::any_of(w.products.begin(), w.products.end(),
                     [&](const std::string& p) { return p == info.group || p == code; });
}

struct bound {
  std::int32_t room = std::numeric_limits<std::int32_t>::max(); // contracts that may be added
  guard_rule rule = guard_rule::none;
  std::string detail;

  void limit(std::int32_t r, guard_rule why, std::string text) {
    if (r >= room) return;
    room = r;
    rule = why;
    detail = std::move(text);
  }
};

entry_verdict none_added(const entry_intent& intent, guard_rule rule, std::string detail) {
  return entry_verdict{intent.held, rule, false, std::move(detail)};
}

} // namespace

std::optional<double> mll_headroom(const risk_limits& limits, const account_facts& facts) {
  if (!facts.balance) return std::nullopt;
  const auto floor = mll_floor(limits.loss, facts.high_water);
  if (!floor) return std::nullopt;
  return facts.money.worst_case_equity() - *floor;
}

std::optional<double> daily_loss_headroom(const risk_limits& limits, const account_facts& facts) {
  if (!facts.balance || limits.daily_loss_limit_usd <= 0) return std::nullopt;
  return limits.daily_loss_limit_usd - facts.money.day_loss_worst();
}

entry_verdict screen_entry(const guard_inputs& in, const entry_intent& intent, sys_time now) {
  const auto& limits = in.limits;
  const auto& facts = in.facts;
  if (in.state.blocks_entries()) {
    return none_added(intent, in.state.rule,
                      fmt::format("the account is {}: {}", to_string(in.state.mode), in.state.reason));
  }
  if (!facts.can_trade) return none_added(intent, guard_rule::account_state, "canTrade is false");
  if (limits.session.enforce && in.calendar.phase(now) != session_phase::entries) {
    return none_added(intent, guard_rule::session, "outside the trading day's entry hours");
  }
  for (const auto& w : limits.blackouts) {
    if (in_blackout(w, in.calendar, in.products, intent.contract, now))
      return none_added(intent, guard_rule::blackout, "inside a blackout window");
  }
  if (intent.hedge == hedge_conflict::standing) {
    return none_added(intent, guard_rule::hedging, "another account of the login holds the other direction");
  }
  if (intent.hedge == hedge_conflict::passing) {
    auto v =
        none_added(intent, guard_rule::hedging, "another account of the login is still leaving the other direction");
    v.wait = true;
    return v;
  }

  if (limits.daily_profit_target_usd > 0 && facts.balance &&
      facts.money.day_result() >= limits.daily_profit_target_usd) {
    return none_added(intent, guard_rule::profit_target,
                      fmt::format("day result {:.2f} reached the target {:.2f}", facts.money.day_result(),
                                  limits.daily_profit_target_usd));
  }
  bound b;
  if (limits.max_contracts > 0) {
    const bool micro = in.products.classify(intent.contract).micro;
    const double weight = micro ? limits.micro_weight : 1.0;
    const double held = facts.mini_equivalents_held - std::abs(intent.closing) * weight;
    b.limit(contracts_within(limits.max_contracts - held, weight), guard_rule::size,
            fmt::format("{:.1f} of {:.1f} mini-equivalents held, {} counts {:.1f}", held, limits.max_contracts,
                        product_code(intent.contract), weight));
  }

  if (limits.guards_loss()) {
    const bool stale = facts.balance_seen && now - *facts.balance_seen > limits.max_state_age;
    // Data still being read (just started, a contract learned on its first fill) is waited for a
    // moment: the plan turns a wait that lasts into a skip.
    if (!facts.balance || stale) {
      auto v = none_added(intent, guard_rule::stale_data,
                          facts.balance ? "the balance is too old" : "the balance is unknown");
      v.wait = true;
      return v;
    }
    if (!intent.dollars_per_point) {
      auto v = none_added(intent, guard_rule::stale_data, "the contract's tick value is unknown");
      v.wait = true;
      return v;
    }
    if (facts.money.unprotected) return none_added(intent, guard_rule::unprotected, "an open position has no stop");
    if (!intent.stop_points) return none_added(intent, guard_rule::unprotected, "the entry would carry no stop");
    const double per_contract =
        *intent.stop_points * *intent.dollars_per_point + limits.cost.slippage_reserve + 2 * limits.cost.fee_per_fill;
    if (auto headroom = mll_headroom(limits, facts)) {
      b.limit(contracts_within(*headroom - limits.mll_entry_buffer_usd, per_contract), guard_rule::max_loss,
              fmt::format("balance {:.2f}, open risk {:.2f}, floor {:.2f}, headroom {:.2f}, buffer {:.2f}, risk "
                          "{:.2f} a contract",
                          *facts.balance, facts.money.open_risk, facts.money.worst_case_equity() - *headroom, *headroom,
                          limits.mll_entry_buffer_usd, per_contract));
    }
    if (auto headroom = daily_loss_headroom(limits, facts)) {
      b.limit(contracts_within(*headroom, per_contract), guard_rule::daily_loss,
              fmt::format("day loss at the stops {:.2f} of {:.2f}, risk {:.2f} a contract",
                          facts.money.day_loss_worst(), limits.daily_loss_limit_usd, per_contract));
    }
  }
  entry_verdict v;
  const std::int64_t most = static_cast<std::int64_t>(intent.held) + b.room;
  v.most = static_cast<std::int32_t>(std::min<std::int64_t>(most, std::numeric_limits<std::int32_t>::max()));
  if (v.most < intent.wanted) {
    v.rule = b.rule;
    v.detail = std::move(b.detail);
  }
  return v;
}

std::string_view to_string(guard_action action) noexcept {
  switch (action) {
    case guard_action::none: return "none";
    case guard_action::close_only: return "close_only";
    case guard_action::flatten_lock: return "flatten_lock";
    case guard_action::flatten_halt: return "flatten_halt";
    case guard_action::flatten_now: return "flatten";
  }
  return "?";
}

std::optional<guard_mode> mode_after(guard_action action) noexcept {
  switch (action) {
    case guard_action::close_only: return guard_mode::close_only;
    case guard_action::flatten_lock: return guard_mode::locked;
    case guard_action::flatten_halt: return guard_mode::halted;
    case guard_action::none:
    case guard_action::flatten_now: return std::nullopt;
  }
  return std::nullopt;
}

live_verdict check_live(const guard_inputs& in, bool holds_positions, sys_time now) {
  const auto& limits = in.limits;
  const auto& facts = in.facts;
  if (auto headroom = mll_headroom(limits, facts); headroom && *headroom <= limits.mll_flatten_buffer_usd) {
    return {guard_action::flatten_halt, guard_rule::max_loss, std::nullopt,
            fmt::format("worst case {:.2f} is {:.2f} above the floor, flatten buffer {:.2f}",
                        facts.money.worst_case_equity(), *headroom, limits.mll_flatten_buffer_usd)};
  }
  if (auto headroom = daily_loss_headroom(limits, facts); headroom && *headroom <= 0) {
    const auto action =
        limits.on_daily_loss == daily_loss_action::flatten_lock ? guard_action::flatten_lock : guard_action::close_only;
    return {action, guard_rule::daily_loss, in.calendar.next_open(now),
            fmt::format("day loss at the stops {:.2f} reached the limit {:.2f} (balance {:.2f}, day start {:.2f}, "
                        "open risk {:.2f})",
                        facts.money.day_loss_worst(), limits.daily_loss_limit_usd, facts.money.balance,
                        facts.money.day_start_balance, facts.money.open_risk)};
  }
  if (limits.daily_profit_target_usd > 0 && facts.balance &&
      facts.money.day_result() >= limits.daily_profit_target_usd) {
    return {guard_action::close_only, guard_rule::profit_target, in.calendar.next_open(now),
            fmt::format("day result {:.2f} reached the target {:.2f}", facts.money.day_result(),
                        limits.daily_profit_target_usd)};
  }
  if (holds_positions && limits.session.enforce && in.calendar.phase(now) == session_phase::flat) {
    return {guard_action::flatten_now, guard_rule::session, std::nullopt, "past the session's flatten time"};
  }
  return {};
}

} // namespace copytrader::guard

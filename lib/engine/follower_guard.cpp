#include "engine/follower_guard.hpp"

#include "engine/copy_context.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace copytrader::engine {

void follower_guard::configure(const follower_config& rules, const risk_config& risk) {
  limits_ = rules.risk;
  products_ = guard::product_table(risk.product_groups);
  calendar_.reset();
  if (!limits_) return;
  // The zone's file was read when the configuration was validated: this is a lookup in memory.
  calendar_.emplace(limits_->session);
  if (!high_water_known_) {
    // The API cannot tell the end-of-day high: the first start takes it from the configuration.
    high_water_ = limits_->high_water_usd > 0 ? limits_->high_water_usd : limits_->loss.start_balance;
    high_water_known_ = true;
  }
}

void follower_guard::on_account(const projectx::account& account, guard::sys_time now) {
  balance_ = account.balance;
  balance_seen_ = now;
  can_trade_ = account.can_trade;
  if (!day_start_known_) {
    day_start_balance_ = account.balance;
    day_start_known_ = true;
    dirty_ = true;
  }
}

bool follower_guard::locked_by_venue(guard::sys_time now, const std::string& message) {
  const bool changed = calendar_ ? guard::escalate(state_, guard::guard_mode::locked, guard::guard_rule::refused,
                                                   calendar_->next_open(now), "the venue refused an entry: " + message)
                                 : guard::escalate(state_, guard::guard_mode::halted, guard::guard_rule::refused,
                                                   std::nullopt, "the venue refused an entry: " + message);
  dirty_ = dirty_ || changed;
  return changed;
}

bool follower_guard::cancel_not_allowed(const std::string& message) {
  const bool changed = guard::escalate(state_, guard::guard_mode::halted, guard::guard_rule::account_state,
                                       std::nullopt, "the venue refuses to cancel its orders: " + message);
  dirty_ = dirty_ || changed;
  return changed;
}

guard_record follower_guard::snapshot() const {
  guard_record r;
  if (trading_day_) r.trading_day = guard::format_day(*trading_day_);
  r.day_start_balance = day_start_balance_;
  r.high_water = high_water_;
  r.mode = static_cast<int>(state_.mode);
  r.rule = static_cast<int>(state_.rule);
  if (state_.until)
    r.until_unix_s = std::chrono::duration_cast<std::chrono::seconds>(state_.until->time_since_epoch()).count();
  r.reason = state_.reason;
  return r;
}

void follower_guard::restore(const guard_record& saved, guard::sys_time now) {
  if (!limits_ || !calendar_) {
    // Without limits only a halt is kept (the venue refused an entry, or will not cancel): it ends
    // by the operator's unlock alone, so a restart must not end it.
    if (saved.mode == static_cast<int>(guard::guard_mode::halted)) {
      guard::escalate(state_, guard::guard_mode::halted, static_cast<guard::guard_rule>(saved.rule), std::nullopt,
                      saved.reason);
    }
    return;
  }
  high_water_ = saved.high_water;
  high_water_known_ = true;
  const auto today = calendar_->day_of(now);
  if (saved.trading_day == guard::format_day(today)) {
    trading_day_ = today;
    day_start_balance_ = saved.day_start_balance;
    day_start_known_ = true;
  }
  const auto mode = static_cast<guard::guard_mode>(saved.mode);
  if (mode != guard::guard_mode::active && saved.mode <= static_cast<int>(guard::guard_mode::halted)) {
    std::optional<guard::sys_time> until;
    if (saved.until_unix_s) until = guard::sys_time{std::chrono::seconds(*saved.until_unix_s)};
    guard::escalate(state_, mode, static_cast<guard::guard_rule>(saved.rule), until, saved.reason);
    guard::expire(state_, now);
  }
  dirty_ = true;
}

void follower_guard::confirmed(guard::sys_time now) {
  if (balance_) balance_seen_ = now;
}

void follower_guard::on_fill(const projectx::trade& fill) {
  if (!fill.voided) day_.add_fill(fill.profit_and_loss, fill.fees);
}

void follower_guard::roll_day(guard::sys_time now) {
  if (!calendar_) return;
  const auto day = calendar_->day_of(now);
  if (!trading_day_) {
    trading_day_ = day;
    return;
  }
  if (day == *trading_day_) return;
  trading_day_ = day;
  day_ = {};
  dirty_ = true;
  if (balance_) {
    // The balance at the roll is the day's end-of-day balance and the next day's start.
    high_water_ = std::max(high_water_, *balance_);
    day_start_balance_ = *balance_;
  } else {
    day_start_known_ = false;
  }
}

guard::account_facts follower_guard::facts(const copy::follower_book& book, const copy_context& ctx) const {
  guard::account_facts f;
  f.balance = balance_;
  f.balance_seen = balance_seen_;
  f.can_trade = can_trade_;
  f.day_start_balance = day_start_balance_;
  f.high_water = high_water_;
  std::vector<guard::stopped_position> open;
  const double micro_weight = limits_ ? limits_->micro_weight : 0.1;
  for (const auto& contract : book.contracts()) {
    const std::int32_t expected = book.expected(contract);
    f.mini_equivalents_held += std::abs(expected) * (products_.classify(contract).micro ? micro_weight : 1.0);
    const std::int32_t held = book.confirmed(contract);
    if (held == 0) continue;
    const auto info = ctx.contract_info.find(contract);
    const auto per_point = info == ctx.contract_info.end()
                               ? std::nullopt
                               : guard::dollars_per_point(info->second.tick_value, info->second.tick_size);
    const double average = book.average_price(contract).value_or(0);
    const int protective_side = held > 0 ? projectx::side::ask : projectx::side::bid;
    std::int32_t covered = 0;
    for (const auto& leg : book.legs(contract)) {
      if (!leg.is_stop() || leg.side != protective_side || !leg.stop_price) continue;
      const std::int32_t size = std::min(leg.size, std::abs(held) - covered);
      if (size <= 0) break;
      covered += size;
      open.push_back({held > 0 ? size : -size, average, leg.stop_price, per_point.value_or(0)});
    }
    // What no stop covers, or a contract whose value per point is unknown, is unbounded.
    if (covered < std::abs(held) || !per_point) open.push_back({held, average, std::nullopt, 0});
  }
  f.money = guard::assess(balance_.value_or(0), day_start_balance_, open,
                          limits_ ? limits_->cost : guard::cost_per_contract{});
  return f;
}

std::optional<guard::live_verdict> follower_guard::check(guard::sys_time now, const copy::follower_book& book,
                                                         const copy_context& ctx) {
  if (!limits_ || !calendar_) return std::nullopt;
  roll_day(now);
  if (auto before = state_; guard::expire(state_, now)) {
    ended_ = std::move(before);
    dirty_ = true;
  }
  const auto f = facts(book, ctx);
  bool holds = false;
  for (const auto& contract : book.contracts()) holds = holds || book.expected(contract) != 0;
  auto verdict = guard::check_live(guard::guard_inputs{*limits_, *calendar_, products_, state_, f}, holds, now);
  if (verdict.action == guard::guard_action::none) return std::nullopt;
  const auto mode = guard::mode_after(verdict.action);
  const bool changed = mode && guard::escalate(state_, *mode, verdict.rule, verdict.until, verdict.detail);
  if (changed) dirty_ = true;
  const bool flattens = verdict.action != guard::guard_action::close_only;
  if (changed || (flattens && holds)) return verdict;
  return std::nullopt;
}

guard::entry_verdict follower_guard::screen(const guard::entry_intent& intent, const copy::follower_book& book,
                                            const copy_context& ctx, guard::sys_time now) const {
  if (limits_ && calendar_) {
    const auto f = facts(book, ctx);
    return guard::screen_entry(guard::guard_inputs{*limits_, *calendar_, products_, state_, f}, intent, now);
  }
  if (state_.blocks_entries()) {
    return {intent.held, state_.rule, false,
            fmt::format("the account is {}: {}", guard::to_string(state_.mode), state_.reason)};
  }
  if (!can_trade_) return {intent.held, guard::guard_rule::account_state, false, "canTrade is false"};
  if (intent.hedge == guard::hedge_conflict::none) return {};
  const bool passing = intent.hedge == guard::hedge_conflict::passing;
  return {intent.held, guard::guard_rule::hedging, passing,
          passing ? "another account of the login is still leaving the other direction"
                  : "another account of the login holds the other direction"};
}

} // namespace copytrader::engine

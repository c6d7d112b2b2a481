// The follower session's side of the account guard: the screen its plan consults before an entry,
// the live checks on every tick, and one log line (with journald fields) per decision.

#include "engine/follower_session.hpp"

#include "logging/log.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

namespace copytrader::engine {

copy::entry_room follower_session::guard_screen::room(int direction, std::int32_t held, std::int32_t wanted) const {
  const auto& ctx = session.ctx_;
  guard::entry_intent intent{contract, direction, held, wanted, std::nullopt, std::nullopt, guard::hedge_conflict::none,
                             0};
  // A reversal: what the follower holds the other way is closed before this entry is sent.
  if (const std::int32_t expected = session.book_.expected(contract); expected * direction < 0)
    intent.closing = expected;
  if (auto info = ctx.contract_info.find(contract); info != ctx.contract_info.end()) {
    intent.dollars_per_point = guard::dollars_per_point(info->second.tick_value, info->second.tick_size);
  }
  // The stop this entry would carry: what its worst case is measured to.
  if (const double tick = ctx.tick_size(contract); tick > 0) {
    const auto planned = session.planned_bracket(contract, target, direction > 0);
    if (planned.stop_loss) intent.stop_points = std::abs(planned.stop_loss->ticks) * tick;
  }
  if (ctx.hedge) intent.hedge = ctx.hedge(session.rules_, ctx.products.classify(contract).group, direction);
  const auto verdict = session.guard_.screen(intent, session.book_, ctx, ctx.venue_now());
  if (verdict.binds(wanted)) bound = verdict;
  return copy::entry_room{verdict.most, verdict.wait, verdict.rule};
}

void follower_session::note_guard_hold(const std::string& contract, const copy::contract_plan& plan,
                                       const guard::entry_verdict& v) {
  const log_fields fields{{"FOLLOWER", rules_.name}, {"GUARD", guard::to_string(v.rule)}};
  if (v.wait) {
    spdlog::debug("follower {}: account guard: entry on {} waits ({}: {})", rules_.name, contract,
                  guard::to_string(v.rule), v.detail);
    return;
  }
  ++figures_.guard_holds;
  ++figures_.guard_actions[{std::string(guard::to_string(v.rule)),
                            v.most <= 0 || plan.target == plan.expected ? "skip" : "shrink"}];
  spdlog::warn("follower {}: account guard held the entry on {} at {} of the leader's {} ({}: {})", rules_.name,
               contract, plan.target, plan.leader_target, guard::to_string(v.rule), v.detail);
  audit("guard", {},
        fmt::format("{} held at {} of {}: {}: {}", contract, plan.target, plan.leader_target, guard::to_string(v.rule),
                    v.detail));
}

void follower_session::restore_guard(const guard_record& saved) {
  guard_.restore(saved, ctx_.venue_now());
  if (guard_.state().mode != guard::guard_mode::active) {
    spdlog::warn("follower {}: account guard restored {} ({}): {}", rules_.name, guard::to_string(guard_.state().mode),
                 guard::to_string(guard_.state().rule), guard_.state().reason);
    last_guard_note_ = guard_.state().reason;
  }
}

void follower_session::check_guard() {
  if (stopped_) return;
  // An unguarded follower's halt (the venue's refusal, cancel code 6) and its unlock survive a restart too.
  if (!guard_.guarded()) {
    if (guard_.take_dirty() && guards_ != nullptr) guards_->save(rules_.account, guard_.snapshot());
    return;
  }
  const auto now = ctx_.venue_now();
  const auto verdict = guard_.check(now, book_, ctx_);
  if (auto ended = guard_.take_ended()) {
    const log_fields fields{{"FOLLOWER", rules_.name}, {"GUARD", guard::to_string(ended->rule)}};
    spdlog::warn("follower {}: account guard {} ({}) ended: trading day {} began", rules_.name,
                 guard::to_string(ended->mode), guard::to_string(ended->rule),
                 guard::format_day(guard_.calendar()->day_of(now)));
    audit("guard", {}, fmt::format("{} ended at the trading-day roll", guard::to_string(ended->mode)));
    last_guard_note_.clear();
  }
  // Written on the helper thread; a lock must survive a restart that comes right after it.
  if (guard_.take_dirty() && guards_ != nullptr) guards_->save(rules_.account, guard_.snapshot());
  if (!verdict) return;
  const bool flattens = verdict->action == guard::guard_action::flatten_lock ||
                        verdict->action == guard::guard_action::flatten_halt ||
                        verdict->action == guard::guard_action::flatten_now;
  const bool act = flattens && !flatten_pending_ && !holds_nothing();
  const auto& state = guard_.state();
  const bool state_news = state.rule == verdict->rule && state.reason == verdict->detail && !state.reason.empty() &&
                          last_guard_note_ != state.reason;
  if (!act && !state_news) return;
  last_guard_note_ = state.reason;
  ++figures_
        .guard_actions[{std::string(guard::to_string(verdict->rule)), std::string(guard::to_string(verdict->action))}];
  const log_fields fields{{"FOLLOWER", rules_.name}, {"GUARD", guard::to_string(verdict->rule)}};
  std::string until = "until an operator unlocks it";
  if (verdict->until) until = "until " + guard_.calendar()->local_text(*verdict->until);
  if (verdict->action == guard::guard_action::flatten_now) until = "";
  spdlog::error("follower {}: account guard {}: {}: {}{}{}", rules_.name, guard::to_string(verdict->action),
                guard::to_string(verdict->rule), verdict->detail, until.empty() ? "" : ", ", until);
  audit("guard", {},
        fmt::format("{}: {}: {}", guard::to_string(verdict->action), guard::to_string(verdict->rule), verdict->detail));
  if (act) flatten(); // first: the exits are nudged before the alert is raised
  ctx_.raise(
      alerts::alert_kind::guard_action, rules_.name,
      fmt::format("account guard {} ({}): {}{}{}", guard::to_string(verdict->action), guard::to_string(verdict->rule),
                  verdict->detail, until.empty() ? "" : ", ", until),
      "copytraderctl risk " + rules_.name + "; copytraderctl unlock " + rules_.name + " once the account is fine");
}

void follower_session::lock_after_refusal(const std::string& message) {
  if (!guard_.locked_by_venue(ctx_.venue_now(), message)) return;
  const auto& state = guard_.state();
  last_guard_note_ = state.reason;
  ++figures_.guard_actions[{std::string(guard::to_string(state.rule)), std::string(guard::to_string(state.mode))}];
  const log_fields fields{{"FOLLOWER", rules_.name}, {"GUARD", guard::to_string(state.rule)}};
  spdlog::error("follower {}: account guard {}: {}; no entry until {}", rules_.name, guard::to_string(state.mode),
                state.reason,
                state.until && guard_.calendar() ? guard_.calendar()->local_text(*state.until)
                                                 : "copytraderctl unlock " + rules_.name);
  audit("guard", {}, fmt::format("{}: {}", guard::to_string(state.mode), state.reason));
  ctx_.raise(alerts::alert_kind::guard_action, rules_.name,
             fmt::format("account guard {}: {}; no entries are copied", guard::to_string(state.mode), state.reason),
             "look at the account in the platform; copytraderctl unlock " + rules_.name + " once it may trade again");
  if (guards_ != nullptr && guard_.take_dirty()) guards_->save(rules_.account, guard_.snapshot());
}

void follower_session::unlock_guard() {
  guard_.unlock();
  orphans_.clear(); // the operator dealt with the account (out of the platform's copier): ask the venue again
  last_guard_note_.clear();
  spdlog::warn("follower {}: account guard unlocked by the operator", rules_.name);
  audit("guard", {}, "unlocked by the operator");
  nudge();
}

} // namespace copytrader::engine

// The follower session's side of the account guard: the screen its plan consults before an entry,
// the live checks on every tick, and one log line (with journald fields) per decision.

#include "engine/follower_session.hpp"

#include "logging/log.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

namespace copytrader::engine {

follower_guard::contract_screen follower_session::screen_for(const std::string& contract,
                                                             const contract_target& t) const {
  follower_guard::contract_screen screen;
  screen.guard = &guard_;
  screen.contract = &contract;
  screen.book = &book_;
  screen.ctx = &ctx_;
  screen.hedge = &hedge_;
  screen.now = ctx_.venue_now();
  const double tick = ctx_.tick_size(contract);
  if (auto info = ctx_.contract_info.find(contract); info != ctx_.contract_info.end()) {
    screen.dollars_per_point = guard::dollars_per_point(info->second.tick_value, info->second.tick_size);
  }
  if (tick > 0) {
    // The stop each direction's entry would carry: what the worst case of the entry is measured to.
    for (const bool entry_long : {true, false}) {
      const auto planned = planned_bracket(contract, t, entry_long);
      if (!planned.stop_loss) continue;
      (entry_long ? screen.stop_points_long : screen.stop_points_short) = std::abs(planned.stop_loss->ticks) * tick;
    }
  }
  return screen;
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
  ++figures_.guard_actions[{std::string(guard::to_string(v.rule)), v.most <= 0 || plan.target == plan.expected ? "skip" : "shrink"}];
  spdlog::warn("follower {}: account guard held the entry on {} at {} of the leader's {} ({}: {})", rules_.name,
               contract, plan.target, plan.leader_target, guard::to_string(v.rule), v.detail);
  audit("guard", {}, fmt::format("{} held at {} of {}: {}: {}", contract, plan.target, plan.leader_target,
                                 guard::to_string(v.rule), v.detail));
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
  if (!guard_.guarded() || stopped_) return;
  const auto now = ctx_.venue_now();
  const auto verdict = guard_.check(now, book_, ctx_);
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
  ++figures_.guard_actions[{std::string(guard::to_string(verdict->rule)), std::string(guard::to_string(verdict->action))}];
  const log_fields fields{{"FOLLOWER", rules_.name}, {"GUARD", guard::to_string(verdict->rule)}};
  std::string until = "until an operator unlocks it";
  if (verdict->until) until = "until " + guard_.calendar()->local_text(*verdict->until);
  if (verdict->action == guard::guard_action::flatten_now) until = "";
  spdlog::error("follower {}: account guard {}: {}: {}{}{}", rules_.name, guard::to_string(verdict->action),
                guard::to_string(verdict->rule), verdict->detail, until.empty() ? "" : ", ", until);
  audit("guard", {}, fmt::format("{}: {}: {}", guard::to_string(verdict->action), guard::to_string(verdict->rule),
                                 verdict->detail));
  if (act) flatten();
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
  if (guards_ != nullptr && guard_.take_dirty()) guards_->save(rules_.account, guard_.snapshot());
}

void follower_session::unlock_guard() {
  guard_.unlock();
  last_guard_note_.clear();
  spdlog::warn("follower {}: account guard unlocked by the operator", rules_.name);
  audit("guard", {}, "unlocked by the operator");
  nudge();
}

} // namespace copytrader::engine

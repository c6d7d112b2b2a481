#include "copy/follower_plan.hpp"

#include "copy/sizing.hpp"

#include <algorithm>
#include <cstdlib>

namespace copytrader::copy {

std::string_view to_string(hold_reason reason) noexcept {
  switch (reason) {
    case hold_reason::none: return "none";
    case hold_reason::flatten: return "flatten";
    case hold_reason::disabled: return "disabled";
    case hold_reason::retiring: return "retiring";
    case hold_reason::entries_blocked: return "entries blocked";
    case hold_reason::strategy: return "strategy filter";
    case hold_reason::start: return "start";
    case hold_reason::own_bracket: return "own bracket";
    case hold_reason::refused: return "refused";
    case hold_reason::ceiling: return "order ceiling";
    case hold_reason::guard: return "account guard";
  }
  return "?";
}

void hold(contract_plan& plan, std::int32_t limit, std::uint64_t episode, hold_reason why) {
  plan.cap = episode_cap{limit, episode, why};
}

void release(contract_plan& plan, hold_reason why) {
  if (plan.cap && plan.cap->reason == why) plan.cap.reset();
}

void retry_later(contract_plan& plan, plan_time now) { plan.retry_after = now + retry_pause; }

bool only_waits_for_legs(std::int32_t target, std::int32_t expected) noexcept {
  const bool against = expected != 0 && (expected > 0) != (target > 0);
  return target != 0 && !against && std::abs(expected) < std::abs(target);
}

namespace {

// Why the follower may not add to this contract now, if it may not.
std::optional<hold_reason> entry_gate(const leader_view& leader, const follower_gates& gates) {
  if (!gates.enabled) return hold_reason::disabled;
  if (gates.retiring) return hold_reason::retiring;
  if (leader.entries_blocked) return hold_reason::entries_blocked;
  if (!leader.follows_episode) return hold_reason::strategy;
  return std::nullopt;
}

} // namespace

plan_step next_step(contract_plan& plan, const leader_view& leader, std::int32_t expected, const follower_gates& gates,
                    plan_time now, const entry_screen* screen) {
  plan_step step;
  plan.leader_target = leader.target;
  plan.expected = expected;
  if (plan.hands_off) {
    // on_start: alert: the trader's until both the leader and the follower are flat.
    if (leader.flat && expected == 0) plan.hands_off = false;
    plan.target = expected;
    return step; // skip
  }
  if (plan.cap && (leader.flat || plan.cap->episode != leader.episode)) plan.cap.reset();
  if (gates.flattening) {
    hold(plan, 0, leader.episode, hold_reason::flatten); // also what a read after the request found
  } else if (!leader.flat && !plan.cap) {
    if (auto why = entry_gate(leader, gates)) hold(plan, expected, leader.episode, *why);
  }
  const std::int32_t target =
      capped_target(leader.target, plan.cap ? std::optional<std::int32_t>(plan.cap->limit) : std::nullopt);
  if (plan.cap) plan.cap->limit = target; // ratcheted: a re-add after a reduction is not copied
  plan.target = target;

  if (now < plan.retry_after) {
    step.kind = step_kind::wait;
    step.until = plan.retry_after;
    return step;
  }
  step.actions = plan_change(target, expected);
  if (step.actions.empty()) {
    if (now < plan.legs_settle) {
      step.kind = step_kind::wait;
      step.until = plan.legs_settle;
    } else {
      step.kind = step_kind::legs;
    }
    return step;
  }
  const bool adds =
      std::any_of(step.actions.begin(), step.actions.end(), [](const auto& a) { return a.adds_exposure(); });
  if (adds && gates.mirror && leader.legs_due && now < *leader.legs_due) {
    // The leader's entry had legs that are not armed yet: its bracket is coming (bracket_wait).
    if (expected * target < 0) {
      // A reversal: its close is an exit and goes now; the opening waits for the legs once it is done.
      step.actions = plan_change(0, expected);
      step.kind = step_kind::send;
      return step;
    }
    step.kind = step_kind::wait;
    step.until = *leader.legs_due;
    step.actions.clear();
    if (expected == 0) {
      // Flat after a reversal's close: a leg the venue left working must not wait with the entry.
      step.legs_first = now >= plan.legs_settle;
      if (!step.legs_first) step.until = std::min(step.until, plan.legs_settle);
    }
    return step;
  }
  if (adds && screen) {
    const int direction = target > 0 ? 1 : -1;
    const std::int32_t wanted = target * direction;
    const std::int32_t held = expected * direction > 0 ? expected * direction : 0;
    entry_room room = screen->room(direction, held, wanted);
    if (room.wait) {
      if (!plan.guard_wait_since) plan.guard_wait_since = now;
      if (now - *plan.guard_wait_since < guard_wait_limit) {
        if (expected * direction < 0) {
          // A reversal: its close is an exit and goes now; the opening asks again once it is done.
          step.actions = plan_change(0, expected);
          step.kind = step_kind::send;
          return step;
        }
        step.kind = step_kind::wait;
        step.until = now + guard_recheck;
        step.actions.clear();
        return step;
      }
      room.most = held; // waited long enough: skipped like any other guard hold
    }
    plan.guard_wait_since.reset();
    if (room.most < wanted) {
      const std::int32_t allowed = direction * std::max(room.most, held); // never below what it holds
      hold(plan, allowed, leader.episode, hold_reason::guard);
      plan.guard_rule = room.rule;
      plan.target = allowed;
      step.actions = plan_change(allowed, expected);
      if (step.actions.empty()) {
        step.kind = now < plan.legs_settle ? step_kind::wait : step_kind::legs;
        step.until = plan.legs_settle;
        return step;
      }
    }
  }
  step.kind = step_kind::send;
  return step;
}

} // namespace copytrader::copy

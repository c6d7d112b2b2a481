// The follower plan step by step with a fake clock (the model: Boost.Redis' test_run_fsm.cpp): each
// rule of design.md section 3 that is decided per contract, and the fault ids decided there.

#include "copy/follower_plan.hpp"

#include <catch2/catch.hpp>

using namespace copytrader::copy;
using namespace std::chrono_literals;
namespace px = copytrader::projectx;

namespace {

const plan_time t0{}; // the fake clock's epoch

leader_view leader(std::int32_t target, std::uint64_t episode = 1) {
  leader_view v;
  v.target = target;
  v.flat = target == 0;
  v.episode = episode;
  return v;
}

follower_gates gates() { return follower_gates{}; }

copy_action act(action_kind kind, int side, std::int32_t size) { return copy_action{kind, side, size}; }

constexpr int buy = px::side::bid;
constexpr int sell = px::side::ask;

} // namespace

TEST_CASE("plan: the gap between target and expected is sent; at the target the legs are looked at", "[plan]") {
  contract_plan plan;
  auto step = next_step(plan, leader(2), 0, gates(), t0);
  REQUIRE(step.kind == step_kind::send);
  CHECK(step.actions == action_list{act(action_kind::open, buy, 2)});
  step = next_step(plan, leader(3), 2, gates(), t0); // scale-in
  CHECK(step.actions == action_list{act(action_kind::add, buy, 1)});
  step = next_step(plan, leader(1), 3, gates(), t0); // scale-out
  CHECK(step.actions == action_list{act(action_kind::reduce, sell, 2)});
  step = next_step(plan, leader(-1, 2), 1, gates(), t0); // reversal: the old bracket goes with the old position
  CHECK(step.actions == action_list{act(action_kind::flatten, sell, 1), act(action_kind::open, sell, 1)});
  step = next_step(plan, leader(-1, 2), -1, gates(), t0); // already there: nothing is sent (D1, D2)
  CHECK(step.kind == step_kind::legs);
  CHECK(step.actions.empty());
  CHECK(plan.target == -1);
  CHECK(plan.leader_target == -1);
  CHECK(plan.expected == -1);
}

TEST_CASE("plan: after an order the legs wait for the follower's events to settle", "[plan]") {
  contract_plan plan;
  plan.legs_settle = t0 + leg_settle;
  auto step = next_step(plan, leader(1), 1, gates(), t0 + 100ms);
  CHECK(step.kind == step_kind::wait);
  CHECK(step.until == t0 + leg_settle);
  step = next_step(plan, leader(1), 1, gates(), t0 + leg_settle);
  CHECK(step.kind == step_kind::legs);
  // A gap is never held back by the legs' settle time: orders go at once.
  step = next_step(plan, leader(2), 1, gates(), t0 + 100ms);
  CHECK(step.kind == step_kind::send);
}

TEST_CASE("plan D6: the follower's own stop closed it; the leader's later stop opens nothing", "[plan][D6]") {
  contract_plan plan;
  REQUIRE(next_step(plan, leader(1), 0, gates(), t0).kind == step_kind::send);
  hold(plan, 0, 1, hold_reason::own_bracket); // the follower's stop filled: it sits the episode out
  auto step = next_step(plan, leader(1), 0, gates(), t0 + 1s);
  CHECK(step.kind == step_kind::legs); // the leader is still long: not bought back
  CHECK(plan.target == 0);
  CHECK(plan.leader_target == 1);
  step = next_step(plan, leader(0), 0, gates(), t0 + 2s);     // the leader's stop fills later
  CHECK(step.kind == step_kind::legs);                        // no reverse position
  CHECK_FALSE(plan.cap);                                      // flat ends the episode
  step = next_step(plan, leader(-1, 2), 0, gates(), t0 + 3s); // the next episode is copied
  CHECK(step.actions == action_list{act(action_kind::open, sell, 1)});
}

TEST_CASE("plan D6 then a reversal: a new episode lifts the cap without the leader passing flat", "[plan][D6]") {
  contract_plan plan;
  hold(plan, 0, 1, hold_reason::own_bracket);
  CHECK(next_step(plan, leader(2, 1), 0, gates(), t0).kind == step_kind::legs);
  auto step = next_step(plan, leader(-2, 2), 0, gates(), t0 + 1s);
  CHECK(step.actions == action_list{act(action_kind::open, sell, 2)});
}

TEST_CASE("plan caps: disabled, retiring, breaker and filter follow reductions and exits, never adds", "[plan][caps]") {
  for (int which = 0; which < 4; ++which) {
    INFO("gate " << which);
    contract_plan plan;
    follower_gates g = gates();
    leader_view l = leader(3);
    if (which == 0) g.enabled = false;
    if (which == 1) g.retiring = true;
    if (which == 2) l.entries_blocked = true;
    if (which == 3) l.follows_episode = false;
    auto step = next_step(plan, l, 2, g, t0); // it holds 2 of the leader's 3
    CHECK(step.kind == step_kind::legs);      // held at 2: the add is not copied
    REQUIRE(plan.cap);
    CHECK(plan.cap->limit == 2);
    l.target = 1;
    step = next_step(plan, l, 2, g, t0 + 1s); // the leader reduces: so does the follower
    CHECK(step.actions == action_list{act(action_kind::reduce, sell, 1)});
    l.target = 3;
    step = next_step(plan, l, 1, g, t0 + 2s); // re-added: the cap was ratcheted to 1
    CHECK(step.kind == step_kind::legs);
    CHECK(plan.target == 1);
    step = next_step(plan, leader(0), 1, g, t0 + 3s); // the exit goes
    CHECK(step.actions == action_list{act(action_kind::flatten, sell, 1)});
  }
}

TEST_CASE("plan caps: the reason is kept for status", "[plan][caps]") {
  contract_plan plan;
  leader_view l = leader(7);
  l.entries_blocked = true;
  (void)next_step(plan, l, 5, gates(), t0);
  REQUIRE(plan.cap);
  CHECK(plan.cap->reason == hold_reason::entries_blocked);
  CHECK(plan.target == 5);
  CHECK(plan.leader_target == 7);
  CHECK(to_string(plan.cap->reason) == "entries blocked");
}

TEST_CASE("plan: a flatten closes now, even while the leader holds, and holds the episode out", "[plan][flatten]") {
  contract_plan plan;
  follower_gates g = gates();
  g.flattening = true;
  auto step = next_step(plan, leader(2), 2, g, t0);
  CHECK(step.actions == action_list{act(action_kind::flatten, sell, 2)});
  g.flattening = false;
  step = next_step(plan, leader(3), 0, g, t0 + 1s); // the leader adds: the follower stays out
  CHECK(step.kind == step_kind::legs);
  step = next_step(plan, leader(1, 2), 0, g, t0 + 2s); // a new episode is copied
  CHECK(step.actions == action_list{act(action_kind::open, buy, 1)});
}

TEST_CASE("plan hands-off (on_start: alert): nothing sent until the leader and the follower are flat",
          "[plan][hands_off]") {
  contract_plan plan;
  plan.hands_off = true;
  CHECK(next_step(plan, leader(3), 1, gates(), t0).kind == step_kind::skip);
  CHECK(next_step(plan, leader(0), 1, gates(), t0).kind == step_kind::skip); // the follower still holds
  CHECK(next_step(plan, leader(2), 0, gates(), t0).kind == step_kind::skip); // the leader still holds
  CHECK(next_step(plan, leader(0), 0, gates(), t0).kind == step_kind::skip); // both flat: released
  CHECK_FALSE(plan.hands_off);
  CHECK(next_step(plan, leader(1, 2), 0, gates(), t0).kind == step_kind::send);
}

TEST_CASE("plan bracket_wait: a mirror entry waits for the leader's legs; exits and other modes do not",
          "[plan][bracket_wait]") {
  contract_plan plan;
  follower_gates mirror = gates();
  mirror.mirror = true;
  leader_view l = leader(1);
  l.legs_due = t0 + 300ms;
  auto step = next_step(plan, l, 0, mirror, t0);
  CHECK(step.kind == step_kind::wait);
  CHECK(step.until == t0 + 300ms);
  CHECK(step.actions.empty());
  CHECK(next_step(plan, l, 0, mirror, t0 + 300ms).kind == step_kind::send); // bracket_wait over: the fallback
  CHECK(next_step(plan, l, 0, gates(), t0).kind == step_kind::send);        // fixed brackets: no wait
  leader_view exit = leader(0);
  exit.legs_due = t0 + 300ms;
  CHECK(next_step(plan, exit, 1, mirror, t0).kind == step_kind::send); // an exit never waits

  // A reversal: its close is an exit and goes now; the opening waits for the legs.
  leader_view reversal = leader(-1, 2);
  reversal.legs_due = t0 + 300ms;
  step = next_step(plan, reversal, 1, mirror, t0);
  REQUIRE(step.kind == step_kind::send);
  CHECK(step.actions == action_list{act(action_kind::flatten, sell, 1)});
  step = next_step(plan, reversal, 0, mirror, t0 + 10ms); // the close done
  CHECK(step.kind == step_kind::wait);
  CHECK(step.until == t0 + 300ms);
  CHECK(step.legs_first);        // flat: a leg left working from the long is cancelled meanwhile
  plan.legs_settle = t0 + 100ms; // the close's own leftover cancels just went
  step = next_step(plan, reversal, 0, mirror, t0 + 20ms);
  CHECK_FALSE(step.legs_first);
  CHECK(step.until == t0 + 100ms); // looked at again once they settled, then waits for the legs
  CHECK(next_step(plan, reversal, 0, mirror, t0 + 100ms).legs_first);

  leader_view add = leader(2, 2);
  add.legs_due = t0 + 300ms;
  step = next_step(plan, add, 1, mirror, t0 + 200ms); // an add waits with its legs as they are
  CHECK(step.kind == step_kind::wait);
  CHECK_FALSE(step.legs_first);
}

TEST_CASE("plan bracket_wait: only a follower with nothing to leave merely waits for the leader's legs",
          "[plan][bracket_wait]") {
  CHECK(only_waits_for_legs(1, 0));        // flat: the entry waits
  CHECK(only_waits_for_legs(2, 1));        // an add waits
  CHECK(only_waits_for_legs(-2, -1));      // short alike
  CHECK_FALSE(only_waits_for_legs(-1, 1)); // a reversal's close goes now
  CHECK_FALSE(only_waits_for_legs(1, 2));  // a reduction is an exit
  CHECK_FALSE(only_waits_for_legs(1, 1));  // at the target: its legs are looked at
  CHECK_FALSE(only_waits_for_legs(0, 0));  // flat leader: nothing to wait for
}

TEST_CASE("plan B13: an entry accepted then rejected is held for the episode, after the retry pause", "[plan][B13]") {
  contract_plan plan;
  REQUIRE(next_step(plan, leader(2), 0, gates(), t0).kind == step_kind::send);
  hold(plan, 0, 1, hold_reason::refused); // the venue rejected it after accepting it
  retry_later(plan, t0 + 10ms);
  auto step = next_step(plan, leader(2), 0, gates(), t0 + 20ms);
  CHECK(step.kind == step_kind::wait);
  CHECK(step.until == t0 + 10ms + retry_pause);
  step = next_step(plan, leader(2), 0, gates(), t0 + 10ms + retry_pause);
  CHECK(step.kind == step_kind::legs); // never made up with a new order this episode
  CHECK(plan.target == 0);
}

TEST_CASE("plan: a refused or unresolved exit is tried again after the pause", "[plan][retry]") {
  contract_plan plan;
  retry_later(plan, t0);
  CHECK(next_step(plan, leader(0), 2, gates(), t0 + 500ms).kind == step_kind::wait);
  const auto step = next_step(plan, leader(0), 2, gates(), t0 + retry_pause);
  CHECK(step.actions == action_list{act(action_kind::flatten, sell, 2)});
}

TEST_CASE("plan: a released breaker hold follows the current episode again; other holds stay", "[plan][caps]") {
  contract_plan plan;
  leader_view l = leader(7);
  l.entries_blocked = true;
  CHECK(next_step(plan, l, 5, gates(), t0).kind == step_kind::legs); // held at 5 of 7
  release(plan, hold_reason::disabled);                              // not why it is held
  REQUIRE(plan.cap);
  release(plan, hold_reason::entries_blocked); // copytraderctl reset-breaker
  CHECK_FALSE(plan.cap);
  l.entries_blocked = false; // the engine cleared it too
  l.target = 8;
  const auto step = next_step(plan, l, 5, gates(), t0 + 1s);
  CHECK(step.actions == action_list{act(action_kind::add, buy, 3)});
}

namespace {

// The account guard as the plan sees it: a fixed room, and a count of the times it was asked.
struct fake_screen final : entry_screen {
  std::int32_t most = std::numeric_limits<std::int32_t>::max();
  bool wait = false;
  mutable int asked = 0;
  mutable std::int32_t last_held = -1;
  entry_room room(int, std::int32_t held, std::int32_t) const override {
    ++asked;
    last_held = held;
    return entry_room{most, wait, copytrader::guard::guard_rule::max_loss};
  }
};

} // namespace

TEST_CASE("plan: the guard shrinks an entry and holds the episode there", "[plan][guard]") {
  contract_plan plan;
  fake_screen screen;
  screen.most = 1;
  auto step = next_step(plan, leader(3), 0, gates(), t0, &screen);
  REQUIRE(step.kind == step_kind::send);
  CHECK(step.actions == action_list{act(action_kind::open, buy, 1)});
  REQUIRE(plan.cap);
  CHECK(plan.cap->reason == hold_reason::guard);
  CHECK(plan.guard_rule == copytrader::guard::guard_rule::max_loss);
  CHECK(plan.leader_target == 3);
  CHECK(plan.target == 1);
  // The room grows later (a stop moved up): the skipped part of the episode is not made late.
  screen.most = 10;
  step = next_step(plan, leader(4), 1, gates(), t0, &screen);
  CHECK(step.kind == step_kind::legs);
  // A new episode asks again.
  step = next_step(plan, leader(0), 1, gates(), t0, &screen);
  CHECK(step.actions == action_list{act(action_kind::flatten, sell, 1)});
  step = next_step(plan, leader(2, 2), 0, gates(), t0, &screen);
  CHECK(step.actions == action_list{act(action_kind::open, buy, 2)});
}

TEST_CASE("plan: exits never ask the guard; a reversal keeps its close", "[plan][guard]") {
  contract_plan plan;
  fake_screen screen;
  screen.most = 0;
  auto step = next_step(plan, leader(1), 3, gates(), t0, &screen); // scale-out
  CHECK(step.actions == action_list{act(action_kind::reduce, sell, 2)});
  step = next_step(plan, leader(0), 1, gates(), t0, &screen); // close
  CHECK(step.actions == action_list{act(action_kind::flatten, sell, 1)});
  CHECK(screen.asked == 0);
  // Long 2, the leader reverses to short 3 and the guard admits no short: only the close is sent.
  contract_plan reversal;
  step = next_step(reversal, leader(-3, 2), 2, gates(), t0, &screen);
  CHECK(screen.asked == 1);
  CHECK(screen.last_held == 0);
  CHECK(step.actions == action_list{act(action_kind::flatten, sell, 2)});
}

TEST_CASE("plan: a guard tightened below what is held sends nothing; a wait plans again shortly", "[plan][guard]") {
  contract_plan plan;
  fake_screen screen;
  screen.most = 1;
  auto step = next_step(plan, leader(5), 3, gates(), t0 + 1s, &screen);
  CHECK(screen.last_held == 3);
  CHECK(step.kind == step_kind::legs); // no order: never reduced by the guard either
  CHECK(plan.target == 3);

  contract_plan waiting;
  screen.wait = true;
  step = next_step(waiting, leader(2), 0, gates(), t0, &screen);
  CHECK(step.kind == step_kind::wait);
  CHECK(step.until == t0 + guard_recheck);
  CHECK_FALSE(waiting.cap); // not skipped: asked again
  step = next_step(waiting, leader(2), 0, gates(), t0 + guard_wait_limit - 1ms, &screen);
  CHECK(step.kind == step_kind::wait);
  // Still waiting after the limit: the entry is skipped for the episode, not made late.
  step = next_step(waiting, leader(2), 0, gates(), t0 + guard_wait_limit, &screen);
  CHECK(step.kind == step_kind::legs);
  REQUIRE(waiting.cap);
  CHECK(waiting.cap->reason == hold_reason::guard);
  CHECK(waiting.cap->limit == 0);

  // A reversal that must wait for its opening still closes at once: an exit never waits.
  contract_plan reversal;
  step = next_step(reversal, leader(-2), 1, gates(), t0, &screen);
  CHECK(step.kind == step_kind::send);
  CHECK(step.actions == action_list{act(action_kind::flatten, sell, 1)});
  step = next_step(reversal, leader(-2), 0, gates(), t0 + 300ms, &screen);
  CHECK(step.kind == step_kind::wait);
}

#pragma once
// A follower's plan for one of its contracts, pure: from what the leader implies, what the follower
// holds plus what is in flight, and `now`, the next step (nothing, wait until T, look at the legs,
// send these orders). Everything the plan remembers per contract is in one `contract_plan`: the cap
// for the episode, hands-off at start, the pause after a refusal, the leg settle time. The follower
// session only carries the step out (engine/follower_session.cpp); the rules are tested step by step
// with a fake clock (tests/unit/follower_plan_test.cpp).

#include "copy/planner.hpp"
#include "guard/guard_state.hpp"

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace copytrader::copy {

using plan_time = std::chrono::steady_clock::time_point;

// After a refused or unresolved order, the contract waits this long before it is planned again.
inline constexpr std::chrono::seconds retry_pause{1};
// After an order or a leg change, the follower's events need a moment to arrive before the legs are
// judged against the position again.
inline constexpr std::chrono::milliseconds leg_settle{300};

// Why a contract is held below what the leader implies (shown in status beside both targets).
enum class hold_reason {
  none,
  flatten,         // copytraderctl flatten
  disabled,        // enabled: false, or copytraderctl disable
  retiring,        // removed by a reload
  entries_blocked, // the breaker tripped, or the leader's fill was older than max_copy_age
  strategy,        // allowed_strategies: the episode's strategy is not followed
  start,           // on_start: close_only, drift found at start
  own_bracket,     // the follower's own stop or target closed it (D6)
  refused,         // the venue refused an entry (or accepted and then rejected it)
  ceiling,         // safety.max_orders_per_minute
  guard,           // the account guard shrank or skipped an entry (contract_plan::guard_rule says which)
};
[[nodiscard]] std::string_view to_string(hold_reason reason) noexcept;

// The most a follower contract may hold (signed) until the leader's episode it was set in ends.
struct episode_cap {
  std::int32_t limit = 0;
  std::uint64_t episode = 0;
  hold_reason reason = hold_reason::none;
};

struct contract_plan {
  std::optional<episode_cap> cap;
  bool hands_off = false;           // on_start: alert: left to the trader until the leader and it are flat
  plan_time retry_after{};          // no order before this (after a refusal)
  plan_time legs_settle{};          // no leg work before this (after an order or a leg change)
  std::uint64_t mirrored_moves = 0; // the leader's leg drags already mirrored
  guard::guard_rule guard_rule = guard::guard_rule::none; // the guard rule behind a guard hold
  std::optional<plan_time> guard_wait_since;              // the guard has asked this entry to wait since
  // What the last plan saw, for status: the leader-implied target, the one planned, and expected.
  std::int32_t leader_target = 0;
  std::int32_t target = 0;
  std::int32_t expected = 0;
};

// What the leader implies for one follower contract (the sum over the leader contracts mapped onto it).
struct leader_view {
  std::int32_t target = 0; // f(leader net), before any cap
  bool flat = true;
  bool entries_blocked = false;      // breaker or stale fill: the episode adds nothing
  bool follows_episode = true;       // allowed_strategies
  std::uint64_t episode = 0;         // changes whenever one of its leader contracts starts a new episode
  std::optional<plan_time> legs_due; // bracket: mirror: the leader's legs are not armed yet
};

// What holds for the follower as a whole.
struct follower_gates {
  bool flattening = false; // an operator flatten is under way
  bool enabled = true;     // enabled in the file and not disabled by copytraderctl
  bool retiring = false;
  bool mirror = false; // bracket: mirror
};

// How far the account guard lets a position grow in one direction (engine/follower_guard.hpp). Only
// entries ask: a reduction, a close or a flatten never reaches the screen.
struct entry_room {
  std::int32_t most = std::numeric_limits<std::int32_t>::max();
  bool wait = false; // ask again shortly (another account is leaving the other direction)
  guard::guard_rule rule = guard::guard_rule::none;
};

class entry_screen {
public:
  virtual ~entry_screen() = default;
  // `held`: what the contract holds in `direction` now (0 when flat or the other way).
  [[nodiscard]] virtual entry_room room(int direction, std::int32_t held, std::int32_t wanted) const = 0;
};

// After the guard asked to wait, the contract is planned again this soon; a wait longer than the
// limit turns into a skip (an entry made seconds late is not a copy).
inline constexpr std::chrono::milliseconds guard_recheck{250};
inline constexpr std::chrono::seconds guard_wait_limit{3};

enum class step_kind {
  skip, // hands-off: nothing is sent for this contract
  wait, // nothing now; plan again at `until`
  legs, // the position is where it should be: look at its legs
  send, // send `actions`
};

struct plan_step {
  step_kind kind = step_kind::skip;
  plan_time until{};
  action_list actions;
  bool legs_first = false; // a wait: look at the legs now all the same (a flat contract's leftovers)
};

// Caps the contract for the current episode (ratcheted down as it reduces).
void hold(contract_plan& plan, std::int32_t limit, std::uint64_t episode, hold_reason why);

// The next step for one contract. Updates the plan's cap (a cap lasts for the leader's episode it
// was set in; flat, or a reversal, starts a new one) and what status shows.
// The guard's cap holds for the episode like any other: an entry skipped is not made later.
[[nodiscard]] plan_step next_step(contract_plan& plan, const leader_view& leader, std::int32_t expected,
                                  const follower_gates& gates, plan_time now, const entry_screen* screen = nullptr);

// A new leader entry whose legs are not armed yet, seen by a `mirror` follower: its plan for the
// contract can only wait for them (bracket_wait) when it holds nothing the entry reverses or
// already reaches, so it need not be woken before they arm. `target`: what the leader implies for
// the follower contract now.
[[nodiscard]] bool only_waits_for_legs(std::int32_t target, std::int32_t expected) noexcept;

// Lifts a cap set for this reason (copytraderctl reset-breaker lifts entries_blocked): the contract
// follows the leader's current episode again, up to what the leader holds now.
void release(contract_plan& plan, hold_reason why);

// An order for the contract was refused or left unresolved: plan it again after retry_pause.
void retry_later(contract_plan& plan, plan_time now);

} // namespace copytrader::copy

#pragma once
// The account guard's decisions, pure (account-rules.md section 3, docs/risk.md). Before an entry:
// how large the follower's position in that direction may grow (allow, shrink, skip, or wait for a
// moment). While trading: whether the account must go close-only, be flattened and locked until the
// next trading day, or halted until an operator unlocks it. Exits and flattens are never screened
// here: only what adds exposure asks. Every answer carries the rule and the figures it used, so the
// one log line per decision can say why.

#include "config/risk_config.hpp"
#include "guard/guard_state.hpp"
#include "guard/money.hpp"
#include "guard/products.hpp"
#include "guard/trading_calendar.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace copytrader::guard {

// What the follower's account looks like now, as last read or told.
struct account_facts {
  std::optional<double> balance; // nullopt: never read
  std::optional<sys_time> balance_seen;
  bool can_trade = true;
  double day_start_balance = 0;
  double high_water = 0;            // the highest end-of-day balance (kept by the daemon)
  money_view money;                 // open risk at the stops
  double mini_equivalents_held = 0; // open positions and working entries, weighted
};

// Another account of the same login holds the other direction in the entry's product group.
enum class hedge_conflict {
  none,
  passing,  // that account is itself on its way to our direction (a reversal under way): wait
  standing, // it holds the other side and means to: skip the entry
};

struct entry_intent {
  std::string_view contract;
  int direction = 1;                 // +1 long, -1 short
  std::int32_t held = 0;             // what the follower already holds in this direction (0 when opposite or flat)
  std::int32_t wanted = 0;           // the size in this direction the plan would reach
  std::optional<double> stop_points; // the stop distance the entry carries; nullopt: none
  std::optional<double> dollars_per_point; // nullopt: the contract's data is unknown
  hedge_conflict hedge = hedge_conflict::none;
  // What the follower holds the other way on this contract (a reversal): its close is confirmed
  // before the entry is sent, so for the size cap it is gone. Its risk at the stops still counts: the
  // close realises a loss no worse than that.
  std::int32_t closing = 0;
};

struct entry_verdict {
  std::int32_t most = std::numeric_limits<std::int32_t>::max(); // the largest size this direction may reach
  guard_rule rule = guard_rule::none;                           // the rule that bound it, when it binds
  bool wait = false;  // plan again shortly instead of skipping (a passing hedge, data still being read)
  std::string detail; // the figures, for the log line and status

  [[nodiscard]] bool binds(std::int32_t wanted) const noexcept { return wait || most < wanted; }
};

struct guard_inputs {
  const risk_limits& limits;
  const trading_calendar& calendar;
  const product_table& products;
  const guard_state& state;
  const account_facts& facts;
};

// The largest the follower's position may grow in the intent's direction, and why.
[[nodiscard]] entry_verdict screen_entry(const guard_inputs& in, const entry_intent& intent, sys_time now);

// The MLL headroom of the worst case (equity at the stops minus the floor); nullopt without an MLL
// or a balance.
[[nodiscard]] std::optional<double> mll_headroom(const risk_limits& limits, const account_facts& facts);
// What is left of the daily loss limit in the worst case; nullopt without a limit or a balance.
[[nodiscard]] std::optional<double> daily_loss_headroom(const risk_limits& limits, const account_facts& facts);

enum class guard_action {
  none,
  close_only,   // no entries for the rest of the trading day
  flatten_lock, // flatten, cancel the legs, no entries until the next trading day
  flatten_halt, // flatten, cancel the legs, no entries until copytraderctl unlock
  flatten_now,  // the session's flatten time: flatten, no lock (the next day opens as usual)
};
[[nodiscard]] std::string_view to_string(guard_action action) noexcept;

struct live_verdict {
  guard_action action = guard_action::none;
  guard_rule rule = guard_rule::none;
  std::optional<sys_time> until;
  std::string detail;
};

// What must happen now, the strongest first: a halt over a lock over close-only over the session's
// flatten. `holds_positions`: the session's flatten is only needed when something is open.
[[nodiscard]] live_verdict check_live(const guard_inputs& in, bool holds_positions, sys_time now);

// The mode an action puts the guard in (none and flatten_now change nothing).
[[nodiscard]] std::optional<guard_mode> mode_after(guard_action action) noexcept;

} // namespace copytrader::guard

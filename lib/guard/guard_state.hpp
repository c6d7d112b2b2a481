#pragma once
// What the guard has decided for a follower and until when: the one state that survives restarts
// (persisted with the trading day it was set in). Stronger states replace weaker ones and never the
// other way round: active < close_only < locked < halted. A lock ends at its `until` (the next
// trading day's open); a halt only by the operator (copytraderctl unlock).

#include "guard/trading_calendar.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace copytrader::guard {

enum class guard_rule {
  none,
  account_state, // G0: canTrade false, or the account is gone
  max_loss,      // G1: the MLL floor
  daily_loss,    // G2
  profit_target, // G3
  size,          // G4: max_contracts
  session,       // G5: outside the trading day's entry hours
  blackout,      // G6
  hedging,       // G7: opposite direction on another account of the login
  stale_data,    // G8: balance or contract data unknown or too old
  unprotected,   // a position without a stop: its risk is unbounded
  refused,       // the venue refused an order after a breach (treated as locked)
  operator_lock, // copytraderctl lock (none yet) or a lock restored without its reason
};
[[nodiscard]] std::string_view to_string(guard_rule rule) noexcept;

enum class guard_mode { active, close_only, locked, halted };
[[nodiscard]] std::string_view to_string(guard_mode mode) noexcept;

struct guard_state {
  guard_mode mode = guard_mode::active;
  guard_rule rule = guard_rule::none;
  std::optional<sys_time> until; // nullopt with halted: until an operator unlocks
  std::string reason;            // the decision's inputs, as logged

  [[nodiscard]] bool blocks_entries() const noexcept { return mode != guard_mode::active; }
};

// Raises the state to `mode` (a weaker mode than the current one changes nothing). Returns whether
// it changed.
bool escalate(guard_state& state, guard_mode mode, guard_rule rule, std::optional<sys_time> until, std::string reason);
// A lock or close-only whose time has come ends. Returns whether it did.
bool expire(guard_state& state, sys_time now);
// copytraderctl unlock: back to active, whatever the mode.
void unlock(guard_state& state);

} // namespace copytrader::guard

#pragma once
// What the daemon tells the trader about, away from the journal: an alert names the follower (none
// for the daemon or the leader), what happened and what the trader can do about it.

#include "config/config.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace copytrader::alerts {

enum class alert_kind {
  daemon_started,
  daemon_stopped,
  breaker_tripped,
  follower_disabled, // its preflight refused it: not copied until it passes again
  order_refused,     // the venue refused an order or a close
  guard_action,      // the account guard locked, halted or flattened a follower
  leader_hub_down,
  follower_hub_down,
  drift_corrected, // reconciliation found the venue other than the book and corrected it
  outcome_unknown, // an order whose fate could not be learned: the account needs a look
  reload_refused,
  test, // copytraderctl test-alert
};

inline constexpr std::array all_alert_kinds{
    alert_kind::daemon_started,    alert_kind::daemon_stopped,    alert_kind::breaker_tripped,
    alert_kind::follower_disabled, alert_kind::order_refused,     alert_kind::guard_action,
    alert_kind::leader_hub_down,   alert_kind::follower_hub_down, alert_kind::drift_corrected,
    alert_kind::outcome_unknown,   alert_kind::reload_refused,    alert_kind::test,
};

std::string_view to_string(alert_kind kind) noexcept; // breaker_tripped: for webhooks and metrics
std::string_view title_of(alert_kind kind) noexcept;  // "Circuit breaker tripped": for people
alert_severity severity_of(alert_kind kind) noexcept;

struct alert {
  alert_kind kind = alert_kind::test;
  std::string follower;      // "" for the daemon or the leader
  std::string what;          // what happened, in a sentence
  std::string action;        // what the trader can do, with the command
  std::uint64_t repeats = 0; // the same alert held back since the last one was sent
};

} // namespace copytrader::alerts

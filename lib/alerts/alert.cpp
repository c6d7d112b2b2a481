#include "alerts/alert.hpp"

namespace copytrader::alerts {

std::string_view to_string(alert_kind kind) noexcept {
  switch (kind) {
    case alert_kind::daemon_started: return "daemon_started";
    case alert_kind::daemon_stopped: return "daemon_stopped";
    case alert_kind::breaker_tripped: return "breaker_tripped";
    case alert_kind::follower_disabled: return "follower_disabled";
    case alert_kind::order_refused: return "order_refused";
    case alert_kind::guard_action: return "guard_action";
    case alert_kind::leader_hub_down: return "leader_hub_down";
    case alert_kind::follower_hub_down: return "follower_hub_down";
    case alert_kind::drift_corrected: return "drift_corrected";
    case alert_kind::outcome_unknown: return "outcome_unknown";
    case alert_kind::reload_refused: return "reload_refused";
    case alert_kind::test: return "test";
  }
  return "?";
}

std::string_view title_of(alert_kind kind) noexcept {
  switch (kind) {
    case alert_kind::daemon_started: return "Copier started";
    case alert_kind::daemon_stopped: return "Copier stopped";
    case alert_kind::breaker_tripped: return "Circuit breaker tripped";
    case alert_kind::follower_disabled: return "Follower disabled";
    case alert_kind::order_refused: return "Order refused";
    case alert_kind::guard_action: return "Account guard acted";
    case alert_kind::leader_hub_down: return "Leader's hub down";
    case alert_kind::follower_hub_down: return "Follower's hub down";
    case alert_kind::drift_corrected: return "Drift corrected";
    case alert_kind::outcome_unknown: return "Order outcome unknown";
    case alert_kind::reload_refused: return "Reload refused";
    case alert_kind::test: return "Test alert";
  }
  return "?";
}

alert_severity severity_of(alert_kind kind) noexcept {
  switch (kind) {
    case alert_kind::daemon_started:
    case alert_kind::daemon_stopped:
    case alert_kind::test: return alert_severity::info;
    case alert_kind::follower_hub_down:
    case alert_kind::drift_corrected:
    case alert_kind::reload_refused: return alert_severity::warning;
    case alert_kind::breaker_tripped:
    case alert_kind::follower_disabled:
    case alert_kind::order_refused:
    case alert_kind::guard_action:
    case alert_kind::leader_hub_down:
    case alert_kind::outcome_unknown: return alert_severity::critical;
  }
  return alert_severity::critical;
}

} // namespace copytrader::alerts

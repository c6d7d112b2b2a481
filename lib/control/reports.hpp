#pragma once
// What copytraderctl status and stats show, as JSON, read from the running engine. The same
// figures feed the Prometheus text (metrics_text.hpp).

#include "alerts/alert_dispatcher.hpp"
#include "engine/copy_engine.hpp"

#include <boost/json/object.hpp>

namespace copytrader::control {

// Leader, breaker, logins (rate headroom, hub), each follower's state and position against target.
boost::json::object status_report(engine::copy_engine& engine);
// design.md section 3: the original counters, then per follower.
boost::json::object stats_report(engine::copy_engine& engine);

// The alerts' counters and each target's queue and last error (never its URL or token).
boost::json::object alert_report(const alerts::alert_figures& figures);

// A follower's state in one word: active, disabled (by the operator or enabled: false), unusable
// (its preflight failed; why is in `reason`), retiring (removed by a reload, managed until flat).
std::string_view follower_state(const engine::follower_session& f);

} // namespace copytrader::control

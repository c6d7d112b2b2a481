#pragma once
// The engine's figures in the Prometheus text exposition format (version 0.0.4): counters end in
// _total, copy latency is a histogram per follower in seconds.

#include "alerts/alert_dispatcher.hpp"
#include "engine/copy_engine.hpp"

#include <string>
#include <string_view>

namespace copytrader::control {

std::string metrics_text(engine::copy_engine& engine);
std::string alert_metrics_text(const alerts::alert_figures& figures);

// A label value with \, " and newline escaped, as the format asks.
std::string escape_label(std::string_view value);

} // namespace copytrader::control

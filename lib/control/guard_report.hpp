#pragma once
// What copytraderctl risk, status and watch show of each follower's account guard, as JSON: the
// state and why, the money (balance, floor, headroom, the day's loss at the stops, open risk) and the
// figures behind it. The same numbers feed the metrics (copytrader_follower_headroom_usd).

#include "engine/copy_engine.hpp"

#include <boost/json/object.hpp>

namespace copytrader::control {

boost::json::object guard_report(const engine::follower_session& f, const engine::copy_context& ctx);
// Every follower's guard, or the named one's; nullopt when no follower has that name.
std::optional<boost::json::object> risk_report(engine::copy_engine& engine, const std::string& name);

} // namespace copytrader::control

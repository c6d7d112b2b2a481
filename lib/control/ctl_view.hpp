#pragma once
// copytraderctl's human-readable output: the daemon's JSON results as short tables.

#include <boost/json/object.hpp>

#include <string>

namespace copytrader::control {

std::string render_status(const boost::json::object& status);
std::string render_stats(const boost::json::object& stats);
std::string render_signal(const boost::json::object& plan);
std::string render_flatten(const boost::json::object& result);
std::string render_risk(const boost::json::object& risk);

} // namespace copytrader::control

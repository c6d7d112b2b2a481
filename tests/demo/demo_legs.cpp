#include "demo/demo_legs.hpp"

#include <fmt/format.h>

#include <cmath>

namespace copytrader::demo {
namespace json = boost::json;

namespace {
constexpr int working_status = 1;
constexpr int limit_type = 1;
constexpr int stop_type = 4;
} // namespace

leg_distances distances_of(const json::value& ledger, std::string_view contract, double tick) {
  leg_distances out;
  std::optional<double> average;
  for (const auto& p : ledger.at("positions").as_array())
    if (p.at("contractId").as_string() == contract) average = p.at("averagePrice").to_number<double>();
  if (!average) return out;
  for (const auto& v : ledger.at("orders").as_array()) {
    const auto& o = v.as_object();
    if (o.at("contractId").as_string() != contract || o.at("status").to_number<int>() != working_status) continue;
    const int type = o.at("type").to_number<int>();
    const char* key = type == stop_type ? "stopPrice" : type == limit_type ? "limitPrice" : nullptr;
    if (key == nullptr || !o.contains(key) || o.at(key).is_null()) continue;
    const long ticks = std::lround((o.at(key).to_number<double>() - *average) / tick);
    (type == stop_type ? out.stop : out.target) = ticks;
  }
  return out;
}

std::string to_string(const leg_distances& d) {
  return fmt::format("{}/{}", d.stop ? fmt::format("{:+d}t", *d.stop) : "no stop",
                     d.target ? fmt::format("{:+d}t", *d.target) : "no target");
}

} // namespace copytrader::demo

#pragma once
// The demo's check of the followers' bracket legs against the leader's: from one account's ledger
// (the simulator's /ledger answer), the working stop's and target's distance from the position's
// average price, in ticks. A mirror follower's distances equal the leader's; a fixed one's are its
// sl_ticks and tp_ticks.

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace copytrader::demo {

struct leg_distances {
  std::optional<long> stop;   // ticks from the average price, signed (below a long's average: negative)
  std::optional<long> target; // the same for the take-profit
  friend bool operator==(const leg_distances&, const leg_distances&) = default;
};

// Of the position on `contract` (nothing when flat); a leg on another contract is not counted.
leg_distances distances_of(const boost::json::value& ledger, std::string_view contract, double tick);

// "-12t/+24t", or "no stop" / "no target" where one is missing.
std::string to_string(const leg_distances& d);

} // namespace copytrader::demo

#pragma once
// The follower's bracket for an entry, as signed tick distances for Order/place (long: SL negative,
// TP positive; short the reverse). `mirror` takes the distances of the leader's own legs from the
// leader's fill and converts them to the follower contract's ticks; `fixed` uses sl_ticks/tp_ticks,
// which are also mirror's fallback when the leader has no legs; `none` sends no bracket. A distance
// under the gateway's minimum is widened to it (the venue would refuse the order otherwise).

#include "config/config.hpp"
#include "projectx/requests.hpp"

#include <optional>

namespace copytrader::copy {

struct leader_bracket {
  double fill_price = 0;
  std::optional<double> stop_price;   // the leader's SL leg
  std::optional<double> target_price; // the leader's TP leg
  double tick_size = 0.25;            // of the leader's contract
};

struct follower_bracket {
  std::optional<projectx::bracket> stop_loss;
  std::optional<projectx::bracket> take_profit;
  bool widened = false; // a leader distance under the minimum was widened
};

follower_bracket plan_bracket(const follower_config& rules, bool follower_long, double follower_tick_size,
                              const std::optional<leader_bracket>& leader);

} // namespace copytrader::copy

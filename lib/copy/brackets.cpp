#include "copy/brackets.hpp"

#include "config/validate.hpp"

#include <cmath>

namespace copytrader::copy {
namespace px = copytrader::projectx;

namespace {

// A distance in points as whole ticks of the follower's contract, at least the minimum.
std::int32_t ticks_for(double points, double tick_size, bool& widened) {
  const auto ticks = static_cast<std::int32_t>(std::lround(std::abs(points) / tick_size));
  if (ticks < min_bracket_ticks) {
    widened = true;
    return min_bracket_ticks;
  }
  return ticks;
}

} // namespace

follower_bracket plan_bracket(const follower_config& rules, bool follower_long, double follower_tick_size,
                              const std::optional<leader_bracket>& leader) {
  follower_bracket out;
  if (rules.bracket == bracket_mode::none) return out;
  std::int32_t sl = rules.sl_ticks;
  std::int32_t tp = rules.tp_ticks;
  if (rules.bracket == bracket_mode::mirror && leader) {
    if (leader->stop_price) sl = ticks_for(*leader->stop_price - leader->fill_price, follower_tick_size, out.widened);
    if (leader->target_price)
      tp = ticks_for(*leader->target_price - leader->fill_price, follower_tick_size, out.widened);
  }
  out.stop_loss = px::bracket{follower_long ? -sl : sl, px::order_type::stop};
  out.take_profit = px::bracket{follower_long ? tp : -tp, px::order_type::limit};
  return out;
}

} // namespace copytrader::copy

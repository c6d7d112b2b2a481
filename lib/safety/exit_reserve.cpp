#include "safety/exit_reserve.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace copytrader {

exit_reserve_plan plan_exit_reserve(std::size_t capacity, std::size_t followers,
                                    std::optional<std::size_t> configured) {
  exit_reserve_plan plan;
  plan.needed = followers * requests_per_follower_exit;
  const std::size_t most = capacity > 0 ? capacity - 1 : 0; // one slot is always left for the others
  plan.reserve = std::min(configured.value_or(std::min(plan.needed, capacity / 2)), most);
  return plan;
}

std::optional<std::string> exit_reserve_warning(std::string_view login, std::size_t followers,
                                                const exit_reserve_plan& plan) {
  if (plan.covers_all()) return std::nullopt;
  return fmt::format(
      "login {}: its {} followers need {} requests to be closed at once, and {} are kept for exits: "
      "an exit after a busy minute may wait for the window. Put fewer followers on this login, move "
      "some to a second login, or raise safety.rate_limit.exit_reserve",
      login, followers, plan.needed, plan.reserve);
}

} // namespace copytrader

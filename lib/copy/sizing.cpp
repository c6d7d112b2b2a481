#include "copy/sizing.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace copytrader::copy {

std::int32_t target_size(std::int32_t leader_net, const follower_config& rules) noexcept {
  if (leader_net == 0) return 0;
  std::int64_t size = 0;
  if (rules.fixed_size > 0) {
    size = rules.fixed_size;
  } else {
    // The epsilon keeps a product such as 100 x 0.29 (28.999999999999996 in binary) from losing a lot.
    const double scaled = std::floor(std::abs(static_cast<double>(leader_net)) * rules.size_ratio + 1e-9);
    size = std::max<std::int64_t>(rules.min_size, static_cast<std::int64_t>(std::min(scaled, 1e9)));
  }
  if (rules.max_size > 0) size = std::min<std::int64_t>(size, rules.max_size);
  const bool long_side = (leader_net > 0) != rules.invert;
  return static_cast<std::int32_t>(long_side ? size : -size);
}

} // namespace copytrader::copy

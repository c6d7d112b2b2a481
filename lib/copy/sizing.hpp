#pragma once
// What a follower should hold for a leader position (design.md section 3), and on which contract.
// f(0) = 0; otherwise sign(P) x min(max(min_size, floor(|P| x size_ratio)), max_size), or
// sign(P) x fixed_size; invert flips the sign. Which contract it lands on: copy/contract_routes.hpp.

#include "config/config.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace copytrader::copy {

std::int32_t target_size(std::int32_t leader_net, const follower_config& rules) noexcept;

} // namespace copytrader::copy

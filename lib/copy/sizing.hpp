#pragma once
// What a follower should hold for a leader position (design.md section 3), and on which contract.
// f(0) = 0; otherwise sign(P) x min(max(min_size, floor(|P| x size_ratio)), max_size), or
// sign(P) x fixed_size; invert flips the sign.

#include "config/config.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace copytrader::copy {

std::int32_t target_size(std::int32_t leader_net, const follower_config& rules) noexcept;

// The follower's contract for a leader contract: contract_id, or contract_map's entry (null: this
// leader contract is not copied), or the leader's own when neither is set. A pointer into `rules` or
// to `leader_contract` itself, so that planning copies no string.
const std::string* mapped_contract(const std::string& leader_contract, const follower_config& rules);

} // namespace copytrader::copy

#pragma once
// The meaning rules of a configuration that parsed: ranges, uniqueness, combinations that contradict
// each other. Every problem found is reported; none stops the others from being checked.

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

namespace copytrader {

inline constexpr std::int32_t min_bracket_ticks = 4; // the gateway rejects closer brackets
inline constexpr std::int32_t gateway_requests_per_minute = 200;

void validate_config(const config& cfg, yaml_reader& reader);
// The account guard's part (validate_risk.cpp).
void validate_risk(const config& cfg, yaml_reader& reader);

} // namespace copytrader

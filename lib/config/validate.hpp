#pragma once
// The meaning rules of a configuration that parsed: ranges, uniqueness, combinations that contradict
// each other. Every problem found is reported; none stops the others from being checked.

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

#include <initializer_list>
#include <string_view>

namespace copytrader {

inline constexpr std::int32_t min_bracket_ticks = 4; // the gateway rejects closer brackets
inline constexpr std::int32_t gateway_requests_per_minute = 200;

void validate_config(const config& cfg, yaml_reader& reader);
// A name the operator types (a follower, an alert target): 1 to `longest` letters, digits, '_' or '-'.
[[nodiscard]] bool valid_name(std::string_view name, std::size_t longest = 32);
// An absolute URL with one of `schemes`, a host, and no credentials in it; the text is quoted in errors.
void check_url(yaml_reader& r, const std::string& key, const std::string& text,
               std::initializer_list<std::string_view> schemes);
// The account guard's part (validate_risk.cpp).
void validate_risk(const config& cfg, yaml_reader& reader);

} // namespace copytrader

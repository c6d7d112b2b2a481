#pragma once
// Durations in configuration are strings with a unit ("250ms", "1s", "5m"); a bare number is refused
// because "30" could mean seconds or milliseconds and the difference matters here.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace copytrader {

using duration = std::chrono::milliseconds;

std::optional<duration> parse_duration(std::string_view text) noexcept;
std::string format_duration(duration d);

} // namespace copytrader

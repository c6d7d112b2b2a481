#include "core/duration.hpp"

#include <charconv>
#include <cstdint>
#include <limits>

namespace copytrader {

std::optional<duration> parse_duration(std::string_view text) noexcept {
  std::int64_t count = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [unit_begin, ec] = std::from_chars(begin, end, count);
  if (ec != std::errc{} || unit_begin == begin || count < 0) return std::nullopt;

  const std::string_view unit(unit_begin, static_cast<std::size_t>(end - unit_begin));
  std::int64_t per_unit = 0;
  if (unit == "ms")
    per_unit = 1;
  else if (unit == "s")
    per_unit = 1000;
  else if (unit == "m")
    per_unit = 60'000;
  else if (unit == "h")
    per_unit = 3'600'000;
  else
    return std::nullopt;

  if (count > std::numeric_limits<std::int64_t>::max() / per_unit) return std::nullopt;
  return duration(count * per_unit);
}

std::string format_duration(duration d) {
  const auto ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

} // namespace copytrader

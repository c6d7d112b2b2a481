#include "projectx/models.hpp"

#include <fmt/format.h>

#include <charconv>

namespace copytrader::projectx {
namespace {

bool digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

} // namespace

std::optional<timestamp> parse_timestamp(std::string_view t) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(t, 0, 4, year) || t.size() < 19 || t[4] != '-' || !digits(t, 5, 2, month) || t[7] != '-' ||
      !digits(t, 8, 2, day) || (t[10] != 'T' && t[10] != ' ') || !digits(t, 11, 2, hour) || t[13] != ':' ||
      !digits(t, 14, 2, minute) || t[16] != ':' || !digits(t, 17, 2, second)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t fraction_100ns = 0;
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    std::size_t n = 0;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      if (n < 7) fraction_100ns = fraction_100ns * 10 + (t[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return std::nullopt;
    for (std::size_t i = n; i < 7; ++i) fraction_100ns *= 10;
  }
  int offset_minutes = 0;
  if (pos < t.size() && t[pos] == 'Z') {
    ++pos;
  } else if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    int oh = 0, om = 0;
    if (!digits(t, pos + 1, 2, oh) || pos + 3 >= t.size() || t[pos + 3] != ':' || !digits(t, pos + 4, 2, om)) {
      return std::nullopt;
    }
    offset_minutes = (t[pos] == '-' ? -1 : 1) * (oh * 60 + om);
    pos += 6;
  } else {
    return std::nullopt; // a time without a zone is ambiguous
  }
  if (pos != t.size()) return std::nullopt;

  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  auto result = std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
                std::chrono::seconds(second) - std::chrono::minutes(offset_minutes);
  return std::chrono::time_point_cast<std::chrono::microseconds>(result) +
         std::chrono::microseconds(fraction_100ns / 10);
}

std::string format_timestamp(timestamp t) {
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day date(days);
  const auto time = t - days;
  const auto h = std::chrono::duration_cast<std::chrono::hours>(time);
  const auto m = std::chrono::duration_cast<std::chrono::minutes>(time - h);
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(time - h - m);
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(time - h - m - s);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}+00:00", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), h.count(), m.count(),
                     s.count(), us.count() * 10);
}

} // namespace copytrader::projectx

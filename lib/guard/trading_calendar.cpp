#include "guard/trading_calendar.hpp"

#include <date/tz.h>

#include <cstdio>
#include <stdexcept>

namespace copytrader::guard {

namespace {

using date::days;

// Saturday and Sunday close no trading day: their moments belong to Monday's.
date::local_days next_weekday(date::local_days d) {
  while (true) {
    const date::weekday wd{d};
    if (wd != date::Saturday && wd != date::Sunday) return d;
    d += days{1};
  }
}

// Early closes go flat 15 minutes before the close; entries stop as long before that as usual.
constexpr std::chrono::minutes early_close_margin{15};

} // namespace

trading_calendar::trading_calendar(session_hours hours) : hours_(std::move(hours)), zone_(nullptr) {
  try {
    zone_ = date::locate_zone(hours_.time_zone);
    (void)zone_->get_info(std::chrono::system_clock::now()); // reads the zone's file now, not later
  } catch (const std::exception&) {
    throw std::runtime_error("unknown time zone '" + hours_.time_zone + "'");
  }
}

sys_time trading_calendar::at(date::local_days day, clock_of_day time) const {
  // 15:08 and 17:00 are never inside a DST change (those happen at 02:00); earliest is a choice
  // that keeps a custom hour inside one well defined.
  return zone_->to_sys(date::local_seconds{day + time}, date::choose::earliest);
}

std::string trading_calendar::local_text(sys_time t) const {
  const auto info = zone_->get_info(t);
  const auto local = date::local_seconds{std::chrono::floor<std::chrono::seconds>(t).time_since_epoch() + info.offset};
  return date::format("%F %R ", std::chrono::floor<std::chrono::minutes>(local)) + info.abbrev;
}

sys_time trading_calendar::to_sys(date::local_seconds local) const {
  return zone_->to_sys(local, date::choose::earliest);
}

date::year_month_day trading_calendar::day_of(sys_time t) const {
  const auto local = zone_->to_local(std::chrono::time_point_cast<std::chrono::seconds>(t));
  auto day = date::floor<days>(local);
  if (local - day >= hours_.day_start) day += days{1};
  return date::year_month_day{next_weekday(day)};
}

day_bounds trading_calendar::bounds(date::year_month_day day) const {
  const date::local_days closes{day};
  // The evening before: Sunday's for Monday, as the weekend belongs to no other day.
  day_bounds b{day, at(closes - days{1}, hours_.day_start), at(closes, hours_.last_entry),
               at(closes, hours_.flatten_at)};
  if (auto early = hours_.early_closes.find(day); early != hours_.early_closes.end()) {
    const auto gap = hours_.flatten_at - hours_.last_entry;
    b.flatten_at = at(closes, early->second - early_close_margin);
    b.last_entry = at(closes, early->second - early_close_margin - gap);
  }
  return b;
}

session_phase trading_calendar::phase(sys_time t) const {
  const auto b = bounds(day_of(t));
  if (t < b.opens || t >= b.flatten_at) return session_phase::flat;
  if (t >= b.last_entry) return session_phase::no_entries;
  return session_phase::entries;
}

sys_time trading_calendar::next_open(sys_time t) const {
  const date::local_days today{day_of(t)};
  return bounds(date::year_month_day{next_weekday(today + days{1})}).opens;
}

std::optional<clock_of_day> parse_clock(const std::string& text) noexcept {
  unsigned hours = 0;
  unsigned minutes = 0;
  char tail = 0;
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  if (std::sscanf(text.c_str(), "%2u:%2u%c", &hours, &minutes, &tail) != 2) return std::nullopt;
  if (hours > 23 || minutes > 59) return std::nullopt;
  return clock_of_day{hours * 60 + minutes};
}

std::optional<date::year_month_day> parse_date(const std::string& text) noexcept {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) return std::nullopt;
  const date::year_month_day day{date::year{y}, date::month{m}, date::day{d}};
  if (!day.ok()) return std::nullopt;
  return day;
}

std::optional<date::local_seconds> parse_local_time(const std::string& text) noexcept {
  if (text.size() != 16 || text[10] != ' ') return std::nullopt;
  const auto day = parse_date(text.substr(0, 10));
  const auto time = parse_clock(text.substr(11));
  if (!day || !time) return std::nullopt;
  return date::local_seconds{date::local_days{*day} + *time};
}

std::string format_day(date::year_month_day day) {
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(day.year()), static_cast<unsigned>(day.month()),
                static_cast<unsigned>(day.day()));
  return out;
}

} // namespace copytrader::guard

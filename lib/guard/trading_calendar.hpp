#pragma once
// The prop firm's trading day, from a real time-zone database (Howard Hinnant's date/tz, Debian's
// libhowardhinnant-date-dev, reading the system's /usr/share/zoneinfo): the day opens at `day_start`
// (17:00 America/Chicago) on the evening before, entries stop at `last_entry`, positions must be flat
// by `flatten_at`. The weekend belongs to Monday: Friday's close to Sunday's 17:00 open is closed, and
// Sunday 17:00 opens Monday's day. A UTC offset is never assumed: 17:00 Chicago is 22:00 or 23:00 UTC
// depending on the date. Pure: every answer is a function of the instant given.

#include <date/date.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace date {
class time_zone;
}

namespace copytrader::guard {

using sys_time = std::chrono::system_clock::time_point;
using clock_of_day = std::chrono::minutes; // minutes after local midnight

struct session_hours {
  std::string time_zone = "America/Chicago";
  clock_of_day day_start{17 * 60};
  clock_of_day last_entry{15 * 60 + 5};
  clock_of_day flatten_at{15 * 60 + 8};
  // Whether entries stop at last_entry and positions are flattened at flatten_at (G5). The trading
  // day still rolls at day_start either way (daily limits, the high-water mark).
  bool enforce = true;
  // Early-close dates (local): the market closes at this time; flat 15 minutes before it.
  std::map<date::year_month_day, clock_of_day> early_closes;
};

// Where an instant falls in its trading day.
enum class session_phase {
  entries,    // open: entries allowed
  no_entries, // after last_entry: exits only
  flat,       // from flatten_at to the next open (the daily break, the weekend): positions must be flat
};

struct day_bounds {
  date::year_month_day day; // the trading day (its closing date, a weekday)
  sys_time opens;           // day_start on the evening before (Sunday for Monday)
  sys_time last_entry;
  sys_time flatten_at;
};

class trading_calendar {
public:
  // Throws std::runtime_error naming the zone when the database does not know it. Reads the zone's
  // file on first use: build calendars when the configuration is loaded, not on the io thread.
  explicit trading_calendar(session_hours hours);

  // The trading day an instant belongs to: before day_start, today's; from it on, the next weekday's.
  [[nodiscard]] date::year_month_day day_of(sys_time t) const;
  [[nodiscard]] day_bounds bounds(date::year_month_day day) const;
  [[nodiscard]] session_phase phase(sys_time t) const;
  // The open of the trading day after the one `t` belongs to: when a lock "until the next trading
  // day" ends.
  [[nodiscard]] sys_time next_open(sys_time t) const;
  [[nodiscard]] const session_hours& hours() const noexcept { return hours_; }
  // "2026-06-16 17:00 CDT": an instant as the operator reads it on the firm's dashboard.
  [[nodiscard]] std::string local_text(sys_time t) const;
  // A local time of the session's zone (a blackout's bounds) as an instant.
  [[nodiscard]] sys_time to_sys(date::local_seconds local) const;

private:
  [[nodiscard]] sys_time at(date::local_days day, clock_of_day time) const;

  session_hours hours_;
  const date::time_zone* zone_;
};

// "17:00" -> 1020 minutes; nullopt unless HH:MM with HH < 24 and MM < 60.
[[nodiscard]] std::optional<clock_of_day> parse_clock(const std::string& text) noexcept;
// "2026-12-10 07:25" -> a local time, else nullopt.
[[nodiscard]] std::optional<date::local_seconds> parse_local_time(const std::string& text) noexcept;
// "2026-11-27" -> a valid date, else nullopt.
[[nodiscard]] std::optional<date::year_month_day> parse_date(const std::string& text) noexcept;
[[nodiscard]] std::string format_day(date::year_month_day day);

} // namespace copytrader::guard

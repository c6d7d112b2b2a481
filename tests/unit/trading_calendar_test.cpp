// The trading day in America/Chicago from the tz database: the 17:00 roll, the entry and flatten
// hours, the weekend, both DST changes of 2026 (8 March, 1 November) and an early close.

#include "guard/trading_calendar.hpp"

#include <catch2/catch.hpp>

using namespace copytrader::guard;
using namespace date::literals;
using namespace std::chrono_literals;

namespace {

sys_time utc(date::year_month_day day, std::chrono::minutes time) { return date::sys_days{day} + time; }
std::chrono::minutes hm(int h, int m = 0) { return std::chrono::hours{h} + std::chrono::minutes{m}; }

} // namespace

TEST_CASE("calendar: 17:00 Chicago opens the next day, 22:00 UTC in summer and 23:00 in winter", "[calendar]") {
  const trading_calendar cal{session_hours{}};
  // Tuesday 16 June 2026, CDT (UTC-5).
  CHECK(cal.day_of(utc(2026_y / 6 / 16, hm(21, 59))) == 2026_y / 6 / 16);
  CHECK(cal.day_of(utc(2026_y / 6 / 16, hm(22))) == 2026_y / 6 / 17);
  // Tuesday 13 January 2026, CST (UTC-6).
  CHECK(cal.day_of(utc(2026_y / 1 / 13, hm(22, 59))) == 2026_y / 1 / 13);
  CHECK(cal.day_of(utc(2026_y / 1 / 13, hm(23))) == 2026_y / 1 / 14);
}

TEST_CASE("calendar: entries until last_entry, exits only until flatten_at, flat until the open", "[calendar]") {
  const trading_calendar cal{session_hours{}};
  const auto day = 2026_y / 6 / 16; // CDT: 15:05 Chicago is 20:05 UTC
  CHECK(cal.phase(utc(day, hm(20, 4))) == session_phase::entries);
  CHECK(cal.phase(utc(day, hm(20, 5))) == session_phase::no_entries);
  CHECK(cal.phase(utc(day, hm(20, 7))) == session_phase::no_entries);
  CHECK(cal.phase(utc(day, hm(20, 8))) == session_phase::flat);
  CHECK(cal.phase(utc(day, hm(21, 59))) == session_phase::flat);
  CHECK(cal.phase(utc(day, hm(22))) == session_phase::entries);
}

TEST_CASE("calendar: the weekend is closed and Sunday 17:00 opens Monday, across the March DST change", "[calendar]") {
  const trading_calendar cal{session_hours{}};
  // Friday 6 March 2026 is CST; Sunday 8 March is the first day of CDT.
  const auto friday_evening = utc(2026_y / 3 / 6, hm(23, 30)); // 17:30 CST
  CHECK(cal.day_of(friday_evening) == 2026_y / 3 / 9);
  CHECK(cal.phase(friday_evening) == session_phase::flat);
  CHECK(cal.phase(utc(2026_y / 3 / 7, hm(18))) == session_phase::flat);     // Saturday
  CHECK(cal.phase(utc(2026_y / 3 / 8, hm(21, 59))) == session_phase::flat); // Sunday 16:59 CDT
  CHECK(cal.phase(utc(2026_y / 3 / 8, hm(22))) == session_phase::entries);  // Sunday 17:00 CDT
  CHECK(cal.bounds(2026_y / 3 / 9).opens == utc(2026_y / 3 / 8, hm(22)));
  // A lock set on Friday afternoon (CST) lasts until Sunday's open, an hour earlier in UTC than a
  // fixed offset would say.
  CHECK(cal.next_open(utc(2026_y / 3 / 6, hm(19))) == utc(2026_y / 3 / 8, hm(22)));
}

TEST_CASE("calendar: the November DST change moves Sunday's open to 23:00 UTC", "[calendar]") {
  const trading_calendar cal{session_hours{}};
  CHECK(cal.phase(utc(2026_y / 11 / 1, hm(22, 30))) == session_phase::flat);
  CHECK(cal.phase(utc(2026_y / 11 / 1, hm(23))) == session_phase::entries);
  CHECK(cal.day_of(utc(2026_y / 11 / 1, hm(23))) == 2026_y / 11 / 2);
  // Friday 30 October is CDT: a lock from its afternoon ends at Sunday's 17:00 CST.
  CHECK(cal.next_open(utc(2026_y / 10 / 30, hm(15))) == utc(2026_y / 11 / 1, hm(23)));
  // A lock set on a Tuesday ends at that evening's open.
  CHECK(cal.next_open(utc(2026_y / 11 / 3, hm(15))) == utc(2026_y / 11 / 3, hm(23)));
}

TEST_CASE("calendar: an early close goes flat 15 minutes before it", "[calendar]") {
  session_hours hours;
  hours.early_closes[2026_y / 11 / 27] = hm(12, 15); // the day after Thanksgiving
  const trading_calendar cal{hours};
  const auto day = 2026_y / 11 / 27; // CST: 12:00 Chicago is 18:00 UTC
  CHECK(cal.phase(utc(day, hm(17, 56))) == session_phase::entries);
  CHECK(cal.phase(utc(day, hm(17, 57))) == session_phase::no_entries);
  CHECK(cal.phase(utc(day, hm(18))) == session_phase::flat);
  CHECK(cal.phase(utc(2026_y / 11 / 26, hm(18))) == session_phase::entries); // other days keep their hours
}

TEST_CASE("calendar: an unknown zone is refused by name; clock and date texts are strict", "[calendar]") {
  session_hours hours;
  hours.time_zone = "America/Chicagoo";
  CHECK_THROWS_WITH(trading_calendar{hours}, Catch::Contains("America/Chicagoo"));
  CHECK(parse_clock("17:00") == hm(17));
  CHECK(parse_clock("15:08") == hm(15, 8));
  CHECK_FALSE(parse_clock("24:00"));
  CHECK_FALSE(parse_clock("7:00"));
  CHECK_FALSE(parse_clock("17:00x"));
  CHECK(parse_date("2026-11-27") == 2026_y / 11 / 27);
  CHECK_FALSE(parse_date("2026-02-30"));
  CHECK_FALSE(parse_date("2026-1-27"));
  CHECK(format_day(2026_y / 3 / 9) == "2026-03-09");
}

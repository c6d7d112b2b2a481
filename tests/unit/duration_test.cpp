#include "core/duration.hpp"

#include <catch2/catch.hpp>

using namespace copytrader;
using namespace std::chrono_literals;

TEST_CASE("durations need a unit", "[duration]") {
  CHECK(parse_duration("250ms") == duration(250ms));
  CHECK(parse_duration("1s") == duration(1s));
  CHECK(parse_duration("5m") == duration(5min));
  CHECK(parse_duration("2h") == duration(2h));
  CHECK(parse_duration("0s") == duration(0ms));
  CHECK_FALSE(parse_duration("30"));
  CHECK_FALSE(parse_duration("s"));
  CHECK_FALSE(parse_duration("-1s"));
  CHECK_FALSE(parse_duration("1.5s"));
  CHECK_FALSE(parse_duration("1 s"));
  CHECK_FALSE(parse_duration("10d"));
  CHECK_FALSE(parse_duration("99999999999999999h"));
  CHECK_FALSE(parse_duration(""));
}

TEST_CASE("durations print in the largest whole unit", "[duration]") {
  CHECK(format_duration(300ms) == "300ms");
  CHECK(format_duration(60s) == "1m");
  CHECK(format_duration(90s) == "90s");
  CHECK(format_duration(0ms) == "0s");
}

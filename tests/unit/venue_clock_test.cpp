#include "copy/venue_clock.hpp"

#include <catch2/catch.hpp>

using namespace copytrader;
using namespace std::chrono_literals;

namespace {
const auto venue_t0 = projectx::timestamp{} + std::chrono::hours(24 * 20000);
}

TEST_CASE("venue clock: a host clock 10 minutes ahead is measured; delivery delay does not count", "[venue_clock]") {
  copy::venue_clock clock;
  CHECK(clock.offset() == 0us);
  const auto skew = std::chrono::minutes(10);
  // Three events stamped by the venue, received 3 ms, 40 ms and 1 ms later by a host 10 min ahead.
  clock.observe(venue_t0, venue_t0 + skew + 3ms);
  clock.observe(venue_t0 + 1s, venue_t0 + 1s + skew + 40ms);
  clock.observe(venue_t0 + 2s, venue_t0 + 2s + skew + 1ms);
  CHECK(clock.offset() == skew + 1ms);
  // What the host reads as "now" is the venue's now (within the smallest delay).
  CHECK(clock.now(venue_t0 + 5s + skew + 1ms) == venue_t0 + 5s);
}

TEST_CASE("venue clock: a host clock behind, and a step learned from the latest events", "[venue_clock]") {
  copy::venue_clock clock;
  clock.observe(venue_t0, venue_t0 - 10min + 2ms);
  CHECK(clock.offset() == -10min + 2ms);
  // The host is stepped forward by 10 minutes (NTP): after enough events the old samples are gone.
  for (int i = 1; i <= 8; ++i) clock.observe(venue_t0 + i * 1s, venue_t0 + i * 1s + 5ms);
  CHECK(clock.offset() == 5ms);
}

#include "copy/venue_clock.hpp"

#include <catch2/catch.hpp>

using namespace copytrader;
using namespace std::chrono_literals;

namespace {
const auto venue_t0 = projectx::timestamp{} + std::chrono::hours(24 * 20000);
const auto steady_t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1000);
// What the host's wall clock says: 10 minutes ahead of the venue.
const auto wall_ahead = std::chrono::system_clock::time_point{venue_t0.time_since_epoch() + std::chrono::minutes(10)};
} // namespace

TEST_CASE("venue clock: before any event, the host's wall clock, carried on the monotonic clock", "[venue_clock]") {
  copy::venue_clock clock;
  CHECK_FALSE(clock.learned());
  CHECK(clock.now(steady_t0, wall_ahead) == venue_t0 + 10min);
  // The wall clock jumps an hour ahead (faults.md H1): the clock reads on from where it was.
  CHECK(clock.now(steady_t0 + 2s, wall_ahead + 1h) == venue_t0 + 10min + 2s);
}

TEST_CASE("venue clock: a host clock 10 minutes ahead is measured; delivery delay does not count", "[venue_clock]") {
  copy::venue_clock clock;
  // Three events stamped by the venue, received 3 ms, 40 ms and 1 ms later.
  clock.observe(venue_t0, steady_t0 + 3ms);
  clock.observe(venue_t0 + 1s, steady_t0 + 1s + 40ms);
  clock.observe(venue_t0 + 2s, steady_t0 + 2s + 1ms);
  CHECK(clock.learned());
  // The host's wall clock no longer matters; the venue's now is within the smallest delay.
  CHECK(clock.now(steady_t0 + 5s + 1ms, wall_ahead) == venue_t0 + 5s);
  CHECK(clock.now(steady_t0 + 5s + 1ms, wall_ahead - 1h) == venue_t0 + 5s); // H2: stepped back, same
}

TEST_CASE("venue clock: a lone stamp far off does not move it; a venue step is learned once most agree",
          "[venue_clock][D10]") {
  copy::venue_clock clock;
  for (int i = 0; i < 4; ++i) clock.observe(venue_t0 + i * 1s, steady_t0 + i * 1s + 2ms);
  clock.observe(venue_t0 + 4s + 24h, steady_t0 + 4s + 2ms); // a day in the future
  CHECK(clock.now(steady_t0 + 10s + 2ms, wall_ahead) == venue_t0 + 10s);
  clock.observe(venue_t0 + 5s - 24h, steady_t0 + 5s + 2ms); // a day in the past
  CHECK(clock.now(steady_t0 + 10s + 2ms, wall_ahead) == venue_t0 + 10s);
  CHECK_FALSE(copy::venue_clock::plausible(venue_t0 + 24h, clock.now(steady_t0, wall_ahead)));
  CHECK(copy::venue_clock::plausible(venue_t0 + 40s, clock.now(steady_t0, wall_ahead))); // late, not wrong

  // The venue's clock is stepped 10 minutes forward: after most of the window agrees, that is the clock.
  for (int i = 6; i < 12; ++i) clock.observe(venue_t0 + i * 1s + 10min, steady_t0 + i * 1s + 2ms);
  CHECK(clock.now(steady_t0 + 20s + 2ms, wall_ahead) == venue_t0 + 20s + 10min);
}

// Issue 19: a login's window keeps a reserve that only exits may use, sized for its followers, and
// the cost of a leader round trip is measured, step by step on a fake clock.

#include "safety/exit_reserve.hpp"
#include "config/config_loader.hpp"
#include "safety/round_trip_meter.hpp"
#include "safety/token_bucket.hpp"
#include "support/config_fixture.hpp"

#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::testing;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {
const steady_time t0{};
}

TEST_CASE("a window can be asked for several free slots at once", "[bucket][reserve]") {
  sliding_window w(3, 10s);
  w.use(t0);
  w.use(t0 + 1s);
  CHECK(w.next_free(t0 + 2s, 1) == t0 + 2s);
  CHECK(w.next_free(t0 + 2s, 2) == t0 + 10s); // the first use comes back
  CHECK(w.next_free(t0 + 2s, 3) == t0 + 11s); // and the second
}

TEST_CASE("reads and bracket moves never take the exit reserve; exits do", "[bucket][reserve]") {
  token_bucket bucket(5, 60s);
  bucket.set_reserve(3, false);
  const auto read1 = bucket.enqueue(request_priority::read);
  const auto read2 = bucket.enqueue(request_priority::read);
  CHECK(bucket.grant(t0) == read1);
  CHECK(bucket.grant(t0) == read2);
  // Three slots left, all of them the reserve.
  const auto read3 = bucket.enqueue(request_priority::read);
  CHECK_FALSE(bucket.grant(t0));
  CHECK(bucket.next_grant_time(t0) == t0 + 60s); // when read1's slot comes back
  const auto move = bucket.enqueue(request_priority::bracket_move);
  CHECK_FALSE(bucket.grant(t0));
  const auto entry = bucket.enqueue(request_priority::entry);
  CHECK_FALSE(bucket.grant(t0 + 1s));
  // Exits go at once, ahead of everyone, down to the last slot.
  const auto exit1 = bucket.enqueue(request_priority::exit);
  const auto exit2 = bucket.enqueue(request_priority::exit);
  const auto exit3 = bucket.enqueue(request_priority::exit);
  CHECK(bucket.grant(t0 + 1s) == exit1);
  CHECK(bucket.grant(t0 + 1s) == exit2);
  CHECK(bucket.grant(t0 + 1s) == exit3);
  CHECK(bucket.available(t0 + 1s) == 0);
  CHECK(bucket.reserve_grants() == 3);
  // Slots come back: the entry and the move wait for one beyond the reserve; the read finds the
  // reserve again and waits on.
  CHECK_FALSE(bucket.grant(t0 + 60s));                 // read1's and read2's slots back: two, inside the reserve
  CHECK(bucket.next_grant_time(t0 + 60s) == t0 + 61s); // the exits' come back
  CHECK(bucket.grant(t0 + 61s) == entry);
  CHECK(bucket.grant(t0 + 61s) == move);
  CHECK_FALSE(bucket.grant(t0 + 61s)); // three left: the reserve
  CHECK(bucket.waiting() == 1);
  CHECK(bucket.granted(request_priority::read) == 2);
  CHECK(bucket.reserve_grants() == 3);
  CHECK(bucket.cancel(read3));
}

TEST_CASE("entries take the reserve only when the configuration lets them", "[bucket][reserve]") {
  token_bucket strict(2, 60s);
  strict.set_reserve(1, false);
  strict.enqueue(request_priority::entry);
  strict.enqueue(request_priority::entry);
  CHECK(strict.grant(t0));
  CHECK_FALSE(strict.grant(t0));

  token_bucket lenient(2, 60s);
  lenient.set_reserve(1, true);
  lenient.enqueue(request_priority::entry);
  lenient.enqueue(request_priority::entry);
  CHECK(lenient.grant(t0));
  CHECK(lenient.grant(t0));
  CHECK(lenient.reserve_grants() == 1);
}

TEST_CASE("a reserve never takes the whole window", "[bucket][reserve]") {
  token_bucket bucket(4, 60s);
  bucket.set_reserve(10, false);
  CHECK(bucket.reserve() == 3);
  bucket.enqueue(request_priority::read);
  CHECK(bucket.grant(t0));
}

TEST_CASE("the auto reserve closes every follower of the login at once, within half the window", "[reserve]") {
  auto plan = plan_exit_reserve(180, 5, std::nullopt);
  CHECK(plan.reserve == 15);
  CHECK(plan.needed == 15);
  CHECK(plan.covers_all());
  CHECK_FALSE(exit_reserve_warning("trader", 5, plan));

  plan = plan_exit_reserve(180, 40, std::nullopt); // 120 needed, at most 90 kept
  CHECK(plan.reserve == 90);
  CHECK_FALSE(plan.covers_all());
  const auto warning = exit_reserve_warning("trader", 40, plan);
  REQUIRE(warning);
  CHECK_THAT(*warning, Contains("login trader: its 40 followers need 120 requests to be closed at once, and 90"));
  CHECK_THAT(*warning, Contains("second login"));

  plan = plan_exit_reserve(180, 2, 50); // configured: taken as given
  CHECK(plan.reserve == 50);
  plan = plan_exit_reserve(180, 0, std::nullopt); // the leader's own login, no follower on it
  CHECK(plan.reserve == 0);
  CHECK(plan.covers_all());
}

TEST_CASE("a round trip is measured from the leader's entry until its followers settle after the exit",
          "[reserve][round_trip]") {
  round_trip_meter meter;
  CHECK_FALSE(meter.requests_per_round_trip());
  meter.leader_moved(false, t0, 100);       // the leader opens: 100 requests sent so far
  meter.tick(t0 + 10s, 110, 0);             // open: nothing measured yet
  meter.leader_moved(false, t0 + 11s, 110); // an add
  meter.leader_moved(true, t0 + 20s, 115);  // flat
  meter.tick(t0 + 21s, 125, 0);             // settling: the closes and cancels still count
  meter.tick(t0 + 23s, 130, 2);             // requests of the login still waiting
  CHECK(meter.measured() == 0);
  meter.tick(t0 + 24s, 132, 0);
  CHECK(meter.measured() == 1);
  CHECK(meter.requests_per_round_trip() == Approx(32));
  // 180 per 60 s: 180 a minute, 5.6 round trips of 32.
  CHECK(*meter.round_trips_per_minute(180, 60s) == Approx(180.0 / 32));
  // 90 per 30 s is the same rate.
  CHECK(*meter.round_trips_per_minute(90, 30s) == Approx(180.0 / 32));

  // Reopened before the last one settled: that one ends there.
  meter.leader_moved(false, t0 + 30s, 200);
  meter.leader_moved(true, t0 + 31s, 220);
  meter.leader_moved(false, t0 + 32s, 228);
  CHECK(meter.measured() == 2);
  CHECK(meter.requests_per_round_trip() == Approx((32 + 28) / 2.0));
  meter.leader_moved(true, t0 + 33s, 240);
  meter.tick(t0 + 36s, 250, 0);
  CHECK(meter.measured() == 3);
  CHECK(meter.requests_per_round_trip() == Approx((32 + 28 + 22) / 3.0));
}

TEST_CASE("the moving figure keeps the last round trips only", "[reserve][round_trip]") {
  round_trip_meter meter;
  std::uint64_t sent = 0;
  auto now = t0;
  auto round_trip = [&](std::uint64_t cost) {
    meter.leader_moved(false, now, sent);
    sent += cost;
    meter.leader_moved(true, now + 1s, sent);
    meter.tick(now + 5s, sent, 0);
    now += 10s;
  };
  for (int i = 0; i < 20; ++i) round_trip(100);
  for (std::size_t i = 0; i < round_trip_meter::kept; ++i) round_trip(10);
  CHECK(meter.measured() == 20 + round_trip_meter::kept);
  CHECK(meter.requests_per_round_trip() == Approx(10));
}

TEST_CASE("safety.rate_limit.exit_reserve is auto, a number below max_requests, or an error naming it",
          "[config][reserve]") {
  config_fixture fx;
  const std::string base(minimal_config);
  auto loaded = fx.load(base);
  REQUIRE(loaded);
  CHECK_FALSE(loaded->safety.rate_limit.exit_reserve);
  CHECK_FALSE(loaded->safety.rate_limit.entries_use_reserve);
  loaded = fx.load(base +
                   "safety:\n  rate_limit: {max_requests: 180, window: 60s, exit_reserve: 40, "
                   "entries_use_reserve: true}\n");
  REQUIRE(loaded);
  CHECK(loaded->safety.rate_limit.exit_reserve == 40);
  CHECK(loaded->safety.rate_limit.entries_use_reserve);
  loaded = fx.load(base + "safety:\n  rate_limit: {exit_reserve: auto}\n");
  REQUIRE(loaded);
  CHECK_FALSE(loaded->safety.rate_limit.exit_reserve);
  CHECK_THAT(fx.errors(base + "safety:\n  rate_limit: {exit_reserve: lots}\n"),
             Contains("safety.rate_limit.exit_reserve: 'lots' is neither auto nor a whole number"));
  CHECK_THAT(fx.errors(base + "safety:\n  rate_limit: {max_requests: 100, exit_reserve: 100}\n"),
             Contains("safety.rate_limit.exit_reserve: must be auto or from 0 to max_requests - 1"));
  CHECK_THAT(fx.errors(base + "safety:\n  rate_limit: {exit_reserve: -1}\n"),
             Contains("safety.rate_limit.exit_reserve: must be auto or from 0 to max_requests - 1"));
}

TEST_CASE("a meter that reads the leader's moves before each grant measures what one told at once measures",
          "[reserve][round_trip]") {
  // The engine records each move once; a login reads the moves it has not seen before its next grant
  // (or on the ticker), with the count of requests before that grant.
  leader_move_log log;
  round_trip_meter told;    // the old way: every move reported to the meter at once
  round_trip_meter reading; // reads the log only when a request is about to be granted
  std::uint64_t granted = 100;
  auto move = [&](bool flat, steady_time at) {
    told.leader_moved(flat, at, granted);
    log.record(flat, at);
  };
  auto grant = [&](int n) {
    for (int i = 0; i < n; ++i) {
      reading.catch_up(log, granted);
      ++granted;
    }
  };

  move(false, t0);      // opens
  grant(5);             // the followers' entries
  move(true, t0 + 1s);  // flat
  move(false, t0 + 2s); // open again before anything was sent: the first round trip ends here
  move(true, t0 + 3s);  // and flat again, still without a request in between
  grant(7);
  reading.catch_up(log, granted); // the ticker reads what is left
  told.tick(t0 + 10s, granted, 0);
  reading.tick(t0 + 10s, granted, 0);
  log.forget_read();
  CHECK(told.measured() == 2);
  CHECK(reading.measured() == told.measured());
  REQUIRE(reading.requests_per_round_trip());
  CHECK(*reading.requests_per_round_trip() == Approx(*told.requests_per_round_trip()));
  CHECK(*reading.requests_per_round_trip() == Approx((5 + 7) / 2.0));

  // Moves numbered on after the log forgot what everyone read; a login created now starts after them.
  move(false, t0 + 20s);
  round_trip_meter late(log.last());
  late.catch_up(log, granted);
  grant(3);
  move(true, t0 + 21s);
  grant(1);
  reading.catch_up(log, granted);
  late.catch_up(log, granted);
  told.tick(t0 + 30s, granted, 0);
  reading.tick(t0 + 30s, granted, 0);
  late.tick(t0 + 30s, granted, 0);
  CHECK(reading.measured() == 3);
  CHECK(*reading.requests_per_round_trip() == Approx(*told.requests_per_round_trip()));
  CHECK(late.measured() == 0); // it never saw the leader open
  CHECK(log.kept() == 2);
}

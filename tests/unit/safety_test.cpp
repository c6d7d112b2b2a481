#include "safety/circuit_breaker.hpp"
#include "safety/token_bucket.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <vector>

using namespace copytrader;
using namespace std::chrono_literals;

namespace {
const steady_time t0{}; // the fake clock's epoch
}

TEST_CASE("the bucket grants up to capacity at once, then one slot per expired use", "[bucket]") {
  token_bucket bucket(3, 60s);
  for (int i = 0; i < 5; ++i) bucket.enqueue(request_priority::entry);
  CHECK(bucket.grant(t0));
  CHECK(bucket.grant(t0 + 1s));
  CHECK(bucket.grant(t0 + 2s));
  CHECK_FALSE(bucket.grant(t0 + 3s));
  CHECK(bucket.next_grant_time(t0 + 3s) == t0 + 60s); // the first use comes back a window later
  CHECK_FALSE(bucket.grant(t0 + 59s));
  CHECK(bucket.grant(t0 + 60s));
  CHECK(bucket.next_grant_time(t0 + 60s) == t0 + 61s);
  CHECK(bucket.grant(t0 + 61s));
  CHECK(bucket.waiting() == 0);
  CHECK_FALSE(bucket.next_grant_time(t0 + 61s));
}

TEST_CASE("higher lanes go first and lower lanes wait behind them", "[bucket]") {
  token_bucket bucket(1, 10s);
  const auto read = bucket.enqueue(request_priority::read);
  const auto move = bucket.enqueue(request_priority::bracket_move);
  const auto entry = bucket.enqueue(request_priority::entry);
  const auto exit = bucket.enqueue(request_priority::exit);
  CHECK(bucket.grant(t0) == exit);
  CHECK_FALSE(bucket.grant(t0));
  CHECK(bucket.grant(t0 + 10s) == entry);
  CHECK(bucket.grant(t0 + 20s) == move);
  CHECK(bucket.grant(t0 + 30s) == read);
  // Counted per lane: status shows the share reconciliation reads took.
  CHECK(bucket.granted(request_priority::exit) == 1);
  CHECK(bucket.granted(request_priority::read) == 1);
  CHECK(bucket.granted(request_priority::entry) == 1);
}

TEST_CASE("a cancelled request leaves the queue", "[bucket]") {
  token_bucket bucket(1, 10s);
  const auto a = bucket.enqueue(request_priority::read);
  const auto b = bucket.enqueue(request_priority::read);
  CHECK(bucket.cancel(a));
  CHECK_FALSE(bucket.cancel(a));
  CHECK(bucket.grant(t0) == b);
}

TEST_CASE("a 429 cools the login down and is counted", "[bucket][B1]") {
  token_bucket bucket(10, 60s);
  bucket.enqueue(request_priority::exit);
  bucket.cool_down(t0, 5s);
  CHECK(bucket.throttled_count() == 1);
  CHECK_FALSE(bucket.grant(t0 + 4s));
  CHECK(bucket.next_grant_time(t0 + 1s) == t0 + 5s);
  CHECK(bucket.grant(t0 + 5s));
}

TEST_CASE("property: no window ever holds more than the quota, nothing is dropped, lanes are honoured",
          "[bucket][property][I4]") {
  constexpr int schedules = 10'000;
  for (int seed = 1; seed <= schedules; ++seed) {
    std::mt19937_64 rng(static_cast<std::uint64_t>(seed));
    const std::size_t capacity = 1 + rng() % 20;
    const auto window = std::chrono::milliseconds(100 + static_cast<std::int64_t>(rng() % 5000));
    token_bucket bucket(capacity, window);

    // Random arrivals (bursts and gaps), random lanes, the odd 429.
    const int requests = 1 + static_cast<int>(rng() % 80);
    std::vector<std::pair<steady_time, request_priority>> arrivals;
    steady_time at = t0;
    for (int i = 0; i < requests; ++i) {
      at += std::chrono::milliseconds(rng() % 4 == 0 ? static_cast<std::int64_t>(rng() % 3000) : 0);
      arrivals.emplace_back(at, static_cast<request_priority>(rng() % priority_lanes));
    }
    std::vector<std::pair<steady_time, std::chrono::milliseconds>> cooldowns;
    std::map<token_bucket::ticket, request_priority> lane_of;
    std::vector<steady_time> grants;
    std::size_t next_arrival = 0;
    steady_time now = t0;
    int guard = 0;
    while (next_arrival < arrivals.size() || bucket.waiting() > 0) {
      REQUIRE(++guard < 100'000);
      while (next_arrival < arrivals.size() && arrivals[next_arrival].first <= now) {
        lane_of[bucket.enqueue(arrivals[next_arrival].second)] = arrivals[next_arrival].second;
        ++next_arrival;
        if (rng() % 50 == 0) {
          const auto d = std::chrono::milliseconds(rng() % 2000);
          bucket.cool_down(now, d);
          cooldowns.emplace_back(now, d);
        }
      }
      while (auto t = bucket.grant(now)) {
        const request_priority lane = lane_of.at(*t);
        lane_of.erase(*t);
        for (const auto& [other, other_lane] : lane_of) {
          INFO("seed " << seed);
          REQUIRE_FALSE(other_lane < lane); // nobody in a higher lane was left waiting
        }
        grants.push_back(now);
      }
      // Advance the fake clock to the next thing that can happen.
      std::optional<steady_time> next = bucket.next_grant_time(now);
      if (next_arrival < arrivals.size() && (!next || arrivals[next_arrival].first < *next)) {
        next = arrivals[next_arrival].first;
      }
      if (!next) break;
      REQUIRE(*next >= now);
      now = *next;
    }
    INFO("seed " << seed << " capacity " << capacity << " window " << window.count() << "ms");
    REQUIRE(grants.size() == arrivals.size()); // delayed, never dropped
    for (std::size_t i = 0; i < grants.size(); ++i) {
      const auto in_window = std::count_if(grants.begin() + static_cast<std::ptrdiff_t>(i), grants.end(),
                                           [&](steady_time g) { return g < grants[i] + window; });
      REQUIRE(static_cast<std::size_t>(in_window) <= capacity);
    }
    for (const auto& [start, length] : cooldowns) {
      REQUIRE(
          std::none_of(grants.begin(), grants.end(), [&](steady_time g) { return g >= start && g < start + length; }));
    }
  }
}

TEST_CASE("the breaker trips on one event more than max_orders in the window", "[breaker]") {
  circuit_breaker breaker(5, 1s);
  for (int i = 0; i < 5; ++i) CHECK(breaker.admit(copy_kind::entry, t0 + std::chrono::milliseconds(i * 100)));
  CHECK_FALSE(breaker.tripped());
  CHECK_FALSE(breaker.admit(copy_kind::entry, t0 + 600ms));
  CHECK(breaker.tripped());
  CHECK(breaker.trips() == 1);
}

TEST_CASE("a tripped breaker blocks entries, passes exits and stays tripped until reset", "[breaker]") {
  circuit_breaker breaker(2, 1s);
  breaker.admit(copy_kind::entry, t0);
  breaker.admit(copy_kind::entry, t0);
  CHECK_FALSE(breaker.admit(copy_kind::entry, t0));
  CHECK(breaker.admit(copy_kind::exit, t0 + 10ms));
  CHECK_FALSE(breaker.admit(copy_kind::entry, t0 + 1h)); // time alone does not re-arm it
  CHECK(breaker.trips() == 1);                           // one trip, however many refusals
  breaker.reset();
  CHECK(breaker.admit(copy_kind::entry, t0 + 2h));
  CHECK_FALSE(breaker.tripped());
}

TEST_CASE("events spread over time never trip the breaker", "[breaker]") {
  circuit_breaker breaker(5, 1s);
  for (int i = 0; i < 1000; ++i) REQUIRE(breaker.admit(copy_kind::entry, t0 + std::chrono::milliseconds(i * 201)));
  CHECK(breaker.trips() == 0);
}

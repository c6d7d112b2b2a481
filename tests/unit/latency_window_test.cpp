// The latency figures copytraderctl stats and the dashboard show: nearest-rank p50/p99 and the max of
// the latest samples, worked out again only after a sample arrived.

#include "engine/latency_window.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

using namespace copytrader::engine;

namespace {

// The definition, by sorting: the ceil(q * n)-th smallest.
std::int64_t nearest_rank(std::vector<std::int64_t> v, double q) {
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::min(i == 0 ? 0 : i - 1, v.size() - 1)];
}

} // namespace

TEST_CASE("latency window: p50, p99 and max are the nearest ranks of the samples", "[latency_window]") {
  latency_window empty;
  CHECK(empty.summary().count == 0);
  CHECK(empty.summary().max == 0);

  latency_window one;
  one.add(42);
  CHECK(one.summary().p50 == 42);
  CHECK(one.summary().p99 == 42);
  CHECK(one.summary().max == 42);

  latency_window hundred; // 1..100 added backwards: p50 = 50, p99 = 99
  for (std::int64_t us = 100; us >= 1; --us) hundred.add(us);
  CHECK(hundred.summary().p50 == 50);
  CHECK(hundred.summary().p99 == 99);
  CHECK(hundred.summary().max == 100);
  CHECK(hundred.summary().count == 100);

  std::mt19937_64 random(7); // seeded: the same samples every run
  std::uniform_int_distribution<std::int64_t> spread(1, 5000);
  for (const std::size_t n : {2U, 3U, 99U, 101U, 1000U, 4096U}) {
    latency_window w;
    std::vector<std::int64_t> added;
    for (std::size_t i = 0; i < n; ++i) {
      added.push_back(spread(random));
      w.add(added.back());
    }
    const auto s = w.summary();
    INFO("n = " << n);
    CHECK(s.p50 == nearest_rank(added, 0.50));
    CHECK(s.p99 == nearest_rank(added, 0.99));
    CHECK(s.max == *std::max_element(added.begin(), added.end()));
  }
}

TEST_CASE("latency window: keeps the latest 4096, and a new sample changes the summary", "[latency_window]") {
  latency_window w;
  for (std::size_t i = 0; i < latency_window::kept; ++i) w.add(10);
  CHECK(w.summary().max == 10);
  w.add(900); // asked before: the kept summary must not hide it
  CHECK(w.summary().max == 900);
  CHECK(w.samples().size() == latency_window::kept);
  for (std::size_t i = 0; i < latency_window::kept; ++i) w.add(20); // 900 and every 10 pushed out
  CHECK(w.summary().max == 20);
  CHECK(w.summary().p50 == 20);
  CHECK(w.samples().front() == 20);
}

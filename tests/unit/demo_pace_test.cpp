// make demo's leader waits for its followers' logins' request budget rather than outrun it (a fast
// machine ran 17 steps in under a minute on one login and held every entry after that).

#include "demo/demo_pace.hpp"

#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::demo;
using namespace std::chrono_literals;

namespace {
constexpr std::int64_t second = 1'000'000'000;

std::deque<std::int64_t> sends(std::size_t n, std::int64_t from, std::int64_t every) {
  std::deque<std::int64_t> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(from + static_cast<std::int64_t>(i) * every);
  return out;
}
} // namespace

TEST_CASE("the leader goes on while the login has room for a step outside the exit reserve", "[demo_pace]") {
  // Two followers: 180 - 6 kept for exits = 174 for entries, 20 of them for the next step.
  auto log = sends(154, 100 * second, second / 10);
  CHECK(budget_pause(log, 120 * second, 2) == 0ns);
  CHECK(log.size() == 154);
}

TEST_CASE("the leader waits until enough of the login's requests leave the window", "[demo_pace]") {
  auto log = sends(160, 100 * second, second / 10); // the last at 115.9 s
  // 6 too many: the sixth oldest, sent at 100.5 s, leaves the daemon's window (60 s and a margin of
  // 1.2 s) at 161.7 s.
  CHECK(budget_pause(log, 120 * second, 2) == 41700ms);
  // Once it has left, the step may go.
  CHECK(budget_pause(log, 161'700'000'000, 2) == 0ns);
  CHECK(log.size() == 154);
}

TEST_CASE("four followers on one login keep room for four", "[demo_pace]") {
  // 180 - 12 kept for exits = 168, 40 of them for the next step: 128 may be in the window.
  auto log = sends(128, 0, second / 10);
  CHECK(budget_pause(log, 13 * second, 4) == 0ns);
  log.push_back(13 * second);
  CHECK(budget_pause(log, 13 * second, 4) == 48200ms); // the oldest, sent at 0, leaves at 61.2 s
}

TEST_CASE("sends older than the window are forgotten", "[demo_pace]") {
  auto log = sends(170, 0, second / 100);
  CHECK(budget_pause(log, 63 * second, 2) == 0ns);
  CHECK(log.empty());
}

TEST_CASE("the window and budget come from the configuration", "[demo_pace]") {
  rate_limit_config small;
  small.max_requests = 30;
  small.window = std::chrono::seconds(10);
  // 30 - 3 kept for exits = 27, 10 for the step: 17 may be in the window.
  auto log = sends(18, 0, second / 10);
  auto same = log;
  CHECK(budget_pause(log, 2 * second, 1, small) == 8200ms); // the first leaves at 10.2 s
  // A reserve set in the file: 30 - 8 = 22, 10 for the step: 12 may be in the window.
  small.exit_reserve = 8;
  CHECK(budget_pause(same, 2 * second, 1, small) == 8700ms); // the sixth leaves at 10.7 s
}

// A seeded random run (faults.md 2.1): leader trades, price moves and faults drawn from a seed, then
// the invariants. `make test` runs a bounded one; `make soak` a long one. A failure prints the seed
// and the script so that COPYTRADER_CHAOS_SEED=<seed> replays it.

#include "faults/fault_harness.hpp"
#include "support/printers.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>

using namespace copytrader::testing;
using namespace std::chrono_literals;

namespace {

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

struct fault_kind {
  const char* path;
  const char* body;
};

// Faults that the engine must absorb with nothing lost or duplicated.
constexpr fault_kind faults[] = {
    {"/fault/hub", R"({"kind":"drop","target":"*","count":2})"},
    {"/fault/hub", R"({"kind":"duplicate","target":"GatewayUserTrade","count":3})"},
    {"/fault/hub", R"({"kind":"reorder","count":4})"},
    {"/fault/hub", R"({"kind":"corrupt","count":1})"},
    {"/fault/hub", R"({"kind":"close","mode":"rst"})"},
    {"/fault/rest", R"({"path":"/api/Order/place","kind":"drop_response","count":1})"},
    {"/fault/rest", R"({"path":"/api/Order/place","kind":"status","status":503,"count":1})"},
    {"/fault/rest", R"({"path":"/api/Order/place","kind":"reset","count":1})"},
    {"/fault/rest", R"({"path":"/api/Order/place","kind":"truncate","count":1})"},
    {"/fault/rest", R"({"path":"/api/Position/closeContract","kind":"drop_response","count":1})"},
    {"/expire_tokens", R"({"username":"follower_user"})"},
};

void chaos_run(std::uint64_t seed, std::uint64_t steps) {
  std::mt19937_64 rng(seed);
  auto pick = [&rng](std::uint64_t n) { return static_cast<int>(rng() % n); };
  fault_harness h(standard_followers(),
                  "copy:\n  reconcile_interval: 1s\nsafety:\n  circuit_breaker: {max_orders: 100, window: 1s}\n");
  h.fx.start();
  std::string script;
  for (std::uint64_t step = 0; step < steps; ++step) {
    std::string line;
    switch (pick(6)) {
      case 0:
      case 1: {
        int size = 1 + pick(3);
        if (pick(2) == 0) size = -size;
        h.fx.leader_market(size);
        line = fmt::format("leader market {:+d}", size);
        break;
      }
      case 2:
        h.fx.leader_close();
        line = "leader close";
        break;
      case 3: {
        // Around 6500, never far enough to reach a bracket leg (16 ticks): the legs stay a promise.
        const double price = 6500.0 + 0.25 * (pick(7) - 3);
        h.fx.move_price(price);
        line = fmt::format("price {}", price);
        break;
      }
      default: {
        const auto& f = faults[pick(std::size(faults))];
        h.inject(f.path, f.body);
        line = fmt::format("fault {} {}", f.path, f.body);
        break;
      }
    }
    const auto pause = std::chrono::milliseconds(50 + pick(400));
    h.fx.run_for(pause);
    script += fmt::format("  {:>2}: {} (then {} ms)\n", step, line, pause.count());
  }
  INFO("chaos seed " << seed << " (replay: COPYTRADER_CHAOS_SEED=" << seed << " COPYTRADER_CHAOS_STEPS=" << steps
                     << "), script:\n"
                     << script);
  h.check("", 40s);
}

} // namespace

TEST_CASE("chaos: seeded random trades and faults, then the invariants", "[chaos]") {
  const std::uint64_t steps = env_number("COPYTRADER_CHAOS_STEPS", 12);
  const std::uint64_t runs = env_number("COPYTRADER_CHAOS_RUNS", 2);
  const std::uint64_t first = env_number("COPYTRADER_CHAOS_SEED", 20261124);
  for (std::uint64_t seed = first; seed < first + runs; ++seed) {
    DYNAMIC_SECTION("seed " << seed) { chaos_run(seed, steps); }
  }
}

// bracket: mirror when the leader's legs do not arm: the follower's entry waits bracket_wait for
// them, then goes with its own ticks; a reversal's close never waits. The legs are lost on the hub
// (the simulator drops the two order events that would arm them), so the leader's legs stay pending.

#include "control/reports.hpp"
#include "integration/engine_fixture.hpp"

#include <boost/json.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <optional>

using namespace copytrader;
using namespace copytrader::testing;
using namespace std::chrono_literals;

namespace {

constexpr auto bracket_wait = 3s;
// Reconciliation, which nudges every follower, kept out of the way: only the follower's own
// bracket_wait can wake it.
const std::string copy_section = "copy:\n  bracket_wait: 3s\n  reconcile_interval: 60s\n";

// A bracketed leader entry's order events: the entry and its two legs accepted, the entry filled,
// then the two legs armed. The last two are lost.
void lose_the_leaders_armed_legs(engine_fixture& fx) {
  fx.run_for(200ms); // the follower idle first: nothing else would wake it when the leader fills
  fx.control("/fault/hub", R"({"kind":"drop","target":"GatewayUserOrder","after":4,"count":2})");
}

std::size_t log_size(const engine_fixture& fx) {
  return fx.sim.control("GET", "/log").json().at("entries").as_array().size();
}

// On the simulator's clock (CLOCK_MONOTONIC), from the log from `since` on.
struct follower_timeline {
  std::optional<std::int64_t> leader_trade_ns;  // the first trade frame written
  std::optional<std::int64_t> first_request_ns; // the follower's first REST request after it
  std::optional<std::int64_t> entry_ns;         // the follower's tagged Order/place (an entry)
};

follower_timeline timeline(const engine_fixture& fx, std::size_t since, std::int64_t account) {
  follower_timeline t;
  const auto log = fx.sim.control("GET", "/log").json();
  const auto& entries = log.at("entries").as_array();
  for (std::size_t i = since; i < entries.size(); ++i) {
    const auto& e = entries[i].as_object();
    const auto when = e.at("t_ns").to_number<std::int64_t>();
    if (!t.leader_trade_ns) {
      if (e.at("kind").as_string() == "hub" && e.at("what").as_string() == "GatewayUserTrade") t.leader_trade_ns = when;
      continue;
    }
    const auto* who = e.if_contains("account");
    if (e.at("kind").as_string() != "rest" || who == nullptr || who->to_number<std::int64_t>() != account) continue;
    if (!t.first_request_ns) t.first_request_ns = when;
    if (!t.entry_ns && e.at("what").as_string() == "/api/Order/place" && e.contains("tag")) t.entry_ns = when;
  }
  return t;
}

std::int64_t ns(std::chrono::nanoseconds d) { return d.count(); }

} // namespace

TEST_CASE("bracket_wait: a mirror entry whose leader legs never arm goes with its own ticks when the wait ends",
          "[engine][mirror][bracket_wait]") {
  engine_fixture fx(follower_entry("mirror", 2001, "    bracket: mirror\n    sl_ticks: 16\n    tp_ticks: 24\n"),
                    copy_section);
  fx.start();
  const auto since = log_size(fx);
  lose_the_leaders_armed_legs(fx);
  fx.leader_market(1, -8, 12);
  // Nothing but the follower's own wake-up at bracket_wait can send it: no leg event, no reconciliation.
  REQUIRE(fx.settle({{2001, 1}}, mes, true, 10s));
  const auto t = timeline(fx, since, 2001);
  REQUIRE(t.leader_trade_ns);
  REQUIRE(t.entry_ns);
  CHECK(*t.entry_ns - *t.leader_trade_ns >= ns(bracket_wait));
  bool own_stop = false;
  for (const auto& leg : fx.legs(2001)) {
    if (leg.type == 4) own_stop = leg.price == Approx(6500.0 - 16 * 0.25); // sl_ticks, not the leader's 8
  }
  CHECK(own_stop);
}

TEST_CASE("bracket_wait: a mirror follower's reversal closes at once; only its opening waits for the legs",
          "[engine][mirror][bracket_wait]") {
  engine_fixture fx(follower_entry("mirror", 2001, "    bracket: mirror\n    sl_ticks: 16\n    tp_ticks: 24\n"),
                    copy_section);
  fx.start();
  fx.leader_market(1); // unbracketed: nothing to wait for
  REQUIRE(fx.settle({{2001, 1}}));
  const auto since = log_size(fx);
  lose_the_leaders_armed_legs(fx);
  fx.leader_market(-2, 8, -12); // long 1 to short 1, bracketed (a short's stop above)
  // Flat while the opening waits, and none of the long's legs left working (a leftover stop that
  // fires would open a short nobody placed).
  CHECK(fx.poll_until([&] { return fx.position(2001) == 0 && fx.legs(2001).empty(); }, bracket_wait - 500ms, 50ms));
  REQUIRE(fx.settle({{2001, -1}}, mes, true, 10s));
  const auto t = timeline(fx, since, 2001);
  REQUIRE(t.leader_trade_ns);
  REQUIRE(t.first_request_ns);
  REQUIRE(t.entry_ns);
  // The close is an exit: it went long before the wait ended (it takes milliseconds), the short after.
  CHECK(*t.first_request_ns < *t.entry_ns);
  CHECK(*t.first_request_ns - *t.leader_trade_ns < ns(bracket_wait));
  CHECK(*t.entry_ns - *t.leader_trade_ns >= ns(bracket_wait));
}

TEST_CASE("bracket_wait: how long mirrored entries waited for the leader's legs is in stats",
          "[engine][mirror][bracket_wait][stats]") {
  engine_fixture fx(follower_entry("mirror", 2001, "    bracket: mirror\n"), copy_section);
  fx.start();
  fx.leader_market(1, -8, 12); // the legs arm: one wait measured
  REQUIRE(fx.settle({{2001, 1}}));
  REQUIRE(fx.engine->context().legs_wait_us.samples().size() == 1);
  const auto stats = control::stats_report(*fx.engine);
  const auto& wait = stats.at("leader_legs_wait_us").as_object();
  CHECK(wait.at("max").to_number<std::int64_t>() == fx.engine->context().legs_wait_us.samples().front());
  CHECK(wait.at("max").to_number<std::int64_t>() < std::chrono::microseconds(bracket_wait).count());

  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
  lose_the_leaders_armed_legs(fx);
  fx.leader_market(1, -8, 12); // the legs never arm: no wait to measure
  REQUIRE(fx.settle({{2001, 1}}, mes, true, 10s));
  CHECK(fx.engine->context().legs_wait_us.samples().size() == 1);
}

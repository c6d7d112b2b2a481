// The engine raises an alert for each event a trader must hear of, against the simulator: a tripped
// breaker, a venue refusal and the guard's halt, a follower refused by its preflight, drift found by
// reconciliation, a hub that stays down. What becomes of an alert after it is raised (coalescing,
// delivery) is alert_delivery_test.cpp's.

#include "alerts/alert_dispatcher.hpp"
#include "integration/engine_fixture.hpp"
#include "projectx/tls_context.hpp"
#include "support/alert_receiver.hpp"

#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::testing;
using namespace std::chrono_literals;
using alerts::alert_kind;
using Catch::Matchers::Contains;

namespace {

struct raised_alerts {
  std::vector<alerts::alert> list;
  [[nodiscard]] std::vector<alerts::alert> of(alert_kind kind) const {
    std::vector<alerts::alert> out;
    for (const auto& a : list)
      if (a.kind == kind) out.push_back(a);
    return out;
  }
  void attach(engine_fixture& fx) {
    fx.alert_sink = [this](alerts::alert a) { list.push_back(std::move(a)); };
  }
};

} // namespace

TEST_CASE("alerts: a tripped breaker is raised once, with the command that re-arms it", "[engine][alerts]") {
  raised_alerts raised; // outlives the engine, whose posted alerts may still arrive
  engine_fixture fx(follower_entry("one", 2001, "    bracket: fixed\n"), std::string(breaker_of_two));
  raised.attach(fx);
  fx.start();
  CHECK(raised.list.empty());
  trip_breaker_on_third_entry(fx);
  const auto trips = raised.of(alert_kind::breaker_tripped);
  REQUIRE(trips.size() == 1);
  CHECK_THAT(trips[0].what, Contains("circuit breaker tripped on an entry on CON.F.US.MES.U26"));
  CHECK_THAT(trips[0].action, Contains("copytraderctl reset-breaker"));
}

TEST_CASE("alerts: a venue refusal and the guard's halt name the follower", "[engine][alerts]") {
  raised_alerts raised; // outlives the engine, whose posted alerts may still arrive
  engine_fixture fx(follower_entry("blocked", 2001, "    bracket: fixed\n"));
  raised.attach(fx);
  fx.start();
  fx.control("/account", R"({"account":2001,"blocked":true})");
  fx.leader_market(1);
  REQUIRE(fx.run_until(
      [&] { return !raised.of(alert_kind::guard_action).empty() && !raised.of(alert_kind::order_refused).empty(); }));
  const auto refused = raised.of(alert_kind::order_refused);
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].follower == "blocked");
  CHECK_THAT(refused[0].what, Contains("buy 1 CON.F.US.MES.U26 (an entry") && Contains("AccountViolation"));
  const auto guard = raised.of(alert_kind::guard_action);
  REQUIRE(guard.size() == 1);
  CHECK(guard[0].follower == "blocked");
  CHECK_THAT(guard[0].what, Contains("halted"));
  CHECK_THAT(guard[0].action, Contains("copytraderctl unlock blocked"));
  fx.control("/account", R"({"account":2001,"blocked":false})");
}

TEST_CASE("alerts: a follower its preflight refuses is raised as disabled", "[engine][alerts]") {
  raised_alerts raised; // outlives the engine, whose posted alerts may still arrive
  engine_fixture fx(follower_entry("ghost", 2999, "    bracket: fixed\n") +
                    follower_entry("ok", 2001, "    bracket: fixed\n"));
  raised.attach(fx);
  fx.start();
  const auto disabled = raised.of(alert_kind::follower_disabled);
  REQUIRE(disabled.size() == 1);
  CHECK(disabled[0].follower == "ghost");
  CHECK_THAT(disabled[0].what, Contains("2999 not found"));
}

TEST_CASE("alerts: drift found by reconciliation is raised for its follower", "[engine][alerts]") {
  raised_alerts raised; // outlives the engine, whose posted alerts may still arrive
  engine_fixture fx(follower_entry("one", 2001, "    bracket: fixed\n"), "copy:\n  reconcile_interval: 1s\n");
  raised.attach(fx);
  fx.start();
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 1}}));
  // Someone trades the follower by hand, and its events are lost: only reconciliation can see it.
  fx.control("/fault/hub", R"({"kind":"drop","target":"*","count":3})");
  fx.act(R"({"account":2001,"op":"place","contract_id":"CON.F.US.MES.U26","side":0,"size":1})");
  REQUIRE(fx.run_until([&] { return !raised.of(alert_kind::drift_corrected).empty(); }, 10s));
  const auto drift = raised.of(alert_kind::drift_corrected);
  CHECK(drift[0].follower == "one");
  CHECK_THAT(drift[0].what, Contains("CON.F.US.MES.U26 is 2 at the venue where the book had 1"));
  REQUIRE(fx.settle({{2001, 1}})); // and the follower is brought back to the leader's position
}

TEST_CASE("alerts: a hub down longer than hub_down_after is raised once", "[engine][alerts]") {
  raised_alerts raised; // outlives the engine, whose posted alerts may still arrive
  engine_fixture fx(follower_entry("one", 2001, "    bracket: fixed\n"), "alerts:\n  hub_down_after: 5s\n");
  raised.attach(fx);
  fx.start();
  fx.run_for(6s); // connected throughout: nothing
  CHECK(raised.of(alert_kind::leader_hub_down).empty());
  fx.control("/fault/hub", R"({"kind":"handshake_error","count":1000})");
  fx.control("/fault/hub", R"({"kind":"close","mode":"rst"})");
  REQUIRE(fx.run_until([&] { return !raised.of(alert_kind::leader_hub_down).empty(); }, 10s));
  fx.run_for(1s);
  const auto leader = raised.of(alert_kind::leader_hub_down);
  REQUIRE(leader.size() == 1);
  CHECK_THAT(leader[0].what, Contains("has been down for 5 s"));
  if (!one_login()) {
    const auto follower = raised.of(alert_kind::follower_hub_down);
    REQUIRE(follower.size() == 1);
    CHECK(follower[0].follower == "one");
  }
  fx.control("/fault/hub", R"({"kind":"handshake_error","count":0})");
}

TEST_CASE("alerts: a receiver that hangs does not hold up copying", "[engine][alerts]") {
  testing::alert_receiver receiver;
  receiver.set_answer(testing::alert_receiver::answer::hang);
  engine_fixture fx(follower_entry("one", 2001, "    bracket: fixed\n"));
  fx.sim.dir.write("alert-ca.pem", receiver.ca_pem());
  auto tls = projectx::make_client_tls(fx.sim.dir.path() / "alert-ca.pem");
  REQUIRE(tls);
  alerts_config cfg;
  cfg.timeout = 30s; // the request hangs for the whole test
  alert_target_config hook;
  hook.name = "hook";
  hook.format = alert_format::webhook;
  hook.token = secret(receiver.url("/hook"));
  cfg.targets.push_back(hook);
  background_tasks tasks(fx.io.get_executor());
  alerts::alert_dispatcher dispatcher(tasks, std::shared_ptr<boost::asio::ssl::context>(std::move(*tls)), cfg, "test");
  fx.alert_sink = [&](alerts::alert a) { dispatcher.raise(std::move(a)); };
  struct engine_stopped_first { // the engine's last posted alerts still find the dispatcher
    engine_fixture& fx;
    ~engine_stopped_first() { fx.stop(); }
  } stop_engine_first{fx};
  dispatcher.start();
  fx.start();
  for (int i = 0; i < 20; ++i) // a storm of alerts, the first of them stuck at the receiver
    dispatcher.raise(alerts::alert{alert_kind::drift_corrected, "storm" + std::to_string(i), "x", "", 0});
  REQUIRE(fx.run_until([&] { return receiver.requests().size() == 1; }));
  fx.leader_market(2);
  REQUIRE(fx.settle({{2001, 2}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
  CHECK(receiver.requests().size() == 1); // still hanging: the copies went past it
  CHECK(dispatcher.figures().targets.at(0).queued == 20);
  dispatcher.stop();
}

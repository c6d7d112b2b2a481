// The fault-scenario catalogue, faults.md 2.3 A: the leader's user hub. One test case per id the simulator
// can produce, each ending with the invariants I1-I6 (fault_harness::check).

#include "faults/fault_harness.hpp"
#include "support/printers.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <filesystem>

using namespace copytrader;
using namespace copytrader::testing;
using namespace std::chrono_literals;

TEST_CASE("A1: a TCP reset while idle; reconnects, sends nothing, copies the next fill once", "[fault][A1]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"close","mode":"rst"})");
  h.fx.run_for(2s);
  CHECK(h.fx.orders(2001) == 0);
  h.open_bracketed(2);
  h.check("disconnected");
}

TEST_CASE("A2: the hubs are down while the leader fills; the reconnect's reconciliation copies it once",
          "[fault][A2]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"handshake_error","count":3})");
  h.inject("/fault/hub", R"({"kind":"close","mode":"fin"})");
  h.open_bracketed(3);
  h.check("reconciliation");
}

TEST_CASE("A3: the hub drops between two partial fills of one leader order; both copied, neither twice",
          "[fault][A3]") {
  fault_harness h(standard_followers(), quick_reconcile);
  h.fx.start();
  auto placed = h.fx.act(
      R"({"account":1001,"op":"place","contract_id":"CON.F.US.MES.U26","side":0,"size":4,"type":1,"limit_price":6490})");
  const auto order = placed.at("orderId").to_number<std::int64_t>();
  h.fx.act(fmt::format(R"({{"account":1001,"op":"fill","order_id":{},"size":1}})", order));
  REQUIRE(h.fx.settle({{2001, 1}}, mes, false));
  h.inject("/fault/hub", R"({"kind":"drop","target":"*","count":3})");
  h.fx.act(fmt::format(R"({{"account":1001,"op":"fill","order_id":{},"size":2}})", order));
  h.check("reconciliation");
}

TEST_CASE("A5: lossy but alive: a leader trade frame dropped, found by the periodic reconciliation", "[fault][A5]") {
  fault_harness h(standard_followers(), quick_reconcile);
  h.fx.start();
  h.open_bracketed(1);
  REQUIRE(h.fx.settle({{2001, 1}}));
  h.inject("/fault/hub", R"({"kind":"drop","target":"*","count":3})");
  h.fx.leader_market(2);
  h.check("reconciliation");
}

TEST_CASE("A6: a reconnect whose subscriptions the server forgot; the idle check still copies", "[fault][A6]") {
  fault_harness h(standard_followers(), quick_reconcile);
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"forget_subscriptions","count":2})");
  h.inject("/fault/hub", R"({"kind":"close","mode":"rst"})");
  h.fx.run_for(1500ms);
  h.open_bracketed(2);
  h.check("reconciliation");
}

TEST_CASE("A7: handshake errors back off, then connect; the fill made meanwhile is copied", "[fault][A7]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"handshake_error","count":2})");
  h.inject("/fault/hub", R"({"kind":"close","mode":"message","allow_reconnect":true})");
  h.open_bracketed(1);
  h.check("reconnecting");
}

TEST_CASE("A8: a Close message with allowReconnect false; reconnects per policy, never stops", "[fault][A8]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"close","mode":"message","allow_reconnect":false})");
  h.fx.run_for(1500ms);
  h.open_bracketed(2);
  h.check("disconnected");
}

TEST_CASE("A9: GatewayLogout; logs in again, reconnects, reconciles, copies once", "[fault][A9]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/hub", fmt::format(R"({{"kind":"logout","username":"{}"}})", leader_login()));
  h.open_bracketed(1);
  h.check("GatewayLogout");
}

TEST_CASE("A11: the same trade event delivered several times; copied once", "[fault][A11][D1]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"duplicate","target":"GatewayUserTrade","count":6})");
  h.open_bracketed(2);
  h.fx.leader_market(1);
  h.check("");
}

TEST_CASE("A12: a frame over the size cap; closed, reconnected, reconciled", "[fault][A12]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"oversize","bytes":2097152})");
  h.fx.run_for(1s);
  h.open_bracketed(1);
  h.check("disconnected");
}

TEST_CASE("A15: corrupt frames are rejected without a crash; reconciliation fills the gap", "[fault][A15][D4]") {
  fault_harness h(standard_followers(), quick_reconcile);
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"corrupt","count":3})");
  h.open_bracketed(2);
  h.check("");
}

TEST_CASE("A10: a reconnect storm (handshakes refused 8 times); back-off grows, no descriptor leaks", "[fault][A10]") {
  fault_harness h;
  h.fx.start();
  const auto descriptors = [] {
    return std::distance(std::filesystem::directory_iterator("/proc/self/fd"), std::filesystem::directory_iterator{});
  };
  const auto before = descriptors();
  // The refusals are shared by the hubs that reconnect: two logins' hubs take about four each. Under
  // one login its one hub would take all eight, and its back-off (then near 30 s) outlasts I6's deadline.
  h.inject("/fault/hub", fmt::format(R"({{"kind":"handshake_error","count":{}}})", one_login() ? 4 : 8));
  h.inject("/fault/hub", R"({"kind":"close","mode":"rst"})");
  h.open_bracketed(1);
  h.check("reconnecting", 60s);
  h.fx.run_for(1s);
  CHECK(descriptors() <= before + 2); // every refused attempt closed its socket
}

TEST_CASE("A4: half-open (the server silent, pings too); dead after hub_timeout, reconnected, the fill copied once",
          "[fault][A4]") {
  fault_harness h(standard_followers(), "api:\n  hub_timeout: 2s\n", {"--ping-interval", "500ms"});
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"silence","ms":3500})");
  h.open_bracketed(2); // its events are lost to the silence (a reconciliation may still find it first)
  REQUIRE(h.fx.run_until(
      [&] { return h.log.text().find("server timeout: nothing received for 2 s") != std::string::npos; }, 10s));
  h.check("server timeout: nothing received for 2 s", 30s);
}

TEST_CASE("A14: a burst of 1,000 leader order events with fills among them; none lost, in arrival order",
          "[fault][A14]") {
  fault_harness h(standard_followers(), "safety:\n  circuit_breaker: {max_orders: 100, window: 1s}\n");
  h.fx.start();
  ++totals().faults;
  // 500 limit orders placed and cancelled far from the market (1,000 order events), five market
  // fills among them; the engine reads nothing meanwhile, so the hub's frames arrive as one burst.
  for (int i = 0; i < 500; ++i) {
    const auto placed = h.fx.act(
        R"({"account":1001,"op":"place","contract_id":"CON.F.US.MES.U26","side":0,"size":1,"type":1,"limit_price":6000})");
    h.fx.act(fmt::format(R"({{"account":1001,"op":"cancel","order_id":{}}})",
                         placed.at("orderId").to_number<std::int64_t>()));
    if (i % 100 == 50) h.fx.leader_market(i % 200 == 50 ? 2 : -1);
  }
  h.check("", 30s);
  CHECK(h.fx.engine->context().tracker.net(std::string(mes)) == h.fx.position(1001));
}

TEST_CASE(
    "A16: a follower's hub is down when the leader goes flat; its stop and target are cancelled at once, "
    "not at the next account read",
    "[fault][A16]") {
  // The follower's order events cannot be trusted while its hub is down: a stop left working on a
  // flat account opens a position when it triggers. One follower, fixed brackets, its own login.
  // Under one login the leader's hub is down too, and the leader's flat is learned only by the
  // periodic reconciliation, which must come while the follower's hub is down (8 s): at the default
  // 10 s it sometimes came after the hub's jittered reconnect, and the test failed.
  fault_harness h(one_follower(), one_login() ? "copy:\n  reconcile_interval: 3s\n" : "");
  h.fx.start();
  h.open_bracketed(2);
  REQUIRE(h.fx.settle({{2001, 2}}));
  REQUIRE(h.fx.legs(2001).size() == 2);
  h.inject("/fault/hub", R"({"kind":"login_down","username":"follower_user","ms":8000})");
  h.fx.run_for(300ms);
  h.fx.leader_close();
  // Flat first (the close goes by REST at once; under one login the leader's flat is learned by
  // its reconciliation, every reconcile_interval)...
  REQUIRE(h.fx.poll_until([&] { return h.fx.position(2001) == 0; }, 15s));
  // ...and the legs go with it, long before the next account read (every reconcile_interval: 10 s,
  // or 3 s under one login).
  CHECK(h.fx.poll_until([&] { return h.fx.legs(2001).empty(); }, 1500ms, 50ms));
  CHECK(h.log.text().find("while its hub is down") != std::string::npos);
  h.check("hub");
}

TEST_CASE(
    "A17: a follower's hub runs behind REST; it closes twice before the first close's trade arrives, and "
    "never a third time",
    "[fault][A17]") {
  // Seen with 50 followers on 5 logins (make bench): the follower's events came tens of milliseconds
  // after its REST answers. Its first close's trade was taken for the second close's, the second entry
  // counted as still held, and a third close went out, refused (error code 2), holding the next entry
  // a second. Under one login the leader's events lag as well and the race cannot happen.
  fault_harness h(one_follower());
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"lag","username":"follower_user","ms":400})");
  const auto wait_for = [&](std::string_view path, std::size_t count) {
    REQUIRE(h.fx.poll_until([&] { return h.fx.count_log(path, 2001) >= count; }, 5s, 5ms));
  };
  h.fx.leader_market(1);
  wait_for("/api/Order/place", 1);
  h.fx.run_for(600ms); // the entry's trade in, 400 ms late
  h.fx.leader_close();
  wait_for("/api/Position/closeContract", 1);
  // The leader enters and leaves again well within the 400 ms before the first close's trade arrives.
  h.fx.leader_market(1);
  wait_for("/api/Order/place", 2);
  h.fx.leader_close();
  wait_for("/api/Position/closeContract", 2);
  h.fx.run_for(1500ms); // every event in, the legs check done
  CHECK(h.fx.count_log("/api/Position/closeContract", 2001) == 2);
  CHECK(h.log.text().find("refused") == std::string::npos);
  h.inject("/fault/hub", R"({"kind":"lag","username":"follower_user","ms":0})");
  h.check("");
}

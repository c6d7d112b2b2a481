// The fault-scenario catalogue of faults.md section 2, one test case per id the simulator can
// produce, each ending with the invariants I1-I6 (fault_harness::check). Crash points (F) and the
// seeded chaos run are in their own files.

#include "faults/fault_harness.hpp"
#include "support/printers.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char* quick_reconcile = "copy:\n  reconcile_interval: 1s\n";

void open_bracketed(fault_harness& h, int size) { h.fx.leader_market(size, size > 0 ? -16 : 16, size > 0 ? 24 : -24); }

} // namespace

// ---- A. The leader's user hub ----

TEST_CASE("A1: a TCP reset while idle; reconnects, sends nothing, copies the next fill once", "[fault][A1]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"close","mode":"rst"})");
  h.fx.run_for(2s);
  CHECK(h.fx.orders(2001) == 0);
  open_bracketed(h, 2);
  h.check("disconnected");
}

TEST_CASE("A2: the hubs are down while the leader fills; the reconnect's reconciliation copies it once",
          "[fault][A2]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"handshake_error","count":3})");
  h.inject("/fault/hub", R"({"kind":"close","mode":"fin"})");
  open_bracketed(h, 3);
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
  open_bracketed(h, 1);
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
  open_bracketed(h, 2);
  h.check("reconciliation");
}

TEST_CASE("A7: handshake errors back off, then connect; the fill made meanwhile is copied", "[fault][A7]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"handshake_error","count":2})");
  h.inject("/fault/hub", R"({"kind":"close","mode":"message","allow_reconnect":true})");
  open_bracketed(h, 1);
  h.check("reconnecting");
}

TEST_CASE("A8: a Close message with allowReconnect false; reconnects per policy, never stops", "[fault][A8]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"close","mode":"message","allow_reconnect":false})");
  h.fx.run_for(1500ms);
  open_bracketed(h, 2);
  h.check("disconnected");
}

TEST_CASE("A9: GatewayLogout; logs in again, reconnects, reconciles, copies once", "[fault][A9]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"logout","username":"leader_user"})");
  open_bracketed(h, 1);
  h.check("GatewayLogout");
}

TEST_CASE("A11: the same trade event delivered several times; copied once", "[fault][A11][D1]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"duplicate","target":"GatewayUserTrade","count":6})");
  open_bracketed(h, 2);
  h.fx.leader_market(1);
  h.check("");
}

TEST_CASE("A12: a frame over the size cap; closed, reconnected, reconciled", "[fault][A12]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"oversize","bytes":2097152})");
  h.fx.run_for(1s);
  open_bracketed(h, 1);
  h.check("disconnected");
}

TEST_CASE("A15: corrupt frames are rejected without a crash; reconciliation fills the gap", "[fault][A15][D4]") {
  fault_harness h(standard_followers(), quick_reconcile);
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"corrupt","count":3})");
  open_bracketed(h, 2);
  h.check("");
}

// ---- B. REST ----

TEST_CASE("B1: 429 on Order/place; cooled down, searched, sent again with the same tag", "[fault][B1]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/rest", R"({"path":"/api/Order/place","kind":"status","status":429,"count":1})");
  open_bracketed(h, 2);
  h.check("429");
}

TEST_CASE("B3: 500 and 503 on Order/place; unknown, resolved by the tag, never a second order", "[fault][B3]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/rest", R"({"path":"/api/Order/place","kind":"status","status":500,"count":1})");
  open_bracketed(h, 1);
  REQUIRE(h.fx.settle({{2001, 1}, {2002, 1}}, mes, false));
  h.inject("/fault/rest", R"({"path":"/api/Order/place","kind":"status","status":503,"count":1})");
  h.fx.leader_market(2);
  h.check("unknown");
}

TEST_CASE("B4: the place is processed and its response lost; adopted by the tag search", "[fault][B4]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/rest", R"({"path":"/api/Order/place","kind":"drop_response","count":2})");
  open_bracketed(h, 3);
  h.check("unknown");
}

TEST_CASE("B6: a truncated response and a reset before processing; unknown, no crash, one order each", "[fault][B6]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/rest", R"({"path":"/api/Order/place","kind":"truncate","count":1})");
  open_bracketed(h, 2);
  REQUIRE(h.fx.settle({{2001, 2}, {2002, 1}}, mes, false));
  h.inject("/fault/rest", R"({"path":"/api/Order/place","kind":"reset","count":1})");
  h.fx.leader_market(2);
  h.check("unknown");
}

TEST_CASE("B12: the venue attaches no bracket legs; a protective stop and target are placed", "[fault][B12]") {
  fault_harness h(
      {{"one", 2001, "    size_ratio: 1.0\n    bracket: fixed\n    sl_ticks: 16\n    tp_ticks: 24\n", true}});
  h.fx.start();
  h.inject("/fault/order", R"({"skip_legs":3})"); // the follower's bracketed entry is the next one
  h.fx.leader_market(2);
  h.check("had no");
}

TEST_CASE("B14: a follower market order only partly filled; the rest is sent, legs fit", "[fault][B14]") {
  fault_harness h(
      {{"one", 2001, "    size_ratio: 1.0\n    bracket: fixed\n    sl_ticks: 16\n    tp_ticks: 24\n", true}});
  h.fx.start();
  h.fx.leader_market(3);
  // The engine has not run yet: the follower's copy is the next market order, and fills 1 of 3.
  h.inject("/fault/order", R"({"partial_fill":1})");
  h.check("");
  CHECK(h.fx.orders(2001) > 3); // the partial entry, its legs, and the rest sent after
}

// ---- C. Authentication ----

TEST_CASE("C1: tokens that live 4 s; refreshed ahead of expiry, copying never stops", "[fault][C1]") {
  fault_harness h(standard_followers(), {}, {"--token-lifetime", "4s"});
  h.fx.start();
  ++totals().faults;
  open_bracketed(h, 1);
  h.fx.run_for(5s);
  h.fx.leader_market(1);
  h.check("");
}

TEST_CASE("C7: every token of the follower login revoked; logs in again, the copy goes once", "[fault][C7][C3]") {
  fault_harness h;
  h.fx.start();
  h.inject("/expire_tokens", R"({"username":"follower_user"})");
  open_bracketed(h, 2);
  h.check("");
}

// ---- D. Leader event content and ordering ----

TEST_CASE("D2: leader events reordered; copy decisions hold", "[fault][D2]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"reorder","count":8})");
  open_bracketed(h, 2);
  h.fx.leader_market(-3);
  h.check("");
}

TEST_CASE("D3: a copied leader trade voided; reported, not undone, nothing sent twice", "[fault][D3]") {
  fault_harness h;
  h.fx.start();
  open_bracketed(h, 1);
  REQUIRE(h.fx.settle({{2001, 1}, {2002, 1}}));
  const auto ledger = h.fx.sim.ledger(1001);
  const auto trades = ledger.at("trades").as_array();
  REQUIRE_FALSE(trades.empty());
  const auto trade_id = trades.back().at("id").to_number<std::int64_t>();
  const auto orders_before = h.fx.orders(2001);
  h.inject("/void", fmt::format(R"({{"trade_id":{}}})", trade_id));
  h.fx.run_for(1500ms);
  CHECK(h.fx.orders(2001) == orders_before);
  h.check("voided");
}

TEST_CASE("D6: the follower's own stop closed it first; the leader's later stop opens no reverse", "[fault][D6]") {
  fault_harness h({{"tight", 2001, "    bracket: fixed\n    sl_ticks: 4\n    tp_ticks: 40\n", true}});
  h.fx.start();
  h.fx.leader_market(1, -16, 40);
  REQUIRE(h.fx.settle({{2001, 1}}));
  ++totals().faults;
  h.fx.move_price(6498.75); // the follower's stop only
  REQUIRE(h.fx.settle({{2001, 0}}));
  h.fx.move_price(6495.0); // now the leader's: flat, and the follower must not go short
  h.check("");
  CHECK(h.fx.position(2001) == 0);
}

TEST_CASE("D7: the leader reverses in one fill; the follower gets the delta and new legs", "[fault][D7]") {
  fault_harness h;
  h.fx.start();
  open_bracketed(h, 2);
  REQUIRE(h.fx.settle({{2001, 2}, {2002, 1}}));
  ++totals().faults;
  h.fx.leader_market(-3);
  h.check("");
}

TEST_CASE("D8: a leader order placed and cancelled without a fill; the followers get nothing", "[fault][D8]") {
  fault_harness h;
  h.fx.start();
  ++totals().faults;
  auto placed = h.fx.act(
      R"({"account":1001,"op":"place","contract_id":"CON.F.US.MES.U26","side":0,"size":2,"type":1,"limit_price":6400})");
  h.fx.act(fmt::format(R"({{"account":1001,"op":"modify","order_id":{},"limit_price":6401}})",
                       placed.at("orderId").to_number<std::int64_t>()));
  h.fx.act(
      fmt::format(R"({{"account":1001,"op":"cancel","order_id":{}}})", placed.at("orderId").to_number<std::int64_t>()));
  h.fx.run_for(1500ms);
  CHECK(h.fx.orders(2001) == 0);
  CHECK(h.fx.orders(2002) == 0);
  h.check("");
}

TEST_CASE("D9: 40 leader fills within a second; shaped under the budget, nothing lost, 0 x 429", "[fault][D9]") {
  fault_harness h(standard_followers(), "safety:\n  circuit_breaker: {max_orders: 100, window: 1s}\n");
  h.fx.start();
  ++totals().faults;
  for (int i = 0; i < 20; ++i) h.fx.leader_market(1);
  for (int i = 0; i < 20; ++i) h.fx.leader_market(i % 2 == 0 ? -2 : 1);
  h.check("", 60s);
  const auto stats = h.fx.sim.control("GET", "/stats").json();
  CHECK(stats.at("throttled").to_number<int>() == 0);
}

// ---- E. Follower side ----

TEST_CASE("E1: the venue refuses a follower's entry (business error); that follower sits the episode out",
          "[fault][E1]") {
  fault_harness h(
      {{"one", 2001, "    size_ratio: 1.0\n    bracket: fixed\n    sl_ticks: 16\n    tp_ticks: 24\n", true}});
  h.fx.start();
  h.inject(
      "/fault/rest",
      R"({"path":"/api/Order/place","kind":"business_error","error_code":3,"message":"Insufficient funds","count":1})");
  open_bracketed(h, 2);
  h.fx.run_for(1500ms);
  CHECK(h.fx.position(2001) == 0); // an explicit, logged skip: not retried this episode
  h.fx.leader_close();
  REQUIRE(h.fx.settle({{2001, 0}}));
  open_bracketed(h, 1); // the next episode is copied
  h.check("refused");
}

TEST_CASE("E3: a follower already holds a position at start; adopted, closed under close_only", "[fault][E3]") {
  fault_harness h;
  h.fx.act(R"({"account":2001,"op":"place","contract_id":"CON.F.US.MES.U26","side":0,"size":2,"type":2})");
  ++totals().faults;
  h.fx.start();
  h.check("");
}

TEST_CASE("E4: a follower changed by hand mid-session; brought back to target once, no fighting loop", "[fault][E4]") {
  fault_harness h;
  h.fx.start();
  open_bracketed(h, 2);
  REQUIRE(h.fx.settle({{2001, 2}, {2002, 1}}));
  const auto orders_before = h.fx.orders(2001);
  h.fx.act(R"({"account":2001,"op":"place","contract_id":"CON.F.US.MES.U26","side":0,"size":1,"type":2})");
  ++totals().faults;
  h.check("");
  h.fx.run_for(2s);
  CHECK(h.fx.orders(2001) <= orders_before + 4); // the hand order, one correction, leg upkeep: no loop
}

TEST_CASE("D11: a leader fill found late by reconciliation, older than max_copy_age; reported, not copied",
          "[fault][D11]") {
  fault_harness h(standard_followers(), "copy:\n  reconcile_interval: 1s\n  max_copy_age: 1s\n");
  h.fx.start();
  h.fx.run_for(1500ms);                                                // past the start-up reconciliations
  h.inject("/fault/hub", R"({"kind":"drop","target":"*","count":8})"); // none of the fill's events arrive
  h.fx.leader_market(2);
  REQUIRE(h.fx.run_until([&] { return h.fx.engine->context().tracker.net(std::string(mes)) == 2; }, 10s));
  h.fx.run_for(1s);
  CHECK(h.fx.orders(2001) == 0); // an explicit skip, not a blind copy at a stale price
  CHECK(h.fx.orders(2002) == 0);
  h.check("older than max_copy_age", 20s, {2001, 2002});
}

TEST_CASE("B7: success:false with UnknownError (7) is an unknown outcome, resolved by the tag, copied once",
          "[fault][B7]") {
  fault_harness h(
      {{"one", 2001, "    size_ratio: 1.0\n    bracket: fixed\n    sl_ticks: 16\n    tp_ticks: 24\n", true}});
  h.fx.start();
  h.inject("/fault/rest",
           R"({"path":"/api/Order/place","kind":"business_error","error_code":7,"message":"Unknown error","count":1})");
  open_bracketed(h, 2);
  h.check("unknown");
}

TEST_CASE("B7: OutsideTradingHours (5) is a definite refusal: no retry storm, the episode is skipped", "[fault][B7]") {
  fault_harness h(
      {{"one", 2001, "    size_ratio: 1.0\n    bracket: fixed\n    sl_ticks: 16\n    tp_ticks: 24\n", true}});
  h.fx.start();
  h.inject("/fault/rest", R"({"path":"/api/Order/place","kind":"business_error","error_code":5,)"
                          R"("message":"Outside trading hours","count":1})");
  open_bracketed(h, 2);
  h.fx.run_for(2s);
  CHECK(h.fx.count_log("/api/Order/place", 2001) == 1); // refused once, never sent again this episode
  h.check("refused", 20s, {2001});
}

TEST_CASE("A10: a reconnect storm (handshakes refused 8 times); back-off grows, no descriptor leaks", "[fault][A10]") {
  fault_harness h;
  h.fx.start();
  const auto descriptors = [] {
    return std::distance(std::filesystem::directory_iterator("/proc/self/fd"), std::filesystem::directory_iterator{});
  };
  const auto before = descriptors();
  h.inject("/fault/hub", R"({"kind":"handshake_error","count":8})");
  h.inject("/fault/hub", R"({"kind":"close","mode":"rst"})");
  open_bracketed(h, 1);
  h.check("reconnecting", 60s);
  h.fx.run_for(1s);
  CHECK(descriptors() <= before + 2); // every refused attempt closed its socket
}

TEST_CASE("B2: 429 on the reconciliation reads; deferred, copies unaffected", "[fault][B2]") {
  fault_harness h(standard_followers(), quick_reconcile);
  h.fx.start();
  open_bracketed(h, 1);
  REQUIRE(h.fx.settle({{2001, 1}, {2002, 1}}));
  h.inject("/fault/rest", R"({"path":"/api/Position/searchOpen","kind":"status","status":429,"count":3})");
  h.fx.run_for(2500ms); // the periodic reads meet the 429s
  h.fx.leader_market(2);
  h.check("429");
}

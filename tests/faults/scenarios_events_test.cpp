// The fault-scenario catalogue, faults.md 2.3 D and E: leader event content and ordering, the follower side. One test
// case per id the simulator can produce, each ending with the invariants I1-I6 (fault_harness::check).

#include "faults/fault_harness.hpp"
#include "support/printers.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <filesystem>

using namespace copytrader;
using namespace copytrader::testing;
using namespace std::chrono_literals;

TEST_CASE("D2: leader events reordered; copy decisions hold", "[fault][D2]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/hub", R"({"kind":"reorder","count":8})");
  h.open_bracketed(2);
  h.fx.leader_market(-3);
  h.check("");
}

TEST_CASE("D3: a copied leader trade voided; reported, not undone, nothing sent twice", "[fault][D3]") {
  fault_harness h;
  h.fx.start();
  h.open_bracketed(1);
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
  // Flat already: the leader's exit costs this follower no request (issue 19).
  CHECK(h.fx.count_log("/api/Position/closeContract", 2001) == 0);
  // Nor a stop for the position its own stop had just closed (its order event came before its trade).
  CHECK(h.fx.count_log("/api/Order/place", 2001) == 1);
}

TEST_CASE("D7: the leader reverses in one fill; the follower gets the delta and new legs", "[fault][D7]") {
  fault_harness h;
  h.fx.start();
  h.open_bracketed(2);
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

TEST_CASE("E1: the venue refuses a follower's entry (business error); that follower sits the episode out",
          "[fault][E1]") {
  fault_harness h(one_follower());
  h.fx.start();
  h.inject(
      "/fault/rest",
      R"({"path":"/api/Order/place","kind":"business_error","error_code":3,"message":"Insufficient funds","count":1})");
  h.open_bracketed(2);
  h.fx.run_for(1500ms);
  CHECK(h.fx.position(2001) == 0); // an explicit, logged skip: not retried this episode
  h.fx.leader_close();
  REQUIRE(h.fx.settle({{2001, 0}}));
  h.open_bracketed(1); // the next episode is copied
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
  h.open_bracketed(2);
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

TEST_CASE("D5: a follower on the leader's own login; its events are not the leader's, nothing copied back",
          "[fault][D5]") {
  fault_harness h({one_follower().front(),
                   {"mine", 1002, "    size_ratio: 1.0\n    bracket: fixed\n    sl_ticks: 16\n    tp_ticks: 24\n", true,
                    "leader_user"}});
  h.fx.start();
  ++totals().faults;
  h.open_bracketed(2);
  REQUIRE(h.fx.settle({{2001, 2}, {1002, 2}}));
  h.fx.leader_market(1);
  REQUIRE(h.fx.settle({{2001, 3}, {1002, 3}}));
  // A hand trade on the other account of the leader's login is that follower's business (E4), not a leader fill.
  h.fx.act(R"({"account":1002,"op":"place","contract_id":"CON.F.US.MES.U26","side":0,"size":4,"type":2})");
  h.fx.run_for(1500ms);
  CHECK(h.fx.engine->context().tracker.net(std::string(mes)) == 3);
  h.fx.leader_close();
  h.check("");
  CHECK(h.fx.position(2001) == 0);
}

TEST_CASE("D10: leader fills stamped a day ahead and a day behind; copied as they arrive, a warning for each",
          "[fault][D10]") {
  fault_harness h(standard_followers(), "copy:\n  max_copy_age: 5s\n");
  h.fx.start();
  h.open_bracketed(1); // the venue's clock is learned from a well-stamped fill first
  REQUIRE(h.fx.settle({{2001, 1}, {2002, 1}}));
  h.inject("/fault/hub", R"({"kind":"skew_time","ms":86400000,"count":1})");
  h.fx.leader_market(2);
  REQUIRE(h.fx.settle({{2001, 3}}));
  h.inject("/fault/hub", R"({"kind":"skew_time","ms":-86400000,"count":1})");
  h.fx.leader_market(2);
  h.check("an hour or more from the venue's clock");
  CHECK(h.fx.position(2001) == 5);
}

TEST_CASE("E5: a follower login's key revoked mid-session; that login isolated, the others copy",
          "[fault][E5][own_login]") {
  fault_harness h({one_follower().front(),
                   {"mine", 1002, "    size_ratio: 1.0\n    bracket: fixed\n    sl_ticks: 16\n    tp_ticks: 24\n", true,
                    "leader_user"}});
  h.fx.start();
  h.open_bracketed(1);
  REQUIRE(h.fx.settle({{2001, 1}, {1002, 1}}));
  h.inject("/fault/rest", R"({"path":"/api/Auth/loginKey","username":"follower_user","kind":"business_error",)"
                          R"("error_code":3,"count":1000})");
  h.inject("/expire_tokens", R"({"username":"follower_user"})");
  h.fx.leader_market(2);
  REQUIRE(h.fx.settle({{1002, 3}}));
  h.fx.run_for(2s);
  CHECK(h.fx.position(2001) == 1); // cannot act: what it holds stays, protected by its legs
  CHECK(h.fx.protected_exactly(2001));
  h.fx.leader_close();
  REQUIRE(h.fx.settle({{1002, 0}}));
  CHECK(h.log.text().find("InvalidCredentials") != std::string::npos);
}

TEST_CASE("H4: a maintenance window (places OutsideTradingHours, hubs refused); no retry storm, resumes cleanly",
          "[fault][H4]") {
  fault_harness h(standard_followers(), quick_reconcile);
  h.fx.start();
  const auto connects = h.fx.count_user_log("/hubs/user", leader_login());
  h.inject("/fault/rest", R"({"path":"/api/Order/place","kind":"business_error","error_code":5,)"
                          R"("message":"Outside trading hours","count":1000})");
  h.inject("/fault/hub", R"({"kind":"handshake_error","count":1000})");
  h.inject("/fault/hub", R"({"kind":"close","mode":"fin"})");
  h.open_bracketed(2); // found by the leader reads while its hub is away
  h.fx.run_for(10s);
  CHECK(h.fx.count_log("/api/Order/place", 2001) == 1); // refused once, the episode sat out
  CHECK(h.fx.count_log("/api/Order/place", 2002) == 1);
  // Reconnects back off: a handful of attempts in 10 s, not one per tick.
  CHECK(h.fx.count_user_log("/hubs/user", leader_login()) - connects <= 8);
  h.fx.control("/fault/clear", "{}"); // the market reopens
  h.fx.leader_close();
  h.fx.run_for(3s);
  h.open_bracketed(1);
  h.check("OutsideTradingHours (5)", 60s);
}

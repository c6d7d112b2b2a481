// The copy engine end to end against projectx-sim: each copy rule of design.md section 3, checked
// in the simulator's ledger afterwards (positions at their targets, one accepted order per tag,
// every open follower position protected by legs that fit it).

#include "integration/engine_fixture.hpp"
#include "support/printers.hpp"

#include <fmt/format.h>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <thread>

using namespace copytrader;
using namespace copytrader::testing;
using namespace std::chrono_literals;

namespace {

std::string follower(std::string_view name, int account, std::string_view rules) {
  return follower_entry(name, account, rules);
}

// Three followers as in the seed's table: ratio 1.0 and 0.4 on MES with brackets, 0.2 mapped to ES
// without (account 2003 is in Position Brackets mode and refuses order brackets).
std::string three_followers() {
  return follower("one", 2001, "    size_ratio: 1.0\n    bracket: fixed\n    sl_ticks: 16\n    tp_ticks: 24\n") +
         follower("small", 2002, "    size_ratio: 0.4\n    bracket: fixed\n") +
         follower("es", 2003,
                  "    size_ratio: 0.2\n    bracket: none\n    contract_map: {CON.F.US.MES.U26: CON.F.US.EP.U26}\n");
}

} // namespace

TEST_CASE("sizing, mapping and brackets: leader 5 gives 5, 2 and 1 (on ES); flat closes all and cancels legs",
          "[engine][sizing]") {
  engine_fixture fx(three_followers());
  fx.start();
  fx.leader_market(5, -16, 24);
  REQUIRE(fx.settle({{2001, 5}, {2002, 2}}));
  REQUIRE(fx.settle({{2003, 1}}, es, false));
  CHECK(fx.legs(2003, es).empty()); // bracket: none

  // The fixed bracket: 16 ticks below and 24 above the follower's own fill.
  for (const auto& leg : fx.legs(2001)) {
    if (leg.type == 4) CHECK(leg.price == Approx(6500.0 - 16 * 0.25));
    if (leg.type == 1) CHECK(leg.price == Approx(6500.0 + 24 * 0.25));
  }

  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}, {2002, 0}}));
  REQUIRE(fx.settle({{2003, 0}}, es, false));
  CHECK(fx.legs(2001).empty()); // closeContract left them; the engine cancelled them
  CHECK(fx.legs(2002).empty());
  for (auto account : {2001, 2002, 2003}) CHECK(fx.tags_unique(account));
  CHECK(fx.engine->context().counters.failed_copies == 0);
  // The audit trail holds every order, and the watermark the last leader trade, both written off the hot path.
  CHECK(fx.audit->count("place") == 3);
  CHECK(fx.audit->count("close") == 3);
  REQUIRE(fx.audit->read_watermark());
  CHECK(*fx.audit->read_watermark() >= 3000000000);
}

TEST_CASE("after a close, one cancel per bracket pair where the venue cancels the sibling with it, two where not",
          "[engine][legs][budget]") {
  for (const bool venue_cancels_sibling : {false, true}) {
    DYNAMIC_SECTION("cancel_leg_cancels_sibling: " << venue_cancels_sibling) {
      engine_fixture fx(follower("one", 2001, "    bracket: fixed\n"));
      fx.control("/switch", fmt::format(R"({{"cancel_leg_cancels_sibling":{}}})", venue_cancels_sibling));
      fx.start();
      fx.leader_market(1);
      REQUIRE(fx.settle({{2001, 1}}));
      fx.leader_close();
      REQUIRE(fx.settle({{2001, 0}}));
      // Whichever the venue does, nothing is left working on the flat account.
      CHECK(fx.poll_until([&] { return fx.legs(2001).empty(); }, 5s));
      fx.run_for(500ms);
      CHECK(fx.count_log("/api/Order/cancel", 2001) == (venue_cancels_sibling ? 1U : 2U));
      CHECK(fx.legs(2001).empty());
    }
  }
}

TEST_CASE("a new leader contract's details are read once, however many of its order events come first",
          "[engine][budget]") {
  engine_fixture fx(follower("one", 2001, "    bracket: fixed\n"));
  fx.start();
  const auto before = fx.count_log("/api/Contract/searchById");
  fx.leader_market(1, -16, 24); // the entry and its two legs: three order events for a contract not yet known
  REQUIRE(fx.settle({{2001, 1}}));
  fx.leader_market(1, -16, 24);
  REQUIRE(fx.settle({{2001, 2}}));
  CHECK(fx.count_log("/api/Contract/searchById") - before == 1);
}

TEST_CASE("invert and fixed_size: a long leader makes a fixed short follower", "[engine][invert]") {
  engine_fixture fx(
      follower("inv", 2001, "    fixed_size: 2\n    invert: true\n    allow_hedge: true\n    bracket: fixed\n"));
  fx.start();
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, -2}}));
  fx.leader_market(3); // the leader adds: a fixed size does not change
  fx.run_for(500ms);
  REQUIRE(fx.settle({{2001, -2}}));
  fx.leader_market(-4); // flat
  REQUIRE(fx.settle({{2001, 0}}));
  CHECK(fx.tags_unique(2001));
}

TEST_CASE("scale-in, scale-out with legs resized to the position, a reversal and a flat", "[engine][scale]") {
  engine_fixture fx(follower("one", 2001, "    bracket: fixed\n") +
                    follower("half", 2002, "    size_ratio: 0.5\n    bracket: fixed\n"));
  fx.start();
  fx.leader_market(2, -16, 24);
  REQUIRE(fx.settle({{2001, 2}, {2002, 1}}));
  fx.leader_market(2, -16, 24); // scale-in: a new entry with its own legs
  REQUIRE(fx.settle({{2001, 4}, {2002, 2}}));
  CHECK(fx.legs(2001).size() == 4); // two entries, a stop and a target each

  fx.act(R"({"account":1001,"op":"partial_close","contract_id":"CON.F.US.MES.U26","size":3})"); // scale-out
  REQUIRE(fx.settle({{2001, 1}, {2002, 1}})); // legs shrunk: never larger than the position

  fx.leader_market(-3); // reversal in one fill: +1 -> -2
  REQUIRE(fx.settle({{2001, -2}, {2002, -1}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}, {2002, 0}}));
  CHECK(fx.tags_unique(2001));
  CHECK(fx.tags_unique(2002));
}

TEST_CASE("bracket: mirror takes the leader's distances and follows a dragged stop", "[engine][mirror]") {
  engine_fixture fx(follower("mirror", 2001, "    bracket: mirror\n") +
                    follower("es", 2002, "    bracket: mirror\n    contract_id: CON.F.US.EP.U26\n"));
  fx.start();
  fx.leader_market(1, -8, 12);
  REQUIRE(fx.settle({{2001, 1}}));
  REQUIRE(fx.settle({{2002, 1}}, es));
  auto price_of = [&](std::int64_t account, int type, std::string_view contract) {
    for (const auto& leg : fx.legs(account, contract)) {
      if (leg.type == type) return leg.price;
    }
    return 0.0;
  };
  CHECK(price_of(2001, 4, mes) == Approx(6500.0 - 8 * 0.25));
  CHECK(price_of(2001, 1, mes) == Approx(6500.0 + 12 * 0.25));
  CHECK(price_of(2002, 4, es) == Approx(6500.0 - 8 * 0.25)); // the same ticks on ES

  // The leader drags its stop to 2 ticks below entry, in a burst: the follower ends where the last one says.
  std::int64_t leader_stop = 0;
  for (const auto& leg : fx.legs(1001)) {
    if (leg.type == 4) leader_stop = leg.id;
  }
  REQUIRE(leader_stop != 0);
  for (double p : {6498.5, 6499.0, 6499.5}) {
    fx.act(fmt::format(R"({{"account":1001,"op":"modify","order_id":{},"stop_price":{}}})", leader_stop, p));
  }
  REQUIRE(fx.run_until([&] { return price_of(2001, 4, mes) == 6499.5 && price_of(2002, 4, es) == 6499.5; }, 10s));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
  REQUIRE(fx.settle({{2002, 0}}, es));
}

TEST_CASE("allowed_strategies: a follower sits out an episode opened by another strategy", "[engine][strategy]") {
  engine_fixture fx(follower("scalp", 2001, "    allowed_strategies: [scalper]\n    bracket: fixed\n") +
                    follower("all", 2002, "    bracket: fixed\n"));
  fx.start();
  fx.leader_market(1, std::nullopt, std::nullopt, "swing-1");
  REQUIRE(fx.settle({{2001, 0}, {2002, 1}}));
  fx.leader_market(1, std::nullopt, std::nullopt, "scalper-2"); // an add stays in the swing episode
  REQUIRE(fx.settle({{2001, 0}, {2002, 2}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}, {2002, 0}}));
  fx.leader_market(-2, std::nullopt, std::nullopt, "scalper-3");
  REQUIRE(fx.settle({{2001, -2}, {2002, -2}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}, {2002, 0}}));
}

TEST_CASE("D6: the follower's own stop fired first; the leader's later stop opens nothing", "[engine][D6]") {
  engine_fixture fx(follower("tight", 2001, "    bracket: fixed\n    sl_ticks: 4\n    tp_ticks: 40\n"));
  fx.start();
  fx.leader_market(1, -16, 40);
  REQUIRE(fx.settle({{2001, 1}}));
  fx.move_price(6498.75); // 5 ticks down: the follower's stop fires, the leader's does not
  REQUIRE(fx.settle({{2001, 0}}));
  fx.run_for(1s); // the follower sits the episode out: no re-entry
  CHECK(fx.position(2001) == 0);
  fx.move_price(6495.0); // now the leader's stop fills: the follower must not go short
  fx.run_for(1500ms);
  CHECK(fx.position(1001) == 0);
  CHECK(fx.position(2001) == 0);
  CHECK(fx.legs(2001).empty());
  fx.leader_market(1); // a new episode is copied again
  REQUIRE(fx.settle({{2001, 1}}));
}

TEST_CASE("D6 then a reversal: the follower sat the long out, the leader's new short episode is copied",
          "[engine][D6]") {
  engine_fixture fx(follower("tight", 2001, "    bracket: fixed\n    sl_ticks: 4\n    tp_ticks: 40\n"));
  fx.start();
  fx.leader_market(1, -16, 40);
  REQUIRE(fx.settle({{2001, 1}}));
  fx.move_price(6498.75); // the follower's stop fires, the leader's does not
  REQUIRE(fx.settle({{2001, 0}}));
  fx.run_for(500ms);
  fx.leader_market(-2); // straight through flat to short 1: a new episode
  REQUIRE(fx.settle({{2001, -1}}, mes, false));
  CHECK(fx.tags_unique(2001));
}

TEST_CASE("duplicated and reordered leader events copy once", "[engine][D1][D2]") {
  engine_fixture fx(follower("one", 2001, "    bracket: fixed\n"));
  fx.start();
  fx.control("/fault/hub", R"({"kind":"duplicate","target":"GatewayUserTrade","count":5})");
  fx.leader_market(2);
  REQUIRE(fx.settle({{2001, 2}}));
  fx.control("/fault/hub", R"({"kind":"reorder","count":6})");
  fx.leader_market(1);
  fx.leader_market(-2);
  REQUIRE(fx.settle({{2001, 1}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
  CHECK(fx.tags_unique(2001));
}

TEST_CASE("A5: a leader fill whose events were lost is found by the periodic reconciliation",
          "[engine][reconcile][A5]") {
  engine_fixture fx(follower("one", 2001, "    bracket: fixed\n"),
                    "copy:\n  reconcile_interval: 1s\n  on_start: full\n");
  fx.start();
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 1}}));
  // The leader's next fill never shows on the hub: its order, trade and position events are lost.
  fx.control("/fault/hub", R"({"kind":"drop","target":"*","count":3})");
  fx.leader_market(2);
  REQUIRE(fx.settle({{2001, 3}}, mes, true, 20s));
  CHECK(fx.engine->context().counters.reconcile_corrections >= 1);
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
  CHECK(fx.tags_unique(2001));
}

TEST_CASE("unknown place outcomes are resolved by the tag: exactly one order each", "[engine][B4][B6]") {
  engine_fixture fx(follower("one", 2001, "    bracket: fixed\n"));
  fx.start();
  // Processed, but the response is lost: the search finds it; nothing is sent again.
  fx.control("/fault/rest", R"({"path":"/api/Order/place","kind":"drop_response","count":1})");
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 1}}));
  CHECK(fx.orders(2001) == 3); // the entry and its two legs
  // Reset before processing: not found twice, so sent again with the same tag.
  fx.control("/fault/rest", R"({"path":"/api/Order/place","kind":"reset","count":1})");
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 2}}));
  CHECK(fx.orders(2001) == 6);
  CHECK(fx.tags_unique(2001));
  const auto* f = fx.engine->followers().front();
  CHECK(f->figures().unknown == 2);
  CHECK(f->figures().unknown_resolved == 2);
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
}

TEST_CASE("a partly filled leader limit order is copied fill by fill", "[engine][partial]") {
  engine_fixture fx(follower("one", 2001, "    bracket: fixed\n"));
  fx.start();
  auto placed = fx.act(
      R"({"account":1001,"op":"place","contract_id":"CON.F.US.MES.U26","side":0,"size":3,"type":1,"limit_price":6490})");
  const auto id = placed.at("orderId").to_number<std::int64_t>();
  fx.run_for(300ms);
  CHECK(fx.position(2001) == 0); // a working order is not copied, only its fills
  fx.act(fmt::format(R"({{"account":1001,"op":"fill","order_id":{},"size":1}})", id));
  REQUIRE(fx.settle({{2001, 1}}));
  fx.act(fmt::format(R"({{"account":1001,"op":"fill","order_id":{},"size":2}})", id));
  REQUIRE(fx.settle({{2001, 3}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
}

TEST_CASE("circuit breaker: entries blocked after a trip, exits pass, reset re-arms", "[engine][breaker]") {
  engine_fixture fx(follower("one", 2001, "    bracket: fixed\n"), std::string(breaker_of_two));
  fx.start();
  trip_breaker_on_third_entry(fx);
  CHECK(fx.engine->context().breaker.tripped());
  CHECK(fx.engine->context().breaker.trips() == 1);
  REQUIRE(fx.settle({{2001, 2}})); // the add was not copied
  fx.leader_market(-2);            // an exit still goes: 3 -> 1, the follower 2 -> 1
  REQUIRE(fx.settle({{2001, 1}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
  fx.engine->reset_breaker();
  fx.leader_market(-1); // re-armed: a new entry is copied
  REQUIRE(fx.settle({{2001, -1}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
}

TEST_CASE("the rate limit queues requests and the venue never answers 429", "[engine][rate]") {
  // Three followers under one login share a bucket of 12 requests per 4 s; the venue allows 14.
  engine_fixture fx(follower("a", 2001, "    bracket: fixed\n") + follower("b", 2002, "    bracket: fixed\n") +
                        follower("c", 2003, "    bracket: none\n"),
                    "safety:\n  rate_limit: {max_requests: 12, window: 4s}\n  circuit_breaker: {max_orders: 50, "
                    "window: 1s}\n",
                    {"--rate-limit", "14/4s"});
  fx.start();
  for (int i = 0; i < 4; ++i) fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 4}, {2002, 4}}, mes, true, 30s));
  REQUIRE(fx.settle({{2003, 4}}, mes, false, 30s));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}, {2002, 0}}, mes, true, 30s));
  REQUIRE(fx.settle({{2003, 0}}, mes, false, 30s));
  const auto stats = fx.sim.control("GET", "/stats").json();
  INFO(boost::json::serialize(stats));
  CHECK(stats.at("throttled").to_number<int>() == 0);
}

TEST_CASE("dry run: the whole pipeline runs, nothing is sent", "[engine][dry_run]") {
  engine_fixture fx(follower("one", 2001, "    bracket: fixed\n"), "copy:\n  dry_run: true\n");
  fx.start();
  fx.leader_market(2);
  fx.run_for(1s);
  fx.leader_close();
  fx.run_for(1s);
  CHECK(fx.orders(2001) == 0);
  CHECK(fx.count_log("/api/Order/place", 2001) == 0);
  CHECK(fx.audit->count("dry_run") == 2); // the entry and the close, each reported once
}

TEST_CASE("a reload adds a follower (nothing opened late) and removes one (managed until flat)", "[engine][reload]") {
  engine_fixture fx(follower("old", 2001, "    bracket: fixed\n"));
  fx.start();
  fx.leader_market(2);
  REQUIRE(fx.settle({{2001, 2}}));
  fx.reload(follower("new", 2002, "    bracket: fixed\n"));
  fx.run_for(1s);
  CHECK(fx.position(2002) == 0); // the leader's open position is not opened late
  fx.leader_market(-1);          // the removed follower still follows exits
  REQUIRE(fx.settle({{2001, 1}, {2002, 0}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}, {2002, 0}}));
  // Flat with nothing working, the retiring session ends by itself.
  REQUIRE(fx.run_until([&] { return fx.engine->followers().size() == 1; }, 5s));
  CHECK(fx.engine->followers().front()->rules().name == "new");
  fx.leader_market(1); // the next episode: only the new follower
  REQUIRE(fx.settle({{2001, 0}, {2002, 1}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2002, 0}}));
}

TEST_CASE("a reload that maps a follower onto an expired contract disables it with the reason",
          "[engine][reload][E6]") {
  engine_fixture fx(follower("one", 2001, "    bracket: fixed\n"));
  fx.start();
  fx.reload(follower("one", 2001, "    bracket: fixed\n    contract_id: CON.F.US.MES.M26\n"));
  REQUIRE(fx.run_until([&] { return fx.engine->followers().front()->disabled_reason().has_value(); }, 10s));
  CHECK_THAT(*fx.engine->followers().front()->disabled_reason(), Catch::Contains("not active"));
  fx.leader_market(1);
  fx.run_for(800ms);
  CHECK(fx.orders(2001) == 0);
  fx.leader_close();
}

TEST_CASE("preflight: an unknown follower account is disabled with its reason; the others copy",
          "[engine][preflight]") {
  engine_fixture fx(follower("ghost", 2999, "    bracket: fixed\n") + follower("ok", 2001, "    bracket: fixed\n"));
  fx.start();
  const auto followers = fx.engine->followers();
  REQUIRE(followers.front()->disabled_reason());
  CHECK_THAT(*followers.front()->disabled_reason(), Catch::Contains("2999 not found"));
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 1}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
}

TEST_CASE("E2: a follower that cannot trade is disabled, and comes back when its check passes again",
          "[engine][preflight][E2]") {
  engine_fixture fx(follower("one", 2001, "    bracket: fixed\n"));
  fx.control("/account", R"({"account":2001,"can_trade":false})");
  fx.start();
  REQUIRE(fx.engine->followers().front()->disabled_reason());
  CHECK_THAT(*fx.engine->followers().front()->disabled_reason(), Catch::Contains("cannot trade"));
  fx.leader_market(1);
  fx.run_for(800ms);
  CHECK(fx.orders(2001) == 0);
  fx.control("/account", R"({"account":2001,"can_trade":true})");
  fx.engine->recheck_disabled();
  REQUIRE(fx.run_until([&] { return !fx.engine->followers().front()->disabled_reason(); }, 10s));
  fx.run_for(800ms);
  CHECK(fx.position(2001) == 0); // the leader's open position is not opened late
  fx.leader_close();
  fx.leader_market(-1); // the next episode is copied
  REQUIRE(fx.settle({{2001, -1}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
}

TEST_CASE("disable stops new entries but manages the open copy until flat", "[engine][enable]") {
  engine_fixture fx(follower("one", 2001, "    bracket: fixed\n"));
  fx.start();
  fx.leader_market(2);
  REQUIRE(fx.settle({{2001, 2}}));
  REQUIRE(fx.engine->set_enabled("one", false));
  fx.leader_market(1);
  fx.run_for(800ms);
  REQUIRE(fx.settle({{2001, 2}}));
  fx.leader_market(-2);
  REQUIRE(fx.settle({{2001, 1}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
  fx.leader_market(1);
  fx.run_for(800ms);
  CHECK(fx.position(2001) == 0);
  REQUIRE(fx.engine->set_enabled("one", true));
  fx.leader_close();
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 1}}));
}

TEST_CASE("fail closed: a leader account that is not found copies nothing and says why", "[engine][fail_closed]") {
  engine_fixture fx(follower("one", 2001, "    bracket: fixed\n"), {}, {}, 1999);
  fx.start(false);
  fx.run_for(1500ms);
  CHECK_FALSE(fx.engine->context().leader_ready);
  CHECK_THAT(fx.engine->status_line(), Catch::Contains("NOT COPYING (leader account 1999 not found"));
  fx.leader_market(1); // account 1001 trades; nothing of it may reach a follower
  fx.run_for(1s);
  CHECK(fx.orders(2001) == 0);
}

TEST_CASE("A2: the hubs go down, the leader fills meanwhile; the reconnect's reconciliation copies it once",
          "[engine][reconcile][A2]") {
  engine_fixture fx(follower("one", 2001, "    bracket: fixed\n"), "copy:\n  reconcile_interval: 60s\n");
  fx.start();
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 1}}));
  fx.control("/fault/hub", R"({"kind":"close","mode":"rst"})");
  fx.leader_market(2); // no hub session sees it
  REQUIRE(fx.settle({{2001, 3}}, mes, true, 20s));
  CHECK(fx.engine->context().counters.reconcile_corrections >= 1);
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
  CHECK(fx.tags_unique(2001));
}

TEST_CASE("a Position Brackets account: entries go unbracketed and get a separate stop and target",
          "[engine][position_brackets]") {
  // Account 2003 is in Position Brackets mode: the venue refuses order brackets on it.
  engine_fixture fx(follower("pb", 2003, "    bracket: fixed\n    sl_ticks: 10\n    tp_ticks: 20\n"));
  fx.start();
  fx.leader_market(2);
  REQUIRE(fx.settle({{2003, 2}})); // position and legs: a stop and a target of 2 each
  for (const auto& leg : fx.legs(2003)) {
    if (leg.type == 4) CHECK(leg.price == Approx(6500.0 - 10 * 0.25));
    if (leg.type == 1) CHECK(leg.price == Approx(6500.0 + 20 * 0.25));
  }
  fx.leader_market(-1); // a reduction shrinks them
  REQUIRE(fx.settle({{2003, 1}}));
  fx.leader_close(); // flat: none left behind
  REQUIRE(fx.settle({{2003, 0}}));
  CHECK(fx.legs(2003).empty());
  CHECK(fx.tags_unique(2003));
}

TEST_CASE("manual signal: sized and bracketed like a leader entry, added to, ended once its brackets closed it",
          "[engine][manual]") {
  engine_fixture fx(follower("one", 2001, "    contract_id: CON.F.US.MES.U26\n    size_ratio: 1.0\n") +
                    follower("half", 2002, "    contract_id: CON.F.US.MES.U26\n    size_ratio: 0.5\n"));
  fx.start();
  engine::manual_signal signal;
  signal.size = 2;
  signal.sl_ticks = 8;
  signal.tp_ticks = 40;
  auto plan = fx.engine->copy_signal(signal);
  REQUIRE(plan.has_value());
  REQUIRE(plan->size() == 2);
  CHECK((*plan)[0].to == 2);
  CHECK((*plan)[1].to == 1);
  REQUIRE(fx.settle({{2001, 2}, {2002, 1}}));
  CHECK(fx.protected_exactly(2001));
  for (const auto& leg : fx.legs(2001)) {
    if (leg.type == 4) CHECK(leg.price == Approx(6500.0 - 8 * 0.25)); // the signal's 8 ticks below the fill
  }
  signal.size = 2; // an add without ticks keeps the first signal's bracket
  signal.sl_ticks.reset();
  signal.tp_ticks.reset();
  REQUIRE(fx.engine->copy_signal(signal).has_value());
  REQUIRE(fx.settle({{2001, 4}, {2002, 2}}));
  CHECK(fx.protected_exactly(2001));
  CHECK(fx.position(1001) == 0); // the leader is never touched

  fx.move_price(6497.5); // 10 ticks down: every stop fires
  REQUIRE(fx.settle({{2001, 0}, {2002, 0}}));
  // Nobody holds the signal any more: it ends, and nothing is re-entered meanwhile.
  REQUIRE(fx.run_until([&] { return fx.engine->context().contracts.at("manual").manual->net == 0; }, 8s));
  CHECK(fx.position(2001) == 0);
  signal.size = 1;
  REQUIRE(fx.engine->copy_signal(signal).has_value()); // a new episode
  REQUIRE(fx.settle({{2001, 1}, {2002, 1}}));
  CHECK(fx.tags_unique(2001));
  CHECK(fx.tags_unique(2002));
}

TEST_CASE("manual signal: a dry run sends nothing; a signal no follower can take is refused", "[engine][manual]") {
  engine_fixture fx(follower("mapped", 2001, "    size_ratio: 1.0\n    bracket: fixed\n"));
  fx.start();
  engine::manual_signal signal;
  signal.size = 3;
  auto refused = fx.engine->copy_signal(signal); // no contract_id and no contract named
  REQUIRE_FALSE(refused.has_value());
  CHECK_THAT(refused.error().message, Catch::Contains("--contract"));
  signal.contract = std::string(mes);
  signal.dry_run = true;
  auto dry = fx.engine->copy_signal(signal);
  REQUIRE(dry.has_value());
  CHECK((*dry)[0].contract == mes);
  CHECK((*dry)[0].to == 3);
  fx.run_for(1s);
  CHECK(fx.orders(2001) == 0);
  signal.dry_run = false;
  signal.long_side = false;
  REQUIRE(fx.engine->copy_signal(signal).has_value());
  REQUIRE(fx.settle({{2001, -3}}));
  signal.long_side = true; // the opposite signal takes it back to flat
  REQUIRE(fx.engine->copy_signal(signal).has_value());
  REQUIRE(fx.settle({{2001, 0}}));
}

TEST_CASE("flatten: one follower closed and out for the episode; the leader's next episode is copied",
          "[engine][flatten]") {
  engine_fixture fx(three_followers());
  fx.start();
  fx.leader_market(5);
  REQUIRE(fx.settle({{2001, 5}, {2002, 2}}));
  auto result = fx.engine->flatten("one");
  REQUIRE(result.has_value());
  CHECK(result->flattening == std::vector<std::string>{"one"});
  REQUIRE(fx.settle({{2001, 0}, {2002, 2}}));
  fx.leader_market(1); // an add in the same episode: "one" sits it out
  REQUIRE(fx.settle({{2002, 2}}));
  fx.run_for(1s);
  CHECK(fx.position(2001) == 0);
  CHECK(fx.legs(2001).empty());
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}, {2002, 0}}));
  fx.leader_market(2); // the next episode is followed again
  REQUIRE(fx.settle({{2001, 2}, {2002, 1}}));
  CHECK_FALSE(fx.engine->flatten("nobody").has_value());
}

TEST_CASE("flatten works while the engine fails closed: the follower is read, then closed", "[engine][flatten]") {
  engine_fixture fx(follower("one", 2001, "    bracket: fixed\n"), {}, {}, 1999);
  fx.act(R"({"account":2001,"op":"place","contract_id":"CON.F.US.MES.U26","side":0,"size":3,"type":2})");
  REQUIRE(fx.position(2001) == 3);
  fx.start(false);
  fx.run_for(500ms);
  REQUIRE_FALSE(fx.engine->context().leader_ready);
  auto result = fx.engine->flatten("");
  REQUIRE(result.has_value());
  CHECK(result->flattening == std::vector<std::string>{"one"});
  const auto* one = fx.engine->followers().front();
  REQUIRE(fx.poll_until([&] { return fx.position(2001) == 0 && !one->flattening(); }, 15s));
  fx.leader_market(1); // still failing closed: nothing of the leader is copied
  fx.run_for(1s);
  CHECK(fx.position(2001) == 0);
}

TEST_CASE("on_start close_only: a leader fill younger than max_copy_age is copied at start, an older one is not",
          "[engine][start][F1]") {
  SECTION("filled just before the start (as when a crash cut the copy short)") {
    engine_fixture fx(follower("one", 2001, "    bracket: fixed\n"), "copy:\n  max_copy_age: 30s\n");
    fx.leader_market(2);
    fx.start();
    REQUIRE(fx.settle({{2001, 2}}));
    CHECK(fx.tags_unique(2001));
  }
  SECTION("filled longer ago than max_copy_age: drift from before, left to on_start") {
    engine_fixture fx(follower("one", 2001, "    bracket: fixed\n"), "copy:\n  max_copy_age: 1s\n");
    fx.leader_market(2);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    fx.start();
    fx.run_for(std::chrono::milliseconds(1500));
    CHECK(fx.position(2001) == 0);
    CHECK(fx.orders(2001) == 0);
  }
}

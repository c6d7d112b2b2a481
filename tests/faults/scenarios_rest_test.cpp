// The fault-scenario catalogue, faults.md 2.3 B: REST requests and their answers. One test case per id the simulator
// can produce, each ending with the invariants I1-I6 (fault_harness::check).

#include "faults/fault_harness.hpp"
#include "support/printers.hpp"

#include <fmt/format.h>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>

#include <filesystem>

using namespace copytrader;
using namespace copytrader::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

TEST_CASE("B1: 429 on Order/place; cooled down, searched, sent again with the same tag", "[fault][B1]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/rest", R"({"path":"/api/Order/place","kind":"status","status":429,"count":1})");
  h.open_bracketed(2);
  h.check("429");
}

TEST_CASE("B3: 500 and 503 on Order/place; unknown, resolved by the tag, never a second order", "[fault][B3]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/rest", R"({"path":"/api/Order/place","kind":"status","status":500,"count":1})");
  h.open_bracketed(1);
  REQUIRE(h.fx.settle({{2001, 1}, {2002, 1}}, mes, false));
  h.inject("/fault/rest", R"({"path":"/api/Order/place","kind":"status","status":503,"count":1})");
  h.fx.leader_market(2);
  h.check("unknown");
}

TEST_CASE("B4: the place is processed and its response lost; adopted by the tag search", "[fault][B4]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/rest", R"({"path":"/api/Order/place","kind":"drop_response","count":2})");
  h.open_bracketed(3);
  h.check("unknown");
}

TEST_CASE("B6: a truncated response and a reset before processing; unknown, no crash, one order each", "[fault][B6]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/rest", R"({"path":"/api/Order/place","kind":"truncate","count":1})");
  h.open_bracketed(2);
  REQUIRE(h.fx.settle({{2001, 2}, {2002, 1}}, mes, false));
  h.inject("/fault/rest", R"({"path":"/api/Order/place","kind":"reset","count":1})");
  h.fx.leader_market(2);
  h.check("unknown");
}

TEST_CASE("B12: the venue attaches no bracket legs; a protective stop and target are placed", "[fault][B12]") {
  fault_harness h(one_follower());
  h.fx.start();
  h.inject("/fault/order", R"({"skip_legs":3})"); // the follower's bracketed entry is the next one
  h.fx.leader_market(2);
  h.check("had no");
}

TEST_CASE("B14: a follower market order only partly filled; the rest is sent, legs fit", "[fault][B14]") {
  fault_harness h(one_follower());
  h.fx.start();
  h.fx.leader_market(3);
  // The engine has not run yet: the follower's copy is the next market order, and fills 1 of 3.
  h.inject("/fault/order", R"({"partial_fill":1})");
  h.check("");
  CHECK(h.fx.orders(2001) > 3); // the partial entry, its legs, and the rest sent after
}

TEST_CASE("B7: success:false with UnknownError (7) is an unknown outcome, resolved by the tag, copied once",
          "[fault][B7]") {
  fault_harness h(one_follower());
  h.fx.start();
  h.inject("/fault/rest",
           R"({"path":"/api/Order/place","kind":"business_error","error_code":7,"message":"Unknown error","count":1})");
  h.open_bracketed(2);
  h.check("unknown");
}

TEST_CASE("B7: OutsideTradingHours (5) is a definite refusal: no retry storm, the episode is skipped", "[fault][B7]") {
  fault_harness h(one_follower());
  h.fx.start();
  h.inject("/fault/rest", R"({"path":"/api/Order/place","kind":"business_error","error_code":5,)"
                          R"("message":"Outside trading hours","count":1})");
  h.open_bracketed(2);
  h.fx.run_for(2s);
  CHECK(h.fx.count_log("/api/Order/place", 2001) == 1); // refused once, never sent again this episode
  h.check("refused", 20s, {2001});
}

TEST_CASE("B2: 429 on the reconciliation reads; deferred, copies unaffected", "[fault][B2]") {
  fault_harness h(standard_followers(), quick_reconcile);
  h.fx.start();
  h.open_bracketed(1);
  REQUIRE(h.fx.settle({{2001, 1}, {2002, 1}}));
  h.inject("/fault/rest", R"({"path":"/api/Position/searchOpen","kind":"status","status":429,"count":3})");
  h.fx.run_for(2500ms); // the periodic reads meet the 429s
  h.fx.leader_market(2);
  h.check("429");
}

TEST_CASE("B7: definite refusals (2, 4, 9, 10) are sent once, never again this episode, and named", "[fault][B7]") {
  const auto [code, name] = GENERATE(table<int, std::string>(
      {{2, "OrderRejected"}, {4, "AccountViolation"}, {9, "ContractNotActive"}, {10, "AccountRejected"}}));
  fault_harness h(one_follower());
  h.fx.start();
  h.inject("/fault/rest", fmt::format(R"({{"path":"/api/Order/place","account":2001,"kind":"business_error",)"
                                      R"("error_code":{},"message":"refused by the test","count":1}})",
                                      code));
  h.open_bracketed(2);
  h.fx.run_for(2s);
  CHECK(h.fx.count_log("/api/Order/place", 2001) == 1);
  h.check(fmt::format("{} ({})", name, code), 20s, {2001});
}

TEST_CASE("B8: success:true without an orderId is an unknown outcome, resolved by the tag, placed once",
          "[fault][B8]") {
  fault_harness h(one_follower());
  h.fx.start();
  h.inject("/fault/rest",
           json::serialize(json::object{{"path", "/api/Order/place"},
                                        {"account", 2001},
                                        {"kind", "body"},
                                        {"process", true},
                                        {"body", R"({"success":true,"errorCode":0,"errorMessage":null})"}}));
  h.open_bracketed(2);
  h.check("success without an orderId");
  CHECK(h.fx.count_log("/api/Order/place", 2001) == 1);
}

TEST_CASE("B9: a read with numbers as strings, 1e309, NaN, a negative size or an unknown enum fails whole",
          "[fault][B9]") {
  fault_harness h(standard_followers(), quick_reconcile);
  h.fx.start();
  h.open_bracketed(2);
  REQUIRE(h.fx.settle({{2001, 2}, {2002, 1}}));
  const auto orders_one = h.fx.orders(2001);
  const auto orders_half = h.fx.orders(2002);
  // Each claims the leader holds 5 where it holds 2: read leniently, the followers would be sent more.
  const std::string position_head =
      R"({"success":true,"errorCode":0,"errorMessage":null,"positions":[{"id":1,"accountId":1001,)"
      R"("contractId":"CON.F.US.MES.U26","creationTimestamp":"2026-11-24T06:00:00.0000000+00:00",)";
  for (const std::string fields :
       {R"("type":1,"size":"5","averagePrice":6500})", R"("type":1,"size":5,"averagePrice":1e309})",
        R"("type":1,"size":5,"averagePrice":NaN})", R"("type":1,"size":-5,"averagePrice":6500})",
        R"("type":7,"size":5,"averagePrice":6500})"}) {
    h.inject("/fault/rest", json::serialize(json::object{{"path", "/api/Position/searchOpen"},
                                                         {"account", 1001},
                                                         {"kind", "body"},
                                                         {"body", position_head + fields + "]}"}}));
  }
  h.fx.run_for(7s); // the periodic leader reads (every second while open) meet all five
  CHECK(h.fx.orders(2001) == orders_one);
  CHECK(h.fx.orders(2002) == orders_half);
  h.fx.leader_close();
  h.check("cannot read the leader's positions");
}

TEST_CASE("B10: one follower's place answered after 12 s; the other copied meanwhile, the slow one found by its tag",
          "[fault][B10]") {
  fault_harness h;
  h.fx.start();
  h.inject("/fault/rest", R"({"path":"/api/Order/place","account":2001,"kind":"delay","delay_ms":12000,"count":1})");
  h.open_bracketed(2);
  // Isolation: the other follower is filled before the slow request even reaches its 2 s deadline.
  CHECK(h.fx.run_until([&] { return h.fx.position(2002) == 1; }, 1900ms));
  REQUIRE(h.fx.run_until([&] { return h.log.text().find("found as order") != std::string::npos; }, 10s));
  h.check("unknown", 30s);
  CHECK(h.fx.count_log("/api/Order/place", 2001) == 1);
}

TEST_CASE("B11: 401 on a place (token expired in flight); one new login, searched, sent at most once more",
          "[fault][B11]") {
  fault_harness h(one_follower());
  h.fx.start();
  const auto logins = h.fx.count_log("/api/Auth/loginKey");
  h.inject("/fault/rest", R"({"path":"/api/Order/place","account":2001,"kind":"status","status":401,"count":1})");
  h.open_bracketed(2);
  h.check("HTTP 401");
  CHECK(h.fx.count_log("/api/Auth/loginKey") == logins + 1);
  CHECK(h.fx.count_log("/api/Order/place", 2001) == 2); // refused unprocessed, not found, sent once more
}

TEST_CASE("B13: a place accepted, then the order rejected by the venue; reported, not sent again this episode",
          "[fault][B13]") {
  fault_harness h(one_follower());
  h.fx.start();
  h.open_bracketed(2);
  h.inject("/fault/order", R"({"reject_market":true})"); // the follower's copy is the next market order
  h.fx.run_for(2s);
  CHECK(h.fx.count_log("/api/Order/place", 2001) == 1);
  CHECK(h.fx.position(2001) == 0);
  h.check("accepted, then rejected", 20s, {2001});
  h.fx.leader_close();
  REQUIRE(h.fx.settle({{2001, 0}}));
  h.open_bracketed(1); // the next episode is copied
  h.check("");
}

TEST_CASE("B15: the tag search misses the order once; a second search finds it, nothing is sent again",
          "[fault][B15]") {
  fault_harness h(one_follower());
  h.fx.start();
  h.inject("/fault/rest", R"({"path":"/api/Order/place","account":2001,"kind":"drop_response","count":1})");
  h.inject("/fault/rest", json::serialize(json::object{
                              {"path", "/api/Order/search"},
                              {"account", 2001},
                              {"kind", "body"},
                              {"body", R"({"orders":[],"success":true,"errorCode":0,"errorMessage":null})"}}));
  h.open_bracketed(2);
  REQUIRE(h.fx.run_until([&] { return h.log.text().find("found as order") != std::string::npos; }, 10s));
  h.check("found as order");
  CHECK(h.fx.count_log("/api/Order/place", 2001) == 1);
  CHECK(h.fx.count_log("/api/Order/search", 2001) >= 2);
}

TEST_CASE("B5: the gateway closed the idle connections and refuses new ones; 'not sent', the same tag again, once",
          "[fault][B5]") {
  fault_harness h(one_follower());
  h.fx.start();
  h.open_bracketed(1);
  REQUIRE(h.fx.settle({{2001, 1}})); // the follower's connections have carried answers
  h.inject("/fault/connections", R"({"close_idle":true,"refuse":2})");
  h.fx.leader_market(1);
  h.check("not sent");
  CHECK(h.fx.count_log("/api/Order/place", 2001) == 2); // the first entry and this one, each once
  // Nothing was sent, so nothing was unknown: no search by tag.
  CHECK(h.log.text().find("outcome of tag") == std::string::npos);
}

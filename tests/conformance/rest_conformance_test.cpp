// projectx-sim's REST side against projectx-api.md, with raw HTTP requests.

#include "support/raw_client.hpp"

#include <fmt/format.h>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <csignal>
#include <thread>

using namespace copytrader::testing;
using Catch::Matchers::Contains;
namespace json = boost::json;

namespace {

constexpr std::string_view mes = "CON.F.US.MES.U26";

std::string bracketed_buy(std::int64_t account, int size, std::string_view tag, int sl = -16, int tp = 24) {
  return fmt::format(R"({{"accountId":{},"contractId":"{}","type":2,"side":0,"size":{},"customTag":"{}",)"
                     R"("stopLossBracket":{{"ticks":{},"type":4}},"takeProfitBracket":{{"ticks":{},"type":1}}}})",
                     account, mes, size, tag, sl, tp);
}

json::object find_order(const json::value& ledger, std::int64_t id) {
  for (const auto& o : ledger.at("orders").as_array()) {
    if (o.at("id").as_int64() == id) return o.as_object();
  }
  throw std::runtime_error("order not in the ledger");
}

} // namespace

TEST_CASE("loginKey: a token on success, HTTP 200 with success:false on bad keys, 400 without fields", "[sim][rest]") {
  sim_process sim;
  auto https = sim.https();
  auto ok = https.post("/api/Auth/loginKey", R"({"userName":"leader_user","apiKey":"leader-key"})");
  REQUIRE(ok.status == 200);
  const auto body = ok.json().as_object();
  CHECK(body.at("success").as_bool());
  CHECK(body.at("errorCode").as_int64() == 0);
  CHECK(body.at("errorMessage").is_null());
  CHECK_FALSE(body.at("token").as_string().empty());

  auto bad = https.post("/api/Auth/loginKey", R"({"userName":"leader_user","apiKey":"wrong"})");
  CHECK(bad.status == 200);
  CHECK(bad.json().at("success").as_bool() == false);
  CHECK(bad.json().at("errorCode").as_int64() == 3); // InvalidCredentials
  CHECK(bad.json().at("token").is_null());

  CHECK(https.post("/api/Auth/loginKey", R"({"userName":"leader_user"})").status == 400);
  CHECK(https.post("/api/Auth/loginKey", "{not json").status == 400);
}

TEST_CASE("a missing, unknown or expired bearer is 401; validate issues a new token", "[sim][rest][C1]") {
  sim_process sim;
  auto https = sim.https();
  const auto token = sim.login();
  CHECK(https.post("/api/Account/search", R"({"onlyActiveAccounts":true})").status == 401);
  CHECK(https.post("/api/Account/search", R"({"onlyActiveAccounts":true})", "nonsense").status == 401);
  CHECK(https.post("/api/Account/search", R"({"onlyActiveAccounts":true})", token).status == 200);

  auto validated = https.post("/api/Auth/validate", "", token);
  REQUIRE(validated.status == 200);
  const std::string fresh(validated.json().at("newToken").as_string());
  CHECK(fresh != token);
  CHECK(https.post("/api/Account/search", R"({"onlyActiveAccounts":true})", fresh).status == 200);
  CHECK(https.post("/api/Account/search", R"({"onlyActiveAccounts":true})", token).status == 200); // old still works

  REQUIRE(sim.control("POST", "/expire_tokens", R"({"username":"leader_user"})").status == 200);
  CHECK(https.post("/api/Account/search", R"({"onlyActiveAccounts":true})", fresh).status == 401);
}

TEST_CASE("a short token lifetime expires tokens", "[sim][rest][C1]") {
  sim_process sim({"--token-lifetime", "300ms"});
  const auto token = sim.login();
  auto https = sim.https();
  CHECK(https.post("/api/Account/search", R"({"onlyActiveAccounts":true})", token).status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  CHECK(https.post("/api/Account/search", R"({"onlyActiveAccounts":true})", token).status == 401);
}

TEST_CASE("Account/search lists only the caller's accounts; another's account is AccountNotFound", "[sim][rest]") {
  sim_process sim;
  auto https = sim.https();
  const auto token = sim.login("follower_user", "follower-key");
  auto accounts = https.post("/api/Account/search", R"({"onlyActiveAccounts":true})", token).json();
  const auto& list = accounts.at("accounts").as_array();
  REQUIRE(list.size() == 3);
  for (const char* field : {"id", "name", "balance", "canTrade", "isVisible", "simulated"}) {
    CHECK(list[0].as_object().contains(field));
  }
  auto other = https.post("/api/Order/place", bracketed_buy(1001, 1, "x"), token).json();
  CHECK(other.at("success").as_bool() == false);
  CHECK(other.at("errorCode").as_int64() == 1);
}

TEST_CASE("contracts: singular searchById, fuzzy search, live:true empty, real ids and ticks", "[sim][rest]") {
  sim_process sim;
  auto https = sim.https();
  const auto token = sim.login();
  auto es = https.post("/api/Contract/searchById", R"({"contractId":"CON.F.US.EP.U26"})", token).json();
  REQUIRE(es.at("success").as_bool());
  CHECK(es.at("contract").at("tickSize").to_number<double>() == 0.25);
  CHECK(es.at("contract").at("tickValue").to_number<double>() == 12.5);
  CHECK(es.at("contract").at("symbolId").as_string() == "F.US.EP");
  auto missing = https.post("/api/Contract/searchById", R"({"contractId":"CON.F.US.XX.Z99"})", token).json();
  CHECK(missing.at("errorCode").as_int64() == 1);
  auto nq = https.post("/api/Contract/search", R"({"searchText":"NQ","live":false})", token).json();
  CHECK(nq.at("contracts").as_array().size() == 2); // ENQ and MNQ: fuzzy
  auto live = https.post("/api/Contract/search", R"({"searchText":"NQ","live":true})", token).json();
  CHECK(live.at("success").as_bool());
  CHECK(live.at("contracts").as_array().empty());
  auto expired = https.post("/api/Contract/searchById", R"({"contractId":"CON.F.US.MES.M26"})", token).json();
  CHECK(expired.at("contract").at("activeContract").as_bool() == false);
}

TEST_CASE("a bracketed market entry: three consecutive int64 ids, legs priced on the fill", "[sim][rest][brackets]") {
  sim_process sim;
  auto https = sim.https();
  const auto token = sim.login();
  REQUIRE(sim.control("POST", "/price", R"({"contract_id":"CON.F.US.MES.U26","price":6500})").status == 200);
  auto placed = https.post("/api/Order/place", bracketed_buy(1001, 2, "ct-1"), token);
  REQUIRE(placed.status == 200);
  const auto entry = placed.json().at("orderId").as_int64();
  CHECK(entry > 2147483647);
  CHECK(placed.body.find('E') == std::string::npos);

  auto open = https.post("/api/Order/searchOpen", R"({"accountId":1001})", token).json();
  const auto& orders = open.at("orders").as_array();
  REQUIRE(orders.size() == 2);
  const auto& sl = orders[0].as_object();
  const auto& tp = orders[1].as_object();
  CHECK(sl.at("id").as_int64() == entry + 1);
  CHECK(tp.at("id").as_int64() == entry + 2);
  CHECK(sl.at("type").as_int64() == 4);
  CHECK(sl.at("side").as_int64() == 1);
  CHECK(sl.at("size").as_int64() == 2);
  CHECK(sl.at("stopPrice").to_number<double>() == 6496.0);  // 6500 - 16 x 0.25
  CHECK(sl.at("limitPrice").is_null());                     // REST sends explicit nulls
  CHECK(tp.at("limitPrice").to_number<double>() == 6506.0); // 6500 + 24 x 0.25
  CHECK(sl.at("customTag").as_string() == "ct-1-SL");
  CHECK(tp.at("customTag").as_string() == "ct-1-TP");
  CHECK(sl.at("parentOrderId").as_int64() == entry);
  CHECK(tp.at("parentOrderId").as_int64() == entry);
  CHECK(tp.at("linkedOrderId").as_int64() == entry + 1);
  CHECK(sl.at("linkedOrderId").is_null());

  auto positions = https.post("/api/Position/searchOpen", R"({"accountId":1001})", token).json();
  REQUIRE(positions.at("positions").as_array().size() == 1);
  CHECK(positions.at("positions").as_array()[0].at("type").as_int64() == 1);
  CHECK(positions.at("positions").as_array()[0].at("size").as_int64() == 2);
}

TEST_CASE("signed-tick validation with the documented messages, and the 4-tick minimum", "[sim][rest][brackets]") {
  sim_process sim;
  auto https = sim.https();
  const auto token = sim.login();
  auto message = [&](const std::string& body) {
    auto r = https.post("/api/Order/place", body, token).json();
    CHECK(r.at("success").as_bool() == false);
    CHECK(r.at("errorCode").as_int64() == 2);
    CHECK(r.at("orderId").is_int64()); // a rejected bracketed place still returns an id
    return std::string(r.at("errorMessage").as_string());
  };
  CHECK(message(bracketed_buy(1001, 1, "a", 40, 24)) ==
        "Invalid stop loss ticks (40). Ticks should be less than zero when longing.");
  const std::string short_tp =
      fmt::format(R"({{"accountId":1001,"contractId":"{}","type":2,"side":1,"size":1,)"
                  R"("stopLossBracket":{{"ticks":16,"type":4}},"takeProfitBracket":{{"ticks":30,"type":1}}}})",
                  mes);
  CHECK(message(short_tp) == "Invalid take profit ticks (30). Ticks should be less than zero when going short.");
  CHECK(message(bracketed_buy(1001, 1, "c", -1, 24)) ==
        "Invalid stop loss ticks (-1). Price should be at least 4 ticks away.");
  const std::string limit_sl = fmt::format(R"({{"accountId":1001,"contractId":"{}","type":2,"side":0,"size":1,)"
                                           R"("stopLossBracket":{{"ticks":-16,"type":1}}}})",
                                           mes);
  CHECK(message(limit_sl) == "Invalid stop loss type (Limit)");
  CHECK(sim.ledger(1001).at("positions").as_array().empty()); // nothing filled
}

TEST_CASE("Position Brackets accounts refuse API brackets but still create the order", "[sim][rest][brackets]") {
  sim_process sim;
  auto https = sim.https();
  const auto token = sim.login("follower_user", "follower-key");
  auto r = https.post("/api/Order/place", bracketed_buy(2003, 1, "pb"), token).json();
  CHECK(r.at("errorCode").as_int64() == 2);
  CHECK(r.at("errorMessage").as_string() ==
        "Brackets cannot be used with Position Brackets. You must enable Auto OCO Brackets.");
  const auto id = r.at("orderId").as_int64();
  CHECK(find_order(sim.ledger(2003), id).at("status").as_int64() == 5);
}

TEST_CASE("OCO: the take-profit fills, the stop is cancelled, the position closes", "[sim][rest][brackets]") {
  sim_process sim;
  auto https = sim.https();
  const auto token = sim.login();
  sim.control("POST", "/price", R"({"contract_id":"CON.F.US.MES.U26","price":6500})");
  const auto entry =
      https.post("/api/Order/place", bracketed_buy(1001, 1, "oco"), token).json().at("orderId").as_int64();
  REQUIRE(sim.control("POST", "/price", R"({"contract_id":"CON.F.US.MES.U26","price":6506.25})").status == 200);
  const auto ledger = sim.ledger(1001);
  CHECK(find_order(ledger, entry + 2).at("status").as_int64() == 2); // TP filled
  CHECK(find_order(ledger, entry + 1).at("status").as_int64() == 3); // SL cancelled
  CHECK(ledger.at("positions").as_array().empty());
  const auto& trades = ledger.at("trades").as_array();
  REQUIRE(trades.size() == 2);
  CHECK(trades[0].at("profitAndLoss").is_null());                   // opening fill
  CHECK(trades[1].at("profitAndLoss").to_number<double>() == 30.0); // 24 ticks x $1.25 (TP fills at its limit)
}

TEST_CASE("closeContract leaves bracket legs working (and a switch cancels them)", "[sim][rest][brackets]") {
  for (bool leaves : {true, false}) {
    sim_process sim;
    auto https = sim.https();
    const auto token = sim.login();
    sim.control("POST", "/switch", leaves ? R"({"close_leaves_legs":true})" : R"({"close_leaves_legs":false})");
    https.post("/api/Order/place", bracketed_buy(1001, 1, "cl"), token);
    auto closed =
        https.post("/api/Position/closeContract", R"({"accountId":1001,"contractId":"CON.F.US.MES.U26"})", token);
    CHECK(closed.json().at("success").as_bool());
    CHECK_FALSE(closed.json().as_object().contains("orderId"));
    auto open = https.post("/api/Order/searchOpen", R"({"accountId":1001})", token).json();
    CHECK(open.at("orders").as_array().size() == (leaves ? 2u : 0u));
    auto again =
        https.post("/api/Position/closeContract", R"({"accountId":1001,"contractId":"CON.F.US.MES.U26"})", token)
            .json();
    CHECK(again.at("errorCode").as_int64() == 2); // PositionNotFound
  }
}

TEST_CASE("partialCloseContract reduces, and refuses a size beyond the position", "[sim][rest]") {
  sim_process sim;
  auto https = sim.https();
  const auto token = sim.login();
  https.post("/api/Order/place", bracketed_buy(1001, 3, "pc"), token);
  auto bad = https
                 .post("/api/Position/partialCloseContract",
                       R"({"accountId":1001,"contractId":"CON.F.US.MES.U26","size":4})", token)
                 .json();
  CHECK(bad.at("errorCode").as_int64() == 5); // InvalidCloseSize
  auto ok = https
                .post("/api/Position/partialCloseContract",
                      R"({"accountId":1001,"contractId":"CON.F.US.MES.U26","size":1})", token)
                .json();
  CHECK(ok.at("success").as_bool());
  CHECK(sim.ledger(1001).at("positions").as_array()[0].at("size").as_int64() == 2);
}

TEST_CASE("a duplicate customTag is refused", "[sim][rest]") {
  sim_process sim;
  auto https = sim.https();
  const auto token = sim.login();
  CHECK(https.post("/api/Order/place", bracketed_buy(1001, 1, "dup"), token).json().at("success").as_bool());
  auto second = https.post("/api/Order/place", bracketed_buy(1001, 1, "dup"), token).json();
  CHECK(second.at("errorCode").as_int64() == 2);
  CHECK(sim.ledger(1001).at("trades").as_array().size() == 1);
}

TEST_CASE("modify moves a leg in place; cancel answers with envelopes only", "[sim][rest]") {
  sim_process sim;
  auto https = sim.https();
  const auto token = sim.login();
  const auto entry = https.post("/api/Order/place", bracketed_buy(1001, 1, "m"), token).json().at("orderId").as_int64();
  auto modified = https.post("/api/Order/modify",
                             fmt::format(R"({{"accountId":1001,"orderId":{},"stopPrice":6497.5}})", entry + 1), token);
  CHECK(modified.json().at("success").as_bool());
  CHECK_FALSE(modified.json().as_object().contains("order"));
  CHECK(find_order(sim.ledger(1001), entry + 1).at("stopPrice").to_number<double>() == 6497.5);
  CHECK(find_order(sim.ledger(1001), entry + 2).at("limitPrice").to_number<double>() == 6506.0); // sibling untouched
  auto off_tick = https.post("/api/Order/modify",
                             fmt::format(R"({{"accountId":1001,"orderId":{},"stopPrice":6497.3}})", entry + 1), token);
  CHECK(off_tick.json().at("errorCode").as_int64() == 3);
  auto cancelled =
      https.post("/api/Order/cancel", fmt::format(R"({{"accountId":1001,"orderId":{}}})", entry + 1), token);
  CHECK(cancelled.json().at("success").as_bool());
  auto twice = https.post("/api/Order/cancel", fmt::format(R"({{"accountId":1001,"orderId":{}}})", entry + 1), token);
  CHECK_FALSE(twice.json().at("success").as_bool());
  auto unknown = https.post("/api/Order/cancel", R"({"accountId":1001,"orderId":1})", token).json();
  CHECK(unknown.at("errorCode").as_int64() == 2); // OrderNotFound
}

TEST_CASE("Order/search and Trade/search need startTimestamp; a misspelt name finds nothing", "[sim][rest]") {
  sim_process sim;
  auto https = sim.https();
  const auto token = sim.login();
  https.post("/api/Order/place", bracketed_buy(1001, 1, "s"), token);
  auto found =
      https.post("/api/Order/search", R"({"accountId":1001,"startTimestamp":"2020-01-01T00:00:00Z"})", token).json();
  CHECK(found.at("orders").as_array().size() == 3); // entry and two armed legs
  auto misspelt =
      https.post("/api/Order/search", R"({"accountId":1001,"startTime":"2020-01-01T00:00:00Z"})", token).json();
  CHECK(misspelt.at("success").as_bool());
  CHECK(misspelt.at("orders").as_array().empty());
  auto trades =
      https.post("/api/Trade/search", R"({"accountId":1001,"startTimestamp":"2020-01-01T00:00:00+00:00"})", token)
          .json();
  CHECK(trades.at("trades").as_array().size() == 1);
}

TEST_CASE("bodies that do not bind are 400; unknown paths 404; oversized bodies 413", "[sim][rest][B9]") {
  sim_process sim;
  auto https = sim.https();
  const auto token = sim.login();
  CHECK(https
            .post("/api/Order/place",
                  R"({"accountId":1001,"contractId":"CON.F.US.MES.U26","type":"Market","side":0,"size":1})", token)
            .status == 400);
  CHECK(https.post("/api/Order/place", "[1,2]", token).status == 400);
  CHECK(https.post("/api/Order/place", R"({"accountId":"1001"})", token).status == 400);
  CHECK(https.post("/api/Nope", "{}", token).status == 404);
  // A body claimed larger than the cap is refused as soon as the headers are read.
  auto oversized = https.send_raw("POST /api/Order/searchOpen HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                                  token + "\r\nContent-Length: 2097152\r\n\r\n{}");
  CHECK(oversized.status == 413);
}

TEST_CASE("the rate limit answers 429, with Retry-After when switched on", "[sim][rest][B1]") {
  sim_process sim({"--rate-limit", "5/60s"});
  auto https = sim.https();
  const auto token = sim.login(); // login counts: 1
  for (int i = 0; i < 4; ++i) CHECK(https.post("/api/Order/searchOpen", R"({"accountId":1001})", token).status == 200);
  auto limited = https.post("/api/Order/searchOpen", R"({"accountId":1001})", token);
  CHECK(limited.status == 429);
  CHECK_FALSE(limited.headers.contains("retry-after"));
  sim.control("POST", "/settings", R"({"retry_after_s":7})");
  CHECK(https.post("/api/Order/searchOpen", R"({"accountId":1001})", token).headers["retry-after"] == "7");
  CHECK(sim.control("GET", "/stats").json().at("throttled").as_int64() == 2);
  // Another user has a budget of its own (scope: user).
  const auto other = sim.login("follower_user", "follower-key");
  CHECK(https.post("/api/Order/searchOpen", R"({"accountId":2001})", other).status == 200);
}

TEST_CASE("REST faults: status, business error, process-then-drop, truncate, reset, delay",
          "[sim][rest][faults][B3][B4][B6]") {
  sim_process sim;
  auto https = sim.https();
  const auto token = sim.login();
  sim.control("POST", "/fault/rest", R"({"path":"/api/Order/place","kind":"status","status":503})");
  CHECK(https.post("/api/Order/place", bracketed_buy(1001, 1, "f1"), token).status == 503);
  CHECK(sim.ledger(1001).at("orders").as_array().empty()); // not processed

  sim.control("POST", "/fault/rest",
              R"({"path":"/api/Order/place","kind":"business_error","error_code":4,"message":"Daily loss limit"})");
  auto violation = https.post("/api/Order/place", bracketed_buy(1001, 1, "f2"), token).json();
  CHECK(violation.at("errorCode").as_int64() == 4);
  CHECK(violation.at("errorMessage").as_string() == "Daily loss limit");

  sim.control("POST", "/fault/rest", R"({"path":"/api/Order/place","kind":"drop_response"})");
  auto dropped = https.post("/api/Order/place", bracketed_buy(1001, 1, "f3"), token);
  CHECK(dropped.connection_closed);
  CHECK(sim.ledger(1001).at("orders").as_array().size() == 3); // processed: the order exists (B4)

  sim.control("POST", "/fault/rest", R"({"path":"/api/Order/searchOpen","kind":"truncate"})");
  auto truncated = https.post("/api/Order/searchOpen", R"({"accountId":1001})", token);
  CHECK(truncated.connection_closed);

  sim.control("POST", "/fault/rest", R"({"path":"*","kind":"reset"})");
  CHECK(https.post("/api/Order/searchOpen", R"({"accountId":1001})", token).connection_closed);

  sim.control("POST", "/fault/rest", R"({"path":"/api/Order/searchOpen","kind":"delay","delay_ms":300})");
  const auto start = std::chrono::steady_clock::now();
  CHECK(https.post("/api/Order/searchOpen", R"({"accountId":1001})", token).status == 200);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(300));
  CHECK(https.post("/api/Order/searchOpen", R"({"accountId":1001})", token).status == 200); // faults are one-shot
}

TEST_CASE("REST faults: only the named account or user; a verbatim body, processed or not",
          "[sim][rest][faults][B8][B9][C4]") {
  sim_process sim;
  auto https = sim.https();
  const auto token = sim.login();
  const auto other = sim.login("follower_user", "follower-key");
  sim.control("POST", "/fault/rest", R"({"path":"/api/Order/searchOpen","kind":"status","status":503,"account":2001})");
  CHECK(https.post("/api/Order/searchOpen", R"({"accountId":1001})", token).status == 200); // another account
  CHECK(https.post("/api/Order/searchOpen", R"({"accountId":2001})", other).status == 503);

  sim.control("POST", "/fault/rest",
              R"({"path":"/api/Auth/loginKey","kind":"business_error","error_code":3,"username":"follower_user"})");
  CHECK(https.post("/api/Auth/loginKey", R"({"userName":"leader_user","apiKey":"leader-key"})")
            .json()
            .at("success")
            .as_bool());
  CHECK_FALSE(https.post("/api/Auth/loginKey", R"({"userName":"follower_user","apiKey":"follower-key"})")
                  .json()
                  .at("success")
                  .as_bool());

  sim.control(
      "POST", "/fault/rest",
      R"({"path":"/api/Order/place","kind":"body","process":true,"body":"{\"success\":true,\"errorCode\":0}"})");
  auto no_id = https.post("/api/Order/place", bracketed_buy(1001, 1, "b8"), token);
  CHECK(no_id.body == R"({"success":true,"errorCode":0})");
  CHECK(sim.ledger(1001).at("orders").as_array().size() == 3); // processed (B8)

  sim.control("POST", "/fault/rest",
              R"({"path":"/api/Position/searchOpen","kind":"body","body":"{\"positions\":NaN}"})");
  CHECK(https.post("/api/Position/searchOpen", R"({"accountId":1001})", token).body == R"({"positions":NaN})");

  sim.control("POST", "/fault/rest", R"({"path":"*","kind":"status","status":503,"count":100})");
  sim.control("POST", "/fault/clear", "{}");
  CHECK(https.post("/api/Order/searchOpen", R"({"accountId":1001})", token).status == 200);
}

TEST_CASE("order fault reject_market: accepted with an id, then rejected unfilled", "[sim][rest][faults][B13]") {
  sim_process sim;
  auto https = sim.https();
  const auto token = sim.login();
  sim.control("POST", "/fault/order", R"({"reject_market":true})");
  auto placed = https.post("/api/Order/place", bracketed_buy(1001, 2, "r"), token).json();
  REQUIRE(placed.at("success").as_bool());
  const auto& o = find_order(sim.ledger(1001), placed.at("orderId").as_int64());
  CHECK(o.at("status").as_int64() == 5);
  CHECK(o.at("fillVolume").as_int64() == 0);
  CHECK(sim.ledger(1001).at("positions").as_array().empty());
  CHECK(https.post("/api/Order/searchOpen", R"({"accountId":1001})", token).json().at("orders").as_array().empty());
}

TEST_CASE("order faults: a skipped bracket leg and a partial fill", "[sim][rest][faults][B12][B14]") {
  sim_process sim;
  auto https = sim.https();
  const auto token = sim.login();
  sim.control("POST", "/fault/order", R"({"skip_legs":1})");
  https.post("/api/Order/place", bracketed_buy(1001, 1, "k"), token);
  auto open = https.post("/api/Order/searchOpen", R"({"accountId":1001})", token).json();
  REQUIRE(open.at("orders").as_array().size() == 1);
  CHECK(open.at("orders").as_array()[0].at("customTag").as_string() == "k-TP");

  sim.control("POST", "/fault/order", R"({"partial_fill":1})");
  const auto id =
      https
          .post("/api/Order/place",
                R"({"accountId":1001,"contractId":"CON.F.US.MES.U26","type":2,"side":0,"size":3,"customTag":"p"})",
                token)
          .json()
          .at("orderId")
          .as_int64();
  const auto& o = find_order(sim.ledger(1001), id);
  CHECK(o.at("fillVolume").as_int64() == 1);
  CHECK(o.at("status").as_int64() == 3);
  CHECK(sim.ledger(1001).at("positions").as_array()[0].at("size").as_int64() == 2);
}

TEST_CASE("the control API acts as an account and logs requests with monotonic times", "[sim][control]") {
  sim_process sim;
  auto r = sim.control(
      "POST", "/act",
      R"({"account":1001,"op":"place","contract_id":"CON.F.US.MES.U26","side":0,"size":2,"sl_ticks":-16,"tp_ticks":24,"custom_tag":"lead_1"})");
  REQUIRE(r.status == 200);
  CHECK(r.json().at("errorCode").as_int64() == 0);
  CHECK(sim.ledger(1001).at("positions").as_array().size() == 1);
  CHECK(sim.control("POST", "/act", R"({"account":1001,"op":"close","contract_id":"CON.F.US.MES.U26"})")
            .json()
            .at("errorCode")
            .as_int64() == 0);
  CHECK(sim.control("POST", "/act", R"({"account":1001,"op":"bogus"})").status == 400);
  CHECK(sim.control("POST", "/fault/hub", R"({"kind":"nope"})").status == 400);
  CHECK(sim.control("GET", "/nowhere").status == 404);

  auto https = sim.https();
  const auto token = sim.login();
  https.post("/api/Order/searchOpen", R"({"accountId":1001})", token);
  auto log = sim.control("GET", "/log").json().at("entries").as_array();
  REQUIRE(log.size() >= 2);
  CHECK(log.back().at("what").as_string() == "/api/Order/searchOpen");
  CHECK(log.back().at("t_ns").as_int64() >= log.front().at("t_ns").as_int64());
}

TEST_CASE("the simulator refuses a non-loopback address", "[sim]") {
  temp_dir dir;
  dir.write("world.json", R"({"users":[],"accounts":[]})");
  child_process p(PROJECTX_SIM_PATH, {"--world", (dir.path() / "world.json").string(), "--listen", "0.0.0.0"}, {},
                  dir.path() / "out.log");
  CHECK(p.wait_exit(std::chrono::seconds(20)) == 64);
  CHECK_THAT(read_file(dir.path() / "out.log"), Contains("non-loopback"));
}

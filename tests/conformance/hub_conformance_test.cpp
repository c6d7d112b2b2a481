// projectx-sim's user hub against projectx-api.md section 6, with raw WebSocket frames.

#include "hub_leader.hpp"
#include "projectx/models.hpp"
#include "support/raw_client.hpp"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <thread>

using namespace copytrader::testing;
using Catch::Matchers::Contains;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

// Invocation records only (pings skipped), as (target, action, data).
struct event {
  std::string target;
  std::int64_t action;
  json::object data;
};

std::vector<event> events(raw_hub& hub, std::size_t count, std::chrono::milliseconds timeout = 5s) {
  std::vector<event> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    auto batch = hub.records(
        1, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    if (batch.empty()) break;
    const auto& r = batch[0];
    if (!r.is_object() || r.at("type").as_int64() != 1) continue;
    const auto& args = r.at("arguments").as_array();
    const json::object arg = args.empty() ? json::object{} : args[0].as_object();
    out.push_back(event{std::string(r.at("target").as_string()),
                        arg.contains("action") ? arg.at("action").as_int64() : -1,
                        arg.contains("data") ? arg.at("data").as_object() : arg});
  }
  return out;
}

} // namespace

TEST_CASE("hub handshake: {} after the protocol request; bytes without a bearer are refused", "[sim][hub][A7]") {
  sim_process sim;
  raw_hub hub(sim.port, sim.ca_pem, sim.login());
  hub.send(R"({"protocol":"json","version":1})" + rs);
  auto reply = hub.read(5s);
  REQUIRE(reply);
  CHECK(*reply == "{}" + rs);
  CHECK_THROWS(raw_hub(sim.port, sim.ca_pem, "not-a-token")); // the upgrade is answered 401
}

TEST_CASE("a bracketed entry on the hub, event by event, in the live envelope", "[sim][hub][brackets]") {
  sim_process sim;
  sim.control("POST", "/price", R"({"contract_id":"CON.F.US.MES.U26","price":6500})");
  raw_hub hub(sim.port, sim.ca_pem, sim.login());
  hub.open(leader_topics);
  leader_buy(sim, 2);
  auto e = events(hub, 8);
  REQUIRE(e.size() == 8);
  // Entry pending, two suspended legs without prices, entry filled, the trade, the position, the legs armed.
  CHECK(e[0].target == "GatewayUserOrder");
  CHECK(e[0].action == 1);
  CHECK(e[0].data.at("status").as_int64() == 6);
  CHECK_FALSE(e[0].data.contains("limitPrice")); // nulls omitted on the stream
  CHECK(e[1].data.at("status").as_int64() == 8);
  CHECK_FALSE(e[1].data.contains("stopPrice"));
  CHECK(e[2].data.at("status").as_int64() == 8);
  CHECK(e[3].data.at("status").as_int64() == 2);
  CHECK(e[3].data.at("fillVolume").as_int64() == 2);
  CHECK(e[4].target == "GatewayUserTrade");
  CHECK(e[4].action == 0);
  CHECK(e[4].data.at("id").as_int64() > 2147483647);
  CHECK(e[4].data.at("price").as_int64() == 6500); // integral prices print as 6500, as live
  CHECK(e[5].target == "GatewayUserPosition");
  CHECK(e[5].data.at("type").as_int64() == 1);
  CHECK(e[6].data.at("status").as_int64() == 1);
  CHECK(e[6].data.at("stopPrice").to_number<double>() == 6496.0);
  CHECK(e[7].data.at("limitPrice").to_number<double>() == 6506.0);
  const std::string stamp(e[0].data.at("creationTimestamp").as_string());
  CHECK(stamp.size() == std::string("2026-08-19T20:49:25.3938333+00:00").size()); // 7 fractional digits
}

TEST_CASE("a flat position arrives as action 2 with type 0 and size 0", "[sim][hub]") {
  sim_process sim;
  raw_hub hub(sim.port, sim.ca_pem, sim.login());
  hub.open({{"SubscribePositions", 1001}});
  leader_buy(sim, 1, "");
  sim.control("POST", "/act", R"({"account":1001,"op":"close","contract_id":"CON.F.US.MES.U26"})");
  auto e = events(hub, 2);
  REQUIRE(e.size() == 2);
  CHECK(e[1].action == 2);
  CHECK(e[1].data.at("type").as_int64() == 0);
  CHECK(e[1].data.at("size").as_int64() == 0);
}

TEST_CASE("bare entities when the envelope switch is off", "[sim][hub][A15]") {
  sim_process sim;
  sim.control("POST", "/switch", R"({"wrap_events":false})");
  raw_hub hub(sim.port, sim.ca_pem, sim.login());
  hub.open({{"SubscribeTrades", 1001}});
  leader_buy(sim, 1, "");
  auto e = events(hub, 1);
  REQUIRE(e.size() == 1);
  CHECK(e[0].action == -1);
  CHECK(e[0].data.at("size").as_int64() == 1);
}

TEST_CASE("several records in one frame and a record split across frames are both understood", "[sim][hub][A13]") {
  sim_process sim;
  raw_hub hub(sim.port, sim.ca_pem, sim.login());
  hub.send(R"({"protocol":"json","version":1})" + rs +
           R"({"type":1,"invocationId":"1","target":"SubscribeOrders","arguments":[1001]})" + rs);
  hub.send(R"({"type":1,"invocationId":"2","target":"Subscri)");
  hub.send(R"(beTrades","arguments":[1001]})" + rs);
  auto r = hub.records(3, 5s);
  REQUIRE(r.size() == 3);
  CHECK(r[0].as_object().empty());
  CHECK(r[1].at("invocationId").as_string() == "1");
  CHECK(r[2].at("invocationId").as_string() == "2");
}

TEST_CASE("subscribing to another user's account completes with an error", "[sim][hub]") {
  sim_process sim;
  raw_hub hub(sim.port, sim.ca_pem, sim.login());
  hub.open({});
  hub.send(R"({"type":1,"invocationId":"9","target":"SubscribeOrders","arguments":[2001]})" + rs);
  auto r = hub.records(1, 5s);
  REQUIRE(r.size() == 1);
  CHECK(r[0].at("type").as_int64() == 3);
  CHECK(r[0].as_object().contains("error"));
}

TEST_CASE("pings arrive at the configured interval", "[sim][hub]") {
  sim_process sim({"--ping-interval", "100ms"});
  raw_hub hub(sim.port, sim.ca_pem, sim.login());
  hub.open({});
  auto r = hub.records(2, 5s);
  REQUIRE(r.size() == 2);
  CHECK(json::serialize(r[0]) == R"({"type":6})");
}

TEST_CASE("no snapshot on subscribe, no replay after a reconnect", "[sim][hub][A2]") {
  sim_process sim;
  leader_buy(sim, 1, ""); // a position exists before anyone listens
  {
    raw_hub hub(sim.port, sim.ca_pem, sim.login());
    hub.open(leader_topics);
    CHECK(events(hub, 1, 300ms).empty());
  }
  leader_buy(sim, 1, ""); // while nobody is connected
  raw_hub again(sim.port, sim.ca_pem, sim.login());
  again.open(leader_topics);
  CHECK(events(again, 1, 300ms).empty());
  leader_buy(sim, 1, "");
  CHECK(events(again, 1).size() == 1);
}

TEST_CASE("hub faults: drop, duplicate, reorder, corrupt", "[sim][hub][faults][A5][A11][D1][D2]") {
  sim_process sim;
  raw_hub hub(sim.port, sim.ca_pem, sim.login());
  hub.open({{"SubscribeTrades", 1001}});

  sim.control("POST", "/fault/hub", R"({"kind":"drop","target":"GatewayUserTrade","count":1})");
  leader_buy(sim, 1, "");
  CHECK(events(hub, 1, 300ms).empty());

  // `after`: the first goes through, the next is lost.
  sim.control("POST", "/fault/hub", R"({"kind":"drop","target":"GatewayUserTrade","after":1,"count":1})");
  leader_buy(sim, 3, "");
  leader_buy(sim, 4, "");
  leader_buy(sim, 5, "");
  auto kept = events(hub, 2);
  REQUIRE(kept.size() == 2);
  CHECK(kept[0].data.at("size").as_int64() == 3);
  CHECK(kept[1].data.at("size").as_int64() == 5);
  const auto refused = sim.control("POST", "/fault/hub", R"({"kind":"drop","after":-1})");
  CHECK(refused.status == 400);
  CHECK_THAT(refused.body, Catch::Contains("after"));

  sim.control("POST", "/fault/hub", R"({"kind":"duplicate","target":"GatewayUserTrade","count":1})");
  leader_buy(sim, 1, "");
  auto twice = events(hub, 2);
  REQUIRE(twice.size() == 2);
  CHECK(twice[0].data.at("id") == twice[1].data.at("id"));

  sim.control("POST", "/fault/hub", R"({"kind":"reorder","count":1})");
  leader_buy(sim, 1, "");
  leader_buy(sim, 2, "");
  auto swapped = events(hub, 2);
  REQUIRE(swapped.size() == 2);
  CHECK(swapped[0].data.at("size").as_int64() == 2);
  CHECK(swapped[1].data.at("size").as_int64() == 1);

  sim.control("POST", "/fault/hub", R"({"kind":"corrupt","count":1})");
  leader_buy(sim, 1, "");
  auto bad = hub.records(1, 5s);
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].is_string()); // the raw client marks what it could not parse
}

TEST_CASE("hub faults: close message, FIN, RST, GatewayLogout, oversized frame",
          "[sim][hub][faults][A1][A8][A9][A12]") {
  sim_process sim;
  {
    raw_hub hub(sim.port, sim.ca_pem, sim.login());
    hub.open({});
    sim.control("POST", "/fault/hub", R"({"kind":"close","mode":"message","allow_reconnect":false})");
    auto r = hub.records(1, 5s);
    REQUIRE(r.size() == 1);
    CHECK(r[0].at("type").as_int64() == 7);
    CHECK(r[0].at("allowReconnect").as_bool() == false);
  }
  for (const char* mode : {"fin", "rst"}) {
    raw_hub hub(sim.port, sim.ca_pem, sim.login());
    hub.open({});
    sim.control("POST", "/fault/hub", fmt::format(R"({{"kind":"close","mode":"{}"}})", mode));
    CHECK_FALSE(hub.read(5s));
    CHECK(hub.closed());
  }
  {
    raw_hub hub(sim.port, sim.ca_pem, sim.login());
    hub.open({});
    sim.control("POST", "/fault/hub", R"({"kind":"logout"})");
    auto e = events(hub, 1);
    REQUIRE(e.size() == 1);
    CHECK(e[0].target == "GatewayLogout");
  }
  {
    raw_hub hub(sim.port, sim.ca_pem, sim.login());
    hub.open({});
    sim.control("POST", "/fault/hub", R"({"kind":"oversize","bytes":2097152})");
    auto big = hub.read(5s);
    REQUIRE(big);
    CHECK(big->size() > 2 * 1024 * 1024);
  }
}

TEST_CASE("hub faults: forgotten subscriptions, refused handshakes, silence", "[sim][hub][faults][A4][A6][A7]") {
  sim_process sim({"--ping-interval", "100ms"});
  {
    sim.control("POST", "/fault/hub", R"({"kind":"forget_subscriptions","count":1})");
    raw_hub hub(sim.port, sim.ca_pem, sim.login());
    hub.open({{"SubscribeTrades", 1001}}); // completes normally
    leader_buy(sim, 1, "");
    CHECK(events(hub, 1, 300ms).empty());
  }
  {
    sim.control("POST", "/fault/hub", R"({"kind":"handshake_error","count":1})");
    raw_hub hub(sim.port, sim.ca_pem, sim.login());
    hub.send(R"({"protocol":"json","version":1})" + rs);
    auto r = hub.records(1, 5s);
    REQUIRE(r.size() == 1);
    CHECK(r[0].as_object().contains("error"));
  }
  {
    raw_hub hub(sim.port, sim.ca_pem, sim.login());
    hub.open({});
    sim.control("POST", "/fault/hub", R"({"kind":"silence","ms":600})");
    hub.records(100, 100ms); // what was already on its way
    auto during = hub.records(1, 400ms);
    INFO((during.empty() ? std::string() : json::serialize(during[0])));
    CHECK(during.empty());                 // no pings while silent
    CHECK(hub.records(1, 2s).size() == 1); // and they resume
  }
}

TEST_CASE("a voided trade is re-sent with voided:true", "[sim][hub][D3]") {
  sim_process sim;
  raw_hub hub(sim.port, sim.ca_pem, sim.login());
  hub.open({{"SubscribeTrades", 1001}});
  leader_buy(sim, 1, "");
  auto fill = events(hub, 1);
  REQUIRE(fill.size() == 1);
  const auto id = fill[0].data.at("id").as_int64();
  REQUIRE(sim.control("POST", "/void", fmt::format(R"({{"trade_id":{}}})", id)).status == 200);
  auto voided = events(hub, 1);
  REQUIRE(voided.size() == 1);
  CHECK(voided[0].data.at("id").as_int64() == id);
  CHECK(voided[0].data.at("voided").as_bool());
}

TEST_CASE("hub fault skew_time: the next trade events carry a moved creationTimestamp", "[sim][hub][faults][D10]") {
  sim_process sim;
  raw_hub hub(sim.port, sim.ca_pem, sim.login());
  hub.open({{"SubscribeTrades", 1001}});
  sim.control("POST", "/fault/hub", R"({"kind":"skew_time","ms":86400000,"count":1})");
  leader_buy(sim, 1, "");
  leader_buy(sim, 1, "");
  auto fills = events(hub, 2);
  REQUIRE(fills.size() == 2);
  const auto first = copytrader::projectx::parse_timestamp(fills[0].data.at("creationTimestamp").as_string());
  const auto second = copytrader::projectx::parse_timestamp(fills[1].data.at("creationTimestamp").as_string());
  REQUIRE(first);
  REQUIRE(second);
  CHECK(*first - *second > std::chrono::hours(23)); // a day ahead, then back to the venue's clock
}

TEST_CASE("a leader limit order fills in parts through the control API", "[sim][hub][A3]") {
  sim_process sim;
  raw_hub hub(sim.port, sim.ca_pem, sim.login());
  hub.open({{"SubscribeTrades", 1001}});
  auto placed = sim.control(
      "POST", "/act",
      R"({"account":1001,"op":"place","contract_id":"CON.F.US.MES.U26","type":1,"side":0,"size":3,"limit_price":6400})");
  const auto id = placed.json().at("orderId").as_int64();
  CHECK(sim.control("POST", "/act", fmt::format(R"({{"account":1001,"op":"fill","order_id":{},"size":1}})", id))
            .json()
            .at("errorCode")
            .as_int64() == 0);
  CHECK(sim.control("POST", "/act", fmt::format(R"({{"account":1001,"op":"fill","order_id":{},"size":2}})", id))
            .json()
            .at("errorCode")
            .as_int64() == 0);
  auto fills = events(hub, 2);
  REQUIRE(fills.size() == 2);
  CHECK(fills[0].data.at("size").as_int64() == 1);
  CHECK(fills[1].data.at("size").as_int64() == 2);
}

TEST_CASE("SubscribeAccounts delivers balance changes of the caller's accounts", "[sim][hub]") {
  sim_process sim;
  raw_hub hub(sim.port, sim.ca_pem, sim.login());
  hub.open({{"SubscribeAccounts", 0}});
  leader_buy(sim, 1, "");
  sim.control("POST", "/act", R"({"account":1001,"op":"close","contract_id":"CON.F.US.MES.U26"})"); // realises P&L
  auto e = events(hub, 1);
  REQUIRE(e.size() == 1);
  CHECK(e[0].target == "GatewayUserAccount");
  CHECK(e[0].data.at("id").as_int64() == 1001);
  CHECK(e[0].data.contains("balance"));
}

TEST_CASE("a client frame over the 1 MiB cap ends the connection", "[sim][hub][A12]") {
  sim_process sim;
  raw_hub hub(sim.port, sim.ca_pem, sim.login());
  hub.open({});
  bool write_failed = false;
  try {
    hub.send(std::string(2 * 1024 * 1024, ' '));
  } catch (const std::runtime_error&) {
    write_failed = true; // the server hung up as soon as the frame header said 2 MiB
  }
  if (!write_failed) CHECK_FALSE(hub.read(5s));
  CHECK((write_failed || hub.closed()));
  CHECK(sim.control("GET", "/health").status == 200); // the simulator itself carries on
}

TEST_CASE("the built-in leader trades on its own (--auto-trade)", "[sim][auto-trade]") {
  sim_process sim({"--auto-trade", "1001:CON.F.US.MES.U26", "--auto-trade-step", "20ms"});
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::size_t trades = 0;
  while (std::chrono::steady_clock::now() < deadline && trades < 6) {
    std::this_thread::sleep_for(50ms);
    trades = sim.ledger(1001).at("trades").as_array().size();
  }
  CHECK(trades >= 6); // entry, scale-in, partial exit, reversal, flat...
  bool bracketed = false;
  const auto ledger = sim.ledger(1001);
  for (const auto& o : ledger.at("orders").as_array()) {
    bracketed = bracketed || o.at("parentOrderId").is_int64();
  }
  CHECK(bracketed);
}

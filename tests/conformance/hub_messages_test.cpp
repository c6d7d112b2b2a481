// How projectx-sim's hub packs records into WebSocket messages (switch coalesce_records), and how
// its log names the frames of one fill.

#include "hub_leader.hpp"
#include "support/raw_client.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

using namespace copytrader::testing;
using namespace std::chrono_literals;

TEST_CASE("the records of one fill go out as one message; one each with coalesce_records off", "[sim][hub][A13]") {
  const bool coalesce = GENERATE(true, false);
  CAPTURE(coalesce);
  sim_process sim;
  if (!coalesce) REQUIRE(sim.control("POST", "/switch", R"({"coalesce_records":false})").status == 200);
  raw_hub hub(sim.port, sim.ca_pem, sim.login());
  hub.open(leader_topics);
  leader_buy(sim, 1);

  // Entry pending, two suspended legs, entry filled, the trade, the position, the legs armed.
  std::vector<long> records_per_message;
  long records = 0;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (records < 8 && std::chrono::steady_clock::now() < deadline) {
    const auto message = hub.read(1s);
    if (!message) break;
    if (message->find(R"("type":1,)") == std::string::npos) continue; // a ping
    const long in_this = std::count(message->begin(), message->end(), rs[0]);
    records_per_message.push_back(in_this);
    records += in_this;
  }
  REQUIRE(records == 8);
  if (coalesce)
    CHECK(records_per_message == std::vector<long>{8});
  else
    CHECK(records_per_message == std::vector<long>(8, 1));
}

TEST_CASE("every frame of a fill carries the fill's trade id in the simulator's log", "[sim][hub]") {
  sim_process sim;
  raw_hub hub(sim.port, sim.ca_pem, sim.login());
  hub.open(leader_topics);
  leader_buy(sim, 1, ""); // entry pending, entry filled, the trade, the position
  const auto records = hub.records(4, 5s);
  REQUIRE(records.size() == 4);
  const auto& trade = records[2].at("arguments").as_array().at(0).at("data");
  const auto trade_id = trade.at("id").as_int64();

  std::vector<std::pair<std::string, std::int64_t>> frames; // what, trade_id (0: none)
  const auto log = sim.control("GET", "/log").json();
  for (const auto& v : log.at("entries").as_array()) {
    const auto& e = v.as_object();
    if (e.at("kind").as_string() != "hub") continue;
    const auto* id = e.if_contains("trade_id");
    frames.emplace_back(std::string(e.at("what").as_string()), id != nullptr ? id->as_int64() : 0);
  }
  const std::vector<std::pair<std::string, std::int64_t>> expected = {{"GatewayUserOrder", 0},
                                                                      {"GatewayUserOrder", trade_id},
                                                                      {"GatewayUserTrade", trade_id},
                                                                      {"GatewayUserPosition", trade_id}};
  CHECK(frames == expected);
}

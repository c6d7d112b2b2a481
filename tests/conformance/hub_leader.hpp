#pragma once
// What the hub conformance tests share: the record separator, the leader's subscriptions and its
// market buy through the control API.

#include "signalr/record_framer.hpp"
#include "support/raw_client.hpp"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace copytrader::testing {

inline const std::string rs(1, signalr::record_separator);

inline const std::vector<std::pair<std::string, std::int64_t>> leader_topics = {
    {"SubscribeOrders", 1001}, {"SubscribePositions", 1001}, {"SubscribeTrades", 1001}};

inline void leader_buy(const sim_process& sim, int size, std::string_view extra = R"(,"sl_ticks":-16,"tp_ticks":24)") {
  auto r = sim.control(
      "POST", "/act",
      fmt::format(R"({{"account":1001,"op":"place","contract_id":"CON.F.US.MES.U26","side":0,"size":{}{}}})", size,
                  extra));
  REQUIRE(r.json().at("errorCode").as_int64() == 0);
}

} // namespace copytrader::testing

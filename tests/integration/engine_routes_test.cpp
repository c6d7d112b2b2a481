// contract_map by symbol ({MES: ES}) against the simulator: resolved at the preflight, the leader's
// month followed through the quarterly roll without a reload, and a month the follower's product does
// not list never traded.

#include "control/reports.hpp"
#include "integration/engine_fixture.hpp"
#include "support/log_capture.hpp"
#include "support/printers.hpp"

#include <fmt/format.h>

#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::testing;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view mes_z26 = "CON.F.US.MES.Z26";
constexpr std::string_view es_z26 = "CON.F.US.EP.Z26";

// A month listed at the venue, as the exchange lists the next quarter before the roll.
void list_month(const engine_fixture& fx, std::string_view id, std::string_view name, double tick_value) {
  fx.control("/contract", fmt::format(R"({{"id":"{}","name":"{}","tick_size":0.25,"tick_value":{},"price":6500}})", id,
                                      name, tick_value));
}

} // namespace

TEST_CASE("contract_map by symbol: MES onto ES in the leader's month, through the roll without a reload",
          "[engine][mapping][roll]") {
  log_capture log;
  engine_fixture fx(follower_entry("es", 2001, "    bracket: fixed\n    contract_map: {MES: ES}\n"));
  fx.start();
  const auto& follower = *fx.engine->followers().front();
  REQUIRE_FALSE(follower.disabled_reason());
  CHECK(log.count("contract_map symbol ES is product EP at the venue") == 1); // the product code is not the ticker

  fx.leader_market(2);
  REQUIRE(fx.settle({{2001, 2}}, es));
  CHECK(fx.position(2001, mes) == 0);
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}, es));

  // The roll: the next quarter is listed and the old one expires; the leader moves to it.
  list_month(fx, mes_z26, "MESZ6", 1.25);
  list_month(fx, es_z26, "ESZ6", 12.5);
  fx.control("/contract", R"({"id":"CON.F.US.EP.U26","active":false})");
  fx.leader_market(3, std::nullopt, std::nullopt, {}, mes_z26);
  REQUIRE(fx.settle({{2001, 3}}, es_z26));
  CHECK(fx.position(2001, es) == 0);
  CHECK(log.count("follower es: copying onto CON.F.US.EP.Z26 from now on") == 1);
  CHECK(follower.unmapped_held().empty());
  fx.leader_close(mes_z26);
  REQUIRE(fx.settle({{2001, 0}}, es_z26));
  CHECK(fx.tags_unique(2001));
}

TEST_CASE("contract_map by symbol: a month the follower's product does not list is never sent, and is shown",
          "[engine][mapping][roll]") {
  log_capture log;
  engine_fixture fx(follower_entry("es", 2001, "    bracket: fixed\n    contract_map: {MES: ES}\n"));
  fx.start();
  const auto& follower = *fx.engine->followers().front();
  list_month(fx, mes_z26, "MESZ6", 1.25); // the leader's product lists it; ES Z26 is not listed
  fx.leader_market(1, std::nullopt, std::nullopt, {}, mes_z26);
  REQUIRE(fx.run_until([&] { return !follower.unmapped_held().empty(); }));
  CHECK(follower.unmapped_held().front() == mes_z26);
  fx.run_for(500ms);
  CHECK(fx.orders(2001) == 0); // not even a refused order
  CHECK(log.count("follower es: contract CON.F.US.EP.Z26 (from its contract_map by symbol) is not listed") == 1);
  CHECK(log.count("follower es: the leader holds CON.F.US.MES.Z26, which its contract_map does not map") == 1);
  fx.leader_close(mes_z26);

  fx.leader_market(1); // U26, listed for both: still copied
  REQUIRE(fx.settle({{2001, 1}}, es));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}, es));
}

TEST_CASE("contract_map by symbol: a symbol the venue does not list disables the follower with the fix",
          "[engine][mapping][preflight]") {
  engine_fixture fx(follower_entry("es", 2001, "    bracket: fixed\n    contract_map: {MES: ZZ}\n") +
                    follower_entry("ok", 2002, "    bracket: fixed\n"));
  fx.start();
  const auto followers = fx.engine->followers();
  REQUIRE(followers.front()->disabled_reason());
  CHECK_THAT(*followers.front()->disabled_reason(),
             Catch::Contains("contract_map: symbol ZZ names no active contract") &&
                 Catch::Contains("copytraderd --contracts ZZ"));
  fx.leader_market(1);
  REQUIRE(fx.settle({{2002, 1}}));
  CHECK(fx.orders(2001) == 0);
  fx.leader_close();
  REQUIRE(fx.settle({{2002, 0}}));
}

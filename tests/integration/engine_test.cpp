// The copy engine end to end against projectx-sim: each copy rule of design.md section 3, checked
// in the simulator's ledger afterwards (positions at their targets, one accepted order per tag,
// every open follower position protected by legs that fit it).

#include "integration/engine_fixture.hpp"
#include "support/printers.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace copytrader;
using namespace copytrader::testing;
using namespace std::chrono_literals;

namespace {

std::string follower(std::string_view name, int account, std::string_view rules) {
  return fmt::format("  - name: {}\n    username: follower_user\n    api_key_file: follower.key\n    account_id: {}\n{}",
                     name, account, rules);
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
}

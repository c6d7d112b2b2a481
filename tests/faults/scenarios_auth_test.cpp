// The fault-scenario catalogue, faults.md 2.3 C: authentication and tokens. One test case per id the simulator
// can produce, each ending with the invariants I1-I6 (fault_harness::check).

#include "faults/fault_harness.hpp"
#include "support/printers.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <filesystem>

using namespace copytrader;
using namespace copytrader::testing;
using namespace std::chrono_literals;

TEST_CASE("C1: tokens that live 4 s; refreshed ahead of expiry, copying never stops", "[fault][C1]") {
  fault_harness h(standard_followers(), {}, {"--token-lifetime", "4s"});
  h.fx.start();
  ++totals().faults;
  h.open_bracketed(1);
  h.fx.run_for(5s);
  h.fx.leader_market(1);
  h.check("");
}

TEST_CASE("C7: every token of the follower login revoked; logs in again, the copy goes once", "[fault][C7][C3]") {
  fault_harness h;
  h.fx.start();
  h.inject("/expire_tokens", R"({"username":"follower_user"})");
  h.open_bracketed(2);
  h.check("");
}

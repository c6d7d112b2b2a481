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

TEST_CASE("C7: every token of the follower login revoked as the leader fills; one new login, the copy goes once",
          "[fault][C7][C3][C2]") {
  fault_harness h;
  h.fx.start();
  const auto logins = h.fx.count_user_log("/api/Auth/loginKey", "follower_user");
  h.inject("/expire_tokens", R"({"username":"follower_user"})");
  h.open_bracketed(2);
  h.check("");
  CHECK(h.fx.count_user_log("/api/Auth/loginKey", "follower_user") == logins + 1); // C2: one refresh, then place
}

namespace {

// The leader's login also holds a follower account (1002): its copies must not fail with the other login.
follower_spec on_leader_login() {
  return {"mine", 1002, "    size_ratio: 1.0\n    bracket: fixed\n    sl_ticks: 16\n    tp_ticks: 24\n", true,
          "leader_user"};
}

} // namespace

TEST_CASE("C4: a follower login refused (InvalidCredentials); that login is isolated, no hot retry, others copy",
          "[fault][C4][own_login]") {
  fault_harness h({one_follower().front(), on_leader_login()});
  h.inject("/fault/rest", R"({"path":"/api/Auth/loginKey","username":"follower_user","kind":"business_error",)"
                          R"("error_code":3,"count":1000})");
  h.fx.start();
  const auto attempts_before = h.fx.count_user_log("/api/Auth/loginKey", "follower_user");
  h.open_bracketed(2);
  h.fx.run_for(10s);
  // Refused logins back off (at least a second, growing): a handful in 10 s, not a loop.
  CHECK(h.fx.count_user_log("/api/Auth/loginKey", "follower_user") - attempts_before <= 6);
  CHECK(h.fx.orders(2001) == 0);
  h.check("InvalidCredentials", 20s, {2001}, {"follower_user"});
}

TEST_CASE("C4: the leader's login refused (ApiKeyAuthenticationDisabled); nothing is copied until it logs in",
          "[fault][C4]") {
  fault_harness h;
  h.inject("/fault/rest", fmt::format(R"({{"path":"/api/Auth/loginKey","username":"{}","kind":"business_error",)"
                                      R"("error_code":10,"count":2}})",
                                      leader_login()));
  h.fx.act(R"({"account":1001,"op":"place","contract_id":"CON.F.US.MES.U26","side":0,"size":2,"type":2})");
  h.fx.start(false);
  h.fx.run_for(3s);
  CHECK_FALSE(h.fx.engine->context().leader_ready); // halted: fail closed
  CHECK(h.fx.orders(2001) == 0);
  CHECK(h.fx.orders(2002) == 0);
  // The refusals end; the next attempt logs in and the leader's position is handled under on_start.
  REQUIRE(h.fx.run_until([&] { return h.fx.engine->context().leader_ready; }, 30s));
  h.fx.leader_close();
  h.open_bracketed(1);
  h.check("ApiKeyAuthenticationDisabled");
}

TEST_CASE("C5: the hub reconnects after the tokens died; the upgrade carries the new token, no 401 loop",
          "[fault][C5]") {
  fault_harness h;
  h.fx.start();
  h.inject("/expire_tokens", fmt::format(R"({{"username":"{}"}})", leader_login()));
  h.inject("/fault/hub", R"({"kind":"close","mode":"fin"})");
  h.open_bracketed(2);
  h.check("");
  CHECK(h.fx.count_user_log("/hubs/user", leader_login(), 101u) >= 2);
  CHECK(h.fx.count_user_log("/hubs/user", "", 401u) <= 1); // at most the one try with the dead token
}

TEST_CASE("C6: 16 followers on one login meet 401 at once; one login (single flight), each copy once",
          "[fault][C6][own_login]") {
  std::string accounts;
  std::vector<follower_spec> many;
  for (int i = 0; i < 16; ++i) {
    accounts += fmt::format(R"(,{{"id":{},"username":"follower_user"}})", 2101 + i);
    many.push_back({fmt::format("f{}", i), 2101 + i, "    size_ratio: 1.0\n    bracket: fixed\n", true});
  }
  const std::string world = R"({"users":[{"username":"leader_user","api_key":"leader-key"},)"
                            R"({"username":"follower_user","api_key":"follower-key"}],)"
                            R"("accounts":[{"id":1001,"username":"leader_user"})" +
                            accounts + "]}";
  fault_harness h(many, "safety:\n  max_followers: 16\n", {}, world);
  h.fx.start();
  const auto logins = h.fx.count_user_log("/api/Auth/loginKey", "follower_user");
  h.inject("/expire_tokens", R"({"username":"follower_user"})");
  h.open_bracketed(1);
  h.check("", 30s);
  CHECK(h.fx.count_user_log("/api/Auth/loginKey", "follower_user") == logins + 1);
}

// plan_roster: after a reload every account is managed by exactly one session (issue: a rename made
// two sessions trade one account).

#include "engine/follower_roster.hpp"

#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::engine;

namespace {

follower_config entry(std::string name, account_id account, std::string username = "follower_user") {
  follower_config f;
  f.name = std::move(name);
  f.account = account;
  f.login.username = std::move(username);
  return f;
}

config with(std::vector<follower_config> followers) {
  config c;
  c.file = "copytrader.yaml";
  c.followers = std::move(followers);
  return c;
}

running_follower session(std::string name, account_id account, bool settled, bool retiring = false,
                         std::string username = "follower_user") {
  return {std::move(name), account, std::move(username), retiring, settled};
}

std::vector<std::string> describe(const std::vector<roster_step>& steps) {
  std::vector<std::string> out;
  for (const auto& s : steps) {
    std::string text(to_string(s.change));
    if (s.session) text += " s" + std::to_string(*s.session);
    if (s.entry) text += " e" + std::to_string(*s.entry);
    out.push_back(text);
  }
  return out;
}

using steps = std::vector<std::string>;

} // namespace

TEST_CASE("roster: the same follower is kept; a new account is added", "[roster]") {
  auto plan = plan_roster({session("es", 2002, true)}, with({entry("es", 2002), entry("nq", 2003)}));
  REQUIRE(plan.has_value());
  CHECK(describe(*plan) == steps{"keep s0 e0", "add e1"});
}

TEST_CASE("roster: a rename hands the account to the same session, flat or not", "[roster]") {
  for (bool settled : {true, false}) {
    auto plan = plan_roster({session("es", 2002, settled)}, with({entry("es2", 2002)}));
    REQUIRE(plan.has_value());
    CHECK(describe(*plan) == steps{"rename s0 e0"}); // never a second session for 2002
  }
}

TEST_CASE("roster: two accounts swapping names stay one session each", "[roster]") {
  auto plan =
      plan_roster({session("a", 2001, false), session("b", 2002, false)}, with({entry("a", 2002), entry("b", 2001)}));
  REQUIRE(plan.has_value());
  CHECK(describe(*plan) == steps{"rename s1 e0", "rename s0 e1"});
}

TEST_CASE("roster: a removed follower retires while it holds something and ends at once when it does not", "[roster]") {
  auto plan = plan_roster({session("holding", 2001, false), session("flat", 2002, true)}, with({}));
  REQUIRE(plan.has_value());
  CHECK(describe(*plan) == steps{"end s1", "retire s0"});
}

TEST_CASE("roster: a retiring session ends once flat, and is revived when its account comes back", "[roster]") {
  auto gone = plan_roster({session("old", 2001, true, true)}, with({}));
  REQUIRE(gone.has_value());
  CHECK(describe(*gone) == steps{"end s0"});
  auto still = plan_roster({session("old", 2001, false, true)}, with({}));
  REQUIRE(still.has_value());
  CHECK(still->empty()); // still retiring, nothing to do
  auto back = plan_roster({session("old", 2001, false, true)}, with({entry("new", 2001)}));
  REQUIRE(back.has_value());
  CHECK(describe(*back) == steps{"revive s0 e0"});
}

TEST_CASE("roster: an account moved to another login is refused while it holds something", "[roster]") {
  auto refused = plan_roster({session("es", 2002, false)}, with({entry("es", 2002, "other_user")}));
  REQUIRE_FALSE(refused.has_value());
  const config_errors errors = refused.error(); // error() returns a copy
  REQUIRE(errors.items.size() == 1);
  const auto& d = errors.items.front();
  CHECK(d.key == "followers[0].username");
  CHECK_THAT(d.reason, Catch::Contains("account 2002 moves from login follower_user to other_user"));
  CHECK_THAT(d.reason, Catch::Contains("copytraderctl flatten es"));

  auto moved = plan_roster({session("es", 2002, true)}, with({entry("es", 2002, "other_user")}));
  REQUIRE(moved.has_value());
  CHECK(describe(*moved) == steps{"end s0", "add e0"}); // the old login's session stops before the new starts
}

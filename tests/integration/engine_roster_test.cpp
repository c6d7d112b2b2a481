// Reloads that rename, swap or move follower accounts: one session per account, checked in the ledger
// (a rename once made two sessions close each other's fills).

#include "integration/engine_fixture.hpp"
#include "support/printers.hpp"

#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::testing;
using namespace std::chrono_literals;

TEST_CASE("a reload that renames a follower hands its account over: one session trades it",
          "[engine][reload][rename]") {
  engine_fixture fx(follower_entry("es", 2002, "    bracket: fixed\n"));
  fx.start();
  REQUIRE(fx.reload(follower_entry("es2", 2002, "    bracket: fixed\n")).items.empty());
  REQUIRE(fx.engine->followers().size() == 1); // no retiring "es" left behind
  CHECK(fx.engine->followers().front()->rules().name == "es2");
  fx.leader_market(1);
  REQUIRE(fx.settle({{2002, 1}}));
  fx.run_for(1s); // a second session would be closing the fill by now
  CHECK(fx.position(2002) == 1);
  CHECK(fx.count_log("/api/Order/place", 2002) == 1);
  CHECK(fx.count_log("/api/Position/closeContract", 2002) == 0);

  // Renamed again while it holds the position: the book, the legs and the episode go with it.
  REQUIRE(fx.reload(follower_entry("es3", 2002, "    bracket: fixed\n")).items.empty());
  REQUIRE(fx.engine->followers().size() == 1);
  fx.leader_market(1);
  REQUIRE(fx.settle({{2002, 2}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2002, 0}}));
  CHECK(fx.count_log("/api/Order/place", 2002) == 2);
  CHECK(fx.count_log("/api/Position/closeContract", 2002) == 1);
  CHECK(fx.tags_unique(2002));
}

TEST_CASE("a reload that swaps two followers' accounts keeps one session per account", "[engine][reload][rename]") {
  engine_fixture fx(follower_entry("a", 2001, "    bracket: fixed\n") +
                    follower_entry("b", 2002, "    bracket: fixed\n"));
  fx.start();
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 1}, {2002, 1}}));
  REQUIRE(fx.reload(follower_entry("a", 2002, "    bracket: fixed\n    size_ratio: 2.0\n") +
                    follower_entry("b", 2001, "    bracket: fixed\n"))
              .items.empty());
  const auto sessions = fx.engine->followers();
  REQUIRE(sessions.size() == 2);
  for (const auto* f : sessions) CHECK(f->rules().name == (f->rules().account == 2002 ? "a" : "b"));
  fx.leader_market(1); // 2002 now doubles: 1 -> 4; 2001 follows 1:1: 1 -> 2
  REQUIRE(fx.settle({{2001, 2}, {2002, 4}}));
  fx.run_for(500ms);
  CHECK(fx.count_log("/api/Position/closeContract", 2001) == 0);
  CHECK(fx.count_log("/api/Position/closeContract", 2002) == 0);
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}, {2002, 0}}));
}

TEST_CASE("a reload that moves a holding account to another login is refused; flat, it moves",
          "[engine][reload][rename]") {
  engine_fixture fx(follower_entry("es", 2001, "    bracket: fixed\n"));
  fx.start();
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 1}}));
  const std::string moved =
      "  - name: es\n    username: leader_user\n    api_key_file: leader.key\n    account_id: 2001\n"
      "    bracket: fixed\n";
  const auto refused = fx.reload(moved);
  REQUIRE(refused.items.size() == 1);
  CHECK(refused.items.front().key == "followers[0].username");
  CHECK_THAT(refused.items.front().reason, Catch::Contains("account 2001 moves from login follower_user"));
  REQUIRE(fx.engine->followers().size() == 1);
  CHECK(fx.engine->followers().front()->rules().login.username == "follower_user");
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
  REQUIRE(fx.run_until([&] { return fx.engine->followers().front()->settled(); }, 5s));
  REQUIRE(fx.reload(moved).items.empty()); // flat: the old session ends, a new one starts on the new login
  const auto sessions = fx.engine->followers();
  REQUIRE(sessions.size() == 1);
  CHECK(sessions.front()->rules().login.username == "leader_user");
}

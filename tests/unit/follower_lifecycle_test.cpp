// The follower's lifecycle, step by step: each transition the session and the engine make.

#include "engine/follower_lifecycle.hpp"

#include <catch2/catch.hpp>

using namespace copytrader::engine;
using stage = follower_stage;

TEST_CASE("lifecycle: configured, checked, active; a problem refuses it with the reason shown", "[lifecycle]") {
  follower_lifecycle f;
  CHECK(f.stage() == stage::awaiting_check);
  CHECK_FALSE(f.copies());
  CHECK(f.refusal() == "waiting for its preflight");
  REQUIRE(f.begin_check());
  CHECK(f.stage() == stage::checking);
  CHECK(f.checking());
  CHECK_FALSE(f.begin_check()); // one check at a time: the one under way decides
  CHECK_FALSE(f.copies());
  CHECK(f.end_check(std::nullopt, false) == check_verdict::activated);
  CHECK(f.stage() == stage::active);
  CHECK(f.copies());
  CHECK_FALSE(f.refusal().has_value());

  follower_lifecycle bad;
  bad.begin_check();
  CHECK(bad.end_check("account 2999 not found under login u", false) == check_verdict::refused);
  CHECK(bad.stage() == stage::refused);
  CHECK(bad.refusal() == "account 2999 not found under login u");
  // Checked again a minute later, and fixed meanwhile.
  REQUIRE(bad.begin_check());
  CHECK(bad.refusal() == "account 2999 not found under login u"); // still not copying while checked
  CHECK(bad.end_check(std::nullopt, false) == check_verdict::activated);
  CHECK(bad.copies());
}

TEST_CASE("lifecycle: an active follower copies while it is checked again; a failed read keeps it active",
          "[lifecycle]") {
  follower_lifecycle f;
  f.begin_check();
  f.end_check(std::nullopt, false);
  REQUIRE(f.begin_check());
  CHECK(f.stage() == stage::rechecking);
  CHECK(f.copies());
  CHECK(f.end_check("cannot read the accounts of u: timeout", true) == check_verdict::kept_active);
  CHECK(f.stage() == stage::active);
  CHECK(f.copies());

  // A real problem found on a follower that copies refuses it.
  f.begin_check();
  CHECK(f.end_check("contract CON.F.US.EP.U26 is not active (expired?)", false) == check_verdict::refused);
  CHECK_FALSE(f.copies());

  // A failed read on a follower that never copied proves nothing either way: it is not copying yet.
  follower_lifecycle fresh;
  fresh.begin_check();
  CHECK(fresh.end_check("cannot read the accounts of u: timeout", true) == check_verdict::refused);
  CHECK(fresh.stage() == stage::refused);
}

TEST_CASE("lifecycle: a check that ends without a verdict goes back where it was", "[lifecycle]") {
  follower_lifecycle f;
  f.begin_check();
  f.abandon_check();
  CHECK(f.stage() == stage::awaiting_check);
  CHECK(f.begin_check()); // and may be checked again: nothing is left marked in progress
  f.end_check(std::nullopt, false);
  f.begin_check();
  f.abandon_check();
  CHECK(f.stage() == stage::active);
  f.abandon_check(); // no check under way: nothing changes
  CHECK(f.stage() == stage::active);
}

TEST_CASE("lifecycle: retired by a reload; managed to flat if it copied, revived as it was", "[lifecycle]") {
  follower_lifecycle f;
  f.begin_check();
  f.end_check(std::nullopt, false);
  f.retire();
  CHECK(f.stage() == stage::retiring);
  CHECK(f.retiring());
  CHECK(f.copies()); // brings what it holds to flat
  CHECK_FALSE(f.begin_check());
  f.revive();
  CHECK(f.stage() == stage::active);

  // Retired while its first check runs: the check's verdict still decides whether it copies.
  follower_lifecycle g;
  g.begin_check();
  g.retire();
  CHECK_FALSE(g.copies());
  CHECK(g.checking());
  CHECK(g.end_check(std::nullopt, false) == check_verdict::activated);
  CHECK(g.stage() == stage::retiring);
  CHECK(g.copies());
  g.revive();
  CHECK(g.stage() == stage::active);

  follower_lifecycle refused;
  refused.begin_check();
  refused.end_check("account 7 cannot trade (canTrade false)", false);
  refused.retire();
  CHECK_FALSE(refused.copies());
  CHECK(refused.refusal() == "account 7 cannot trade (canTrade false)");
}

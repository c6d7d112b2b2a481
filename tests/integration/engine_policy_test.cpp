// The engine's safety policies end to end: every breaker trip said once, reset-breaker resuming the
// current episode, a background failure that is logged, counted and does not stop later work, and an
// account whose orders the venue will not cancel.

#include "control/metrics_text.hpp"
#include "control/reports.hpp"
#include "core/background.hpp"
#include "integration/engine_fixture.hpp"
#include "support/log_capture.hpp"
#include "support/printers.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace copytrader;
using namespace copytrader::testing;
using namespace std::chrono_literals;

TEST_CASE("a breaker tripped by an exit says so once, at error, before the next entry is refused",
          "[engine][breaker]") {
  log_capture log;
  engine_fixture fx(follower_entry("one", 2001, "    bracket: fixed\n"), std::string(breaker_of_two));
  fx.start();
  fx.leader_market(2);
  REQUIRE(fx.settle({{2001, 2}}));
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 3}}));
  fx.leader_market(-1); // the third copy event, an exit: it trips the breaker and still goes
  REQUIRE(fx.settle({{2001, 2}}));
  CHECK(fx.engine->context().breaker.trips() == 1);
  fx.leader_market(1); // refused: the breaker is open
  fx.run_for(800ms);
  CHECK(fx.position(2001) == 2);
  CHECK(log.count("error circuit breaker tripped on an exit on CON.F.US.MES.U26: more than 2 copy events") == 1);
  CHECK(log.count("circuit breaker tripped") == 1);
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
}

TEST_CASE("a reconciliation that throws is logged and counted, and the next one still runs",
          "[engine][reconcile][policy]") {
  ::setenv("COPYTRADER_FAIL_AT", "reconcile", 1); // the test build's fail point, once per process
  const scope_exit disarm([] { ::unsetenv("COPYTRADER_FAIL_AT"); });
  log_capture log;
  engine_fixture fx(follower_entry("one", 2001, "    bracket: fixed\n"),
                    "copy:\n  reconcile_interval: 1s\n  on_start: full\n");
  fx.start();
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 1}}));
  REQUIRE(fx.run_until([&] { return fx.engine->tasks().failures() == 1; }, 10s));
  CHECK(log.count("critical background task reconciliation failed: injected failure at reconcile") == 1);
  // The next fill's events are lost: only a later reconciliation can find it (its busy mark was released).
  fx.control("/fault/hub", R"({"kind":"drop","target":"*","count":3})");
  fx.leader_market(2);
  REQUIRE(fx.settle({{2001, 3}}, mes, true, 20s));
  CHECK(fx.engine->tasks().failures() == 1);
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
}

TEST_CASE("reset-breaker: a follower held by the breaker follows the current episode again", "[engine][breaker]") {
  engine_fixture fx(follower_entry("one", 2001, "    bracket: fixed\n"), std::string(breaker_of_two));
  fx.start();
  trip_breaker_on_third_entry(fx); // the follower is held at 2 of 3
  REQUIRE(fx.engine->context().breaker.tripped());
  const auto& plan = fx.engine->followers().front()->plans().at(std::string(mes));
  CHECK(plan.leader_target == 3);
  CHECK(plan.target == 2);
  REQUIRE(plan.cap);
  CHECK(plan.cap->reason == copy::hold_reason::entries_blocked);
  fx.engine->reset_breaker();
  REQUIRE(fx.settle({{2001, 3}})); // caught up with the leader's episode
  fx.leader_market(-2);            // and follows it from there
  REQUIRE(fx.settle({{2001, 1}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
  CHECK(fx.tags_unique(2001));
}

TEST_CASE("enable waits for the leader's next episode; enable --catch-up joins the current one now",
          "[engine][enable]") {
  engine_fixture fx(follower_entry("one", 2001, "    bracket: fixed\n"));
  fx.start();
  const auto& follower = *fx.engine->followers().front();
  fx.leader_market(2);
  REQUIRE(fx.settle({{2001, 2}}));
  REQUIRE(fx.engine->set_enabled("one", false));
  fx.leader_market(1); // 3: not added while disabled
  REQUIRE(fx.run_until([&] {
    const auto plan = follower.plans().find(std::string(mes));
    return plan != follower.plans().end() && plan->second.leader_target == 3;
  }));
  REQUIRE(fx.engine->set_enabled("one", true)); // plain enable: held in this episode, as documented
  fx.leader_market(1);                          // 4
  fx.run_for(800ms);
  CHECK(fx.position(2001) == 2);
  const auto& plan = follower.plans().at(std::string(mes));
  CHECK(plan.leader_target == 4);
  REQUIRE(plan.cap);
  CHECK(plan.cap->reason == copy::hold_reason::disabled);

  REQUIRE(fx.engine->set_enabled("one", true, true)); // --catch-up
  REQUIRE(fx.settle({{2001, 4}}));
  fx.leader_market(-3); // and follows the episode from there
  REQUIRE(fx.settle({{2001, 1}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
  CHECK(fx.tags_unique(2001));
}

TEST_CASE("an account the venue will not cancel for (code 6): asked once, entries stop, the legs shown as orphans",
          "[engine][legs][cancel]") {
  log_capture log;
  engine_fixture fx(follower_entry("copier", 2001, "    bracket: fixed\n"));
  fx.start();
  const auto& follower = *fx.engine->followers().front();
  // The trader also made the account a follower in the platform's own copier: cancels get code 6.
  fx.control("/account", R"({"account":2001,"copy_follower":true})");
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 1}}));
  fx.leader_close(); // the close goes; its stop and target stay working
  REQUIRE(fx.run_until([&] { return follower.orphan_legs().size() == 2; }));
  CHECK(fx.position(2001) == 0);
  CHECK(fx.legs(2001).size() == 2);
  CHECK(std::string(guard::to_string(follower.guard().state().mode)) == "halted");
  CHECK(log.count("the venue refuses to cancel this account's orders (error code 6: Follower accounts cannot cancel "
                  "orders)") == 1);
  const auto status = control::status_report(*fx.engine);
  const auto& shown = status.at("followers").as_array().at(0).as_object();
  REQUIRE(shown.contains("orphan_legs"));
  CHECK(shown.at("orphan_legs").as_array().size() == 2);
  CHECK(control::metrics_text(*fx.engine).find(R"(copytrader_follower_orphan_legs{follower="copier"} 2)") !=
        std::string::npos);

  // Not asked again, and nothing opened while the legs are there.
  fx.run_for(1500ms);
  CHECK(fx.count_user_log("/api/Order/cancel", "follower_user") == 2);
  fx.leader_market(1);
  fx.run_for(800ms);
  CHECK(fx.position(2001) == 0);
  CHECK(log.count("held the entry on CON.F.US.MES.U26 at 0 of the leader's 1 (G0 account state") == 1);

  // The trader takes the account out of the platform's copier and unlocks: the legs are cancelled.
  fx.control("/account", R"({"account":2001,"copy_follower":false})");
  fx.leader_close();
  fx.run_for(300ms);
  REQUIRE(fx.engine->unlock_guard("copier"));
  REQUIRE(fx.poll_until([&] { return fx.legs(2001).empty(); }, 10s));
  CHECK(follower.orphan_legs().empty());
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 1}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
}

TEST_CASE("a leader contract the follower's contract_map leaves out is said once, shown in status, not copied",
          "[engine][mapping]") {
  log_capture log;
  // Maps the leader's ES to MES; the leader trades MES itself (another product, or the next month).
  engine_fixture fx(
      follower_entry("mapped", 2001, "    bracket: fixed\n    contract_map: {CON.F.US.EP.U26: CON.F.US.MES.U26}\n"));
  fx.start();
  const auto& follower = *fx.engine->followers().front();
  fx.leader_market(1); // MES: unmapped
  REQUIRE(fx.run_until([&] { return !follower.unmapped_held().empty(); }));
  fx.leader_market(1); // again: said once
  fx.run_for(500ms);
  CHECK(fx.position(2001) == 0);
  CHECK(log.count("follower mapped: the leader holds CON.F.US.MES.U26, which its contract_map does not map") == 1);
  const auto status = control::status_report(*fx.engine);
  const auto& shown = status.at("followers").as_array().at(0).as_object();
  REQUIRE(shown.contains("unmapped"));
  CHECK(shown.at("unmapped").as_array().at(0).as_string() == "CON.F.US.MES.U26");
  CHECK(control::metrics_text(*fx.engine).find(R"(copytrader_follower_unmapped_contracts{follower="mapped"} 1)") !=
        std::string::npos);

  fx.leader_close(); // no longer held: no longer shown
  REQUIRE(fx.run_until([&] { return follower.unmapped_held().empty(); }));
  fx.leader_market(1, std::nullopt, std::nullopt, {}, es); // the mapped contract is copied
  REQUIRE(fx.settle({{2001, 1}}));
  fx.leader_close(es);
  REQUIRE(fx.settle({{2001, 0}}));
}

TEST_CASE("allowed_strategies: an untagged leader entry is said once per episode, and shown in status",
          "[engine][strategy]") {
  log_capture log;
  engine_fixture fx(follower_entry("picky", 2001, "    allowed_strategies: [RegimeAdaptive]\n    bracket: fixed\n") +
                    follower_entry("all", 2002, "    bracket: fixed\n"));
  fx.start();
  fx.leader_market(1); // a bot that sends no customTag (JULIE's orders, for one)
  REQUIRE(fx.settle({{2001, 0}, {2002, 1}}));
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 0}, {2002, 2}}));
  const std::string said = "follower picky: the leader's entry on CON.F.US.MES.U26 (event ";
  CHECK(log.count(said) == 1);
  CHECK(log.count("carries no strategy in its customTag") == 1);
  const auto status = control::status_report(*fx.engine);
  const auto& picky = status.at("followers").as_array().at(0).as_object();
  REQUIRE(picky.contains("untagged"));
  CHECK(picky.at("untagged").as_array().at(0).as_string() == "CON.F.US.MES.U26");
  CHECK_FALSE(status.at("followers").as_array().at(1).as_object().contains("untagged")); // no filter, no note
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}, {2002, 0}}));
  CHECK_FALSE(control::status_report(*fx.engine).at("followers").as_array().at(0).as_object().contains("untagged"));
  fx.leader_market(1); // the next untagged episode is said again
  REQUIRE(fx.settle({{2001, 0}, {2002, 1}}));
  CHECK(log.count(said) == 2);
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}, {2002, 0}}));
  fx.leader_market(1, std::nullopt, std::nullopt, "RegimeAdaptive-5f3c9a1e"); // tagged as docs/leader-bots.md shows
  REQUIRE(fx.settle({{2001, 1}, {2002, 1}}));
  CHECK(log.count(said) == 2);
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}, {2002, 0}}));
}

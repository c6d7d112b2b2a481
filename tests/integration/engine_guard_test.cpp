// The account guard end to end against the simulator: an entry shrunk to what the daily loss limit
// or the MLL floor leaves at the stops, a loss that reaches the limit flattening and locking the follower while the
// leader trades on, exits passing through the lock, the operator's unlock, and an entry skipped
// because another account of the login holds the other direction (G7).

#include "control/guard_report.hpp"
#include "integration/engine_fixture.hpp"
#include "support/log_capture.hpp"
#include "support/printers.hpp"

#include <date/tz.h>
#include <fmt/format.h>
#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::testing;
using namespace std::chrono_literals;

namespace {

// MES with a fixed 16-tick stop: 4 points x $5 + the closing fill's 0.37 = 20.37 a contract at the
// stop, plus 0.37 for the opening fill: 20.74. A $100 daily limit leaves room for 4. The session
// guard is off so that the test passes at any hour of any day (the calendar has its own tests).
constexpr std::string_view guarded_rules =
    "    bracket: fixed\n"
    "    risk:\n"
    "      daily_loss_limit_usd: 100\n"
    "      fee_per_fill_usd: 0.37\n"
    "      session: {enforce: false}\n";

std::string guard_state(engine_fixture& fx, std::int64_t account) {
  for (const auto* f : fx.engine->followers()) {
    if (f->rules().account == account) return std::string(guard::to_string(f->guard().state().mode));
  }
  return "?";
}

void set_balance(engine_fixture& fx, std::int64_t account, double balance) {
  fx.control("/account", fmt::format(R"({{"account":{},"balance":{}}})", account, balance));
}

// After an unlock: the leader's current episode ends, and its next one (of `size`) is copied in full.
void next_episode_copied(engine_fixture& fx, std::int64_t account, int size) {
  fx.leader_close();
  fx.run_for(500ms);
  fx.leader_market(size);
  REQUIRE(fx.settle({{account, size}}));
  fx.leader_close();
  REQUIRE(fx.settle({{account, 0}}));
}

} // namespace

TEST_CASE("guard: the daily loss limit shrinks an entry, then locks and flattens; unlock resumes", "[engine][guard]") {
  log_capture log;
  engine_fixture fx(follower_entry("day", 2001, guarded_rules));
  fx.start();
  REQUIRE(fx.run_until([&] {
    const auto& g = fx.engine->followers().front()->guard();
    return g.balance().has_value();
  }));

  fx.leader_market(6); // the leader's 6: the follower's limit has room for 4
  REQUIRE(fx.settle({{2001, 4}}));
  CHECK(log.count("account guard held the entry on CON.F.US.MES.U26 at 4 of the leader's 6 (G2 daily loss") == 1);
  const auto report = control::guard_report(*fx.engine->followers().front(), fx.engine->context());
  CHECK(report.at("daily_loss_limit").as_double() == 100);
  CHECK(report.at("open_risk").as_double() == Approx(4 * 20.37).margin(0.01));

  // The day's loss reaches the limit (a fill elsewhere, fees): flatten, cancel the legs, lock.
  set_balance(fx, 2001, 49'880);
  REQUIRE(fx.settle({{2001, 0}}));
  CHECK(guard_state(fx, 2001) == "locked");
  CHECK(log.count("account guard flatten_lock: G2 daily loss") == 1);
  fx.leader_market(1); // the leader trades on: nothing is copied while locked
  fx.run_for(800ms);
  CHECK(fx.position(2001) == 0);
  CHECK(fx.position(1001) == 7);

  // The operator unlocks (after the account was made whole): the next episode is copied.
  set_balance(fx, 2001, 50'000);
  fx.run_for(300ms);
  REQUIRE(fx.engine->unlock_guard("day"));
  CHECK(guard_state(fx, 2001) == "active");
  next_episode_copied(fx, 2001, 2);
}

TEST_CASE("guard: after the profit target the follower is close-only, and exits still go", "[engine][guard]") {
  engine_fixture fx(follower_entry("day", 2001, std::string(guarded_rules) + "      daily_profit_target_usd: 50\n"));
  fx.start();
  fx.leader_market(2);
  REQUIRE(fx.settle({{2001, 2}}));
  set_balance(fx, 2001, 50'100); // the day is 100 up: close-only until the next trading day
  REQUIRE(fx.run_until([&] { return guard_state(fx, 2001) == "close_only"; }));
  CHECK(fx.position(2001) == 2); // close-only flattens nothing
  fx.leader_market(1);           // an add: not copied
  fx.run_for(800ms);
  CHECK(fx.position(2001) == 2);
  fx.leader_market(-2); // a scale-out: copied
  REQUIRE(fx.settle({{2001, 1}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
}

TEST_CASE("guard G7: an entry opposite another account of the login is skipped and said", "[engine][guard][G7]") {
  log_capture log;
  // "held" holds a short the trader placed by hand before the start, left to the trader (on_start: alert).
  engine_fixture fx(
      follower_entry("copy", 2001, "    bracket: fixed\n") + follower_entry("held", 2002, "    bracket: fixed\n"),
      "copy:\n  on_start: alert\n");
  fx.act(R"({"account":2002,"op":"place","contract_id":"CON.F.US.MES.U26","side":1,"size":1,"type":2})");
  fx.start();
  fx.run_for(500ms);
  REQUIRE(fx.position(2002) == -1);
  fx.leader_market(2); // long: follower "copy" would be long MES while "held" is short MES
  fx.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(copy::guard_wait_limit) + 1s);
  CHECK(fx.position(2001) == 0);
  CHECK(fx.position(2002) == -1);
  CHECK(log.count("account guard held the entry on CON.F.US.MES.U26 at 0 of the leader's 2 (G7 hedging") == 1);
  fx.leader_close();
  fx.run_for(500ms);
  CHECK(fx.position(2001) == 0);
}

TEST_CASE("guard G7: a follower held below the leader is leaving on a reversal, not hedging", "[engine][guard][G7]") {
  log_capture log;
  // On the reversal "copy" is planned first, while "held" is still long under a hold of the last
  // episode. That hold ends with the episode: "held" closes with the leader, as every follower's exits
  // do, so "copy" waits for it rather than skip its short.
  const auto held_by = GENERATE(as<std::string>{}, "size cap", "disable");
  const bool by_guard = held_by == "size cap";
  engine_fixture fx(follower_entry("copy", 2001, "    bracket: fixed\n") +
                    follower_entry("held", 2002,
                                   by_guard ? "    bracket: fixed\n    risk: {max_contracts: 0.4, session: {enforce: "
                                              "false}}\n"
                                            : "    bracket: fixed\n"));
  fx.start();
  fx.leader_market(6);
  if (by_guard) {
    REQUIRE(fx.settle({{2001, 6}, {2002, 4}})); // 4 MES: 0.4 mini-equivalents
  } else {
    REQUIRE(fx.settle({{2001, 6}, {2002, 6}}));
    REQUIRE(fx.engine->set_enabled("held", false)); // adds nothing; exits still follow the leader
  }
  fx.leader_market(-8); // long 6 -> short 2
  REQUIRE(fx.settle({{2001, -2}, {2002, by_guard ? -2 : 0}}));
  CHECK(log.count("G7 hedging") == 0);
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}, {2002, 0}}));
}

TEST_CASE("guard: a restart keeps the lock and the day's start; reconciliation does not re-sync a locked follower",
          "[engine][guard]") {
  log_capture log;
  engine_fixture fx(follower_entry("day", 2001, guarded_rules), "copy:\n  on_start: full\n  reconcile_interval: 1s\n");
  fx.start();
  REQUIRE(fx.run_until([&] { return fx.engine->followers().front()->guard().balance().has_value(); }));
  fx.leader_market(2);
  REQUIRE(fx.settle({{2001, 2}}));
  set_balance(fx, 2001, 49'880);
  REQUIRE(fx.settle({{2001, 0}}));
  REQUIRE(guard_state(fx, 2001) == "locked");
  fx.run_for(200ms); // the next tick queues the lock's write

  fx.stop();
  fx.start(); // on_start: full would copy the leader's 2 to an unlocked follower
  CHECK(guard_state(fx, 2001) == "locked");
  CHECK(log.count("account guard restored locked (G2 daily loss)") == 1);
  fx.run_for(2500ms); // reconciliations run every second
  CHECK(fx.position(2001) == 0);
  CHECK(fx.engine->followers().front()->guard().day_start_balance() == 50'000);
  fx.leader_close();
}

TEST_CASE("guard G1: an entry whose stops would come near the MLL floor shrinks, then is skipped", "[engine][guard]") {
  log_capture log;
  // Combine 50K, MLL 2,000: the floor is 48,000 and an entry keeps 100 above it. At 48,200 that
  // leaves 100 at the stops: 4 MES at 20.74 each (16 ticks, the fills' fees).
  engine_fixture fx(follower_entry("mll", 2001,
                                   "    bracket: fixed\n    risk:\n      start_balance_usd: 50000\n"
                                   "      max_loss_usd: 2000\n      fee_per_fill_usd: 0.37\n"
                                   "      session: {enforce: false}\n"));
  fx.start();
  set_balance(fx, 2001, 48'200);
  REQUIRE(fx.run_until([&] { return fx.engine->followers().front()->guard().balance() == 48'200; }));
  fx.leader_market(6);
  REQUIRE(fx.settle({{2001, 4}}));
  CHECK(log.count("account guard held the entry on CON.F.US.MES.U26 at 4 of the leader's 6 (G1 max loss") == 1);
  CHECK(guard_state(fx, 2001) == "active");
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));

  // 48,110: 10 above what an entry must leave, less than one contract's risk: skipped.
  set_balance(fx, 2001, 48'110);
  REQUIRE(fx.run_until([&] { return fx.engine->followers().front()->guard().balance() == 48'110; }));
  fx.leader_market(2);
  fx.run_for(800ms);
  CHECK(fx.position(2001) == 0);
  CHECK(log.count("account guard held the entry on CON.F.US.MES.U26 at 0 of the leader's 2 (G1 max loss") == 1);
  fx.leader_close();
}

TEST_CASE("guard G1: the worst case near the MLL floor flattens, cancels the legs and halts until unlock",
          "[engine][guard]") {
  log_capture log;
  // Combine 50K, MLL 2,000: the floor is 48,000; entries keep 100 above it, 50 above it flattens.
  engine_fixture fx(follower_entry("mll", 2001,
                                   "    bracket: fixed\n    risk:\n      start_balance_usd: 50000\n"
                                   "      max_loss_usd: 2000\n      session: {enforce: false}\n"));
  fx.start();
  REQUIRE(fx.run_until([&] { return fx.engine->followers().front()->guard().balance().has_value(); }));
  fx.leader_market(2);
  REQUIRE(fx.settle({{2001, 2}}));
  // Losses elsewhere leave 48,080: at the stops (2 x 20.00 + fees) the worst case is under 48,050.
  set_balance(fx, 2001, 48'080);
  REQUIRE(fx.settle({{2001, 0}}));
  CHECK(fx.legs(2001).empty());
  CHECK(guard_state(fx, 2001) == "halted");
  CHECK(log.count("account guard flatten_halt: G1 max loss") == 1);
  // Halted: no lock time ends it, only the operator.
  fx.leader_close();
  fx.run_for(300ms);
  fx.leader_market(1);
  fx.run_for(800ms);
  CHECK(fx.position(2001) == 0);
  set_balance(fx, 2001, 50'000);
  fx.run_for(300ms);
  CHECK(guard_state(fx, 2001) == "halted");
  REQUIRE(fx.engine->unlock_guard("mll"));
  next_episode_copied(fx, 2001, 1);
}

TEST_CASE("guard G4: the size cap counts micros at a tenth of a mini", "[engine][guard]") {
  log_capture log;
  engine_fixture fx(
      follower_entry("cap", 2001, "    bracket: fixed\n    risk: {max_contracts: 0.5, session: {enforce: false}}\n"));
  fx.start();
  fx.leader_market(8); // 8 MES would be 0.8 mini-equivalents: 5 fit under 0.5
  REQUIRE(fx.settle({{2001, 5}}));
  CHECK(log.count("account guard held the entry on CON.F.US.MES.U26 at 5 of the leader's 8 (G4 size") == 1);
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
}

TEST_CASE("guard G6: no opening inside a blackout window; what is open is still closed", "[engine][guard]") {
  // A window around now, in Chicago time as the operator writes it.
  const auto now = std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now());
  const auto* chicago = date::locate_zone("America/Chicago");
  const auto local = [&](std::chrono::minutes shift) {
    return date::format("%F %R", date::make_zoned(chicago, now + shift).get_local_time());
  };
  log_capture log;
  engine_fixture fx(follower_entry("news", 2001,
                                   fmt::format("    bracket: fixed\n    risk:\n      session: {{enforce: false}}\n"
                                               "      blackouts: [{{start: \"{}\", end: \"{}\", products: [ES]}}]\n",
                                               local(-std::chrono::minutes(30)), local(std::chrono::minutes(30)))));
  fx.start();
  fx.leader_market(2);
  fx.run_for(800ms);
  CHECK(fx.position(2001) == 0);
  CHECK(log.count("(G6 blackout: inside a blackout window)") == 1);
  fx.leader_close();
}

TEST_CASE("guard: a venue refusal halts the follower across a restart until unlock; its exit still goes",
          "[engine][guard]") {
  log_capture log;
  engine_fixture fx(follower_entry("blocked", 2001, "    bracket: fixed\n"));
  fx.start();
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 1}}));
  // The firm blocked the account (Liquidate & Block): canTrade still says true, orders get code 4.
  fx.control("/account", R"({"account":2001,"blocked":true})");
  fx.leader_market(1);
  REQUIRE(fx.run_until([&] { return guard_state(fx, 2001) == "halted"; }));
  CHECK(log.count("account guard halted: the venue refused an entry: AccountViolation (4)") == 1);
  fx.control("/account", R"({"account":2001,"blocked":false})");
  fx.leader_close(); // the exit goes through the halt
  REQUIRE(fx.settle({{2001, 0}}));
  CHECK(guard_state(fx, 2001) == "halted");
  fx.run_for(200ms); // the next tick queues the halt's write
  fx.stop();
  fx.start(); // a follower without risk limits: its halt is kept all the same; only the operator ends it
  CHECK(guard_state(fx, 2001) == "halted");
  CHECK(log.count("account guard restored halted") == 1);
  fx.leader_market(2); // a new episode: not sent, the account stays locked until the operator says
  fx.run_for(800ms);
  CHECK(fx.position(2001) == 0);
  CHECK(log.count("account guard held the entry on CON.F.US.MES.U26 at 0 of the leader's 2 (refused after a breach") ==
        1);
  REQUIRE(fx.engine->unlock_guard("blocked"));
  fx.run_for(200ms);
  fx.stop();
  fx.start(); // the unlock is kept too
  CHECK(guard_state(fx, 2001) == "active");
  next_episode_copied(fx, 2001, 1);
}

namespace {

// Seconds from now to `local_time` (HH:MM:SS in Chicago) on the next weekday, today if it is one:
// the venue's clock and the engine's wall clock are both moved by it.
std::chrono::seconds shift_to_chicago(std::chrono::seconds local_time) {
  const auto* chicago = date::locate_zone("America/Chicago");
  const auto now = std::chrono::system_clock::now();
  auto day = date::floor<date::days>(date::make_zoned(chicago, now).get_local_time());
  while (date::weekday(day) == date::Saturday || date::weekday(day) == date::Sunday) day += date::days(1);
  const auto target = date::make_zoned(chicago, day + local_time).get_sys_time();
  return std::chrono::duration_cast<std::chrono::seconds>(target - now);
}

} // namespace

TEST_CASE("guard G5: the session's flatten closes the follower at flatten_at, whatever the hour the test runs",
          "[engine][guard][G5]") {
  // The engine reads the time through its time source: the venue and the engine's wall clock are set
  // to 15:04:45 Chicago time on a weekday, 15 s before this follower's last entry and flatten time.
  const auto shift = shift_to_chicago(std::chrono::hours(15) + std::chrono::minutes(4) + std::chrono::seconds(45));
  log_capture log;
  engine_fixture fx(follower_entry("day", 2001,
                                   "    bracket: fixed\n"
                                   "    risk:\n"
                                   "      session: {last_entry: \"15:05\", flatten_at: \"15:05\"}\n"),
                    {}, {"--clock-shift", std::to_string(shift.count())});
  fx.clocks = std::make_unique<shifted_wall_time>(shift);
  fx.start();
  fx.leader_market(2);
  REQUIRE(fx.settle({{2001, 2}})); // before 15:05: copied
  CHECK(log.count("past the session's flatten time") == 0);
  // 15:05: flat, its legs cancelled, while the leader still holds its position.
  REQUIRE(fx.poll_until([&] { return fx.position(2001) == 0 && fx.legs(2001).empty(); }, 25s));
  CHECK(log.count("past the session's flatten time") >= 1);
  CHECK(fx.position(1001) == 2);
  // After it, the leader's add is not copied: no entry outside the trading day's entry hours.
  fx.leader_market(1);
  fx.run_for(1500ms);
  CHECK(fx.position(2001) == 0);
  fx.leader_close();
}

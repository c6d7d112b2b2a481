// The account guard's decisions (account-rules.md section 3), each guard on its own: what an entry
// may reach, and what must happen while trading. Exits never ask the guard, so nothing here can
// block one; the plan tests show a guard cap never reduces a position.

#include "guard/account_guard.hpp"

#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::guard;
using namespace date::literals;
using namespace std::chrono_literals;

namespace {

const sys_time tuesday_noon = date::sys_days{2026_y / 6 / 16} + 17h; // 12:00 CDT
const char* const es = "CON.F.US.EP.U26";
const char* const mes = "CON.F.US.MES.U26";

risk_limits combine_50k() {
  risk_limits l;
  l.loss = {account_program::combine, 50'000, 2'000, false};
  l.mll_entry_buffer_usd = 100;
  l.mll_flatten_buffer_usd = 50;
  l.cost = {1.25, 0.37};
  return l;
}

account_facts facts(double balance, double day_start = 50'000) {
  account_facts f;
  f.balance = balance;
  f.balance_seen = tuesday_noon - 5s;
  f.day_start_balance = day_start;
  f.high_water = 50'000;
  f.money = assess(balance, day_start, {}, {});
  return f;
}

// An ES entry with a 16-tick (4 point) stop: 4 x $50 + 1.25 + 2 x 0.37 = 201.99 a contract.
entry_intent es_long(std::int32_t wanted, std::int32_t held = 0) {
  return entry_intent{es, 1, held, wanted, 4.0, 50.0, hedge_conflict::none, 0};
}

struct world {
  risk_limits limits = combine_50k();
  trading_calendar calendar{session_hours{}};
  product_table products = product_table::defaults();
  guard_state state;
  account_facts account = facts(50'000);

  entry_verdict screen(const entry_intent& intent, sys_time now = tuesday_noon) const {
    return screen_entry(guard_inputs{limits, calendar, products, state, account}, intent, now);
  }
  live_verdict live(bool holds = true, sys_time now = tuesday_noon) const {
    return check_live(guard_inputs{limits, calendar, products, state, account}, holds, now);
  }
};

} // namespace

TEST_CASE("guard G1: an entry whose stop would cross the MLL floor shrinks, then is skipped", "[guard]") {
  world w;
  w.account = facts(48'600); // floor 48,000: headroom 600, minus the 100 buffer = 500 -> 2 ES contracts
  auto v = w.screen(es_long(3));
  CHECK(v.most == 2);
  CHECK(v.rule == guard_rule::max_loss);
  CHECK_THAT(v.detail, Catch::Contains("headroom 600.00"));
  w.account = facts(48'250); // 150 left after the buffer: not one contract
  v = w.screen(es_long(3));
  CHECK(v.most == 0);
  CHECK(v.rule == guard_rule::max_loss);
  // Open risk at the stops counts against the headroom like a realized loss.
  w.account = facts(50'000);
  w.account.money = assess(50'000, 50'000, {{5, 5000, 4990, 50}}, w.limits.cost); // 5 x (500 + 1.62)
  v = w.screen(es_long(8, 5));
  CHECK(v.most == 5 + 0); // 2000 - 2508.10 - 100 < 0
  CHECK(w.live().action == guard_action::flatten_halt);
}

TEST_CASE("guard G1: the worst case within the flatten buffer of the floor flattens and halts", "[guard]") {
  world w;
  w.account = facts(48'040);
  auto v = w.live(true);
  CHECK(v.action == guard_action::flatten_halt);
  CHECK(v.rule == guard_rule::max_loss);
  CHECK_FALSE(v.until); // until an operator unlocks
  w.account = facts(48'051);
  CHECK(w.live(true).action == guard_action::none);
}

TEST_CASE("guard G2: the daily loss limit shrinks entries, then locks until the next trading day", "[guard]") {
  world w;
  w.limits.loss.max_loss = 0; // the daily limit alone
  w.limits.daily_loss_limit_usd = 1'000;
  w.account = facts(49'500); // 500 lost: room for 2 ES contracts at 201.99
  auto v = w.screen(es_long(4));
  CHECK(v.most == 2);
  CHECK(v.rule == guard_rule::daily_loss);
  w.account = facts(49'000);
  const auto live = w.live();
  CHECK(live.action == guard_action::flatten_lock);
  CHECK(live.until == date::sys_days{2026_y / 6 / 16} + 22h); // 17:00 CDT the same evening
  w.limits.on_daily_loss = daily_loss_action::close_only;
  CHECK(w.live().action == guard_action::close_only);
}

TEST_CASE("guard G3: the profit target reached means close-only for the day", "[guard]") {
  world w;
  w.limits.daily_profit_target_usd = 600;
  w.account = facts(50'700);
  CHECK(w.live().action == guard_action::close_only);
  CHECK(w.screen(es_long(1)).rule == guard_rule::profit_target);
  CHECK(w.screen(es_long(1)).most == 0);
}

TEST_CASE("guard G4: the size cap counts a micro as a tenth of a mini", "[guard]") {
  world w;
  w.limits = risk_limits{};
  w.limits.max_contracts = 5;
  w.account.mini_equivalents_held = 4.5; // e.g. 4 ES and 5 MES
  auto v = w.screen(entry_intent{mes, 1, 5, 20, 4.0, 5.0, hedge_conflict::none, 0});
  CHECK(v.most == 10); // 5 more micros
  CHECK(v.rule == guard_rule::size);
  v = w.screen(es_long(5, 4));
  CHECK(v.most == 4); // no room for another mini
  v = w.screen(entry_intent{mes, 1, 0, 3, 4.0, 5.0, hedge_conflict::none, 0});
  CHECK(v.most == 5);
  CHECK_FALSE(v.binds(3));
}

TEST_CASE("guard G4: a reversal's entry is not counted beside the position its close takes away", "[guard]") {
  world w;
  w.limits = risk_limits{};
  w.limits.max_contracts = 0.4;
  w.account.mini_equivalents_held = 0.4; // long 4 MES, at the cap
  // Short 2 after closing the 4: the close is confirmed before the entry is sent.
  auto v = w.screen(entry_intent{mes, -1, 0, 2, 4.0, 5.0, hedge_conflict::none, 4});
  CHECK(v.most == 4);
  CHECK_FALSE(v.binds(2));
  // Short 6 would hold 0.6 after the close.
  CHECK(w.screen(entry_intent{mes, -1, 0, 6, 4.0, 5.0, hedge_conflict::none, 4}).most == 4);
  // Without the close (another contract held), the cap is full.
  CHECK(w.screen(entry_intent{mes, -1, 0, 2, 4.0, 5.0, hedge_conflict::none, 0}).most == 0);
}

TEST_CASE("guard G5 and G6: no entry after last_entry, flat at flatten_at, none inside a blackout", "[guard]") {
  world w;
  const sys_time after_last_entry = date::sys_days{2026_y / 6 / 16} + 20h + 6min; // 15:06 CDT
  CHECK(w.screen(es_long(1), after_last_entry).rule == guard_rule::session);
  CHECK(w.live(true, after_last_entry).action == guard_action::none);
  const sys_time flatten_time = date::sys_days{2026_y / 6 / 16} + 20h + 8min;
  CHECK(w.live(true, flatten_time).action == guard_action::flatten_now);
  CHECK(w.live(false, flatten_time).action == guard_action::none);
  w.limits.session.enforce = false; // a firm without a session close
  w.account.balance_seen = after_last_entry;
  CHECK(w.screen(es_long(1), after_last_entry).rule == guard_rule::none);
  CHECK(w.live(true, flatten_time).action == guard_action::none);
  w.limits.session.enforce = true;

  const date::local_seconds noon_chicago{date::local_days{2026_y / 6 / 16} + 12h};
  w.limits.blackouts.push_back({noon_chicago - 5min, noon_chicago + 5min, {"ES"}});
  CHECK(w.screen(entry_intent{mes, 1, 0, 1, 4.0, 5.0, hedge_conflict::none, 0}).rule == guard_rule::blackout);
  CHECK(w.screen(entry_intent{"CON.F.US.MNQ.U26", 1, 0, 1, 4.0, 2.0, hedge_conflict::none, 0}).rule ==
        guard_rule::none);
  w.account.balance_seen = tuesday_noon + 5min;
  CHECK(w.screen(es_long(1), tuesday_noon + 5min).rule == guard_rule::none);
}

TEST_CASE("guard G7: an opposite direction elsewhere skips the entry; one still leaving it waits", "[guard]") {
  world w;
  auto intent = es_long(2);
  intent.hedge = hedge_conflict::standing;
  auto v = w.screen(intent);
  CHECK(v.most == 0);
  CHECK(v.rule == guard_rule::hedging);
  CHECK_FALSE(v.wait);
  intent.hedge = hedge_conflict::passing;
  v = w.screen(intent);
  CHECK(v.rule == guard_rule::hedging);
  CHECK(v.wait);
}

TEST_CASE("guard G0, G8 and stops: no entry without canTrade, a fresh balance, tick data or a stop", "[guard]") {
  world w;
  w.account.can_trade = false;
  CHECK(w.screen(es_long(1)).rule == guard_rule::account_state);
  w.account = facts(50'000);
  w.account.balance_seen = tuesday_noon - 10min;
  CHECK(w.screen(es_long(1)).rule == guard_rule::stale_data);
  CHECK(w.screen(es_long(1)).wait); // a moment for the read under way; the plan skips if it lasts
  w.account.balance.reset();
  CHECK(w.screen(es_long(1)).rule == guard_rule::stale_data);
  w.account = facts(50'000);
  auto intent = es_long(1);
  intent.dollars_per_point.reset();
  CHECK(w.screen(intent).rule == guard_rule::stale_data);
  intent = es_long(1);
  intent.stop_points.reset();
  CHECK(w.screen(intent).rule == guard_rule::unprotected);
  w.account.money = assess(50'000, 50'000, {{1, 5000, std::nullopt, 50}}, {});
  CHECK(w.screen(es_long(2, 1)).most == 1);
  CHECK(w.screen(es_long(2, 1)).rule == guard_rule::unprotected);
}

TEST_CASE("guard state: stronger modes replace weaker ones, locks expire, halts wait for unlock", "[guard]") {
  guard_state s;
  const sys_time until = tuesday_noon + 5h;
  CHECK(escalate(s, guard_mode::close_only, guard_rule::profit_target, until, "target"));
  CHECK(escalate(s, guard_mode::locked, guard_rule::daily_loss, until, "dll"));
  CHECK_FALSE(escalate(s, guard_mode::close_only, guard_rule::profit_target, until, "weaker"));
  CHECK(s.mode == guard_mode::locked);
  CHECK(s.rule == guard_rule::daily_loss);
  CHECK_FALSE(expire(s, until - 1s));
  CHECK(expire(s, until));
  CHECK(s.mode == guard_mode::active);

  world w;
  CHECK(escalate(w.state, guard_mode::halted, guard_rule::max_loss, std::nullopt, "floor"));
  CHECK_FALSE(expire(w.state, until + std::chrono::hours(24 * 30)));
  auto v = w.screen(es_long(3, 1));
  CHECK(v.most == 1); // what it holds, nothing more
  CHECK(v.rule == guard_rule::max_loss);
  unlock(w.state);
  CHECK(w.screen(es_long(3, 1)).rule == guard_rule::none);
}

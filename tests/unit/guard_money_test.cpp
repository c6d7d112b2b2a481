// The guard's arithmetic (account-rules.md sections 1 to 3): dollars per point from tick data, the
// MLL floor's closed forms, the loss at the stops, the day's ledger.

#include "guard/money.hpp"

#include <catch2/catch.hpp>

using namespace copytrader::guard;

TEST_CASE("money: dollars per point is tickValue / tickSize", "[money]") {
  CHECK(dollars_per_point(1.25, 0.25) == Approx(5));   // MES
  CHECK(dollars_per_point(12.50, 0.25) == Approx(50)); // ES
  CHECK(dollars_per_point(0.50, 0.25) == Approx(2));   // MNQ
  CHECK(dollars_per_point(5.00, 0.25) == Approx(20));  // NQ
  CHECK_FALSE(dollars_per_point(1.25, 0));
  CHECK_FALSE(dollars_per_point(0, 0.25));
}

TEST_CASE("money: the combine floor trails the end-of-day high and stops at the start balance", "[money]") {
  const loss_limit_terms combine{account_program::combine, 50'000, 2'000, false};
  CHECK(*mll_floor(combine, 50'000) == Approx(48'000));
  CHECK(*mll_floor(combine, 49'000) == Approx(48'000)); // a lower close never lowers it
  CHECK(*mll_floor(combine, 51'000) == Approx(49'000));
  CHECK(*mll_floor(combine, 52'000) == Approx(50'000)); // reaches the start balance
  CHECK(*mll_floor(combine, 60'000) == Approx(50'000)); // and stops there
}

TEST_CASE("money: the express floor starts at minus the amount, stops at 0, and is 0 after a payout", "[money]") {
  loss_limit_terms express{account_program::express, 0, 2'000, false};
  CHECK(*mll_floor(express, 0) == Approx(-2'000));
  CHECK(*mll_floor(express, 1'500) == Approx(-500));
  CHECK(*mll_floor(express, 2'500) == Approx(0));
  CHECK(*mll_floor(express, 9'000) == Approx(0));
  express.payout_taken = true;
  CHECK(*mll_floor(express, 0) == Approx(0));
}

TEST_CASE("money: a live account's floor is fixed; no amount means no floor", "[money]") {
  CHECK(*mll_floor({account_program::live, 10'000, 9'000, false}, 14'000) == Approx(1'000));
  CHECK_FALSE(mll_floor({account_program::combine, 50'000, 0, false}, 50'000));
}

TEST_CASE("money: the loss at the stop counts size, distance, slippage and the closing fee", "[money]") {
  const cost_per_contract cost{1.25, 0.37};
  // Long 2 MES at 5000, stop 4996: 2 x (4 pt x $5 + 1.25 + 0.37).
  CHECK(*loss_at_stop({2, 5000, 4996, 5}, cost) == Approx(2 * (20 + 1.25 + 0.37)));
  // Short 1 ES at 5000, stop 5002: 2 pt x $50.
  CHECK(*loss_at_stop({-1, 5000, 5002, 50}, cost) == Approx(100 + 1.25 + 0.37));
  // A stop moved past the entry locks a gain: counted as no loss, costs still count.
  CHECK(*loss_at_stop({1, 5000, 5003, 5}, cost) == Approx(1.25 + 0.37));
  CHECK_FALSE(loss_at_stop({1, 5000, std::nullopt, 5}, cost));
  CHECK(*loss_at_stop({0, 0, std::nullopt, 5}, cost) == 0);
}

TEST_CASE("money: the day's ledger and the worst case", "[money]") {
  day_ledger day;
  day.add_fill(std::nullopt, 0.37); // opening fill: no P&L
  day.add_fill(2.5, 0.37);          // MES 7736.25 -> 7736.75
  CHECK(day.realized == Approx(2.5));
  CHECK(day.fees == Approx(0.74));

  const cost_per_contract cost{0, 0};
  auto view = assess(49'500, 50'000, {{1, 5000, 4990, 5}}, cost);
  CHECK(view.open_risk == Approx(50));
  CHECK(view.worst_case_equity() == Approx(49'450));
  CHECK(view.day_loss_worst() == Approx(550));
  CHECK(view.day_result() == Approx(-500));
  CHECK_FALSE(view.unprotected);
  view = assess(49'500, 50'000, {{1, 5000, 4990, 5}, {-1, 5000, std::nullopt, 5}}, cost);
  CHECK(view.unprotected);
}

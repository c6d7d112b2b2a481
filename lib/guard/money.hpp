#pragma once
// A follower's money as the guard sees it, pure (docs/risk.md, account-rules.md sections 1 to 3). The
// API gives the balance (realized only), fills with their P&L (null on opening fills, gross of fees)
// and fees, and each contract's tick value and size: no equity, no open P&L, no limits. So the worst
// case is bounded by the protective stops: if every stop fired now, the account would hold
// `worst_case_equity`, and each limit's headroom is measured from there.

#include <cstdint>
#include <optional>
#include <vector>

namespace copytrader::guard {

enum class account_program { combine, express, live, practice };

// What the operator tells us about the account (the API tells none of it).
struct loss_limit_terms {
  account_program program = account_program::combine;
  double start_balance = 0;  // S: the program's start balance (0 on an express account)
  double max_loss = 0;       // D: the Maximum Loss Limit amount; 0 = not guarded
  bool payout_taken = false; // express: the floor is 0 after the first payout
};

// The MLL floor for the highest end-of-day balance H (account-rules.md section 1): it trails H and
// stops once it reaches the start balance. nullopt when the account has no MLL to guard.
[[nodiscard]] std::optional<double> mll_floor(const loss_limit_terms& terms, double high_water) noexcept;

// Dollars per point of a contract: tickValue / tickSize (MES 1.25 / 0.25 = 5). nullopt on bad data.
[[nodiscard]] std::optional<double> dollars_per_point(double tick_value, double tick_size) noexcept;

// What one contract costs beyond its stop distance: a reserve for slippage past the stop and the fee
// of the fill that closes it (the fill that opened it is charged when it happens).
struct cost_per_contract {
  double slippage_reserve = 0;
  double fee_per_fill = 0;
};

// One open (or about to open) position, bounded by its protective stop.
struct stopped_position {
  std::int32_t size = 0; // signed
  double average_price = 0;
  std::optional<double> stop_price; // nullopt: no working stop, the risk is unbounded
  double dollars_per_point = 0;
};

// The loss if the stop fires: size x (entry - stop) x $/pt in the losing direction, never below 0 (a
// stop past the entry locks a gain, counted as none), plus slippage and the closing fee per contract.
// nullopt when the position has no stop.
[[nodiscard]] std::optional<double> loss_at_stop(const stopped_position& p, const cost_per_contract& cost) noexcept;

// The day so far, from the fills of the trading day (voided fills skipped by the caller).
struct day_ledger {
  double realized = 0; // sum of profitAndLoss (gross)
  double fees = 0;     // sum of fees, every fill
  void add_fill(std::optional<double> profit_and_loss, double fees_of_fill) noexcept;
};

struct money_view {
  double balance = 0;
  double day_start_balance = 0;
  double open_risk = 0;     // the sum of loss_at_stop over open positions
  bool unprotected = false; // a position without a stop: the worst case is unbounded
  [[nodiscard]] double worst_case_equity() const noexcept { return balance - open_risk; }
  // The day's loss in the worst case: realized, fees and open risk (what a DLL counts).
  [[nodiscard]] double day_loss_worst() const noexcept { return day_start_balance - worst_case_equity(); }
  // The day's realized result net of fees (what a profit target counts).
  [[nodiscard]] double day_result() const noexcept { return balance - day_start_balance; }
};

[[nodiscard]] money_view assess(double balance, double day_start_balance, const std::vector<stopped_position>& open,
                                const cost_per_contract& cost) noexcept;

} // namespace copytrader::guard

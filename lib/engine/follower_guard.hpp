#pragma once
// The account guard for one follower session: it keeps what the pure guard (lib/guard) decides on —
// the balance and canTrade as last read or told, the trading day's start balance, the end-of-day
// high-water mark, the lock — and turns the session's book into money at the stops. The session asks
// it before every entry (as the plan's entry_screen) and on every tick (live checks). A follower
// without `risk` is still screened for G0 (canTrade) and G7 (hedging).

#include "config/config.hpp"
#include "copy/follower_book.hpp"
#include "copy/follower_plan.hpp"
#include "guard/account_guard.hpp"
#include "projectx/models.hpp"
#include "state/guard_store.hpp"

#include <optional>
#include <string>
#include <utility>

namespace copytrader::engine {

struct copy_context;

class follower_guard {
public:
  void configure(const follower_config& rules, const risk_config& risk);
  [[nodiscard]] bool guarded() const noexcept { return limits_.has_value(); }

  // Balance and canTrade from an account read or a GatewayUserAccount event.
  void on_account(const projectx::account& account, guard::sys_time now);
  // A reconciliation read the account: the book and the balance agree with the venue as of now.
  void confirmed(guard::sys_time now);
  // A fill of the follower's (voided ones are skipped): the day's realized P&L and fees.
  void on_fill(const projectx::trade& fill);

  // Rolls the trading day (start balance, high-water mark, expired locks), then decides what must
  // happen now. Returns the verdict when it calls for an action or changed the state.
  std::optional<guard::live_verdict> check(guard::sys_time now, const copy::follower_book& book,
                                           const copy_context& ctx);
  // The venue refused an entry as an account violation (code 4): the firm has locked the account,
  // whatever the numbers here say. Locked until the next trading day's open when the follower has
  // a calendar, else halted until unlock. Returns whether the state changed.
  bool locked_by_venue(guard::sys_time now, const std::string& message);
  // The venue refuses to cancel this account's orders (cancel code 6): its leftover legs cannot be
  // removed, so nothing may be opened until an operator has dealt with it. Halted (G0) until unlock.
  // Returns whether the state changed.
  bool cancel_not_allowed(const std::string& message);
  void unlock() {
    guard::unlock(state_);
    dirty_ = true;
  }
  // What survives a restart, and whether it changed since last taken.
  [[nodiscard]] guard_record snapshot() const;
  [[nodiscard]] bool take_dirty() noexcept { return std::exchange(dirty_, false); }
  // The lock or close-only that the trading-day roll ended since last taken (said once, by the caller).
  [[nodiscard]] std::optional<guard::guard_state> take_ended() noexcept { return std::exchange(ended_, std::nullopt); }
  // Before the first check: the saved lock (unless its time is over), the high-water mark, and the
  // day's start balance when it is for the current trading day.
  void restore(const guard_record& saved, guard::sys_time now);

  // What an entry may reach: the whole guard when the follower has limits; else a lock from the
  // venue, canTrade (G0) and hedging (G7, `intent.hedge`). The money is worked out here, so only an
  // entry pays for it.
  [[nodiscard]] guard::entry_verdict screen(const guard::entry_intent& intent, const copy::follower_book& book,
                                            const copy_context& ctx, guard::sys_time now) const;
  [[nodiscard]] guard::account_facts facts(const copy::follower_book& book, const copy_context& ctx) const;

  [[nodiscard]] const guard::guard_state& state() const noexcept { return state_; }
  [[nodiscard]] const std::optional<risk_limits>& limits() const noexcept { return limits_; }
  [[nodiscard]] const std::optional<guard::trading_calendar>& calendar() const noexcept { return calendar_; }
  [[nodiscard]] const guard::product_table& products() const noexcept { return products_; }
  [[nodiscard]] const guard::day_ledger& day() const noexcept { return day_; }
  [[nodiscard]] std::optional<double> balance() const noexcept { return balance_; }
  [[nodiscard]] double day_start_balance() const noexcept { return day_start_balance_; }
  [[nodiscard]] double high_water() const noexcept { return high_water_; }
  [[nodiscard]] bool can_trade() const noexcept { return can_trade_; }

private:
  void roll_day(guard::sys_time now);

  std::optional<risk_limits> limits_;
  std::optional<guard::trading_calendar> calendar_;
  guard::product_table products_{guard::product_table::defaults()};
  guard::guard_state state_;
  std::optional<guard::guard_state> ended_;
  guard::day_ledger day_;
  std::optional<date::year_month_day> trading_day_;
  std::optional<double> balance_;
  std::optional<guard::sys_time> balance_seen_;
  bool can_trade_ = true;
  double day_start_balance_ = 0;
  bool day_start_known_ = false;
  double high_water_ = 0;
  bool high_water_known_ = false;
  bool dirty_ = false;
};

} // namespace copytrader::engine

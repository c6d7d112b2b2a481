#pragma once
// The account guard's configuration (docs/risk.md, docs/configuration.md): named profiles under
// `risk.profiles`, and per follower `risk: {profile: NAME, <any profile key>: override}`. Every
// amount is in US dollars and says so in its key (`_usd`); sizes are in mini-equivalents; times are
// local to `session.time_zone`. Defaults live here.

#include "core/duration.hpp"
#include "guard/money.hpp"
#include "guard/products.hpp"
#include "guard/trading_calendar.hpp"

#include <map>
#include <string>
#include <vector>

namespace copytrader {

enum class daily_loss_action { flatten_lock, close_only };

// No openings inside [start, end), local to the session's time zone, on these products (empty: all),
// e.g. CPI +-5 minutes.
struct blackout_window {
  date::local_seconds start;
  date::local_seconds end;
  std::vector<std::string> products; // group names or product codes: "ES", "MNQ"
};

struct risk_limits {
  std::string profile; // the profile it started from, for messages
  guard::loss_limit_terms loss;
  double high_water_usd = 0;          // seeds the end-of-day high-water mark on the first start; 0 = start balance
  double mll_entry_buffer_usd = 100;  // an entry must leave this much above the floor
  double mll_flatten_buffer_usd = 50; // the worst case this close to the floor: flatten and halt
  double daily_loss_limit_usd = 0;    // 0 = none
  daily_loss_action on_daily_loss = daily_loss_action::flatten_lock;
  double daily_profit_target_usd = 0; // 0 = none; reached: close-only for the rest of the day
  double max_contracts = 0;           // mini-equivalents, open + working + new; 0 = no cap
  double micro_weight = 0.1;
  guard::cost_per_contract cost; // slippage_reserve_usd, fee_per_fill_usd (per contract)
  guard::session_hours session;
  std::vector<blackout_window> blackouts;
  duration max_state_age = std::chrono::minutes(2); // a balance older than this blocks entries

  [[nodiscard]] bool guards_loss() const noexcept { return loss.max_loss > 0 || daily_loss_limit_usd > 0; }
};

// The top-level `risk` section: the profiles followers name, and which products move together.
struct risk_config {
  std::map<std::string, risk_limits> profiles;
  std::vector<guard::product_group> product_groups = guard::product_table::defaults().groups();
};

std::string_view to_string(daily_loss_action) noexcept;
std::string_view to_string(guard::account_program) noexcept;

} // namespace copytrader

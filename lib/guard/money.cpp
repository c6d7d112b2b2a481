#include "guard/money.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace copytrader::guard {

std::optional<double> mll_floor(const loss_limit_terms& terms, double high_water) noexcept {
  const double s = terms.start_balance;
  const double d = terms.max_loss;
  const double h = high_water;
  if (d <= 0) return std::nullopt;
  switch (terms.program) {
    case account_program::combine:
    case account_program::practice: return std::min(s, s - d + std::max(0.0, h - s));
    case account_program::express:
      if (terms.payout_taken) return 0.0;
      return std::min(0.0, -d + std::max(0.0, h));
    case account_program::live: return s - d; // set by the firm; it does not trail
  }
  return std::nullopt;
}

std::optional<double> dollars_per_point(double tick_value, double tick_size) noexcept {
  if (!(tick_size > 0) || !(tick_value > 0) || !std::isfinite(tick_value / tick_size)) return std::nullopt;
  return tick_value / tick_size;
}

std::optional<double> loss_at_stop(const stopped_position& p, const cost_per_contract& cost) noexcept {
  if (p.size == 0) return 0.0;
  if (!p.stop_price) return std::nullopt;
  const double points = p.size > 0 ? p.average_price - *p.stop_price : *p.stop_price - p.average_price;
  const double contracts = std::abs(p.size);
  return contracts * (std::max(0.0, points) * p.dollars_per_point + cost.slippage_reserve + cost.fee_per_fill);
}

void day_ledger::add_fill(std::optional<double> profit_and_loss, double fees_of_fill) noexcept {
  if (profit_and_loss) realized += *profit_and_loss;
  fees += fees_of_fill;
}

money_view assess(double balance, double day_start_balance, const std::vector<stopped_position>& open,
                  const cost_per_contract& cost) noexcept {
  money_view view{balance, day_start_balance, 0.0, false};
  for (const auto& p : open) {
    if (auto loss = loss_at_stop(p, cost)) {
      view.open_risk += *loss;
    } else {
      view.unprotected = true;
    }
  }
  return view;
}

} // namespace copytrader::guard

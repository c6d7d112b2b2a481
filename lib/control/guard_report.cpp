#include "control/guard_report.hpp"

#include <boost/json/array.hpp>

#include <cmath>

namespace copytrader::control {
namespace json = boost::json;

namespace {

// Dollars to the cent: a report is read by people, and 1e-12 noise reads as a bug.
double cents(double usd) {
  const double rounded = std::round(usd * 100) / 100;
  return rounded == 0 ? 0.0 : rounded; // never "-0.00"
}

} // namespace

json::object guard_report(const engine::follower_session& f, const engine::copy_context& ctx) {
  const auto& g = f.guard();
  const auto& state = g.state();
  json::object out{{"name", f.rules().name},
                   {"guarded", g.guarded()},
                   {"state", guard::to_string(state.mode)},
                   {"can_trade", g.can_trade()},
                   {"holds", static_cast<std::uint64_t>(f.figures().guard_holds)}};
  if (state.mode != guard::guard_mode::active) {
    out["rule"] = guard::to_string(state.rule);
    out["reason"] = state.reason;
    if (state.until && g.calendar()) out["until"] = g.calendar()->local_text(*state.until);
    if (state.mode == guard::guard_mode::halted) out["until"] = "copytraderctl unlock " + f.rules().name;
  }
  if (f.rules().allow_hedge) out["warning"] = "allow_hedge: cross-account hedging is allowed for this follower";
  if (!g.guarded()) return out;
  const auto& limits = *g.limits();
  out["profile"] = limits.profile;
  out["program"] = to_string(limits.loss.program);
  if (g.calendar()) out["trading_day"] = guard::format_day(g.calendar()->day_of(ctx.venue_now()));
  if (!g.balance()) {
    out["balance"] = nullptr;
    return out;
  }
  const auto facts = g.facts(f.book(), ctx);
  out["balance"] = cents(*g.balance());
  out["day_start_balance"] = cents(g.day_start_balance());
  out["high_water"] = cents(g.high_water());
  out["open_risk"] = cents(facts.money.open_risk);
  out["unprotected"] = facts.money.unprotected;
  out["day_loss_at_stops"] = cents(facts.money.day_loss_worst());
  out["day_realized"] = cents(g.day().realized);
  out["day_fees"] = cents(g.day().fees);
  out["mini_equivalents"] = facts.mini_equivalents_held;
  if (auto floor = guard::mll_floor(limits.loss, g.high_water())) {
    out["floor"] = cents(*floor);
    out["mll_headroom"] = cents(*guard::mll_headroom(limits, facts));
  }
  if (auto headroom = guard::daily_loss_headroom(limits, facts)) {
    out["daily_loss_limit"] = cents(limits.daily_loss_limit_usd);
    out["daily_loss_headroom"] = cents(*headroom);
  }
  return out;
}

std::optional<json::object> risk_report(engine::copy_engine& engine, const std::string& name) {
  json::array followers;
  for (const auto* f : engine.followers()) {
    if (!name.empty() && f->rules().name != name) continue;
    followers.push_back(guard_report(*f, engine.context()));
  }
  if (!name.empty() && followers.empty()) return std::nullopt;
  return json::object{{"followers", std::move(followers)}};
}

} // namespace copytrader::control

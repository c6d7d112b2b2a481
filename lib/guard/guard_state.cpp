#include "guard/guard_state.hpp"

namespace copytrader::guard {

std::string_view to_string(guard_rule rule) noexcept {
  switch (rule) {
    case guard_rule::none: return "none";
    case guard_rule::account_state: return "G0 account state";
    case guard_rule::max_loss: return "G1 max loss";
    case guard_rule::daily_loss: return "G2 daily loss";
    case guard_rule::profit_target: return "G3 profit target";
    case guard_rule::size: return "G4 size";
    case guard_rule::session: return "G5 session";
    case guard_rule::blackout: return "G6 blackout";
    case guard_rule::hedging: return "G7 hedging";
    case guard_rule::stale_data: return "G8 data";
    case guard_rule::unprotected: return "unprotected position";
    case guard_rule::refused: return "refused after a breach";
    case guard_rule::operator_lock: return "operator";
  }
  return "?";
}

std::string_view to_string(guard_mode mode) noexcept {
  switch (mode) {
    case guard_mode::active: return "active";
    case guard_mode::close_only: return "close_only";
    case guard_mode::locked: return "locked";
    case guard_mode::halted: return "halted";
  }
  return "?";
}

bool escalate(guard_state& state, guard_mode mode, guard_rule rule, std::optional<sys_time> until, std::string reason) {
  if (mode < state.mode) return false;
  if (mode == state.mode && rule == state.rule && until == state.until) return false;
  if (mode == state.mode && state.until && until && *until < *state.until) return false; // the later end holds
  state.mode = mode;
  state.rule = rule;
  state.until = mode == guard_mode::halted ? std::nullopt : until;
  state.reason = std::move(reason);
  return true;
}

bool expire(guard_state& state, sys_time now) {
  if (state.mode == guard_mode::active || state.mode == guard_mode::halted) return false;
  if (!state.until || now < *state.until) return false;
  state = guard_state{};
  return true;
}

void unlock(guard_state& state) { state = guard_state{}; }

} // namespace copytrader::guard

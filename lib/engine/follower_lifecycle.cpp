#include "engine/follower_lifecycle.hpp"

namespace copytrader::engine {

std::string_view to_string(follower_stage stage) noexcept {
  switch (stage) {
    case follower_stage::awaiting_check: return "awaiting check";
    case follower_stage::checking: return "checking";
    case follower_stage::active: return "active";
    case follower_stage::rechecking: return "rechecking";
    case follower_stage::refused: return "refused";
    case follower_stage::retiring: return "retiring";
  }
  return "unknown";
}

void follower_lifecycle::set(follower_stage s) {
  if (stage_ == follower_stage::retiring)
    before_retiring_ = s; // a check that ends while retiring decides what a revive returns to
  else
    stage_ = s;
  if (usable(effective()))
    shown_.reset();
  else
    shown_ = reason_;
}

bool follower_lifecycle::begin_check() {
  switch (stage_) {
    case follower_stage::awaiting_check:
    case follower_stage::refused:
      before_check_ = stage_;
      set(follower_stage::checking);
      return true;
    case follower_stage::active:
      before_check_ = stage_;
      set(follower_stage::rechecking);
      return true;
    case follower_stage::checking:
    case follower_stage::rechecking:
    case follower_stage::retiring: return false;
  }
  return false;
}

check_verdict follower_lifecycle::end_check(const std::optional<std::string>& problem, bool unreadable) {
  const follower_stage was = effective();
  if (was != follower_stage::checking && was != follower_stage::rechecking) return check_verdict::refused;
  if (!problem) {
    set(follower_stage::active);
    return check_verdict::activated;
  }
  if (unreadable && was == follower_stage::rechecking) {
    set(follower_stage::active); // a follower that is copying is not stopped over a failed read
    return check_verdict::kept_active;
  }
  reason_ = *problem;
  set(follower_stage::refused);
  return check_verdict::refused;
}

void follower_lifecycle::abandon_check() {
  if (checking()) set(before_check_);
}

void follower_lifecycle::retire() {
  if (stage_ == follower_stage::retiring) return;
  before_retiring_ = stage_;
  stage_ = follower_stage::retiring;
}

void follower_lifecycle::revive() {
  if (stage_ != follower_stage::retiring) return;
  stage_ = before_retiring_;
}

} // namespace copytrader::engine

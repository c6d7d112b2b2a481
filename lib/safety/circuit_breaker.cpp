#include "safety/circuit_breaker.hpp"

namespace copytrader {

bool circuit_breaker::admit(copy_kind kind, steady_time now) {
  if (events_.available(now) == 0 && !tripped_) {
    // This event would be one more than max_events within the window.
    tripped_ = true;
    ++trips_;
  }
  events_.use(now);
  return !tripped_ || kind == copy_kind::exit;
}

} // namespace copytrader

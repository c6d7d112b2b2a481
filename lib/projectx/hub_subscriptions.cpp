#include "projectx/hub_subscriptions.hpp"

namespace copytrader::projectx {

void hub_subscriptions::connection_started() {
  phase_ = hub_phase::handshaking;
  awaiting_ = 0;
  before_live_ = 0;
}

hub_subscriptions::handshake_step hub_subscriptions::handshake_completed() {
  handshake_step step;
  step.invoke = all_;
  awaiting_ = all_.size();
  before_live_ = all_.size();
  phase_ = all_.empty() ? hub_phase::live : hub_phase::subscribing;
  step.announce = all_.empty();
  return step;
}

bool hub_subscriptions::completed() {
  if (awaiting_ > 0) --awaiting_;
  if (phase_ != hub_phase::subscribing) return false; // a subscription added while live
  if (before_live_ > 0) --before_live_;
  if (before_live_ > 0) return false;
  phase_ = hub_phase::live;
  return true;
}

bool hub_subscriptions::add(hub_subscription subscription) {
  all_.push_back(std::move(subscription));
  if (phase_ == hub_phase::handshaking) return false; // the handshake will invoke it
  ++awaiting_;
  // Added while subscribing: it goes with the others, and "live" waits for it too (the completions
  // are counted, not matched: a connection answers its invocations in order).
  if (phase_ == hub_phase::subscribing) ++before_live_;
  return true;
}

} // namespace copytrader::projectx

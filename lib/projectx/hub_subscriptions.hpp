#pragma once
// The user hub's subscriptions and the phase of its connection, sans I/O: handshaking, then
// subscribing (every Subscribe* invoked, completions awaited), then live. "Connected" is announced
// once per connection, when the last of the subscriptions invoked at the handshake completes; the
// copy engine reconciles then. A subscription added while live (a follower added by a reload) is
// invoked at once and its completion announces nothing: the engine reads that account itself.

#include "projectx/models.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace copytrader::projectx {

struct hub_subscription {
  std::string method;                    // SubscribeOrders, SubscribePositions, SubscribeTrades, SubscribeAccounts
  std::optional<account_number> account; // none for SubscribeAccounts
};

enum class hub_phase { handshaking, subscribing, live };

class hub_subscriptions {
public:
  explicit hub_subscriptions(std::vector<hub_subscription> initial = {}) : all_(std::move(initial)) {}

  // A new connection (after a drop, every subscription is invoked again at its handshake).
  void connection_started();

  struct handshake_step {
    std::vector<hub_subscription> invoke; // now, in this order
    bool announce = false;                // nothing to subscribe: live at once
  };
  handshake_step handshake_completed();

  // One Subscribe* completed without error; true when this makes the connection live (announce it).
  bool completed();

  // Remembered for every later connection; true when it must be invoked now (the handshake is done).
  bool add(hub_subscription subscription);

  [[nodiscard]] hub_phase phase() const noexcept { return phase_; }
  [[nodiscard]] std::size_t size() const noexcept { return all_.size(); }
  [[nodiscard]] std::size_t awaiting() const noexcept { return awaiting_; }

private:
  std::vector<hub_subscription> all_;
  hub_phase phase_ = hub_phase::handshaking;
  std::size_t awaiting_ = 0;    // completions still due on this connection
  std::size_t before_live_ = 0; // of which the ones invoked before live, which gate it
};

} // namespace copytrader::projectx

#pragma once
// One account's net position per contract, from its hub events, without I/O: the leader's, and each
// follower's confirmed position (the follower book adds what is in flight). Trades (deduplicated by
// id) are the earliest signal and drive the net. Position events are absolute but arrive in any
// order relative to the trades: one that disagrees with the trades is adopted only if the gap
// persists for `settle` (a trade that was merely late closes it; a lost one does not), so one fill
// is never counted twice and a lost fill is still found. Orders give the customTag of the entry.

#include "projectx/models.hpp"

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace copytrader::copy {

enum class change_cause { trade, position_correction, manual_signal };

struct position_change {
  std::string contract;
  std::int32_t old_net = 0;
  std::int32_t new_net = 0;
  change_cause cause = change_cause::trade;
  std::optional<projectx::trade_id> trade;
  std::optional<projectx::order_id> order;
  std::optional<std::string> entry_tag; // the filled order's customTag, when already known
  bool stale = false;                   // the fill is older than max_copy_age: report, do not copy
};

struct voided_fill {
  projectx::trade_id trade = 0;
  std::string contract;
};

class position_tracker {
public:
  using steady_time = std::chrono::steady_clock::time_point;

  position_tracker(projectx::account_number account, std::chrono::milliseconds settle,
                   std::chrono::milliseconds max_copy_age);

  // Each returns the change it causes, if any. Events of other accounts are ignored (faults.md D5).
  std::optional<position_change> on_trade(const projectx::trade& t, steady_time now,
                                          std::chrono::system_clock::time_point wall_now);
  std::optional<position_change> on_position(const projectx::position& p, steady_time now);
  void on_order(const projectx::order& o);
  // Corrections whose settle time has passed.
  std::vector<position_change> poll(steady_time now);
  [[nodiscard]] std::optional<steady_time> next_deadline() const;

  // Fills seen again as voided (faults.md D3): reported, never acted on silently.
  std::vector<voided_fill> take_voided() { return std::exchange(voided_, {}); }

  // A dry run's shadow fill, or a follower's reconciliation: the net is this, with nothing pending.
  void adopt(const std::string& contract, std::int32_t net);
  // The venue's answer to a REST read (reconciliation): adopted at once, but the trades of the
  // same fills, if still on their way, are consumed instead of counted again (as after a settle).
  std::optional<position_change> correct(const std::string& contract, std::int32_t absolute, steady_time now);

  [[nodiscard]] std::int32_t net(const std::string& contract) const;
  // Contracts with a non-zero net.
  [[nodiscard]] std::vector<std::string> open_contracts() const;
  template <typename F>
  void for_each_open(F&& visit) const {
    for (const auto& [contract, c] : contracts_) {
      if (c.net != 0) visit(contract);
    }
  }
  [[nodiscard]] std::optional<std::string> tag_of(projectx::order_id order) const;
  [[nodiscard]] bool seen(projectx::trade_id id) const { return seen_.contains(id); }
  [[nodiscard]] std::size_t remembered_trades() const noexcept { return seen_.size(); }
  [[nodiscard]] std::uint64_t duplicates() const noexcept { return duplicates_; }

private:
  struct contract_state {
    std::int32_t net = 0;                 // what copying follows
    std::optional<std::int32_t> position; // the last absolute position, while it disagrees
    steady_time disagree_since{};
    // What a correction adopted without its trades: a trade that turns up later for the same fill
    // consumes it instead of being counted again (until max_copy_age has passed).
    std::int32_t credit = 0;
    steady_time credit_until{};
  };
  void remember(projectx::trade_id id);

  projectx::account_number account_;
  std::chrono::milliseconds settle_;
  std::chrono::milliseconds max_copy_age_;
  std::map<std::string, contract_state, std::less<>> contracts_;
  std::set<projectx::trade_id> seen_;
  std::deque<projectx::trade_id> seen_order_;
  std::map<projectx::order_id, std::string> tags_;
  std::deque<projectx::order_id> tag_order_;
  std::vector<voided_fill> voided_;
  std::uint64_t duplicates_ = 0;
};

} // namespace copytrader::copy

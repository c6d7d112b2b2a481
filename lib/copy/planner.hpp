#pragma once
// The copy planner, pure: from what a follower should hold (target) and what it holds plus what is
// in flight (expected), the orders that close the gap. Position targets rather than order echoes
// make partial fills, scale-ins, scale-outs, reversals and closes one rule, and make duplicate leader
// events harmless: a follower already where the target says gets nothing (faults.md D6: a leader
// stop that fills after the follower's own stop fired never opens a reverse position).

#include "projectx/models.hpp"

#include <boost/container/static_vector.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace copytrader::copy {

enum class action_kind {
  open,    // from flat: a market entry with brackets
  add,     // more in the same direction: a market entry with its own brackets
  reduce,  // less in the same direction: a market order the other way, then resize the legs
  flatten, // to flat: Position/closeContract, then cancel the leftover legs
};

struct copy_action {
  action_kind kind = action_kind::open;
  int side = projectx::side::bid;
  std::int32_t size = 0;

  [[nodiscard]] bool adds_exposure() const noexcept { return kind == action_kind::open || kind == action_kind::add; }
  friend bool operator==(const copy_action&, const copy_action&) = default;
};

// At most two actions (a reversal), held in place: planning allocates nothing on the copy's hot path.
using action_list = boost::container::static_vector<copy_action, 2>;

// A reversal is a flatten followed by an open: the old bracket goes with the old position.
action_list plan_change(std::int32_t target, std::int32_t expected);

// A follower that may not add exposure on a contract for the rest of an episode (breaker tripped,
// follower disabled, started late under on_start: close_only, a strategy it does not follow) is held
// to `cap`: the signed position it may keep at most. Reductions and exits still follow the leader;
// the engine ratchets the cap down to each result, so a re-add after a reduction is not copied.
std::int32_t capped_target(std::int32_t target, std::optional<std::int32_t> cap) noexcept;

// allowed_strategies works per episode (flat to flat on one leader contract): the strategy of the
// entry that opened it decides for the whole episode, adds and exits included.
class episode_tracker {
public:
  explicit episode_tracker(const std::string& strategy_pattern) : pattern_(strategy_pattern) {}

  // Records a leader change on a contract; `entry_tag` is the customTag of the order that filled.
  void on_leader_change(const std::string& contract, std::int32_t old_net, std::int32_t new_net,
                        const std::optional<std::string>& entry_tag);
  // Whether a follower with these allowed strategies follows the contract's current episode.
  [[nodiscard]] bool follows(const std::string& contract, const std::vector<std::string>& allowed) const;
  // The contract's episode is open and its entry named no strategy (no customTag, or one the
  // pattern cannot read): no follower with allowed_strategies follows it.
  [[nodiscard]] bool strategy_unknown(const std::string& contract) const;
  // A manual signal names its strategy itself; applies to an open episode.
  void set_strategy(const std::string& contract, std::string strategy);
  [[nodiscard]] std::optional<std::string> strategy_of(std::string_view custom_tag) const;

private:
  std::regex pattern_;
  std::map<std::string, std::optional<std::string>, std::less<>> episode_strategy_;
};

} // namespace copytrader::copy

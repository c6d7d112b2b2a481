#include "copy/planner.hpp"

#include <algorithm>
#include <cstdlib>

namespace copytrader::copy {
namespace px = copytrader::projectx;

namespace {

int side_toward(std::int32_t signed_size) { return signed_size > 0 ? px::side::bid : px::side::ask; }

} // namespace

action_list plan_change(std::int32_t target, std::int32_t expected) {
  if (target == expected) return {};
  if (target == 0) return {copy_action{action_kind::flatten, side_toward(-expected), std::abs(expected)}};
  if (expected == 0) return {copy_action{action_kind::open, side_toward(target), std::abs(target)}};
  if ((target > 0) != (expected > 0)) {
    return {copy_action{action_kind::flatten, side_toward(-expected), std::abs(expected)},
            copy_action{action_kind::open, side_toward(target), std::abs(target)}};
  }
  const std::int32_t delta = target - expected;
  if (std::abs(target) > std::abs(expected))
    return {copy_action{action_kind::add, side_toward(delta), std::abs(delta)}};
  return {copy_action{action_kind::reduce, side_toward(delta), std::abs(delta)}};
}

std::int32_t capped_target(std::int32_t target, std::optional<std::int32_t> cap) noexcept {
  if (!cap) return target;
  if (*cap == 0 || target == 0 || (target > 0) != (*cap > 0)) return 0;
  return target > 0 ? std::min(target, *cap) : std::max(target, *cap);
}

std::optional<std::string> episode_tracker::strategy_of(std::string_view custom_tag) const {
  std::match_results<std::string_view::const_iterator> match;
  if (std::regex_search(custom_tag.begin(), custom_tag.end(), match, pattern_) && match.size() > 1 &&
      match[1].matched) {
    return match[1].str();
  }
  return std::nullopt;
}

void episode_tracker::on_leader_change(const std::string& contract, std::int32_t old_net, std::int32_t new_net,
                                       const std::optional<std::string>& entry_tag) {
  if (new_net == 0) {
    episode_strategy_.erase(contract);
  } else if (old_net == 0 || (old_net > 0) != (new_net > 0)) {
    // A new episode (a reversal passes through flat): the filled entry's tag names its strategy.
    episode_strategy_[contract] = entry_tag ? strategy_of(*entry_tag) : std::nullopt;
  }
}

void episode_tracker::set_strategy(const std::string& contract, std::string strategy) {
  auto it = episode_strategy_.find(contract);
  if (it != episode_strategy_.end()) it->second = std::move(strategy);
}

bool episode_tracker::strategy_unknown(const std::string& contract) const {
  auto it = episode_strategy_.find(contract);
  return it != episode_strategy_.end() && !it->second;
}

bool episode_tracker::follows(const std::string& contract, const std::vector<std::string>& allowed) const {
  if (allowed.empty()) return true;
  auto it = episode_strategy_.find(contract);
  if (it == episode_strategy_.end() || !it->second) return false; // an untagged entry matches no filter
  return std::find(allowed.begin(), allowed.end(), *it->second) != allowed.end();
}

} // namespace copytrader::copy

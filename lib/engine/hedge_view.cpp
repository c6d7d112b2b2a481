// G7, cross-account hedging: before a follower adds in one direction of a product group, no other
// account of its login (the leader included) may hold the other direction. Another follower that is
// itself on its way out of that direction (its plan's target is flat or ours, or the leader has gone
// our way and it is not hands-off: a reversal under way) makes the entry wait a moment (at most
// copy::guard_wait_limit); one that means to stay makes it skip. A follower with allow_hedge is
// neither screened nor counted.

#include "engine/copy_engine.hpp"

namespace copytrader::engine {

namespace {

int sign(std::int32_t n) { return n > 0 ? 1 : (n < 0 ? -1 : 0); }

} // namespace

guard::hedge_conflict copy_engine::hedge_conflict_for(const follower_config& self, std::string_view group,
                                                      int direction) const {
  if (self.allow_hedge) return guard::hedge_conflict::none;
  const auto in_group = [&](const std::string& contract) { return ctx_.products.classify(contract).group == group; };
  if (config_.leader.login.username == self.login.username) {
    for (const auto& contract : ctx_.tracker.open_contracts()) {
      if (in_group(contract) && sign(ctx_.tracker.net(contract)) == -direction) return guard::hedge_conflict::standing;
    }
  }
  // Where the leader is in this group: a follower still the other way is being taken out of it.
  int leader_direction = 0;
  for (const auto& contract : ctx_.tracker.open_contracts()) {
    if (in_group(contract)) leader_direction = sign(ctx_.tracker.net(contract));
  }
  auto conflict = guard::hedge_conflict::none;
  for (const auto& f : followers_) {
    const auto& rules = f->rules();
    if (rules.account == self.account || rules.login.username != self.login.username || rules.allow_hedge) continue;
    const std::string* previous = nullptr; // a contract comes once per order and close: judged once in a row
    f->book().for_each_exposed_contract([&](const std::string& contract) {
      if (previous != nullptr && *previous == contract) return;
      previous = &contract;
      // Cheapest first: most accounts are flat or already our way, and classify parses the id.
      if (conflict == guard::hedge_conflict::standing || sign(f->book().expected(contract)) != -direction) return;
      if (!in_group(contract)) return;
      // Its last plan, or (when it has not planned since the leader moved) the leader, says it is leaving.
      const auto plan = f->plans().find(contract);
      const bool planned = plan != f->plans().end();
      const bool planned_out = planned && sign(plan->second.target) != -direction;
      // Only hands-off keeps a position the leader has left: every cap (disabled, the guard's, the
      // breaker's...) ends with its episode, and a capped follower still follows the leader's exits.
      const bool hands_off = planned && plan->second.hands_off;
      const bool leaving = planned_out || (!rules.invert && !hands_off && leader_direction == direction);
      conflict = leaving ? guard::hedge_conflict::passing : guard::hedge_conflict::standing;
    });
  }
  return conflict;
}

} // namespace copytrader::engine

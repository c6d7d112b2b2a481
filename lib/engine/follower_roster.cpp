#include "engine/follower_roster.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace copytrader::engine {

std::string_view to_string(roster_change change) noexcept {
  switch (change) {
    case roster_change::keep: return "keep";
    case roster_change::rename: return "rename";
    case roster_change::revive: return "revive";
    case roster_change::retire: return "retire";
    case roster_change::end: return "end";
    case roster_change::add: return "add";
  }
  return "unknown";
}

config_result<std::vector<roster_step>> plan_roster(const std::vector<running_follower>& running, const config& next) {
  std::vector<roster_step> ends;
  std::vector<roster_step> changes;
  std::vector<roster_step> adds;
  std::vector<bool> claimed(running.size(), false);
  config_errors errors;

  for (std::size_t e = 0; e < next.followers.size(); ++e) {
    const follower_config& f = next.followers[e];
    // At most one session per account is running (this plan keeps it so): the one to hand over.
    const auto it = std::find_if(running.begin(), running.end(),
                                 [&f](const running_follower& r) { return r.account == f.account; });
    if (it == running.end()) {
      adds.push_back({roster_change::add, std::nullopt, e});
      continue;
    }
    const auto s = static_cast<std::size_t>(it - running.begin());
    claimed[s] = true;
    if (it->username != f.login.username) {
      if (!it->settled) {
        errors.items.push_back(diagnostic{
            next.file, f.line, fmt::format("followers[{}].username", e),
            fmt::format("account {} moves from login {} to {} while session {} still holds a position, an order "
                        "or a leg there; flatten it (copytraderctl flatten {}) or wait until it is flat, then reload",
                        f.account, it->username, f.login.username, it->name, it->name)});
        continue;
      }
      ends.push_back({roster_change::end, s, std::nullopt});
      adds.push_back({roster_change::add, std::nullopt, e});
      continue;
    }
    const roster_change change = it->retiring         ? roster_change::revive
                                 : it->name != f.name ? roster_change::rename
                                                      : roster_change::keep;
    changes.push_back({change, s, e});
  }
  if (!errors.items.empty()) return errors;

  for (std::size_t s = 0; s < running.size(); ++s) {
    if (claimed[s]) continue;
    if (running[s].settled)
      ends.push_back({roster_change::end, s, std::nullopt});
    else if (!running[s].retiring)
      changes.push_back({roster_change::retire, s, std::nullopt});
  }
  std::vector<roster_step> steps = std::move(ends);
  steps.insert(steps.end(), changes.begin(), changes.end());
  steps.insert(steps.end(), adds.begin(), adds.end());
  return steps;
}

} // namespace copytrader::engine

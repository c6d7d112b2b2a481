#pragma once
// Which follower session manages which account after a reload: a pure decision, so that the rule
// "an account is managed by exactly one session at any time" is decided in one place and tested
// without a venue.
//
// Sessions are matched to the new configuration by account, not by name: a rename hands the
// account over to the same session (its book, legs and caps), a removed account's session retires
// (managing what it holds until flat, adding nothing), and a session that holds nothing and has
// nothing under way ends at once. An account that moves to another login while it holds something
// cannot be handed over (the new login has its own token, hub and budget): the reload is refused.

#include "config/config.hpp"
#include "config/diagnostic.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace copytrader::engine {

// What the engine tells the plan about one running session.
struct running_follower {
  std::string name;
  account_id account = 0;
  std::string username;
  bool retiring = false;
  bool settled = false; // no position, nothing in flight, no working leg, no read or check under way
};

enum class roster_change {
  keep,   // the same account, name and login: new rules in place
  rename, // the same account and login under another name: handed over with its book, legs and caps
  revive, // a retiring session's account is configured again: it is managed as before
  retire, // gone from the configuration, still holds something: managed until flat, adds nothing
  end,    // gone (or moved to another login) and holds nothing: stops now
  add,    // a new session for an account no session manages
};
[[nodiscard]] std::string_view to_string(roster_change change) noexcept;

struct roster_step {
  roster_change change = roster_change::keep;
  std::optional<std::size_t> session; // index into the running sessions (all but add)
  std::optional<std::size_t> entry;   // index into the new followers (keep, rename, revive, add)
};

// The steps that take `running` to `next`, ends first, adds last; or why the reload is refused.
[[nodiscard]] config_result<std::vector<roster_step>> plan_roster(const std::vector<running_follower>& running,
                                                                  const config& next);

} // namespace copytrader::engine

#pragma once
// What a SIGHUP may change in a running daemon. Follower changes apply live; the leader's identity,
// the state directory and the control socket are bound at start and need a restart.

#include "config/config.hpp"
#include "config/diagnostic.hpp"

#include <string>

namespace copytrader {

// Empty when `next` may replace `running`.
config_errors reload_conflicts(const config& running, const config& next);

// The running configuration with the command line's overrides applied (--dry-run).
struct command_line_overrides {
  bool dry_run = false;
};
void apply_overrides(config& cfg, const command_line_overrides& overrides);

} // namespace copytrader

#pragma once
// Reads the account guard's configuration: the top-level `risk` section (profiles, product groups)
// and a follower's `risk: {profile: NAME, <any profile key>}`, which starts from the named profile
// and overrides key by key. Checks each number's range and each time's form where it is read, so
// an error names the key the operator wrote (followers[2].risk.max_loss_usd), not the profile's.

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

#include <optional>

namespace copytrader {

void read_risk_section(yaml_reader& reader, yaml_mapping& top, risk_config& risk);
void read_follower_risk(yaml_reader& reader, yaml_mapping& follower, const risk_config& risk,
                        std::optional<risk_limits>& out);

} // namespace copytrader

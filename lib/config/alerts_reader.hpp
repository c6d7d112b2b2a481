#pragma once
// Reads the `alerts` section: the timings and each target. A target's secret (its webhook URL, bot
// token or ntfy topic) is read like an API key, from a file, the environment or (in a file nobody
// else can read) inline, and every message about it names the key, never the value.

#include "config/config.hpp"
#include "config/config_loader.hpp"
#include "config/credentials.hpp"
#include "config/yaml_reader.hpp"

#include <vector>

namespace copytrader {

// Reads the section; `specs` gets one entry per target, for resolve_alert_tokens.
void read_alerts_section(yaml_reader& reader, yaml_mapping& top, alerts_config& alerts,
                         std::vector<credential_spec>& specs);
void resolve_alert_tokens(const std::vector<credential_spec>& specs, const std::filesystem::path& config_file,
                          const load_options& options, yaml_reader& reader, alerts_config& alerts);
void validate_alerts(const alerts_config& alerts, yaml_reader& reader);

} // namespace copytrader

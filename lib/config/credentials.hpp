#pragma once
// Where an account's API key comes from. Exactly one source: api_key_file, api_key_env or api_key;
// with none, $CREDENTIALS_DIRECTORY/<default_name> (systemd LoadCredential=) when that is set. A
// relative api_key_file is looked for in $CREDENTIALS_DIRECTORY, next to the configuration, then (by
// hand, with no $CREDENTIALS_DIRECTORY) in credentials/ next to it, where the shipped unit loads from.

#include "config/config.hpp"
#include "config/config_loader.hpp"
#include "config/yaml_reader.hpp"

#include <optional>
#include <string>

namespace copytrader {

struct credential_spec {
  std::string key_path; // "leader" or "followers[2]", for messages
  std::string default_name;
  std::optional<std::string> api_key_file;
  std::optional<std::string> api_key_env;
  std::optional<std::string> api_key;
};

void read_credential_keys(yaml_mapping& mapping, credential_spec& spec);

// Resolves the key into `out.api_key` and describes its source; reports problems to `reader`.
void resolve_credential(const credential_spec& spec, const std::filesystem::path& config_file,
                        const load_options& options, yaml_reader& reader, credential& out);

} // namespace copytrader

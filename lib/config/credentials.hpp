#pragma once
// Where an account's API key (or an alert target's URL or token) comes from. Exactly one source:
// api_key_file, api_key_env or api_key (the `base` names the keys: url_file, url_env, url for an
// alert target); with none, $CREDENTIALS_DIRECTORY/<default_name> (systemd LoadCredential=). A
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
  std::string base = "api_key"; // the keys are <base>_file, <base>_env and <base>
  std::string what = "API key"; // for messages
};

void read_credential_keys(yaml_mapping& mapping, credential_spec& spec);

// Resolves the key into `out.api_key` and describes its source; reports problems to `reader`.
void resolve_credential(const credential_spec& spec, const std::filesystem::path& config_file,
                        const load_options& options, yaml_reader& reader, credential& out);
void resolve_credential(const credential_spec& spec, const std::filesystem::path& config_file,
                        const load_options& options, yaml_reader& reader, secret& value, std::string& source);

} // namespace copytrader

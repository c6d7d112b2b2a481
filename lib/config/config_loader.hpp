#pragma once
// Reads, parses and validates a configuration file in one step: the result is a complete `config`
// or every problem found, each as `file:line: key: reason`. Reading key files happens here too, so
// call it off the io thread when the daemon is running (it touches the disk).

#include "config/config.hpp"
#include "config/diagnostic.hpp"

#include <functional>
#include <optional>
#include <string>

namespace copytrader {

struct load_options {
  // Injected so tests need not touch the process environment.
  std::function<std::optional<std::string>(const std::string&)> getenv = default_getenv;
  // copytraderd --accounts / --contracts run before the ids are known: a missing or placeholder
  // account_id is not an error then (nothing is traded).
  bool account_ids_unknown = false;

  static std::optional<std::string> default_getenv(const std::string& name);
};

inline constexpr std::uintmax_t max_config_bytes = std::uintmax_t{1024} * 1024;
inline constexpr std::uintmax_t max_key_file_bytes = 4096;

config_result<config> load_config(const std::filesystem::path& file, const load_options& options = {});

} // namespace copytrader

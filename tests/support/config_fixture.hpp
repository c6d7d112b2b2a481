#pragma once
// A directory with a small valid configuration (a leader and two followers) and its key files.

#include "config/config_loader.hpp"
#include "support/printers.hpp"
#include "support/temp_dir.hpp"

#include <map>
#include <optional>
#include <string>

namespace copytrader::testing {

inline constexpr std::string_view minimal_config = R"(leader:
  username: lead
  api_key_file: leader.key
  account_id: 1001
followers:
  - name: a
    username: fa
    api_key_file: a.key
    account_id: 2001
  - name: b
    username: fb
    api_key_file: b.key
    account_id: 2002
state:
  directory: state
control:
  socket: ctl.sock
logging:
  sink: stderr
)";

struct config_fixture {
  temp_dir dir;
  std::map<std::string, std::string> env;

  config_fixture() {
    dir.write("leader.key", "leader-key-123\n");
    dir.write("a.key", "a-key-456\n");
    dir.write("b.key", "b-key-789\n");
  }

  std::filesystem::path write_config(std::string_view yaml, mode_t mode = 0600) const {
    return dir.write("copytrader.yaml", yaml, mode);
  }

  [[nodiscard]] load_options options() const {
    load_options o;
    o.getenv = [env = env](const std::string& name) -> std::optional<std::string> {
      if (auto it = env.find(name); it != env.end()) return it->second;
      return std::nullopt;
    };
    return o;
  }

  config_result<config> load(std::string_view yaml, mode_t mode = 0600) const {
    return load_config(write_config(yaml, mode), options());
  }

  // Every diagnostic, one per line, with the directory shortened to "DIR" for readable assertions.
  [[nodiscard]] std::string errors(std::string_view yaml, mode_t mode = 0600) const {
    auto result = load(yaml, mode);
    if (result) return {};
    std::string text = result.error().to_string();
    const std::string prefix = dir.path().string();
    for (auto pos = text.find(prefix); pos != std::string::npos; pos = text.find(prefix)) {
      text.replace(pos, prefix.size(), "DIR");
    }
    return text;
  }
};

inline std::string replace_once(std::string text, std::string_view from, std::string_view to) {
  const auto pos = text.find(from);
  if (pos == std::string::npos) throw std::runtime_error("replace_once: text not found: " + std::string(from));
  text.replace(pos, from.size(), to);
  return text;
}

} // namespace copytrader::testing

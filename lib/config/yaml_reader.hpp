#pragma once
// Strict, typed reading of YAML mappings: every key a section does not declare is an error, every
// value is checked for its type, and every problem carries the line it is on. Nothing here throws.

#include "config/diagnostic.hpp"
#include "core/duration.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace copytrader {

class yaml_reader {
public:
  explicit yaml_reader(std::filesystem::path file) : file_(std::move(file)) {}

  void error(int line, std::string key, std::string reason);
  void error_at(const std::string& key, std::string reason); // uses the line recorded for key
  // From here on, a problem under a key that already has one (the key itself or an ancestor) is a
  // consequence of that one and is not reported.
  void begin_checks() noexcept { reported_while_reading_ = errors_.items.size(); }
  // Drops the problems `pardoned` says are not problems for this use of the file.
  template <typename Predicate>
  void pardon(Predicate pardoned) {
    std::erase_if(errors_.items, pardoned);
  }

  [[nodiscard]] int line_of(const std::string& key) const; // nearest recorded ancestor's line
  void record_line(const std::string& key, const YAML::Node& node);

  [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }
  [[nodiscard]] bool ok() const noexcept { return errors_.items.empty(); }
  [[nodiscard]] std::size_t error_count() const noexcept { return errors_.items.size(); }
  [[nodiscard]] config_errors take_errors() { return std::move(errors_); }

private:
  std::filesystem::path file_;
  [[nodiscard]] bool under_reported_key(std::string_view key) const;

  config_errors errors_;
  std::optional<std::size_t> reported_while_reading_;
  std::map<std::string, int, std::less<>> lines_;
};

// Reads one mapping; finish() (or the destructor) reports the keys nobody asked for.
class yaml_mapping {
public:
  yaml_mapping(yaml_reader& reader, const YAML::Node& node, std::string path);
  yaml_mapping(const yaml_mapping&) = delete;
  yaml_mapping& operator=(const yaml_mapping&) = delete;
  ~yaml_mapping() { finish(); }

  [[nodiscard]] bool valid() const noexcept { return valid_; }
  [[nodiscard]] std::string key_path(std::string_view key) const;

  // Each read leaves `out` untouched when the key is absent and reports a wrong type.
  // Returns true when the key was present and well-formed.
  bool read(std::string_view key, std::string& out);
  bool read(std::string_view key, bool& out);
  bool read(std::string_view key, std::int32_t& out);
  bool read(std::string_view key, std::int64_t& out);
  bool read(std::string_view key, double& out);
  bool read(std::string_view key, duration& out);
  bool read(std::string_view key, std::filesystem::path& out);
  bool read(std::string_view key, std::vector<std::string>& out);
  bool read(std::string_view key, std::map<std::string, std::string>& out);
  std::optional<std::string> read_optional(std::string_view key);

  template <typename Enum, typename Names> // Names: a range of pair<string_view, Enum>
  bool read_enum(std::string_view key, Enum& out, const Names& names) {
    std::string text;
    if (!read(key, text)) return false;
    for (const auto& [name, value] : names) {
      if (name == text) {
        out = value;
        return true;
      }
    }
    std::string allowed;
    for (const auto& [name, value] : names) allowed += (allowed.empty() ? "" : " | ") + std::string(name);
    reader_.error(line_of_key(key), key_path(key), "'" + text + "' is not one of: " + allowed);
    return false;
  }

  bool require(std::string_view key); // reports a missing key; true when present

  // A nested mapping or sequence; an undefined node when absent.
  YAML::Node child(std::string_view key);
  [[nodiscard]] int line() const noexcept { return line_; }

  void finish();

private:
  YAML::Node scalar(std::string_view key, std::string_view expected);
  [[nodiscard]] int line_of_key(std::string_view key) const;

  yaml_reader& reader_;
  YAML::Node node_;
  std::string path_;
  int line_ = 0;
  bool valid_ = false;
  bool finished_ = false;
  std::set<std::string, std::less<>> used_;
};

[[nodiscard]] int line_of(const YAML::Node& node);

} // namespace copytrader

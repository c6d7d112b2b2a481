#include "config/yaml_reader.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace copytrader {

namespace {

// yaml-cpp's "no such key" node: IsDefined() is false (a default-constructed Node is a defined null).
YAML::Node absent() {
  static const YAML::Node empty(YAML::NodeType::Map);
  return empty["absent"];
}

} // namespace

int line_of(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

void yaml_reader::error(int line, std::string key, std::string reason) {
  if (reported_while_reading_ && under_reported_key(key)) return;
  errors_.items.push_back(diagnostic{file_, line, std::move(key), std::move(reason)});
}

bool yaml_reader::under_reported_key(std::string_view key) const {
  for (std::size_t i = 0; i < *reported_while_reading_; ++i) {
    const std::string_view reported = errors_.items[i].key;
    if (reported.empty() || !key.starts_with(reported)) continue;
    if (key.size() == reported.size() || key[reported.size()] == '.' || key[reported.size()] == '[') return true;
  }
  return false;
}

void yaml_reader::error_at(const std::string& key, std::string reason) { error(line_of(key), key, std::move(reason)); }

int yaml_reader::line_of(const std::string& key) const {
  std::string probe = key;
  while (!probe.empty()) {
    if (auto it = lines_.find(probe); it != lines_.end()) return it->second;
    const auto cut = probe.find_last_of(".[");
    if (cut == std::string::npos) break;
    probe.resize(cut);
  }
  return 0;
}

void yaml_reader::record_line(const std::string& key, const YAML::Node& node) {
  if (const int line = copytrader::line_of(node); line > 0) lines_.emplace(key, line);
}

yaml_mapping::yaml_mapping(yaml_reader& reader, const YAML::Node& node, std::string path)
    : reader_(reader), node_(node), path_(std::move(path)), line_(copytrader::line_of(node)) {
  if (node.IsMap()) {
    valid_ = true;
    reader_.record_line(path_, node);
  } else {
    reader_.error(line_, path_.empty() ? "(top level)" : path_, "expected a mapping of keys to values");
  }
}

std::string yaml_mapping::key_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

int yaml_mapping::line_of_key(std::string_view key) const {
  const int line = reader_.line_of(key_path(key));
  return line > 0 ? line : line_;
}

YAML::Node yaml_mapping::child(std::string_view key) {
  if (!valid_) return absent();
  used_.emplace(key);
  const YAML::Node& map = node_;
  YAML::Node value = map[std::string(key)];
  if (value.IsDefined()) {
    // The key's own line reads better than the value's when the value is a nested block.
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == key) {
        reader_.record_line(key_path(key), it->first);
        break;
      }
    }
  }
  return value;
}

bool yaml_mapping::require(std::string_view key) {
  if (!valid_) return false;
  const YAML::Node& map = node_;
  if (map[std::string(key)].IsDefined()) return true;
  reader_.error(line_, key_path(key), "is required");
  return false;
}

YAML::Node yaml_mapping::scalar(std::string_view key, std::string_view expected) {
  YAML::Node value = child(key);
  if (!value.IsDefined()) return absent();
  if (value.IsNull()) {
    reader_.error(line_of_key(key), key_path(key), "has no value (expected " + std::string(expected) + ")");
    return absent();
  }
  if (!value.IsScalar()) {
    reader_.error(line_of_key(key), key_path(key), "expected " + std::string(expected));
    return absent();
  }
  return value;
}

bool yaml_mapping::read(std::string_view key, std::string& out) {
  YAML::Node value = scalar(key, "a string");
  if (!value.IsDefined()) return false;
  out = value.Scalar();
  return true;
}

std::optional<std::string> yaml_mapping::read_optional(std::string_view key) {
  std::string text;
  if (!read(key, text)) return std::nullopt;
  return text;
}

bool yaml_mapping::read(std::string_view key, std::filesystem::path& out) {
  std::string text;
  if (!read(key, text)) return false;
  out = text;
  return true;
}

bool yaml_mapping::read(std::string_view key, bool& out) {
  YAML::Node value = scalar(key, "true or false");
  if (!value.IsDefined()) return false;
  const std::string& text = value.Scalar();
  if (text == "true")
    out = true;
  else if (text == "false")
    out = false;
  else {
    reader_.error(line_of_key(key), key_path(key), "'" + text + "' is not true or false");
    return false;
  }
  return true;
}

namespace {

template <typename Int>
std::optional<Int> parse_integer(const std::string& text) {
  Int value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

} // namespace

bool yaml_mapping::read(std::string_view key, std::int32_t& out) {
  YAML::Node value = scalar(key, "a whole number");
  if (!value.IsDefined()) return false;
  if (auto parsed = parse_integer<std::int32_t>(value.Scalar())) {
    out = *parsed;
    return true;
  }
  reader_.error(line_of_key(key), key_path(key), "'" + value.Scalar() + "' is not a whole number in range");
  return false;
}

bool yaml_mapping::read(std::string_view key, std::int64_t& out) {
  YAML::Node value = scalar(key, "a whole number");
  if (!value.IsDefined()) return false;
  if (auto parsed = parse_integer<std::int64_t>(value.Scalar())) {
    out = *parsed;
    return true;
  }
  reader_.error(line_of_key(key), key_path(key), "'" + value.Scalar() + "' is not a whole number in range");
  return false;
}

bool yaml_mapping::read(std::string_view key, double& out) {
  YAML::Node value = scalar(key, "a number");
  if (!value.IsDefined()) return false;
  const std::string& text = value.Scalar();
  double parsed = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, parsed);
  if (ec != std::errc{} || ptr != end || !std::isfinite(parsed)) {
    reader_.error(line_of_key(key), key_path(key), "'" + text + "' is not a finite number");
    return false;
  }
  out = parsed;
  return true;
}

bool yaml_mapping::read(std::string_view key, duration& out) {
  YAML::Node value = scalar(key, "a duration such as 250ms, 1s or 5m");
  if (!value.IsDefined()) return false;
  if (auto parsed = parse_duration(value.Scalar())) {
    out = *parsed;
    return true;
  }
  reader_.error(line_of_key(key), key_path(key),
                "'" + value.Scalar() + "' is not a duration (a whole number with a unit: ms, s, m or h)");
  return false;
}

bool yaml_mapping::read(std::string_view key, std::vector<std::string>& out) {
  YAML::Node value = child(key);
  if (!value.IsDefined()) return false;
  if (!value.IsSequence()) {
    reader_.error(line_of_key(key), key_path(key), "expected a list of strings");
    return false;
  }
  std::vector<std::string> items;
  bool ok = true;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const YAML::Node item = value[i];
    if (!item.IsScalar() || item.Scalar().empty()) {
      reader_.error(copytrader::line_of(item), key_path(key) + "[" + std::to_string(i) + "]",
                    "expected a non-empty string");
      ok = false;
      continue;
    }
    items.push_back(item.Scalar());
  }
  if (ok) out = std::move(items);
  return ok;
}

bool yaml_mapping::read(std::string_view key, std::map<std::string, std::string>& out) {
  YAML::Node value = child(key);
  if (!value.IsDefined()) return false;
  if (!value.IsMap()) {
    reader_.error(line_of_key(key), key_path(key), "expected a mapping of strings to strings");
    return false;
  }
  std::map<std::string, std::string> items;
  bool ok = true;
  for (auto it = value.begin(); it != value.end(); ++it) {
    const bool good =
        it->first.IsScalar() && it->second.IsScalar() && !it->first.Scalar().empty() && !it->second.Scalar().empty();
    if (!good) {
      reader_.error(copytrader::line_of(it->first), key_path(key), "every entry must map a string to a string");
      ok = false;
      continue;
    }
    if (!items.emplace(it->first.Scalar(), it->second.Scalar()).second) {
      reader_.error(copytrader::line_of(it->first), key_path(key) + "." + it->first.Scalar(), "is given twice");
      ok = false;
    }
  }
  if (ok) out = std::move(items);
  return ok;
}

void yaml_mapping::finish() {
  if (finished_ || !valid_) return;
  finished_ = true;
  std::set<std::string, std::less<>> seen;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (!it->first.IsScalar()) {
      reader_.error(copytrader::line_of(it->first), path_.empty() ? "(top level)" : path_,
                    "keys must be plain strings");
      continue;
    }
    const std::string& key = it->first.Scalar();
    if (!seen.insert(key).second) {
      reader_.error(copytrader::line_of(it->first), key_path(key), "is given twice");
    } else if (!used_.contains(key)) {
      reader_.error(copytrader::line_of(it->first), key_path(key), "unknown key");
    }
  }
}

} // namespace copytrader

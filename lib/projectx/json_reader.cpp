#include "projectx/json_reader.hpp"

#include <cmath>
#include <limits>

namespace copytrader::projectx {

std::optional<double> as_number(const boost::json::value& v) noexcept {
  if (v.is_double()) {
    // 1e309 parses as infinity: no price or balance is that.
    if (!std::isfinite(v.get_double())) return std::nullopt;
    return v.get_double();
  }
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return std::nullopt;
}

std::optional<std::int64_t> as_integer(const boost::json::value& v) noexcept {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return static_cast<std::int64_t>(v.get_uint64());
  }
  return std::nullopt;
}

void json_reader::wrong(std::string_view key, std::string_view expected) {
  if (!error_) {
    error_ = failure{std::string(entity_) + "." + std::string(key) + ": expected " + std::string(expected)};
  }
}

const boost::json::value* json_reader::present(std::string_view key) {
  const boost::json::value* v = object_.if_contains(key);
  return v == nullptr || v->is_null() ? nullptr : v;
}

const boost::json::value* json_reader::must(std::string_view key) {
  const boost::json::value* v = present(key);
  if (v == nullptr && !error_) error_ = failure{std::string(entity_) + "." + std::string(key) + ": missing"};
  return v;
}

void json_reader::required(std::string_view key, std::int64_t& out) {
  if (const auto* v = must(key)) {
    if (auto n = as_integer(*v))
      out = *n;
    else
      wrong(key, "an integer");
  }
}

void json_reader::required(std::string_view key, std::int32_t& out) {
  if (const auto* v = must(key)) {
    auto n = as_integer(*v);
    if (n && *n >= std::numeric_limits<std::int32_t>::min() && *n <= std::numeric_limits<std::int32_t>::max()) {
      out = static_cast<std::int32_t>(*n);
    } else {
      wrong(key, "a 32-bit integer");
    }
  }
}

void json_reader::required(std::string_view key, int& out, bool /*is_enum*/) {
  std::int32_t value = 0;
  required(key, value);
  if (ok()) out = value;
}

void json_reader::required(std::string_view key, double& out) {
  if (const auto* v = must(key)) {
    if (auto n = as_number(*v))
      out = *n;
    else
      wrong(key, "a number");
  }
}

void json_reader::required(std::string_view key, bool& out) {
  if (const auto* v = must(key)) {
    if (v->is_bool())
      out = v->get_bool();
    else
      wrong(key, "true or false");
  }
}

void json_reader::required(std::string_view key, std::string& out) {
  if (const auto* v = must(key)) {
    if (v->is_string())
      out = std::string(v->get_string());
    else
      wrong(key, "a string");
  }
}

void json_reader::optional(std::string_view key, std::int64_t& out) {
  if (present(key) != nullptr) required(key, out);
}
void json_reader::optional(std::string_view key, std::int32_t& out) {
  if (present(key) != nullptr) required(key, out);
}
void json_reader::optional(std::string_view key, double& out) {
  if (present(key) != nullptr) required(key, out);
}
void json_reader::optional(std::string_view key, bool& out) {
  if (present(key) != nullptr) required(key, out);
}
void json_reader::optional(std::string_view key, std::string& out) {
  if (present(key) != nullptr) required(key, out);
}

void json_reader::optional(std::string_view key, std::optional<std::int64_t>& out) {
  if (present(key) == nullptr) return;
  std::int64_t value = 0;
  required(key, value);
  if (ok()) out = value;
}

void json_reader::optional(std::string_view key, std::optional<std::int32_t>& out) {
  if (present(key) == nullptr) return;
  std::int32_t value = 0;
  required(key, value);
  if (ok()) out = value;
}

void json_reader::optional(std::string_view key, std::optional<double>& out) {
  if (present(key) == nullptr) return;
  double value = 0;
  required(key, value);
  if (ok()) out = value;
}

void json_reader::optional(std::string_view key, std::optional<std::string>& out) {
  if (present(key) == nullptr) return;
  std::string value;
  required(key, value);
  if (ok()) out = std::move(value);
}

void json_reader::optional(std::string_view key, std::optional<timestamp>& out) {
  const auto* v = present(key);
  if (v == nullptr) return;
  if (!v->is_string()) {
    wrong(key, "an ISO-8601 timestamp");
    return;
  }
  out = parse_timestamp(v->get_string());
  if (!out) wrong(key, "an ISO-8601 timestamp");
}

} // namespace copytrader::projectx

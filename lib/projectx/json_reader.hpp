#pragma once
// Reads the fields of one JSON object into typed values without throwing. Absent and null optional
// fields are fine (the stream omits nulls, REST sends them); a present field of the wrong type is an
// error that names the entity and the field. The first error is kept.

#include "core/failure.hpp"
#include "projectx/models.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace copytrader::projectx {

class json_reader {
public:
  json_reader(const boost::json::object& object, std::string_view entity) : object_(object), entity_(entity) {}

  void required(std::string_view key, std::int64_t& out);
  void required(std::string_view key, std::int32_t& out);
  void required(std::string_view key, int& out, bool is_enum); // enums: any integer
  void required(std::string_view key, double& out);
  void required(std::string_view key, bool& out);
  void required(std::string_view key, std::string& out);

  void optional(std::string_view key, std::int64_t& out); // keeps the default when absent
  void optional(std::string_view key, std::int32_t& out);
  void optional(std::string_view key, double& out);
  void optional(std::string_view key, bool& out);
  void optional(std::string_view key, std::string& out);
  void optional(std::string_view key, std::optional<std::int64_t>& out);
  void optional(std::string_view key, std::optional<std::int32_t>& out);
  void optional(std::string_view key, std::optional<double>& out);
  void optional(std::string_view key, std::optional<std::string>& out);
  void optional(std::string_view key, std::optional<timestamp>& out);

  [[nodiscard]] bool ok() const noexcept { return !error_; }
  [[nodiscard]] const std::optional<failure>& error() const noexcept { return error_; }

private:
  const boost::json::value* present(std::string_view key); // nullptr when absent or null
  const boost::json::value* must(std::string_view key);
  void wrong(std::string_view key, std::string_view expected);

  const boost::json::object& object_;
  std::string_view entity_;
  std::optional<failure> error_;
};

// The value as a number, from any JSON number form; nullopt for other types.
std::optional<double> as_number(const boost::json::value& v) noexcept;
// The value as a whole number that fits int64; nullopt for fractions, strings and the like.
std::optional<std::int64_t> as_integer(const boost::json::value& v) noexcept;

} // namespace copytrader::projectx

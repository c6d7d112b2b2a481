#pragma once
// A configuration problem, printed as `file:line: key: reason` (the form editors jump to).

#include <boost/system/result.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace copytrader {

struct diagnostic {
  std::filesystem::path file;
  int line = 0; // 1-based; 0 when no line applies (an unreadable file)
  std::string key;
  std::string reason;

  [[nodiscard]] std::string to_string() const;
};

struct config_errors {
  std::vector<diagnostic> items;

  [[nodiscard]] std::string to_string() const; // one diagnostic per line
};

[[noreturn]] void throw_exception_from_error(const config_errors& errors, const boost::source_location& loc);

template <typename T>
using config_result = boost::system::result<T, config_errors>;

} // namespace copytrader

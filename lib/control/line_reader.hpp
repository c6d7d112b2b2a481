#pragma once
// Splits a control connection's bytes into lines, sans-I/O. A line longer than the cap is reported
// once as oversized and skipped up to its newline, so one bad request neither closes the connection
// nor grows memory without bound.

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace copytrader::control {

struct line_item {
  std::string text;       // without the newline (or a trailing '\r')
  bool oversized = false; // the line passed the cap; text is empty
};

class line_reader {
public:
  explicit line_reader(std::size_t max_line) : max_line_(max_line) {}

  void feed(std::string_view bytes);
  std::optional<line_item> next();

private:
  std::string partial_;
  std::deque<line_item> ready_;
  std::size_t max_line_;
  bool skipping_ = false; // inside an oversized line, until its newline
};

} // namespace copytrader::control

#pragma once
// Logging goes through spdlog's default logger, which setup_logging() points at journald or stderr.
// Structured journald fields (FOLLOWER=, LEADER_TRADE_ID=, TAG=, ...) are attached with a log_fields
// scope around the log call; on stderr they are appended as NAME=value. Every sink redacts secrets.
//
// Levels, as docs/operations.md explains them: error = something failed that an operator must look at
// (a copy not placed, a reload refused); warn = a fault the daemon handled on its own (a reconnect, a
// 429); info = what a trader would want in the record (copies, reloads, start, stop); debug = decisions
// and protocol detail; trace = every frame.

#include "config/config.hpp"
#include "logging/sinks.hpp"

#include <spdlog/spdlog.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace copytrader {

struct log_field {
  std::string name; // upper case letters, digits and '_', as journald requires
  std::string value;
};

// Fields for the log calls made while it lives, on this thread. Nest freely.
class log_fields {
public:
  log_fields(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);
  log_fields(const log_fields&) = delete;
  log_fields& operator=(const log_fields&) = delete;
  ~log_fields();

  static const std::vector<log_field>& current() noexcept;

private:
  std::size_t count_;
};

// Chooses the sink (auto: journald when JOURNAL_STREAM is set) and the level.
void setup_logging(const logging_config& cfg, std::string_view identifier);
// The latest warnings and errors (redacted), oldest first; empty before setup_logging.
std::vector<logged_problem> recent_problems();
// Applies a level name from configuration; returns false for an unknown name.
bool set_log_level(std::string_view level);

} // namespace copytrader

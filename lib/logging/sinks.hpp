#pragma once
// The two sinks: journald with native fields, and stderr lines with fields appended. Both redact.

#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace copytrader {

class journald_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  explicit journald_sink(std::string identifier) : identifier_(std::move(identifier)) {}

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

private:
  std::string identifier_;
};

class stderr_sink final : public spdlog::sinks::base_sink<std::mutex> {
protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;
};

// The latest warnings and errors, redacted, for the dashboard: a bounded ring beside the real sink.
struct logged_problem {
  std::chrono::system_clock::time_point at;
  std::string level; // "warning", "error", "critical"
  std::string text;
};

class problem_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  static constexpr std::size_t kept = 50;
  [[nodiscard]] std::vector<logged_problem> latest();

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

private:
  std::deque<logged_problem> lines_;
};

} // namespace copytrader

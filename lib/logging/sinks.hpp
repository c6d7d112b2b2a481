#pragma once
// The two sinks: journald with native fields, and stderr lines with fields appended. Both redact.

#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <string>

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

} // namespace copytrader

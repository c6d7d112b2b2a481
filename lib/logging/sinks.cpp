#include "logging/sinks.hpp"

#include "logging/log.hpp"
#include "logging/redact.hpp"

#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include <syslog.h>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace copytrader {
namespace {

int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug: return LOG_DEBUG;
    case spdlog::level::info: return LOG_INFO;
    case spdlog::level::warn: return LOG_WARNING;
    case spdlog::level::err: return LOG_ERR;
    case spdlog::level::critical: return LOG_CRIT;
    default: return LOG_INFO;
  }
}

std::string payload_of(const spdlog::details::log_msg& msg) {
  return redact(std::string_view(msg.payload.data(), msg.payload.size()));
}

} // namespace

void journald_sink::sink_it_(const spdlog::details::log_msg& msg) {
  std::vector<std::string> entries;
  const auto& fields = log_fields::current();
  entries.reserve(3 + fields.size());
  entries.push_back("MESSAGE=" + payload_of(msg));
  entries.push_back("PRIORITY=" + std::to_string(syslog_priority(msg.level)));
  entries.push_back("SYSLOG_IDENTIFIER=" + identifier_);
  for (const auto& field : fields) entries.push_back(field.name + "=" + redact(field.value));

  std::vector<iovec> iov(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) iov[i] = iovec{entries[i].data(), entries[i].size()};
  sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
}

void stderr_sink::sink_it_(const spdlog::details::log_msg& msg) {
  const auto since_epoch = msg.time.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
  const std::time_t t = seconds.count();
  std::tm utc{};
  gmtime_r(&t, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);

  std::string line =
      fmt::format("{}.{:03}Z {:<5} {}", stamp, millis, spdlog::level::to_string_view(msg.level), payload_of(msg));
  for (const auto& field : log_fields::current()) line += " " + field.name + "=" + redact(field.value);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void stderr_sink::flush_() { std::fflush(stderr); }

void problem_sink::sink_it_(const spdlog::details::log_msg& msg) {
  lines_.push_back(
      {std::chrono::time_point_cast<std::chrono::system_clock::duration>(msg.time),
       std::string(spdlog::level::to_string_view(msg.level).data(), spdlog::level::to_string_view(msg.level).size()),
       payload_of(msg)});
  if (lines_.size() > kept) lines_.pop_front();
}

std::vector<logged_problem> problem_sink::latest() {
  const std::lock_guard lock(mutex_);
  return {lines_.begin(), lines_.end()};
}

} // namespace copytrader

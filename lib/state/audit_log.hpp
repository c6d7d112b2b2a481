#pragma once
// The audit trail of every decision and order, and the processed-trade watermark, in SQLite (WAL)
// under state.directory. Records are queued by the io thread and written by the helper thread after
// the send: the copy's hot path never waits for the disk.

#include "core/failure.hpp"
#include "projectx/models.hpp"

#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;

namespace copytrader {

class audit_log {
public:
  static outcome<std::unique_ptr<audit_log>> open(const std::filesystem::path& directory,
                                                  boost::asio::thread_pool& writer);
  ~audit_log();
  audit_log(const audit_log&) = delete;
  audit_log& operator=(const audit_log&) = delete;

  void record(std::string_view kind, std::string_view follower, std::string_view tag, std::string detail);
  void watermark(projectx::trade_id last_trade);
  // Blocking reads, for start-up and tests (never on the io thread while copying).
  std::optional<projectx::trade_id> read_watermark();
  std::size_t count(std::string_view kind);
  // Waits until every queued write is done (shutdown, tests).
  void flush();

private:
  audit_log(sqlite3* db, boost::asio::thread_pool& writer);
  void write(const std::string& kind, const std::string& follower, const std::string& tag, const std::string& detail,
             std::int64_t unix_us);

  sqlite3* db_;
  boost::asio::strand<boost::asio::thread_pool::executor_type> strand_;
};

} // namespace copytrader

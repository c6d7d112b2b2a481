#pragma once
// The audit trail of every decision and order, and the processed-trade watermark, in SQLite (WAL)
// under state.directory. Records are queued by the io thread and written by the helper thread after
// the send: the copy's hot path never waits for the disk.

#include "core/failure.hpp"
#include "projectx/models.hpp"
#include "state/sqlite_file.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace copytrader {

class audit_log {
public:
  static outcome<std::unique_ptr<audit_log>> open(const std::filesystem::path& directory,
                                                  boost::asio::thread_pool& writer);
  void record(std::string_view kind, std::string_view follower, std::string_view tag, std::string detail);
  void watermark(projectx::trade_id last_trade);
  // Blocking reads, for start-up and tests (never on the io thread while copying).
  std::optional<projectx::trade_id> read_watermark();
  std::size_t count(std::string_view kind);
  // Waits until every queued write is done (shutdown, tests).
  void flush();

private:
  explicit audit_log(std::unique_ptr<sqlite_file> file) : file_(std::move(file)) {}

  std::unique_ptr<sqlite_file> file_;
};

} // namespace copytrader

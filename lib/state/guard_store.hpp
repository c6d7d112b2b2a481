#pragma once
// What the account guard must not forget across a restart, per follower account, in SQLite under
// state.directory (guard.db): the lock (mode, rule, until, reason), the end-of-day high-water mark and
// the trading day's start balance with the day it belongs to. Read once at start (blocking, before the
// io loop runs); every change is queued by the io thread and written by the helper thread.

#include "core/failure.hpp"
#include "projectx/models.hpp"
#include "state/sqlite_file.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace copytrader {

struct guard_record {
  std::string trading_day; // "2026-06-17": the day day_start_balance belongs to
  double day_start_balance = 0;
  double high_water = 0;
  int mode = 0; // guard::guard_mode
  int rule = 0; // guard::guard_rule
  std::optional<std::int64_t> until_unix_s;
  std::string reason;
  friend bool operator==(const guard_record&, const guard_record&) = default;
};

class guard_store {
public:
  static outcome<std::unique_ptr<guard_store>> open(const std::filesystem::path& directory,
                                                    boost::asio::thread_pool& writer);
  // Blocking: at start, and in tests.
  std::map<projectx::account_number, guard_record> read_all();
  void save(projectx::account_number account, guard_record record);
  void flush();

private:
  explicit guard_store(std::unique_ptr<sqlite_file> file) : file_(std::move(file)) {}

  std::unique_ptr<sqlite_file> file_;
};

} // namespace copytrader

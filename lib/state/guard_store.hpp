#pragma once
// What the account guard must not forget across a restart, per follower account, in SQLite under
// state.directory (guard.db): the lock (mode, rule, until, reason), the end-of-day high-water mark and
// the trading day's start balance with the day it belongs to. Read once at start (blocking, before the
// io loop runs); every change is queued by the io thread and written by the helper thread.

#include "core/failure.hpp"
#include "projectx/models.hpp"

#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

struct sqlite3;

namespace copytrader {

struct guard_record {
  std::string trading_day;         // "2026-06-17": the day day_start_balance belongs to
  double day_start_balance = 0;
  double high_water = 0;
  int mode = 0;                    // guard::guard_mode
  int rule = 0;                    // guard::guard_rule
  std::optional<std::int64_t> until_unix_s;
  std::string reason;
  friend bool operator==(const guard_record&, const guard_record&) = default;
};

class guard_store {
public:
  static outcome<std::unique_ptr<guard_store>> open(const std::filesystem::path& directory,
                                                    boost::asio::thread_pool& writer);
  ~guard_store();
  guard_store(const guard_store&) = delete;
  guard_store& operator=(const guard_store&) = delete;

  // Blocking: at start, and in tests.
  std::map<projectx::account_number, guard_record> read_all();
  void save(projectx::account_number account, guard_record record);
  void flush();

private:
  guard_store(sqlite3* db, boost::asio::thread_pool& writer);
  void write(projectx::account_number account, const guard_record& r);

  sqlite3* db_;
  boost::asio::strand<boost::asio::thread_pool::executor_type> strand_;
};

} // namespace copytrader

#include "state/guard_store.hpp"

#include <sqlite3.h>

namespace copytrader {

namespace {

std::string column_text(sqlite3_stmt* stmt, int column) {
  const auto* text = sqlite3_column_text(stmt, column);
  return text != nullptr ? reinterpret_cast<const char*>(text) : "";
}

} // namespace

outcome<std::unique_ptr<guard_store>> guard_store::open(const std::filesystem::path& directory,
                                                        boost::asio::thread_pool& writer) {
  auto file = sqlite_file::open(directory, "guard.db", "guard store",
                                {"CREATE TABLE IF NOT EXISTS guard (account INTEGER PRIMARY KEY, trading_day TEXT NOT "
                                 "NULL, day_start_balance REAL NOT NULL, high_water REAL NOT NULL, mode INTEGER NOT "
                                 "NULL, rule INTEGER NOT NULL, until_unix_s INTEGER, reason TEXT NOT NULL)"},
                                writer);
  if (!file) return file.error();
  return std::unique_ptr<guard_store>(new guard_store(std::move(*file)));
}

std::map<projectx::account_number, guard_record> guard_store::read_all() {
  flush();
  std::map<projectx::account_number, guard_record> out;
  sqlite_statement select(*file_,
                          "SELECT account, trading_day, day_start_balance, high_water, mode, rule, "
                          "until_unix_s, reason FROM guard");
  if (!select) return out;
  auto* stmt = select.get();
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    guard_record r;
    r.trading_day = column_text(stmt, 1);
    r.day_start_balance = sqlite3_column_double(stmt, 2);
    r.high_water = sqlite3_column_double(stmt, 3);
    r.mode = sqlite3_column_int(stmt, 4);
    r.rule = sqlite3_column_int(stmt, 5);
    if (sqlite3_column_type(stmt, 6) != SQLITE_NULL) r.until_unix_s = sqlite3_column_int64(stmt, 6);
    r.reason = column_text(stmt, 7);
    out[sqlite3_column_int64(stmt, 0)] = std::move(r);
  }
  return out;
}

void guard_store::save(projectx::account_number account, guard_record record) {
  file_->post([&file = *file_, account, r = std::move(record)] {
    sqlite_statement upsert(file, "INSERT OR REPLACE INTO guard VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!upsert) return;
    auto* stmt = upsert.get();
    sqlite3_bind_int64(stmt, 1, account);
    sqlite3_bind_text(stmt, 2, r.trading_day.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(stmt, 3, r.day_start_balance);
    sqlite3_bind_double(stmt, 4, r.high_water);
    sqlite3_bind_int(stmt, 5, r.mode);
    sqlite3_bind_int(stmt, 6, r.rule);
    if (r.until_unix_s)
      sqlite3_bind_int64(stmt, 7, *r.until_unix_s);
    else
      sqlite3_bind_null(stmt, 7);
    sqlite3_bind_text(stmt, 8, r.reason.c_str(), -1, SQLITE_TRANSIENT);
    // A lost write is a lock forgotten at the next restart: said loudly (run logs it), the daemon goes on.
    upsert.run();
  });
}

void guard_store::flush() { file_->flush(); }

} // namespace copytrader

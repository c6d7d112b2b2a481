#include "state/guard_store.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <boost/asio/post.hpp>

#include <future>

namespace copytrader {
namespace asio = boost::asio;

namespace {

bool exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    spdlog::error("guard store: {}", error != nullptr ? error : "error");
    sqlite3_free(error);
    return false;
  }
  return true;
}

std::string column_text(sqlite3_stmt* stmt, int column) {
  const auto* text = sqlite3_column_text(stmt, column);
  return text != nullptr ? reinterpret_cast<const char*>(text) : "";
}

} // namespace

outcome<std::unique_ptr<guard_store>> guard_store::open(const std::filesystem::path& directory,
                                                        asio::thread_pool& writer) {
  const auto file = directory / "guard.db";
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string why = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return failure("cannot open " + file.string() + ": " + why);
  }
  const bool ok = exec(db, "PRAGMA journal_mode=WAL") && exec(db, "PRAGMA synchronous=FULL") &&
                  exec(db,
                       "CREATE TABLE IF NOT EXISTS guard (account INTEGER PRIMARY KEY, trading_day TEXT NOT NULL, "
                       "day_start_balance REAL NOT NULL, high_water REAL NOT NULL, mode INTEGER NOT NULL, "
                       "rule INTEGER NOT NULL, until_unix_s INTEGER, reason TEXT NOT NULL)");
  if (!ok) {
    sqlite3_close(db);
    return failure("cannot prepare " + file.string() + " (is the state directory writable and the file intact?)");
  }
  return std::unique_ptr<guard_store>(new guard_store(db, writer));
}

guard_store::guard_store(sqlite3* db, asio::thread_pool& writer) : db_(db), strand_(asio::make_strand(writer)) {}

guard_store::~guard_store() {
  flush();
  sqlite3_close(db_);
}

std::map<projectx::account_number, guard_record> guard_store::read_all() {
  flush();
  std::map<projectx::account_number, guard_record> out;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "SELECT account, trading_day, day_start_balance, high_water, mode, rule, until_unix_s, "
                         "reason FROM guard",
                         -1, &stmt, nullptr) != SQLITE_OK) {
    spdlog::error("guard store: {}", sqlite3_errmsg(db_));
    return out;
  }
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
  sqlite3_finalize(stmt);
  return out;
}

void guard_store::save(projectx::account_number account, guard_record record) {
  asio::post(strand_, [this, account, r = std::move(record)] { write(account, r); });
}

void guard_store::write(projectx::account_number account, const guard_record& r) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO guard VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1, &stmt,
                         nullptr) != SQLITE_OK) {
    spdlog::error("guard store: {}", sqlite3_errmsg(db_));
    return;
  }
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
  // A lost write is a lock forgotten at the next restart: said loudly, the daemon goes on.
  if (sqlite3_step(stmt) != SQLITE_DONE) spdlog::error("guard store: {}", sqlite3_errmsg(db_));
  sqlite3_finalize(stmt);
}

void guard_store::flush() {
  std::promise<void> done;
  auto finished = done.get_future();
  asio::post(strand_, [&done] { done.set_value(); });
  finished.wait();
}

} // namespace copytrader

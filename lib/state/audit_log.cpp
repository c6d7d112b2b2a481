#include "state/audit_log.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <boost/asio/post.hpp>

#include <chrono>
#include <future>

namespace copytrader {
namespace asio = boost::asio;

namespace {

bool exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    spdlog::error("audit log: {}", error != nullptr ? error : "error");
    sqlite3_free(error);
    return false;
  }
  return true;
}

} // namespace

outcome<std::unique_ptr<audit_log>> audit_log::open(const std::filesystem::path& directory, asio::thread_pool& writer) {
  const auto file = directory / "audit.db";
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string why = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return failure("cannot open " + file.string() + ": " + why);
  }
  const bool ok = exec(db, "PRAGMA journal_mode=WAL") && exec(db, "PRAGMA synchronous=FULL") &&
                  exec(db,
                       "CREATE TABLE IF NOT EXISTS audit (unix_us INTEGER NOT NULL, kind TEXT NOT NULL, "
                       "follower TEXT NOT NULL, tag TEXT NOT NULL, detail TEXT NOT NULL)") &&
                  exec(db,
                       "CREATE TABLE IF NOT EXISTS watermark (id INTEGER PRIMARY KEY CHECK (id = 1), "
                       "trade_id INTEGER NOT NULL, unix_us INTEGER NOT NULL)");
  if (!ok) {
    sqlite3_close(db);
    return failure("cannot prepare " + file.string() + " (is the state directory writable and the file intact?)");
  }
  return std::unique_ptr<audit_log>(new audit_log(db, writer));
}

audit_log::audit_log(sqlite3* db, asio::thread_pool& writer) : db_(db), strand_(asio::make_strand(writer)) {}

audit_log::~audit_log() {
  flush();
  sqlite3_close(db_);
}

void audit_log::record(std::string_view kind, std::string_view follower, std::string_view tag, std::string detail) {
  const auto now =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  asio::post(strand_, [this, k = std::string(kind), f = std::string(follower), t = std::string(tag),
                       d = std::move(detail), now] { write(k, f, t, d, now); });
}

void audit_log::write(const std::string& kind, const std::string& follower, const std::string& tag,
                      const std::string& detail, std::int64_t unix_us) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, "INSERT INTO audit VALUES (?1, ?2, ?3, ?4, ?5)", -1, &stmt, nullptr) != SQLITE_OK) {
    spdlog::error("audit log: {}", sqlite3_errmsg(db_));
    return;
  }
  sqlite3_bind_int64(stmt, 1, unix_us);
  sqlite3_bind_text(stmt, 2, kind.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt, 3, follower.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt, 4, tag.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt, 5, detail.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(stmt) != SQLITE_DONE) spdlog::error("audit log: {}", sqlite3_errmsg(db_));
  sqlite3_finalize(stmt);
}

void audit_log::watermark(projectx::trade_id last_trade) {
  const auto now =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  asio::post(strand_, [this, last_trade, now] {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_,
                           "INSERT INTO watermark VALUES (1, ?1, ?2) ON CONFLICT(id) DO UPDATE SET "
                           "trade_id = max(trade_id, excluded.trade_id), unix_us = excluded.unix_us",
                           -1, &stmt, nullptr) != SQLITE_OK) {
      spdlog::error("audit log: {}", sqlite3_errmsg(db_));
      return;
    }
    sqlite3_bind_int64(stmt, 1, last_trade);
    sqlite3_bind_int64(stmt, 2, now);
    if (sqlite3_step(stmt) != SQLITE_DONE) spdlog::error("audit log: {}", sqlite3_errmsg(db_));
    sqlite3_finalize(stmt);
  });
}

void audit_log::flush() {
  std::promise<void> done;
  auto finished = done.get_future();
  asio::post(strand_, [&done] { done.set_value(); });
  finished.wait();
}

std::optional<projectx::trade_id> audit_log::read_watermark() {
  flush();
  sqlite3_stmt* stmt = nullptr;
  std::optional<projectx::trade_id> out;
  if (sqlite3_prepare_v2(db_, "SELECT trade_id FROM watermark WHERE id = 1", -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    out = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  return out;
}

std::size_t audit_log::count(std::string_view kind) {
  flush();
  sqlite3_stmt* stmt = nullptr;
  std::size_t n = 0;
  if (sqlite3_prepare_v2(db_, "SELECT count(*) FROM audit WHERE kind = ?1", -1, &stmt, nullptr) == SQLITE_OK) {
    sqlite3_bind_text(stmt, 1, std::string(kind).c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(stmt) == SQLITE_ROW) n = static_cast<std::size_t>(sqlite3_column_int64(stmt, 0));
  }
  sqlite3_finalize(stmt);
  return n;
}

} // namespace copytrader

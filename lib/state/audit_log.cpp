#include "state/audit_log.hpp"

#include <sqlite3.h>

#include <chrono>

namespace copytrader {

namespace {

std::int64_t unix_us_now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

} // namespace

outcome<std::unique_ptr<audit_log>> audit_log::open(const std::filesystem::path& directory,
                                                    boost::asio::thread_pool& writer) {
  auto file = sqlite_file::open(directory, "audit.db", "audit log",
                                {"CREATE TABLE IF NOT EXISTS audit (unix_us INTEGER NOT NULL, kind TEXT NOT NULL, "
                                 "follower TEXT NOT NULL, tag TEXT NOT NULL, detail TEXT NOT NULL)",
                                 "CREATE TABLE IF NOT EXISTS watermark (id INTEGER PRIMARY KEY CHECK (id = 1), "
                                 "trade_id INTEGER NOT NULL, unix_us INTEGER NOT NULL)"},
                                writer);
  if (!file) return file.error();
  return std::unique_ptr<audit_log>(new audit_log(std::move(*file)));
}

void audit_log::record(std::string_view kind, std::string_view follower, std::string_view tag, std::string detail) {
  file_->post([&file = *file_, k = std::string(kind), f = std::string(follower), t = std::string(tag),
               d = std::move(detail), now = unix_us_now()] {
    sqlite_statement insert(file, "INSERT INTO audit VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!insert) return;
    sqlite3_bind_int64(insert.get(), 1, now);
    sqlite3_bind_text(insert.get(), 2, k.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert.get(), 3, f.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert.get(), 4, t.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert.get(), 5, d.c_str(), -1, SQLITE_TRANSIENT);
    insert.run();
  });
}

void audit_log::watermark(projectx::trade_id last_trade) {
  file_->post([&file = *file_, last_trade, now = unix_us_now()] {
    sqlite_statement upsert(file,
                            "INSERT INTO watermark VALUES (1, ?1, ?2) ON CONFLICT(id) DO UPDATE SET "
                            "trade_id = max(trade_id, excluded.trade_id), unix_us = excluded.unix_us");
    if (!upsert) return;
    sqlite3_bind_int64(upsert.get(), 1, last_trade);
    sqlite3_bind_int64(upsert.get(), 2, now);
    upsert.run();
  });
}

void audit_log::flush() { file_->flush(); }

std::optional<projectx::trade_id> audit_log::read_watermark() {
  flush();
  sqlite_statement select(*file_, "SELECT trade_id FROM watermark WHERE id = 1");
  if (select && sqlite3_step(select.get()) == SQLITE_ROW) return sqlite3_column_int64(select.get(), 0);
  return std::nullopt;
}

std::size_t audit_log::count(std::string_view kind) {
  flush();
  sqlite_statement select(*file_, "SELECT count(*) FROM audit WHERE kind = ?1");
  if (!select) return 0;
  sqlite3_bind_text(select.get(), 1, std::string(kind).c_str(), -1, SQLITE_TRANSIENT);
  return sqlite3_step(select.get()) == SQLITE_ROW ? static_cast<std::size_t>(sqlite3_column_int64(select.get(), 0)) : 0;
}

} // namespace copytrader

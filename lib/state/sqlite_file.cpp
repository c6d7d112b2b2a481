#include "state/sqlite_file.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <future>

namespace copytrader {
namespace asio = boost::asio;

namespace {

bool exec(sqlite3* db, std::string_view who, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    spdlog::error("{}: {}", who, error != nullptr ? error : "error");
    sqlite3_free(error);
    return false;
  }
  return true;
}

} // namespace

outcome<std::unique_ptr<sqlite_file>> sqlite_file::open(const std::filesystem::path& directory, std::string_view name,
                                                        std::string_view who, std::initializer_list<const char*> schema,
                                                        asio::thread_pool& writer) {
  const auto file = directory / name;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string why = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return failure("cannot open " + file.string() + ": " + why);
  }
  bool ok = exec(db, who, "PRAGMA journal_mode=WAL") && exec(db, who, "PRAGMA synchronous=FULL");
  for (const char* statement : schema) ok = ok && exec(db, who, statement);
  if (!ok) {
    sqlite3_close(db);
    return failure("cannot prepare " + file.string() + " (is the state directory writable and the file intact?)");
  }
  return std::unique_ptr<sqlite_file>(new sqlite_file(db, std::string(who), writer));
}

sqlite_file::sqlite_file(sqlite3* db, std::string who, asio::thread_pool& writer)
    : db_(db), who_(std::move(who)), strand_(asio::make_strand(writer)) {}

sqlite_file::~sqlite_file() {
  flush();
  sqlite3_close(db_);
}

void sqlite_file::flush() {
  std::promise<void> done;
  auto finished = done.get_future();
  asio::post(strand_, [&done] { done.set_value(); });
  finished.wait();
}

void sqlite_file::log_error() const { spdlog::error("{}: {}", who_, sqlite3_errmsg(db_)); }

sqlite_statement::sqlite_statement(const sqlite_file& file, const char* sql) : file_(file) {
  if (sqlite3_prepare_v2(file.db(), sql, -1, &stmt_, nullptr) != SQLITE_OK) {
    file.log_error();
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
  }
}

sqlite_statement::~sqlite_statement() { sqlite3_finalize(stmt_); }

bool sqlite_statement::run() {
  if (stmt_ == nullptr) return false;
  if (sqlite3_step(stmt_) == SQLITE_DONE) return true;
  file_.log_error();
  return false;
}

} // namespace copytrader

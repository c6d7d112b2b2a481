#pragma once
// One SQLite file of the state directory (audit.db, guard.db): opened in WAL mode with full sync and
// its schema created, written off the io thread on a strand of the helper pool, read (blocking) only
// after the queued writes are done. A failed statement is logged under the file's name: a lost write
// is said loudly and the daemon goes on (docs/operations.md, the state directory).

#include "core/failure.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace copytrader {

class sqlite_file {
public:
  // Opens (or creates) `directory/name` and runs each schema statement; `who` names it in log lines.
  static outcome<std::unique_ptr<sqlite_file>> open(const std::filesystem::path& directory, std::string_view name,
                                                    std::string_view who, std::initializer_list<const char*> schema,
                                                    boost::asio::thread_pool& writer);
  ~sqlite_file(); // waits for the queued writes, then closes
  sqlite_file(const sqlite_file&) = delete;
  sqlite_file& operator=(const sqlite_file&) = delete;

  // Queues `work` for the helper thread, after every earlier one.
  template <class Work>
  void post(Work work) {
    boost::asio::post(strand_, std::move(work));
  }
  // Blocks until every queued write is done.
  void flush();
  // For blocking reads after flush(), and for the statements of the queued work.
  [[nodiscard]] sqlite3* db() const noexcept { return db_; }
  // Logs SQLite's last error on this file, prefixed by `who`.
  void log_error() const;

private:
  sqlite_file(sqlite3* db, std::string who, boost::asio::thread_pool& writer);

  sqlite3* db_;
  std::string who_;
  boost::asio::strand<boost::asio::thread_pool::executor_type> strand_;
};

// A prepared statement, finalized on every path; false when it did not prepare (the error logged).
class sqlite_statement {
public:
  sqlite_statement(const sqlite_file& file, const char* sql);
  ~sqlite_statement();
  sqlite_statement(const sqlite_statement&) = delete;
  sqlite_statement& operator=(const sqlite_statement&) = delete;

  explicit operator bool() const noexcept { return stmt_ != nullptr; }
  [[nodiscard]] sqlite3_stmt* get() const noexcept { return stmt_; }
  // Runs a statement that returns no rows; logs a failure.
  bool run();

private:
  const sqlite_file& file_;
  sqlite3_stmt* stmt_ = nullptr;
};

} // namespace copytrader

#pragma once
// Reads the daemon's audit trail (state.directory/audit.db) the way an operator would, read-only.

#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <filesystem>

namespace copytrader::testing {

// The single integer a query such as "SELECT count(*) FROM audit WHERE kind = 'place'" returns.
inline int audited(const std::filesystem::path& db_path, const char* query) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, query, -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  const int n = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

} // namespace copytrader::testing

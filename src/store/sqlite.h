// A thin SQLite layer: a connection opened in WAL mode with synchronous=FULL, prepared
// statements, transactions and per-component schema migrations. Domain stores (snapshots,
// journal, audit, sealed keys) build on it; PostgreSQL gets its own implementation of those
// stores, not of this class.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace adminauto::store {

class Statement;

// One SQLite connection. Not thread-safe: use one per thread, or guard it.
class SqliteDb {
 public:
  // Opens or creates the database file at `path` (":memory:" for a private in-memory one)
  // and sets WAL journaling, synchronous=FULL, foreign keys and a busy timeout.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);

  // Applies, in order and each in its own transaction, the migrations of `component` that
  // this database has not seen yet. Migration i is recorded as version i+1; a migration list
  // may only grow.
  Status Migrate(std::string_view component, const std::vector<std::string_view>& migrations);

  int64_t LastInsertRowId() const;
  int Changes() const;
  sqlite3* handle() { return db_; }
  const std::string& path() const { return path_; }

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

// A prepared statement. Bind indexes start at 1, column indexes at 0.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, int64_t value);
  Statement& BindBlob(int index, const void* data, size_t size);
  Statement& BindNull(int index);
  Statement& Bind(int index, const std::optional<std::string>& text);
  Statement& Bind(int index, const std::optional<int64_t>& value);

  // Advances to the next row: true when a row is available, false when done.
  Result<bool> Step();
  // Runs a statement that returns no rows.
  Status Run();
  Status Reset();

  bool IsNull(int column) const;
  int64_t Int(int column) const;
  std::string Text(int column) const;
  std::optional<std::string> OptionalText(int column) const;
  std::optional<int64_t> OptionalInt(int column) const;
  std::vector<uint8_t> Blob(int column) const;

 private:
  friend class SqliteDb;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Status BindStatus() const { return bind_status_; }
  void CheckBind(int rc);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  Status bind_status_;
};

// Begins an IMMEDIATE transaction; rolls back on destruction unless Commit() succeeded.
class Transaction {
 public:
  explicit Transaction(SqliteDb& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // The status of BEGIN; check it before doing work.
  const Status& status() const { return begin_status_; }
  Status Commit();

 private:
  SqliteDb& db_;
  Status begin_status_;
  bool done_ = false;
};

}  // namespace adminauto::store

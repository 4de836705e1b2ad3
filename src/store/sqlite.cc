#include "store/sqlite.h"

#include <string>

namespace adminauto::store {
namespace {

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return {StatusCode::kUnavailable, std::move(message)};
  }
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
    return {StatusCode::kDataLoss, std::move(message)};
  }
  if (primary == SQLITE_CONSTRAINT) return {StatusCode::kAlreadyExists, std::move(message)};
  return {StatusCode::kInternal, std::move(message)};
}

}  // namespace

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw, path));
  if (rc != SQLITE_OK) return SqliteError(raw, rc, "cannot open database " + path);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 10000);
  AA_RETURN_IF_ERROR(db->Exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"));
  return db;
}

SqliteDb::~SqliteDb() { sqlite3_close_v2(db_); }

Status SqliteDb::Exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    return SqliteError(nullptr, rc, "SQL failed").WithContext(message);
  }
  return Status::Ok();
}

Result<Statement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "cannot prepare SQL");
  return Statement(db_, stmt);
}

Status SqliteDb::Migrate(std::string_view component,
                         const std::vector<std::string_view>& migrations) {
  AA_RETURN_IF_ERROR(
      Exec("CREATE TABLE IF NOT EXISTS schema_versions ("
           "component TEXT PRIMARY KEY, version INTEGER NOT NULL)"));
  AA_ASSIGN_OR_RETURN(Statement query,
                      Prepare("SELECT version FROM schema_versions WHERE component = ?"));
  query.Bind(1, component);
  AA_ASSIGN_OR_RETURN(bool has_row, query.Step());
  int64_t version = has_row ? query.Int(0) : 0;
  if (version > static_cast<int64_t>(migrations.size())) {
    return FailedPrecondition("database schema of " + std::string(component) + " is version " +
                              std::to_string(version) + ", newer than this program (" +
                              std::to_string(migrations.size()) + "); upgrade adminauto");
  }
  for (size_t i = static_cast<size_t>(version); i < migrations.size(); ++i) {
    Transaction tx(*this);
    AA_RETURN_IF_ERROR(tx.status());
    AA_RETURN_IF_ERROR(Exec(migrations[i]).WithContext(
        "migration " + std::to_string(i + 1) + " of " + std::string(component)));
    AA_ASSIGN_OR_RETURN(Statement record,
                        Prepare("INSERT INTO schema_versions(component, version) VALUES(?, ?) "
                                "ON CONFLICT(component) DO UPDATE SET version = excluded.version"));
    record.Bind(1, component).Bind(2, static_cast<int64_t>(i + 1));
    AA_RETURN_IF_ERROR(record.Run());
    AA_RETURN_IF_ERROR(tx.Commit());
  }
  return Status::Ok();
}

int64_t SqliteDb::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int SqliteDb::Changes() const { return sqlite3_changes(db_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), bind_status_(std::move(other.bind_status_)) {
  other.stmt_ = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = other.stmt_;
    bind_status_ = std::move(other.bind_status_);
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::CheckBind(int rc) {
  if (rc != SQLITE_OK && bind_status_.ok()) bind_status_ = SqliteError(db_, rc, "cannot bind");
}

Statement& Statement::Bind(int index, std::string_view text) {
  CheckBind(sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                              SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  CheckBind(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::BindBlob(int index, const void* data, size_t size) {
  CheckBind(sqlite3_bind_blob(stmt_, index, data, static_cast<int>(size), SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::BindNull(int index) {
  CheckBind(sqlite3_bind_null(stmt_, index));
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<std::string>& text) {
  return text ? Bind(index, std::string_view(*text)) : BindNull(index);
}

Statement& Statement::Bind(int index, const std::optional<int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Result<bool> Statement::Step() {
  AA_RETURN_IF_ERROR(bind_status_);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, rc, "SQL step failed");
}

Status Statement::Run() {
  AA_ASSIGN_OR_RETURN(bool row, Step());
  (void)row;
  return Reset();
}

Status Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_status_ = Status::Ok();
  return Status::Ok();
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}
int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  return text ? std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size))
              : std::string();
}

std::optional<std::string> Statement::OptionalText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

std::optional<int64_t> Statement::OptionalInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

std::vector<uint8_t> Statement::Blob(int column) const {
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, column));
  int size = sqlite3_column_bytes(stmt_, column);
  return data ? std::vector<uint8_t>(data, data + size) : std::vector<uint8_t>();
}

Transaction::Transaction(SqliteDb& db) : db_(db) { begin_status_ = db_.Exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!done_ && begin_status_.ok()) (void)db_.Exec("ROLLBACK");
}

Status Transaction::Commit() {
  AA_RETURN_IF_ERROR(begin_status_);
  AA_RETURN_IF_ERROR(db_.Exec("COMMIT"));
  done_ = true;
  return Status::Ok();
}

}  // namespace adminauto::store

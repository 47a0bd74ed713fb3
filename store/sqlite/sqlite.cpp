// The sqlite3 C API behind RAII handles, used by the embedded store only.
#include "store/sqlite/sqlite.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace tocsin::sqlite {

namespace {
std::string database_name(sqlite3* db) {
  const char* name = db ? sqlite3_db_filename(db, "main") : nullptr;
  return name && *name ? name : ":memory:";
}
}  // namespace

void throw_error(sqlite3* db, std::string_view what) {
  std::string message = database_name(db);
  message += ": ";
  message += what;
  message += ": ";
  message += db ? sqlite3_errmsg(db) : "out of memory";
  throw std::runtime_error(message);
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_,
                              nullptr);
  if (rc != SQLITE_OK) throw_error(db_, "cannot prepare statement");
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::fail(int rc, std::string_view what) const {
  std::string context{what};
  context += " (";
  context += sqlite3_sql(stmt_) ? sqlite3_sql(stmt_) : "";
  context += ")";
  throw_error(db_, context);
}

void Statement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) fail(rc, "cannot bind");
}

void Statement::bind(int index, std::string_view text) {
  // SQLite keeps text bytes as given (no UTF-8 check) when the length is explicit.
  int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(rc, "cannot bind");
}

void Statement::bind(int index, Blob blob) {
  // A null pointer would bind NULL; an empty value must stay an empty BLOB.
  static const char empty = 0;
  const char* data = blob.bytes.empty() ? &empty : blob.bytes.data();
  int rc = sqlite3_bind_blob64(stmt_, index, data, blob.bytes.size(), SQLITE_STATIC);
  if (rc != SQLITE_OK) fail(rc, "cannot bind");
}

void Statement::bind(int index, std::optional<std::int64_t> value) {
  if (value) {
    bind(index, *value);
  } else {
    bind(index, nullptr);
  }
}

void Statement::bind(int index, std::nullptr_t) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) fail(rc, "cannot bind");
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);
  fail(rc, "statement failed");
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::column_int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::column_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string{};
}

std::string_view Statement::column_view(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return text ? std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
              : std::string_view{};
}

std::string Statement::column_blob(int column) const {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  return data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string{};
}

bool Statement::column_is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

Database::Database(const std::string& path) : path_(path) {
  // NOMUTEX: one connection per thread is the contract, so SQLite's own
  // per-connection mutex would only cost time.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = path + ": cannot open database: " + (db_ ? sqlite3_errmsg(db_) : "out of memory");
    sqlite3_close_v2(db_);
    throw std::runtime_error(message);
  }
  sqlite3_extended_result_codes(db_, 1);
}

Database::~Database() {
  statements_.clear();
  sqlite3_close_v2(db_);
}

void Database::exec(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return;
  std::string message = path_ + ": " + (error ? error : sqlite3_errstr(rc));
  sqlite3_free(error);
  throw std::runtime_error(message);
}

std::string Database::query_text(const std::string& sql) {
  Statement stmt(db_, sql);
  return stmt.step() ? stmt.column_text(0) : std::string{};
}

std::int64_t Database::query_int64(const std::string& sql) {
  Statement stmt(db_, sql);
  return stmt.step() ? stmt.column_int64(0) : 0;
}

Statement& Database::cached(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    it = statements_.emplace(std::string{sql}, std::make_unique<Statement>(db_, sql)).first;
  }
  it->second->reset();
  return *it->second;
}

std::int64_t Database::changes() const { return sqlite3_changes64(db_); }

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

void Database::set_busy_timeout(int milliseconds) { sqlite3_busy_timeout(db_, milliseconds); }

Transaction::Transaction(Database& db, Mode mode) : db_(db) {
  db_.cached(mode == Mode::immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED").run();
}

Transaction::~Transaction() {
  if (!open_) return;
  // Nothing useful can be done if ROLLBACK itself fails (e.g. SQLite already
  // rolled back after an I/O error), and a destructor must not throw.
  sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.cached("COMMIT").run();
  open_ = false;
}

}  // namespace tocsin::sqlite

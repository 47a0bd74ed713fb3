#pragma once
// A thin RAII layer over the sqlite3 C API for the embedded store: a connection
// with a cache of prepared statements, statements that bind and read by
// position, and transactions that roll back unless committed. Every error is a
// std::runtime_error naming the database file and SQLite's message.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace tocsin::sqlite {

// Bytes bound as a BLOB: kept exactly, never interpreted as text.
struct Blob {
  std::string_view bytes;
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Bound values are not copied: they must outlive the next step().
  void bind(int index, std::int64_t value);
  void bind(int index, int value) { bind(index, static_cast<std::int64_t>(value)); }
  void bind(int index, bool value) { bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
  void bind(int index, std::string_view text);
  void bind(int index, const char* text) { bind(index, std::string_view{text}); }
  void bind(int index, Blob blob);
  void bind(int index, std::optional<std::int64_t> value);
  void bind(int index, std::nullptr_t);

  template <typename... Values>
  void bind_all(const Values&... values) {
    int index = 0;
    (bind(++index, values), ...);
  }

  // True while a row is available; false when the statement is done.
  bool step();
  // Runs a statement that returns no rows, then resets it.
  void run();
  void reset();

  std::int64_t column_int64(int column) const;
  std::string column_text(int column) const;
  // Without a copy: valid until the next step() or reset().
  std::string_view column_view(int column) const;
  std::string column_blob(int column) const;
  bool column_is_null(int column) const;

 private:
  [[noreturn]] void fail(int rc, std::string_view what) const;

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Reads the columns of the current row left to right, so row decoders read
// like the SELECT list they mirror.
class RowReader {
 public:
  explicit RowReader(const Statement& stmt) : stmt_(stmt) {}
  std::int64_t int64() { return stmt_.column_int64(next_++); }
  int integer() { return static_cast<int>(stmt_.column_int64(next_++)); }
  bool boolean() { return stmt_.column_int64(next_++) != 0; }
  std::string text() { return stmt_.column_text(next_++); }
  std::string blob() { return stmt_.column_blob(next_++); }

 private:
  const Statement& stmt_;
  int next_ = 0;
};

class Database {
 public:
  // Opens (creating if needed) a read-write connection meant for one thread.
  explicit Database(const std::string& path);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  void exec(const std::string& sql);
  // Single-value query, e.g. a PRAGMA that reports its setting.
  std::string query_text(const std::string& sql);
  std::int64_t query_int64(const std::string& sql);

  // A prepared statement kept for the life of the connection, reset and ready.
  Statement& cached(std::string_view sql);

  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;
  void set_busy_timeout(int milliseconds);
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> statements_;
};

// BEGIN ... COMMIT; the destructor rolls back whatever was not committed.
// Writers use `immediate` so that they queue on the busy timeout at BEGIN
// instead of failing on a lock upgrade later; readers use `deferred` to see one
// consistent snapshot across several queries.
class Transaction {
 public:
  enum class Mode { deferred, immediate };

  Transaction(Database& db, Mode mode);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  void commit();

 private:
  Database& db_;
  bool open_ = true;
};

// "path: what: SQLite's message", the form of every store error.
[[noreturn]] void throw_error(sqlite3* db, std::string_view what);

}  // namespace tocsin::sqlite

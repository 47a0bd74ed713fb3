#pragma once
// The schema of the embedded store as an ordered list of migration steps. Step
// N brings a database from schema version N-1 to N (kept in PRAGMA
// user_version); each step runs in its own transaction at open, so a database
// is always at exactly one known version.

#include <span>
#include <string_view>

#include "store/sqlite/sqlite.hpp"

namespace tocsin::sqlite {

struct Migration {
  std::string_view description;
  std::string_view sql;
};

// Every step since the first release, in order; only ever append.
std::span<const Migration> schema_migrations();
int latest_schema_version();

int schema_version(Database& db);

// Applies the missing steps and returns how many ran (0 when up to date).
// Throws std::runtime_error, leaving the database at the last complete step,
// if a step fails or the database is newer than `steps` knows.
int migrate(Database& db, std::span<const Migration> steps = schema_migrations());

}  // namespace tocsin::sqlite

// On-call overrides, the duty log and the people and groups managed through
// the API in the embedded store. All are written by the API, each write its
// own transaction, fsynced before the API answers.
#include <algorithm>

#include "correlator/oncall/roster.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tocsin {

using sqlite::RowReader;
using sqlite::Statement;
using sqlite::Transaction;

std::int64_t SqliteStore::add_override(const oncall::StoredOverride& o) {
  Transaction transaction(db_, Transaction::Mode::immediate);
  Statement& stmt = db_.cached(
      "INSERT INTO oncall_overrides (group_name, layer, person, from_ms, to_ms, reason, created_by, created_at_ms) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  stmt.bind_all(o.group, oncall::to_string(o.layer), o.person, o.from_ms, o.to_ms, o.reason, o.created_by,
                o.created_at_ms);
  stmt.run();
  std::int64_t id = db_.last_insert_rowid();
  transaction.commit();
  return id;
}

bool SqliteStore::remove_override(std::int64_t id) {
  Transaction transaction(db_, Transaction::Mode::immediate);
  Statement& stmt = db_.cached("DELETE FROM oncall_overrides WHERE id = ?");
  stmt.bind_all(id);
  stmt.run();
  bool removed = db_.changes() > 0;
  transaction.commit();
  return removed;
}

std::vector<oncall::StoredOverride> SqliteStore::overrides() {
  Statement& stmt = db_.cached(
      "SELECT id, group_name, layer, person, from_ms, to_ms, reason, created_by, created_at_ms "
      "FROM oncall_overrides ORDER BY id");
  std::vector<oncall::StoredOverride> out;
  while (stmt.step()) {
    RowReader row(stmt);
    oncall::StoredOverride o;
    o.id = row.int64();
    o.group = row.text();
    o.layer = oncall::parse_layer(row.text()).value_or(oncall::Layer::primary);
    o.person = row.text();
    o.from_ms = row.int64();
    o.to_ms = row.int64();
    o.reason = row.text();
    o.created_by = row.text();
    o.created_at_ms = row.int64();
    out.push_back(std::move(o));
  }
  stmt.reset();
  return out;
}

std::int64_t SqliteStore::add_duty_note(const oncall::DutyNote& note, std::int64_t keep_per_group) {
  Transaction transaction(db_, Transaction::Mode::immediate);
  Statement& insert = db_.cached("INSERT INTO duty_log (group_name, author, text, at_ms) VALUES (?, ?, ?, ?)");
  insert.bind_all(note.group, note.author, note.text, note.at_ms);
  insert.run();
  std::int64_t id = db_.last_insert_rowid();
  Statement& prune = db_.cached(
      "DELETE FROM duty_log WHERE group_name = ? AND id <= (SELECT id FROM duty_log WHERE group_name = ? "
      "ORDER BY id DESC LIMIT 1 OFFSET ?)");
  prune.bind_all(note.group, note.group, std::max<std::int64_t>(keep_per_group, 1));
  prune.run();
  transaction.commit();
  return id;
}

std::vector<oncall::DutyNote> SqliteStore::duty_notes(const std::string& group, std::int64_t since_ms,
                                                      std::int64_t limit) {
  Statement& stmt = db_.cached(
      "SELECT id, group_name, author, text, at_ms FROM duty_log WHERE (? = '' OR group_name = ?) AND at_ms >= ? "
      "ORDER BY id DESC LIMIT ?");
  stmt.bind_all(group, group, since_ms, std::max<std::int64_t>(limit, 0));
  std::vector<oncall::DutyNote> out;
  while (stmt.step()) {
    RowReader row(stmt);
    oncall::DutyNote n;
    n.id = row.int64();
    n.group = row.text();
    n.author = row.text();
    n.text = row.text();
    n.at_ms = row.int64();
    out.push_back(std::move(n));
  }
  stmt.reset();
  return out;
}

std::vector<oncall::StoredEntry> SqliteStore::oncall_entries() {
  Statement& stmt = db_.cached(
      "SELECT kind, id, deleted, body, updated_at_ms, updated_by FROM oncall_entries ORDER BY kind, id");
  std::vector<oncall::StoredEntry> out;
  while (stmt.step()) {
    RowReader row(stmt);
    oncall::StoredEntry e;
    e.kind = row.text();
    e.id = row.text();
    e.deleted = row.boolean();
    e.json = row.text();
    e.updated_at_ms = row.int64();
    e.updated_by = row.text();
    out.push_back(std::move(e));
  }
  stmt.reset();
  return out;
}

void SqliteStore::write_oncall_entry(const oncall::StoredEntry& e, const oncall::EntryChange& change) {
  Transaction transaction(db_, Transaction::Mode::immediate);
  Statement& upsert = db_.cached(
      "INSERT INTO oncall_entries (kind, id, deleted, body, updated_at_ms, updated_by) VALUES (?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (kind, id) DO UPDATE SET deleted = excluded.deleted, body = excluded.body, "
      "updated_at_ms = excluded.updated_at_ms, updated_by = excluded.updated_by");
  upsert.bind_all(e.kind, e.id, e.deleted, e.json, e.updated_at_ms, e.updated_by);
  upsert.run();
  Statement& history = db_.cached(
      "INSERT INTO oncall_entry_history (kind, entry, at_ms, actor, action, before, after) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  history.bind_all(change.kind, change.entry, change.at_ms, change.actor, change.action, change.before_json,
                   change.after_json);
  history.run();
  transaction.commit();
}

std::vector<oncall::EntryChange> SqliteStore::oncall_history(const std::string& kind, const std::string& id,
                                                             std::int64_t limit) {
  Statement& stmt = db_.cached(
      "SELECT id, kind, entry, at_ms, actor, action, before, after FROM oncall_entry_history "
      "WHERE kind = ? AND entry = ? ORDER BY id DESC LIMIT ?");
  stmt.bind_all(kind, id, std::max<std::int64_t>(limit, 0));
  std::vector<oncall::EntryChange> out;
  while (stmt.step()) {
    RowReader row(stmt);
    oncall::EntryChange c;
    c.id = row.int64();
    c.kind = row.text();
    c.entry = row.text();
    c.at_ms = row.int64();
    c.actor = row.text();
    c.action = row.text();
    c.before_json = row.text();
    c.after_json = row.text();
    out.push_back(std::move(c));
  }
  stmt.reset();
  return out;
}

}  // namespace tocsin

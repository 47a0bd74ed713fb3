// The embedded Store on SQLite: group commit of the correlator's ChangeSets,
// the API's reads and the notification outbox.
//
// Attribute lists and fingerprint keys are stored as BLOBs holding, for each
// string, its length as an unsigned LEB128 varint followed by its bytes
// (attributes: key then value, pair after pair). Values are arbitrary bytes
// (SNMP OCTET STRINGs, non-UTF-8 syslog), which JSON text cannot carry intact.
// Enumerations are stored by name, as the API shows them.
#include "store/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <cassert>
#include <filesystem>
#include <stdexcept>
#include <variant>

#include "correlator/suppression/suppression.hpp"
#include "store/sqlite/migrations.hpp"

namespace tocsin {

namespace {

using sqlite::Blob;
using sqlite::RowReader;
using sqlite::Statement;
using sqlite::Transaction;

// ---- byte encoding of string lists -------------------------------------------------

void put_varint(std::string& out, std::uint64_t n) {
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
}

void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

class StringReader {
 public:
  explicit StringReader(std::string_view in) : in_(in) {}
  bool done() const { return pos_ == in_.size(); }

  std::string next() { return std::string{view()}; }

  std::string_view view() {
    const std::uint64_t size = varint();
    if (size > in_.size() - pos_) corrupt();
    std::string_view s = in_.substr(pos_, size);
    pos_ += size;
    return s;
  }

  std::uint64_t varint() {
    std::uint64_t n = 0;
    for (int shift = 0;; shift += 7) {
      if (pos_ == in_.size() || shift > 63) corrupt();
      auto byte = static_cast<unsigned char>(in_[pos_++]);
      n |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return n;
    }
  }

 private:
  [[noreturn]] static void corrupt() { throw std::runtime_error("store: corrupt string list in the database"); }

  std::string_view in_;
  std::size_t pos_ = 0;
};

// Into a buffer the caller reuses, so the hot inserts allocate nothing.
// Attributes of an event (std::string pairs) or of an alert (Label pairs).
template <typename String>
const std::string& encode_into(std::string& out, const std::vector<std::pair<String, String>>& attributes) {
  out.clear();
  for (const auto& [key, value] : attributes) {
    put_string(out, key);
    put_string(out, value);
  }
  return out;
}

const std::string& encode_into(std::string& out, const std::vector<std::string>& strings) {
  out.clear();
  for (const auto& s : strings) put_string(out, s);
  return out;
}

std::string encode(const std::vector<std::string>& strings) {
  std::string out;
  encode_into(out, strings);
  return out;
}

Attributes decode_attributes(std::string_view bytes) {
  Attributes attributes;
  StringReader reader(bytes);
  while (!reader.done()) {
    std::string key = reader.next();
    attributes.emplace_back(std::move(key), reader.next());
  }
  return attributes;
}

std::vector<std::string> decode_strings(std::string_view bytes) {
  std::vector<std::string> strings;
  StringReader reader(bytes);
  while (!reader.done()) strings.push_back(reader.next());
  return strings;
}

template <typename E>
E decode_name(std::optional<E> (*parse)(std::string_view), const std::string& name) {
  std::optional<E> value = parse(name);
  if (!value) throw std::runtime_error("store: unknown state or severity '" + name + "' in the database");
  return *value;
}

// 0 means "none" in the model and NULL in the schema (foreign keys).
std::optional<std::int64_t> reference(std::int64_t id) {
  return id == 0 ? std::nullopt : std::optional<std::int64_t>{id};
}

// ---- row layouts: each column list matches its decoder ------------------------------

// Written whole, incidents carry the sequence of their commit as well (see
// "Deferred repeats" in README.md).
constexpr std::string_view incident_write_columns =
    "id, title, state, priority, severity, ci, service, group_name, assignee, alert_count, event_count, "
    "opened_at_ms, acknowledged_at_ms, resolved_at_ms, closed_at_ms, sla_ack_due_ms, sla_resolve_due_ms, "
    "sla_ack_breached, sla_resolve_breached, escalation_level, updated_at_ms, ci_name, criticality, services, "
    "location, runbook, root_alert_id, symptom_count, merged_into, hold_until_ms, resolve_after_ms, "
    "next_escalation_ms, resolution_code, previous_group, priority_set_by, recurrence_count, reopened_at_ms, "
    "written_seq, last_timeline_ref";

constexpr std::string_view incident_columns =
    "id, title, state, priority, severity, ci, service, group_name, assignee, alert_count, event_count, "
    "opened_at_ms, acknowledged_at_ms, resolved_at_ms, closed_at_ms, sla_ack_due_ms, sla_resolve_due_ms, "
    "sla_ack_breached, sla_resolve_breached, escalation_level, updated_at_ms, ci_name, criticality, services, "
    "location, runbook, root_alert_id, symptom_count, merged_into, hold_until_ms, resolve_after_ms, "
    "next_escalation_ms, resolution_code, previous_group, priority_set_by, recurrence_count, reopened_at_ms";

const int incident_column_count =
    1 + static_cast<int>(std::count(incident_columns.begin(), incident_columns.end(), ','));

Incident read_incident(const Statement& stmt) {
  RowReader row(stmt);
  Incident i;
  i.id = row.int64();
  i.title = row.text();
  i.state = decode_name(parse_incident_state, row.text());
  i.priority = row.text();
  i.severity = decode_name(parse_severity, row.text());
  i.ci = row.text();
  i.service = row.text();
  i.group = row.text();
  i.assignee = row.text();
  i.alert_count = row.int64();
  i.event_count = row.int64();
  i.opened_at_ms = row.int64();
  i.acknowledged_at_ms = row.int64();
  i.resolved_at_ms = row.int64();
  i.closed_at_ms = row.int64();
  i.sla.ack_due_ms = row.int64();
  i.sla.resolve_due_ms = row.int64();
  i.sla.ack_breached = row.boolean();
  i.sla.resolve_breached = row.boolean();
  i.escalation_level = row.integer();
  i.updated_at_ms = row.int64();
  std::string ci_name = row.text();
  i.criticality = row.text();
  std::vector<std::string> services = decode_strings(row.blob());
  std::string location = row.text();
  std::string runbook = row.text();
  i.cmdb = CiFields::copy_of(std::move(ci_name), std::move(services), std::move(location), std::move(runbook));
  i.root_alert_id = row.int64();
  i.symptom_count = row.int64();
  i.merged_into = row.int64();
  i.hold_until_ms = row.int64();
  i.resolve_after_ms = row.int64();
  i.next_escalation_ms = row.int64();
  i.resolution_code = row.text();
  i.previous_group = row.text();
  i.priority_set_by = row.text();
  i.recurrence_count = row.int64();
  i.reopened_at_ms = row.int64();
  return i;
}

constexpr std::string_view alert_columns =
    "id, fingerprint, name, resource, severity, state, summary, attributes, first_seen_ms, last_seen_ms, "
    "resolved_at_ms, count, incident_id, ci, ci_name, group_name, criticality, services, location, runbook, "
    "symptom, source, suppressed_by";

// The same columns in the order they are written: the last column of a row
// written whole is not indexed (see RowWriter).
constexpr std::string_view alert_write_columns =
    "id, fingerprint, name, resource, severity, state, summary, attributes, first_seen_ms, last_seen_ms, "
    "resolved_at_ms, count, incident_id, ci, ci_name, group_name, criticality, services, location, runbook, "
    "symptom, suppressed_by, source, written_seq, last_event_ref";

Alert read_alert(const Statement& stmt) {
  RowReader row(stmt);
  Alert a;
  a.id = row.int64();
  a.fingerprint = row.text();
  a.name = row.text();
  a.resource = row.text();
  a.severity = decode_name(parse_severity, row.text());
  a.state = decode_name(parse_alert_state, row.text());
  a.summary = row.text();
  a.attributes = label_attributes(decode_attributes(row.blob()));
  a.first_seen_ms = row.int64();
  a.last_seen_ms = row.int64();
  a.resolved_at_ms = row.int64();
  a.count = row.int64();
  a.incident_id = row.int64();
  a.ci = row.text();
  std::string ci_name = row.text();
  a.group = row.text();
  a.criticality = row.text();
  std::vector<std::string> services = decode_strings(row.blob());
  std::string location = row.text();
  std::string runbook = row.text();
  a.cmdb = CiFields::copy_of(std::move(ci_name), std::move(services), std::move(location), std::move(runbook));
  a.symptom = row.boolean();
  a.source = row.text();
  a.suppressed_by = row.text();
  return a;
}

constexpr std::string_view event_columns =
    "id, received_at_ms, source, source_address, name, alert_key, kind, severity, resource, summary, rule, "
    "fingerprint, alert_id, attributes, fingerprint_keys, raw";

EventRecord read_event(const Statement& stmt) {
  RowReader row(stmt);
  EventRecord r;
  r.id = row.int64();
  Event& e = r.event;
  e.received_at_ms = row.int64();
  e.source = row.text();
  e.source_address = row.text();
  e.name = row.text();
  e.alert_key = row.text();
  e.kind = decode_name(parse_event_kind, row.text());
  e.severity = decode_name(parse_severity, row.text());
  e.resource = row.text();
  e.summary = row.text();
  e.rule = row.text();
  r.fingerprint = row.text();
  r.alert_id = row.int64();
  e.attributes = decode_attributes(row.blob());
  e.fingerprint_keys = decode_strings(row.blob());
  e.raw = row.blob();
  return r;
}

// ---- event records of the journal ------------------------------------------------------
//
// An event's record body: its id, its alert's id (0: none), the reference of
// the alert's previous event in the journal (0: none; the alerts row holds the
// latest, so an alert's events are a chain from the newest back), the receive
// time as varints (the time zigzag-encoded), then as strings source,
// source_address, name, alert_key, kind, severity, resource, summary, rule,
// fingerprint, the attributes and the fingerprint keys (each a string list as
// above) and the raw bytes.

std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

void encode_event(std::string& out, std::string& scratch, const EventRecord& r, std::int64_t previous) {
  const Event& e = r.event;
  put_varint(out, static_cast<std::uint64_t>(r.id));
  put_varint(out, static_cast<std::uint64_t>(r.alert_id));
  put_varint(out, static_cast<std::uint64_t>(previous));
  put_varint(out, zigzag(e.received_at_ms));
  for (std::string_view field : {std::string_view{e.source}, std::string_view{e.source_address},
                                 std::string_view{e.name}, std::string_view{e.alert_key}, to_string(e.kind),
                                 to_string(e.severity), std::string_view{e.resource}, std::string_view{e.summary},
                                 std::string_view{e.rule}, std::string_view{r.fingerprint}})
    put_string(out, field);
  put_string(out, encode_into(scratch, e.attributes));
  put_string(out, encode_into(scratch, e.fingerprint_keys));
  put_string(out, e.raw);
}

struct JournalEvent {
  EventRecord record;
  std::int64_t previous = 0;
};

JournalEvent decode_event(std::string_view body) {
  StringReader in(body);
  JournalEvent j;
  EventRecord& r = j.record;
  Event& e = r.event;
  r.id = static_cast<std::int64_t>(in.varint());
  r.alert_id = static_cast<std::int64_t>(in.varint());
  j.previous = static_cast<std::int64_t>(in.varint());
  e.received_at_ms = unzigzag(in.varint());
  e.source = in.next();
  e.source_address = in.next();
  e.name = in.next();
  e.alert_key = in.next();
  e.kind = decode_name(parse_event_kind, in.next());
  e.severity = decode_name(parse_severity, in.next());
  e.resource = in.next();
  e.summary = in.next();
  e.rule = in.next();
  r.fingerprint = in.next();
  e.attributes = decode_attributes(in.view());
  e.fingerprint_keys = decode_strings(in.view());
  e.raw = in.next();
  return j;
}

// Records that are not events start with a varint of 0 (no event has id 0),
// then their kind.
constexpr std::uint64_t repeats_record = 1;
constexpr std::uint64_t timeline_record = 2;

// The source of a record, read without decoding the rest.
std::string_view source_of(std::string_view body) {
  StringReader in(body);
  if (in.varint() == 0) return {};  // not an event (deferred repeats)
  for (int i = 0; i < 3; ++i) in.varint();
  return in.view();
}

// A timeline entry's record body: 0, its kind, the incident's id, the
// reference of the incident's previous entry (0: none; the incidents row holds
// the newest), the time (zigzag), then as strings actor, action and text. Its
// reference is the entry's id.

void encode_timeline(std::string& out, const TimelineEntry& t, std::int64_t previous) {
  put_varint(out, 0);
  put_varint(out, timeline_record);
  put_varint(out, static_cast<std::uint64_t>(t.incident_id));
  put_varint(out, static_cast<std::uint64_t>(previous));
  put_varint(out, zigzag(t.at_ms));
  put_string(out, t.actor);
  put_string(out, t.action);
  put_string(out, t.text);
}

struct JournalTimelineEntry {
  TimelineEntry entry;
  std::int64_t previous = 0;
};

JournalTimelineEntry decode_timeline(std::string_view body, std::int64_t reference) {
  StringReader in(body);
  if (in.varint() != 0 || in.varint() != timeline_record)
    throw std::runtime_error("store: the journal record at " + std::to_string(reference) +
                             " is not a timeline entry");
  JournalTimelineEntry j;
  TimelineEntry& t = j.entry;
  t.id = reference;
  t.incident_id = static_cast<std::int64_t>(in.varint());
  j.previous = static_cast<std::int64_t>(in.varint());
  t.at_ms = unzigzag(in.varint());
  t.actor = in.next();
  t.action = in.next();
  t.text = in.next();
  return j;
}

// The timeline table of a store written before its entries moved to the journal.
constexpr std::string_view timeline_columns = "id, incident_id, at_ms, actor, action, text";

TimelineEntry read_timeline(const Statement& stmt) {
  RowReader row(stmt);
  TimelineEntry t;
  t.id = row.int64();
  t.incident_id = row.int64();
  t.at_ms = row.int64();
  t.actor = row.text();
  t.action = row.text();
  t.text = row.text();
  return t;
}

constexpr std::string_view notification_columns =
    "id, incident_id, channel, recipient, subject, body, state, attempts, created_at_ms, next_attempt_ms, "
    "sent_at_ms, last_error, possible_duplicate, person, kind, step, gateway_id, delivery_status";

Notification read_notification(const Statement& stmt) {
  RowReader row(stmt);
  Notification n;
  n.id = row.int64();
  n.incident_id = row.int64();
  n.channel = row.text();
  n.recipient = row.text();
  n.subject = row.text();
  n.body = row.text();
  n.state = decode_name(parse_notification_state, row.text());
  n.attempts = row.integer();
  n.created_at_ms = row.int64();
  n.next_attempt_ms = row.int64();
  n.sent_at_ms = row.int64();
  n.last_error = row.text();
  n.possible_duplicate = row.boolean();
  n.person = row.text();
  n.kind = row.text();
  n.step = row.integer();
  n.gateway_id = row.text();
  n.delivery_status = row.text();
  return n;
}

// ---- query helpers -------------------------------------------------------------------

template <typename Decode>
auto collect(Statement& stmt, Decode decode) {
  std::vector<decltype(decode(stmt))> rows;
  try {
    while (stmt.step()) rows.push_back(decode(stmt));
  } catch (...) {
    stmt.reset();
    throw;
  }
  stmt.reset();
  return rows;
}

std::string select_from(std::string_view columns, std::string_view table) {
  std::string sql = "SELECT ";
  sql += columns;
  sql += " FROM ";
  sql += table;
  return sql;
}

// A SELECT whose WHERE clause depends on which filters are set. Each shape of
// the query is its own cached statement, so SQLite can pick the index that
// fits the filter.
class FilteredQuery {
 public:
  FilteredQuery(std::string_view columns, std::string_view table) : sql_(select_from(columns, table)) {}

  void where(std::string_view condition, std::variant<std::int64_t, std::string_view> value) {
    sql_ += params_.empty() ? " WHERE " : " AND ";
    sql_ += condition;
    params_.push_back(value);
  }

  Statement& prepare(sqlite::Database& db, std::int64_t limit) {
    sql_ += " ORDER BY id DESC LIMIT ?";
    Statement& stmt = db.cached(sql_);
    int index = 0;
    for (const auto& p : params_) std::visit([&](auto v) { stmt.bind(++index, v); }, p);
    stmt.bind(++index, std::max<std::int64_t>(limit, 0));
    return stmt;
  }

 private:
  std::string sql_;
  std::vector<std::variant<std::int64_t, std::string_view>> params_;
};

bool differs(const Statement& stored, int column, std::string_view value) {
  return stored.column_view(column) != value;
}

bool differs(const Statement& stored, int column, std::int64_t value) { return stored.column_int64(column) != value; }

// One bit per value that differs from the stored column in the same place.
template <typename... Values>
std::uint32_t changed_columns(const Statement& stored, const Values&... values) {
  std::uint32_t changed = 0;
  int column = 0;
  ((changed |= differs(stored, column, values) ? 1u << column : 0u, ++column), ...);
  return changed;
}

std::vector<std::string_view> split_columns(std::string_view columns) {
  std::vector<std::string_view> names;
  for (;;) {
    auto comma = columns.find(", ");
    names.push_back(columns.substr(0, comma));
    if (comma == std::string_view::npos) return names;
    columns.remove_prefix(comma + 2);
  }
}

// ---- chains of journal records ------------------------------------------------------------
//
// An alert's events and an incident's timeline entries are chains from the
// newest back: each record holds the reference of the previous one, the row
// the newest. `heads` maps a row's id to its newest record in the commit in
// progress (and whether the row's write carried it), `cache` to the newest as
// this connection's earlier commits left it.

// Where the next record framed onto `records` will lie.
std::int64_t next_reference(sqlite::JournalPosition records_at, const std::string& records) {
  return sqlite::JournalPosition{records_at.segment, records_at.offset + records.size()}.reference();
}

// Makes `reference` the newest record of chain `id` and returns the one
// before it: the commit's previous newest, or `stored(id)` for the first.
template <typename Heads, typename Stored>
std::int64_t link(Heads& heads, std::int64_t id, std::int64_t reference, Stored& stored) {
  auto [head, added] = heads.try_emplace(id);
  const std::int64_t previous = added ? stored(id) : head->second.reference;
  head->second = {reference, false};
  return previous;
}

// The newest record of the chain to write with the row; none (the stored one
// stays) when the commit has no record of it.
template <typename Heads>
std::optional<std::int64_t> take(Heads& heads, std::int64_t id) {
  auto head = heads.find(id);
  if (head == heads.end()) return std::nullopt;
  head->second.written = true;
  return head->second.reference;
}

// Bounded: a chain that falls out is read from its row the next time.
template <typename Heads, typename Cache>
void keep(Heads& heads, Cache& cache) {
  if (cache.size() > (std::size_t{1} << 20)) cache.clear();
  for (const auto& [id, head] : heads) cache[id] = head.reference;
  heads.clear();
}

// The newest record a row holds (`sql` selects it by id). A row above
// `stored_max` is not stored yet; one that is neither stored nor among the
// commit's `new_rows` breaks a foreign key.
template <typename Set>
std::int64_t stored_reference(sqlite::Database& db, const std::string& sql, std::int64_t id, std::int64_t stored_max,
                              const Set& new_rows, std::string_view what) {
  bool found = false;
  std::int64_t head = 0;
  if (id <= stored_max) {
    Statement& stmt = db.cached(sql);
    stmt.bind(1, id);
    found = stmt.step();
    head = found ? stmt.column_int64(0) : 0;
    stmt.reset();
  }
  if (!found && !new_rows.contains(id)) {
    throw std::runtime_error(db.path() + ": FOREIGN KEY constraint failed: " + std::string{what} + " " +
                             std::to_string(id));
  }
  return head;
}

std::string prepare_parent_directory(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (path == ":memory:" || parent.empty()) return path;
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  if (error) throw std::runtime_error(path + ": cannot create directory " + parent.string() + ": " + error.message());
  return path;
}

}  // namespace

// ---- rows written whole: incidents and alerts -----------------------------------------

// The correlator hands incidents and alerts over as whole rows, new and
// changed alike. An upsert assigning every column makes SQLite rewrite the
// row's entries in every index on those columns and check their CHECK and
// foreign key constraints even when the values stay the same, while most
// changes move none of them (counters, times, SLA clocks). So a row the table
// does not have yet is a plain INSERT, and an existing one an UPDATE of every
// unindexed column and of the indexed ones whose stored value differs. The
// stored values are read inside the commit's transaction: nothing is assumed
// from earlier commits, which holds across restarts and failed commits.
// Ids grow, so most new rows lie above the table's largest id, read once per
// transaction: those are inserted without looking for a stored row.
class SqliteStore::RowWriter {
 public:
  // `columns` in bind order, the id first; `compared` the indexed columns, in
  // the order the caller's comparison lists them. The last column is never
  // compared, so every statement has the same parameters (?1 to ?N).
  // `kept_when_null`: a column (the last) that a NULL leaves as stored (0
  // when inserted).
  RowWriter(sqlite::Database& db, std::string_view table, std::string_view columns,
            std::vector<std::string_view> compared, std::string_view kept_when_null = {})
      : db_(db), table_(table), columns_(split_columns(columns)), kept_(kept_when_null), bit_(columns_.size(), -1),
        updates_(std::size_t{1} << compared.size(), nullptr) {
    assert(kept_.empty() || kept_ == columns_.back());
    for (std::size_t b = 0; b < compared.size(); ++b) {
      auto it = std::find(columns_.begin(), columns_.end(), compared[b]);
      assert(it != columns_.end() && it != columns_.begin() && it + 1 != columns_.end());
      bit_[static_cast<std::size_t>(it - columns_.begin())] = static_cast<int>(b);
    }
    std::string select = "SELECT ";
    for (std::size_t b = 0; b < compared.size(); ++b) {
      if (b > 0) select += ", ";
      select += compared[b];
    }
    select_ = &db_.cached(select + " FROM " + table_ + " WHERE id = ?1");
    std::string insert = "INSERT INTO " + table_ + " (" + std::string{columns} + ") VALUES (";
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      const std::string param = "?" + std::to_string(c + 1);
      if (c > 0) insert += ", ";
      insert += columns_[c] == kept_ ? "ifnull(" + param + ", 0)" : param;
    }
    insert_ = &db_.cached(insert + ")");
    max_id_ = &db_.cached("SELECT ifnull(max(id), 0) FROM " + table_);
  }

  // At the start of each transaction: no row above the largest id is stored.
  void begin() {
    Statement& stmt = *max_id_;
    stmt.step();
    stored_max_ = stmt.column_int64(0);
    stmt.reset();
    inserted_above_.clear();
  }

  // The statement that writes row `id`, still to be bound (every column) and
  // run. `changed(stored)` compares the stored `compared` columns with the
  // row's values and returns a bit per column that differs.
  // No stored row had a larger id when the transaction began.
  std::int64_t stored_max() const { return stored_max_; }

  template <typename Changed>
  Statement& statement(std::int64_t id, Changed changed) {
    if (first_above_stored_max(id)) return *insert_;
    Statement& stored = *select_;
    stored.bind(1, id);
    const bool exists = stored.step();
    const std::uint32_t bits = exists ? changed(static_cast<const Statement&>(stored)) : 0;
    stored.reset();
    return exists ? update(bits) : *insert_;
  }

 private:
  // Ids above the stored maximum are new, given in any order and possibly
  // twice in one ChangeSet: true the first time, when the row is not stored.
  // They are dense (the correlator counts them out), so a bitmap records them;
  // one far above falls back to looking for the row.
  bool first_above_stored_max(std::int64_t id) {
    constexpr std::int64_t most_tracked = std::int64_t{1} << 22;
    if (id <= stored_max_ || id - stored_max_ > most_tracked) return false;
    const auto bit = static_cast<std::size_t>(id - stored_max_ - 1);
    if (bit >= inserted_above_.size()) inserted_above_.resize(bit + 1);
    if (inserted_above_[bit]) return false;
    inserted_above_[bit] = true;
    return true;
  }

  Statement& update(std::uint32_t changed) {
    Statement*& stmt = updates_[changed];
    if (stmt == nullptr) {
      std::string sql = "UPDATE " + table_ + " SET ";
      for (std::size_t c = 1; c < columns_.size(); ++c) {
        if (bit_[c] >= 0 && !(changed >> bit_[c] & 1u)) continue;
        if (sql.back() != ' ') sql += ", ";
        const std::string column{columns_[c]}, param = "?" + std::to_string(c + 1);
        sql += column + " = " + (columns_[c] == kept_ ? "ifnull(" + param + ", " + column + ")" : param);
      }
      stmt = &db_.cached(sql + " WHERE id = ?1");
    }
    return *stmt;
  }

  sqlite::Database& db_;
  const std::string table_;
  const std::vector<std::string_view> columns_;
  const std::string_view kept_;
  std::vector<int> bit_;  // per column: its bit in a comparison, or -1
  Statement* select_ = nullptr;
  Statement* insert_ = nullptr;
  Statement* max_id_ = nullptr;
  std::int64_t stored_max_ = 0;        // no stored row had a larger id when the transaction began
  std::vector<bool> inserted_above_;  // by id - stored_max_ - 1: inserted in this transaction
  std::vector<Statement*> updates_;  // by the bits of the changed columns, prepared when first needed
};

SqliteStore::SqliteStore(const std::string& path, SqliteOptions options)
    : db_(prepare_parent_directory(path)),
      journal_(std::make_unique<sqlite::EventJournal>(path.empty() || path == ":memory:" ? "" : path + "-events")),
      segment_bytes_(std::max<std::uint64_t>(options.journal_segment_bytes, 1)), options_(options),
      clock_(options.clock ? *options.clock : system_clock()) {
  configure(options);
  sqlite::migrate(db_);
  // Listed in the order of the comparisons in upsert().
  incident_writer_ = std::make_unique<RowWriter>(
      db_, "incidents", incident_write_columns,
      std::vector<std::string_view>{"state", "priority", "ci", "group_name", "assignee", "opened_at_ms",
                                    "resolved_at_ms", "merged_into"},
      "last_timeline_ref");
  alert_writer_ = std::make_unique<RowWriter>(
      db_, "alerts", alert_write_columns,
      std::vector<std::string_view>{"resource", "state", "incident_id", "suppressed_by"},
      "last_event_ref");
  if (options.background_checkpoint && db_.query_text("PRAGMA journal_mode") == "wal") {
    checkpointer_ = std::make_unique<Checkpointer>(db_.path(), options.checkpoint, options.stats);
    checkpointer_->attach(db_);
  }
  move_table_to_journal("events", event_columns, [this](const Statement& row, JournalState& state) {
    EventRecord r = read_event(row);
    frame_event(r, state.position, [](std::int64_t) { return std::int64_t{0}; });
    state.last_event_id = std::max(state.last_event_id, r.id);
    ++state.events;
  });
  move_table_to_journal("timeline", timeline_columns, [this](const Statement& row, JournalState& state) {
    frame_timeline(read_timeline(row), state.position, [](std::int64_t) { return std::int64_t{0}; });
  });
  recover_repeats();
}

SqliteStore::~SqliteStore() {
  // A clean stop leaves the rows current; after a crash the next open does.
  if (options_.flush_on_close) {
    try {
      flush();
    } catch (const std::exception&) {
      // The repeats are journaled: recover_repeats() writes them at the next open.
    }
  }
}

// A store written before the journal kept its events (or, before its timeline
// entries moved there too, those) in a table: the rows move to the journal, in
// id order and chained per alert (incident), in one transaction, and the table
// goes. `frame(row, state)` frames one row onto records_ at `state.position`.
template <typename Frame>
void SqliteStore::move_table_to_journal(const std::string& table, std::string_view columns, Frame frame) {
  const std::string exists = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" + table + "'";
  if (db_.query_int64(exists) == 0) return;
  Transaction transaction(db_, Transaction::Mode::immediate);
  if (db_.query_int64(exists) == 0) return;  // another connection moved them first
  JournalState state = journal_state();
  forget_heads();
  auto flush = [&] {
    journal_->write(state.position, records_);
    state.position.offset += records_.size();
    records_.clear();
  };
  records_.clear();
  for (Statement select(db_.handle(), select_from(columns, table) + " ORDER BY id"); select.step();) {
    frame(static_cast<const Statement&>(select), state);
    if (records_.size() >= (16u << 20)) flush();
  }
  if (!records_.empty()) flush();
  write_event_heads();
  write_timeline_heads();
  forget_heads();
  set_journal_state(state);
  db_.exec("DROP TABLE " + table);
  transaction.commit();
}

void SqliteStore::configure(const SqliteOptions& options) {
  db_.set_busy_timeout(options.busy_timeout_ms);
  std::string mode = db_.query_text("PRAGMA journal_mode = WAL");
  if (mode != "wal" && mode != "memory") {
    throw std::runtime_error(db_.path() + ": cannot switch to WAL journal mode (got '" + mode + "')");
  }
  // FULL: in WAL mode NORMAL may lose the last commits on power loss, and
  // commit() promises durability before inputs are acknowledged.
  db_.exec("PRAGMA synchronous = FULL");
  db_.exec("PRAGMA foreign_keys = ON");
  db_.exec("PRAGMA cache_size = -" + std::to_string(options.cache_kib));
  // When the WAL restarts after a checkpoint, the next commit truncates it to
  // this size, so a burst does not leave a huge file.
  db_.exec("PRAGMA journal_size_limit = 67108864");
}

// ---- writes --------------------------------------------------------------------------

void SqliteStore::commit(const ChangeSet& changes) {
  if (changes.empty()) return;
  if (checkpointer_) checkpointer_->before_transaction();
  Transaction transaction(db_, Transaction::Mode::immediate);
  incident_writer_->begin();
  alert_writer_->begin();
  records_.clear();
  heads_.clear();
  timeline_heads_.clear();
  undo_.clear();
  JournalState journal = journal_state();
  const JournalState before = journal;
  // Another connection appended since: the heads this one kept may be old.
  if (!(journal == cached_state_)) forget_heads();
  const bool defer = defer_repeats(changes);
  // The records of the events, the deferred repeats and the timeline are
  // written and made durable while the rows are: the two waits for the disk
  // overlap.
  JournalWrite write;
  if (!changes.events.empty() || defer || !changes.timeline.empty()) {
    const sqlite::JournalPosition at = append_events(changes, journal);
    if (defer) append_repeats(changes);
    append_timeline(changes, at);
    journal.position.offset = at.offset + records_.size();
    write.start(*journal_, at, records_);
  }
  // Every row written whole or repeated in this commit is up to date as of its end.
  commit_seq_ = journal.position.reference();
  try {
    // Parents before children, for the foreign keys.
    for (const auto& incident : changes.incidents) upsert(incident);
    for (const auto& alert : changes.alerts) upsert(alert);
    if (defer) {
      keep_pending(changes);
    } else {
      write_pending();  // older than this commit's
      for (const auto& repeat : changes.incident_repeats) update(repeat);
      for (const auto& repeat : changes.alert_repeats) update(repeat);
      journal.repeats_from = commit_seq_;
    }
    write_event_heads();
    write_timeline_heads();
    for (const auto& notification : changes.notifications) insert(notification);
    for (const auto& gap : changes.cmdb_gaps) upsert(gap);
    for (auto incident_id : changes.cancelled_pages) cancel_pending(incident_id);
    for (const auto& silence : changes.silences) upsert(silence);
    for (const auto& window : changes.maintenance) insert(window);
    for (const auto& [id, at_ms] : changes.removed_maintenance) remove_window(id, at_ms);
    // The records are durable before the transaction that makes them part of
    // the store commits; if it does not, they lie past the committed end and
    // the next commit writes over them.
    write.finish();
    if (!(journal == before)) set_journal_state(journal);
    transaction.commit();
  } catch (...) {
    forget_heads();
    undo_pending();
    throw;
  }
  undo_.clear();
  flushed_alerts_.clear();
  flushed_incidents_.clear();
  keep_heads(journal);
}

// ---- deferred repeats ---------------------------------------------------------------------

// Under load repeats wait in memory, journaled, up to repeat_flush_ms; a
// commit not under load, or the first one past that age, writes them all.
bool SqliteStore::defer_repeats(const ChangeSet& changes) {
  if (options_.repeat_flush_ms <= 0 || !under_load(changes.events.size())) return false;
  if (changes.alert_repeats.empty() && changes.incident_repeats.empty()) return false;
  const bool pending = !pending_alerts_.empty() || !pending_incidents_.empty();
  return !pending || clock_.monotonic_ms() - pending_since_ms_ < options_.repeat_flush_ms;
}

// The repeats of this commit as one record after its events: a first varint
// of 0 (no event has id 0), kind 1, then the alerts' (id, count, last seen,
// severity, newest event) and the incidents' (id, event count, severity,
// updated at). Its end is the commit's sequence.
void SqliteStore::append_repeats(const ChangeSet& changes) {
  body_.clear();
  put_varint(body_, 0);
  put_varint(body_, repeats_record);
  put_varint(body_, changes.alert_repeats.size());
  for (const AlertRepeat& r : changes.alert_repeats) {
    put_varint(body_, static_cast<std::uint64_t>(r.id));
    put_varint(body_, static_cast<std::uint64_t>(r.count));
    put_varint(body_, zigzag(r.last_seen_ms));
    put_string(body_, to_string(r.severity));
    auto head = heads_.find(r.id);
    std::int64_t reference = head != heads_.end() ? head->second.reference : 0;
    if (reference == 0)
      if (auto p = pending_alerts_.find(r.id); p != pending_alerts_.end()) reference = p->second.head;
    put_varint(body_, static_cast<std::uint64_t>(reference));
  }
  put_varint(body_, changes.incident_repeats.size());
  for (const IncidentRepeat& r : changes.incident_repeats) {
    put_varint(body_, static_cast<std::uint64_t>(r.id));
    put_varint(body_, static_cast<std::uint64_t>(r.event_count));
    put_string(body_, to_string(r.severity));
    put_varint(body_, zigzag(r.updated_at_ms));
  }
  sqlite::EventJournal::frame(records_, body_);
}

// A commit is under load when it, or the commits of the current and the
// previous load window together, carry repeat_defer_min_events events: a
// writer kept busy by many small batches is as loaded as one taking a large
// batch, and writing every repeat at once would slow it down most just then.
bool SqliteStore::under_load(std::size_t events) {
  constexpr std::int64_t window_ms = 100;
  const std::int64_t now = clock_.monotonic_ms();
  if (const std::int64_t since = now - load_.start_ms; since >= window_ms) {
    load_.previous = since < 2 * window_ms ? load_.events : 0;
    load_.events = 0;
    load_.start_ms = now;
  }
  load_.events += events;
  const std::size_t min = options_.repeat_defer_min_events;
  return events >= min || load_.events + load_.previous >= min;
}

void SqliteStore::keep_pending(const ChangeSet& changes) {
  if (pending_alerts_.empty() && pending_incidents_.empty()) {
    undo_.since_ms = pending_since_ms_;
    undo_.since_set = true;
    pending_since_ms_ = clock_.monotonic_ms();
  }
  for (const AlertRepeat& r : changes.alert_repeats) {
    PendingAlert p{r, 0};
    if (auto head = heads_.find(r.id); head != heads_.end()) {
      p.head = head->second.reference;
      head->second.written = true;  // with the repeat, later
    } else if (auto old = pending_alerts_.find(r.id); old != pending_alerts_.end()) {
      p.head = old->second.head;
    }
    set_pending_alert(r.id, p);
  }
  for (const IncidentRepeat& r : changes.incident_repeats) set_pending_incident(r.id, r);
}

// Every pending repeat, written with this commit's sequence, in the order of
// the rows' ids: consecutive updates land on the same B-tree pages.
void SqliteStore::write_pending() {
  if (pending_alerts_.empty() && pending_incidents_.empty()) return;
  std::vector<std::pair<std::int64_t, const PendingAlert*>> alerts;
  alerts.reserve(pending_alerts_.size());
  for (const auto& [id, p] : pending_alerts_) alerts.emplace_back(id, &p);
  std::sort(alerts.begin(), alerts.end());
  for (const auto& [id, pending] : alerts) {
    const PendingAlert& p = *pending;
    auto head = heads_.find(id);
    if (head != heads_.end()) {
      // This commit's newest event of it is newer than the deferred one.
      head->second.written = true;
      update(p.repeat, head->second.reference);
    } else {
      update(p.repeat, p.head != 0 ? std::optional<std::int64_t>{p.head} : std::nullopt);
    }
  }
  std::vector<const IncidentRepeat*> incidents;
  incidents.reserve(pending_incidents_.size());
  for (const auto& [id, r] : pending_incidents_) incidents.push_back(&r);
  std::sort(incidents.begin(), incidents.end(),
            [](const IncidentRepeat* a, const IncidentRepeat* b) { return a->id < b->id; });
  for (const IncidentRepeat* r : incidents) update(*r);
  flushed_alerts_ = std::move(pending_alerts_);
  flushed_incidents_ = std::move(pending_incidents_);
  pending_alerts_.clear();
  pending_incidents_.clear();
}

void SqliteStore::flush() {
  if (pending_alerts_.empty() && pending_incidents_.empty()) return;
  Transaction transaction(db_, Transaction::Mode::immediate);
  heads_.clear();
  undo_.clear();
  JournalState journal = journal_state();
  const bool heads_hold = journal == cached_state_;
  commit_seq_ = journal.position.reference();
  try {
    write_pending();
    journal.repeats_from = commit_seq_;
    set_journal_state(journal);
    transaction.commit();
  } catch (...) {
    undo_pending();
    throw;
  }
  flushed_alerts_.clear();
  flushed_incidents_.clear();
  // Only repeats_from moved: the kept heads still hold.
  if (heads_hold) cached_state_ = journal;
}

void SqliteStore::set_pending_alert(std::int64_t id, const PendingAlert& p) {
  auto [it, added] = pending_alerts_.try_emplace(id, p);
  undo_.alerts.emplace_back(id, added ? std::nullopt : std::optional<PendingAlert>{it->second});
  it->second = p;
}

void SqliteStore::erase_pending_alert(std::int64_t id) {
  auto it = pending_alerts_.find(id);
  undo_.alerts.emplace_back(id, it->second);
  pending_alerts_.erase(it);
}

void SqliteStore::set_pending_incident(std::int64_t id, const IncidentRepeat& r) {
  auto [it, added] = pending_incidents_.try_emplace(id, r);
  undo_.incidents.emplace_back(id, added ? std::nullopt : std::optional<IncidentRepeat>{it->second});
  it->second = r;
}

void SqliteStore::erase_pending_incident(std::int64_t id) {
  auto it = pending_incidents_.find(id);
  undo_.incidents.emplace_back(id, it->second);
  pending_incidents_.erase(it);
}

// A commit that failed leaves the pending repeats as they were before it.
void SqliteStore::undo_pending() {
  if (!flushed_alerts_.empty() || !flushed_incidents_.empty()) {
    pending_alerts_ = std::move(flushed_alerts_);
    pending_incidents_ = std::move(flushed_incidents_);
    flushed_alerts_.clear();
    flushed_incidents_.clear();
  }
  for (auto it = undo_.alerts.rbegin(); it != undo_.alerts.rend(); ++it) {
    if (it->second) pending_alerts_[it->first] = *it->second;
    else pending_alerts_.erase(it->first);
  }
  for (auto it = undo_.incidents.rbegin(); it != undo_.incidents.rend(); ++it) {
    if (it->second) pending_incidents_[it->first] = *it->second;
    else pending_incidents_.erase(it->first);
  }
  if (undo_.since_set) pending_since_ms_ = undo_.since_ms;
  undo_.clear();
}

// At open: the repeats journaled after the last write of them (a crash, or a
// writer still deferring) are written to their rows unless a row was written
// whole since.
void SqliteStore::recover_repeats() {
  JournalState state = journal_state();
  if (state.repeats_from >= state.position.reference()) return;
  Transaction transaction(db_, Transaction::Mode::immediate);
  state = journal_state();
  const std::int64_t end = state.position.reference();
  if (state.repeats_from >= end) return;
  struct Latest {
    AlertRepeat repeat;
    std::int64_t head = 0;
    std::int64_t seq = 0;
  };
  boost::unordered_flat_map<std::int64_t, Latest> alerts;
  boost::unordered_flat_map<std::int64_t, std::pair<IncidentRepeat, std::int64_t>> incidents;
  const sqlite::JournalPosition from = sqlite::JournalPosition::of(state.repeats_from);
  for (std::uint32_t segment = std::max<std::uint32_t>(from.segment, 1); segment <= state.position.segment;
       ++segment) {
    std::uint64_t segment_end = state.position.offset;
    if (segment != state.position.segment) {
      auto size = journal_->size(segment);
      if (!size) continue;
      segment_end = *size;
    }
    const std::uint64_t start = segment == from.segment ? from.offset : 0;
    journal_->scan(segment, start, segment_end, [&](std::int64_t reference, std::string_view body) {
      StringReader in(body);
      if (in.varint() != 0 || in.varint() != repeats_record) return;
      const std::int64_t seq = reference + static_cast<std::int64_t>(sqlite::EventJournal::header_size + body.size());
      for (std::uint64_t n = in.varint(); n > 0; --n) {
        Latest l;
        l.repeat.id = static_cast<std::int64_t>(in.varint());
        l.repeat.count = static_cast<std::int64_t>(in.varint());
        l.repeat.last_seen_ms = unzigzag(in.varint());
        l.repeat.severity = decode_name(parse_severity, in.next());
        l.head = static_cast<std::int64_t>(in.varint());
        l.seq = seq;
        alerts[l.repeat.id] = l;
      }
      for (std::uint64_t n = in.varint(); n > 0; --n) {
        IncidentRepeat r;
        r.id = static_cast<std::int64_t>(in.varint());
        r.event_count = static_cast<std::int64_t>(in.varint());
        r.severity = decode_name(parse_severity, in.next());
        r.updated_at_ms = unzigzag(in.varint());
        incidents[r.id] = {r, seq};
      }
    });
  }
  for (const auto& [id, l] : alerts) {
    Statement& stmt = db_.cached(
        "UPDATE alerts SET count = ?, last_seen_ms = ?, severity = ?, last_event_ref = ifnull(?, last_event_ref), "
        "written_seq = ? WHERE id = ? AND written_seq < ?");
    stmt.bind_all(l.repeat.count, l.repeat.last_seen_ms, to_string(l.repeat.severity),
                  l.head != 0 ? std::optional<std::int64_t>{l.head} : std::nullopt, l.seq, id, l.seq);
    stmt.run();
  }
  for (const auto& [id, entry] : incidents) {
    const auto& [r, seq] = entry;
    Statement& stmt = db_.cached(
        "UPDATE incidents SET event_count = ?, severity = ?, updated_at_ms = ?, written_seq = ? "
        "WHERE id = ? AND written_seq < ?");
    stmt.bind_all(r.event_count, to_string(r.severity), r.updated_at_ms, seq, id, seq);
    stmt.run();
  }
  state.repeats_from = end;
  set_journal_state(state);
  transaction.commit();
}

// ---- the event journal -----------------------------------------------------------------

SqliteStore::JournalState SqliteStore::journal_state() {
  Statement& stmt =
      db_.cached("SELECT segment, end_offset, last_event_id, events, repeats_from FROM event_journal WHERE id = 1");
  JournalState state;
  if (!stmt.step()) {
    stmt.reset();
    throw std::runtime_error(db_.path() + ": the event journal's row is missing");
  }
  state.position.segment = static_cast<std::uint32_t>(stmt.column_int64(0));
  state.position.offset = static_cast<std::uint64_t>(stmt.column_int64(1));
  state.last_event_id = stmt.column_int64(2);
  state.events = stmt.column_int64(3);
  state.repeats_from = stmt.column_int64(4);
  stmt.reset();
  return state;
}

void SqliteStore::set_journal_state(const JournalState& state) {
  Statement& stmt = db_.cached(
      "UPDATE event_journal SET segment = ?, end_offset = ?, last_event_id = ?, events = ?, repeats_from = ? "
      "WHERE id = 1");
  stmt.bind_all(static_cast<std::int64_t>(state.position.segment), static_cast<std::int64_t>(state.position.offset),
                state.last_event_id, state.events, state.repeats_from);
  stmt.run();
}

// Frames `events` into records_ and advances `state` past them. Returns
// where they go: `state.position`, or the start of a new segment when the
// current one is full. The alert of each event gets the event as its latest.
sqlite::JournalPosition SqliteStore::append_events(const ChangeSet& changes, JournalState& state) {
  const std::vector<EventRecord>& events = changes.events;
  new_alerts_.clear();
  for (const Alert& a : changes.alerts) new_alerts_.insert(a.id);
  if (state.position.offset >= segment_bytes_) {
    // Bytes past the committed end (a failed commit's) go, so that every
    // segment but the newest ends where its last record does.
    journal_->truncate(state.position);
    state.position = {state.position.segment + 1, 0};
  }
  const std::uint64_t start = state.position.offset;
  for (const EventRecord& r : events) {
    // Ids only grow, as the correlator counts them out: one at or below the
    // latest stored is a second copy of an event.
    if (r.id <= state.last_event_id) {
      throw std::runtime_error(db_.path() + ": event " + std::to_string(r.id) + " is not above the latest stored (" +
                               std::to_string(state.last_event_id) + ")");
    }
    frame_event(r, state.position, [this](std::int64_t alert_id) { return stored_head(alert_id); });
    state.last_event_id = r.id;
  }
  const sqlite::JournalPosition at = state.position;
  state.position.offset = start + records_.size();
  state.events += static_cast<std::int64_t>(events.size());
  return at;
}

// Frames `r` onto records_, which start at `records_at`, chained to its
// alert's previous event: the newest in heads_, else `stored(alert_id)`. The
// event becomes its alert's newest.
template <typename Stored>
void SqliteStore::frame_event(const EventRecord& r, sqlite::JournalPosition records_at, Stored stored) {
  const std::int64_t previous =
      r.alert_id != 0 ? link(heads_, r.alert_id, next_reference(records_at, records_), stored) : 0;
  body_.clear();
  encode_event(body_, encoded_[0], r, previous);
  sqlite::EventJournal::frame(records_, body_);
}

// The latest event of an alert before this commit: from the heads of earlier
// commits of this connection while no other connection appended, else from the
// alert's row. An alert with no row must be written in this commit (as the
// foreign key of an event row required); it has no event yet.
std::int64_t SqliteStore::stored_head(std::int64_t alert_id) {
  if (auto it = pending_alerts_.find(alert_id); it != pending_alerts_.end() && it->second.head != 0)
    return it->second.head;
  if (auto it = head_cache_.find(alert_id); it != head_cache_.end()) return it->second;
  static const std::string sql = "SELECT last_event_ref FROM alerts WHERE id = ?";
  return stored_reference(db_, sql, alert_id, alert_writer_->stored_max(), new_alerts_, "event of unknown alert");
}

// ---- the timeline in the journal ---------------------------------------------------------

// Frames the commit's timeline entries onto records_, which start at
// `records_at`, each chained to its incident's previous entry.
void SqliteStore::append_timeline(const ChangeSet& changes, sqlite::JournalPosition records_at) {
  if (changes.timeline.empty()) return;
  new_incidents_.clear();
  for (const Incident& i : changes.incidents) new_incidents_.insert(i.id);
  for (const TimelineEntry& t : changes.timeline)
    frame_timeline(t, records_at, [this](std::int64_t incident_id) { return stored_timeline_head(incident_id); });
}

template <typename Stored>
void SqliteStore::frame_timeline(const TimelineEntry& t, sqlite::JournalPosition records_at, Stored stored) {
  const std::int64_t previous = link(timeline_heads_, t.incident_id, next_reference(records_at, records_), stored);
  body_.clear();
  encode_timeline(body_, t, previous);
  sqlite::EventJournal::frame(records_, body_);
}

// The newest timeline entry of an incident before this commit, as
// stored_head() finds an alert's newest event. An entry for an incident
// that is neither stored nor in the commit is refused, as the timeline
// table's foreign key did.
std::int64_t SqliteStore::stored_timeline_head(std::int64_t incident_id) {
  if (auto it = timeline_cache_.find(incident_id); it != timeline_cache_.end()) return it->second;
  static const std::string sql = "SELECT last_timeline_ref FROM incidents WHERE id = ?";
  return stored_reference(db_, sql, incident_id, incident_writer_->stored_max(), new_incidents_,
                          "timeline entry of unknown incident");
}

// Heads the incident rows did not write.
void SqliteStore::write_timeline_heads() {
  for (auto& [incident_id, head] : timeline_heads_) {
    if (head.written) continue;
    Statement& stmt = db_.cached("UPDATE incidents SET last_timeline_ref = ? WHERE id = ?");
    stmt.bind_all(head.reference, incident_id);
    stmt.run();
  }
}

// Writes `records` at `at` and makes them durable on a thread of its own.
void SqliteStore::JournalWrite::start(sqlite::EventJournal& journal, sqlite::JournalPosition at,
                                      const std::string& records) {
  done_ = std::async(std::launch::async, [&journal, at, &records] { journal.write(at, records); });
}

// Waits for the write; rethrows its error.
void SqliteStore::JournalWrite::finish() {
  if (done_.valid()) done_.get();
}

// The buffer it writes must outlive it: an error elsewhere in the commit
// waits for the write before unwinding.
SqliteStore::JournalWrite::~JournalWrite() {
  if (done_.valid()) done_.wait();
}

// Heads the alert rows and repeats did not write.
void SqliteStore::write_event_heads() {
  for (auto& [alert_id, head] : heads_) {
    if (head.written) continue;
    Statement& stmt = db_.cached("UPDATE alerts SET last_event_ref = ? WHERE id = ?");
    stmt.bind_all(head.reference, alert_id);
    stmt.run();
  }
}

// After a commit: its heads are the newest while the journal stays at `state`.
void SqliteStore::keep_heads(const JournalState& state) {
  keep(heads_, head_cache_);
  keep(timeline_heads_, timeline_cache_);
  cached_state_ = state;
}

void SqliteStore::forget_heads() {
  heads_.clear();
  head_cache_.clear();
  timeline_heads_.clear();
  timeline_cache_.clear();
}

void SqliteStore::upsert(const Incident& i) {
  if (pending_incidents_.contains(i.id)) erase_pending_incident(i.id);
  Statement& stmt = incident_writer_->statement(i.id, [&](const Statement& stored) {
    return changed_columns(stored, to_string(i.state), i.priority, i.ci, i.group, i.assignee, i.opened_at_ms,
                           i.resolved_at_ms, i.merged_into);
  });
  stmt.bind_all(i.id, i.title, to_string(i.state), i.priority, to_string(i.severity), i.ci, i.service, i.group,
                i.assignee, i.alert_count, i.event_count, i.opened_at_ms, i.acknowledged_at_ms, i.resolved_at_ms,
                i.closed_at_ms, i.sla.ack_due_ms, i.sla.resolve_due_ms, i.sla.ack_breached, i.sla.resolve_breached,
                i.escalation_level, i.updated_at_ms, i.cmdb.name(), i.criticality,
                Blob{encode_into(encoded_[0], i.cmdb.services())}, i.cmdb.location(), i.cmdb.runbook(),
                i.root_alert_id, i.symptom_count, i.merged_into, i.hold_until_ms, i.resolve_after_ms,
                i.next_escalation_ms, i.resolution_code, i.previous_group, i.priority_set_by, i.recurrence_count,
                i.reopened_at_ms, commit_seq_, take(timeline_heads_, i.id));
  stmt.run();
}

void SqliteStore::upsert(const Alert& a) {
  if (auto pending = pending_alerts_.find(a.id); pending != pending_alerts_.end()) {
    // The row carries the newer counters; the deferred newest event goes with it.
    if (pending->second.head != 0) heads_.try_emplace(a.id, EventHead{pending->second.head, false});
    erase_pending_alert(a.id);
  }
  Statement& stmt = alert_writer_->statement(a.id, [&](const Statement& stored) {
    return changed_columns(stored, a.resource, to_string(a.state), a.incident_id, a.suppressed_by);
  });
  stmt.bind_all(a.id, a.fingerprint, a.name, a.resource, to_string(a.severity), to_string(a.state), a.summary,
                Blob{encode_into(encoded_[0], a.attributes)}, a.first_seen_ms, a.last_seen_ms, a.resolved_at_ms,
                a.count, reference(a.incident_id), a.ci, a.cmdb.name(), a.group, a.criticality,
                Blob{encode_into(encoded_[1], a.cmdb.services())}, a.cmdb.location(),
                a.cmdb.runbook(), a.symptom, a.suppressed_by, a.source, commit_seq_, take_event_head(a.id));
  stmt.run();
}

// The reference of the alert's newest event in this commit, to be written
// with its row; none (the stored one stays) when it has no event in it.
std::optional<std::int64_t> SqliteStore::take_event_head(std::int64_t alert_id) { return take(heads_, alert_id); }

// Repeats touch no indexed column, so SQLite rewrites one row and no index.
void SqliteStore::update(const IncidentRepeat& r) {
  Statement& stmt = db_.cached(
      "UPDATE incidents SET event_count = ?, severity = ?, updated_at_ms = ?, written_seq = ? WHERE id = ?");
  stmt.bind_all(r.event_count, to_string(r.severity), r.updated_at_ms, commit_seq_, r.id);
  stmt.run();
}

void SqliteStore::update(const AlertRepeat& r) { update(r, take_event_head(r.id)); }

void SqliteStore::update(const AlertRepeat& r, std::optional<std::int64_t> head) {
  Statement& stmt = db_.cached(
      "UPDATE alerts SET count = ?, last_seen_ms = ?, severity = ?, last_event_ref = ifnull(?, last_event_ref), "
      "written_seq = ? WHERE id = ?");
  stmt.bind_all(r.count, r.last_seen_ms, to_string(r.severity), head, commit_seq_, r.id);
  stmt.run();
}

void SqliteStore::insert(const Notification& n) {
  Statement& stmt = db_.cached(
      "INSERT INTO notifications (incident_id, channel, recipient, subject, body, state, attempts, "
      "created_at_ms, next_attempt_ms, sent_at_ms, last_error, possible_duplicate, person, kind, step, "
      "gateway_id, delivery_status) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  stmt.bind_all(reference(n.incident_id), n.channel, n.recipient, n.subject, n.body, to_string(n.state),
                n.attempts, n.created_at_ms, n.next_attempt_ms, n.sent_at_ms, n.last_error,
                n.possible_duplicate, n.person, n.kind, n.step, n.gateway_id, n.delivery_status);
  stmt.run();
}

void SqliteStore::upsert(const CmdbGap& g) {
  Statement& stmt = db_.cached(
      "INSERT INTO cmdb_gaps (resource, source, count, first_seen_ms, last_seen_ms) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (resource) DO UPDATE SET source = excluded.source, count = count + excluded.count, "
      "last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)");
  stmt.bind_all(g.resource, g.source, g.count, g.first_seen_ms, g.last_seen_ms);
  stmt.run();
}

// Matchers as a string list: field, operator, value, matcher after matcher.
std::string encode_matchers(const std::vector<suppression::Matcher>& matchers) {
  std::string out;
  for (const auto& m : matchers) {
    put_string(out, m.field);
    put_string(out, suppression::to_string(m.op));
    put_string(out, m.value);
  }
  return out;
}

std::vector<suppression::Matcher> decode_matchers(std::string_view bytes) {
  std::vector<suppression::Matcher> matchers;
  StringReader reader(bytes);
  while (!reader.done()) {
    suppression::Matcher m;
    m.field = reader.next();
    m.op = decode_name(suppression::parse_match_op, reader.next());
    m.value = reader.next();
    matchers.push_back(std::move(m));
  }
  return matchers;
}

// Held pages of an incident merged into its root cause's: never sent.
void SqliteStore::cancel_pending(std::int64_t incident_id) {
  Statement& stmt =
      db_.cached("UPDATE notifications SET state = 'cancelled' WHERE incident_id = ? AND state = 'pending'");
  stmt.bind_all(incident_id);
  stmt.run();
}

void SqliteStore::upsert(const suppression::Silence& s) {
  Statement& stmt = db_.cached(
      "INSERT INTO silences (id, matchers, starts_at_ms, ends_at_ms, author, comment, created_at_ms) "
      "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET matchers = excluded.matchers, "
      "starts_at_ms = excluded.starts_at_ms, ends_at_ms = excluded.ends_at_ms, author = excluded.author, "
      "comment = excluded.comment");
  const std::string matchers = encode_matchers(s.matchers);
  stmt.bind_all(s.id, Blob{matchers}, s.start_ms, s.end_ms, s.author, s.comment, s.created_at_ms);
  stmt.run();
}

void SqliteStore::insert(const suppression::MaintenanceWindow& w) {
  Statement& stmt = db_.cached(
      "INSERT INTO maintenance_windows (id, comment, schedule, starts_at_ms, ends_at_ms, at_minute, duration_ms, "
      "days, time_zone, cis, include_dependents, author, created_at_ms) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const std::string cis = encode(w.cis);
  stmt.bind_all(static_cast<std::int64_t>(std::stoll(w.id)), w.comment, suppression::to_string(w.schedule), w.start_ms, w.end_ms, w.at_minute,
                w.duration_ms, static_cast<int>(w.days), w.time_zone, Blob{cis}, w.include_dependents, w.author,
                w.created_at_ms);
  stmt.run();
}

void SqliteStore::remove_window(const std::string& id, std::int64_t removed_at_ms) {
  Statement& stmt = db_.cached("UPDATE maintenance_windows SET removed_at_ms = ? WHERE id = ?");
  stmt.bind_all(removed_at_ms, static_cast<std::int64_t>(std::stoll(id)));
  stmt.run();
}

// ---- state reloaded at start-up ---------------------------------------------------------

std::vector<suppression::Silence> SqliteStore::silences(std::int64_t ended_after_ms) {
  Statement& stmt = db_.cached(
      "SELECT id, matchers, starts_at_ms, ends_at_ms, author, comment, created_at_ms FROM silences "
      "WHERE ends_at_ms > ? ORDER BY id");
  stmt.bind_all(ended_after_ms);
  return collect(stmt, [](const Statement& st) {
    RowReader row(st);
    suppression::Silence s;
    s.id = row.int64();
    s.matchers = decode_matchers(row.blob());
    s.start_ms = row.int64();
    s.end_ms = row.int64();
    s.author = row.text();
    s.comment = row.text();
    s.created_at_ms = row.int64();
    return s;
  });
}

std::vector<suppression::MaintenanceWindow> SqliteStore::maintenance_windows() {
  Statement& stmt = db_.cached(
      "SELECT id, comment, schedule, starts_at_ms, ends_at_ms, at_minute, duration_ms, days, time_zone, cis, "
      "include_dependents, author, created_at_ms FROM maintenance_windows WHERE removed_at_ms = 0 ORDER BY id");
  return collect(stmt, [](const Statement& st) {
    RowReader row(st);
    suppression::MaintenanceWindow w;
    w.id = std::to_string(row.int64());
    w.comment = row.text();
    w.schedule = decode_name(suppression::parse_schedule, row.text());
    w.start_ms = row.int64();
    w.end_ms = row.int64();
    w.at_minute = row.integer();
    w.duration_ms = row.int64();
    w.days = static_cast<std::uint8_t>(row.integer());
    w.time_zone = row.text();
    w.cis = decode_strings(row.blob());
    w.include_dependents = row.boolean();
    w.author = row.text();
    w.created_at_ms = row.int64();
    return w;
  });
}

IdState SqliteStore::max_ids() {
  Statement& stmt = db_.cached(
      "SELECT (SELECT last_event_id FROM event_journal WHERE id = 1), (SELECT ifnull(max(id), 0) FROM alerts), "
      "(SELECT ifnull(max(id), 0) FROM incidents), (SELECT ifnull(max(id), 0) FROM silences), "
      "(SELECT ifnull(max(id), 0) FROM maintenance_windows)");
  auto rows = collect(stmt, [](const Statement& s) {
    RowReader row(s);
    IdState ids;
    ids.event = row.int64();
    ids.alert = row.int64();
    ids.incident = row.int64();
    ids.silence = row.int64();
    ids.maintenance = row.int64();
    return ids;
  });
  return rows.at(0);
}

std::vector<Alert> SqliteStore::firing_alerts() {
  static const std::string sql = select_from(alert_columns, "alerts") + " WHERE state = 'firing' OR state = 'flapping' OR state = 'suppressed' ORDER BY id";
  return collect(db_.cached(sql), read_alert);
}

std::vector<Incident> SqliteStore::unresolved_incidents() {
  static const std::string sql =
      select_from(incident_columns, "incidents") + " WHERE state IN ('open', 'acknowledged') ORDER BY id";
  return collect(db_.cached(sql), read_incident);
}

// ---- reads for the API ----------------------------------------------------------------

std::vector<Incident> SqliteStore::incidents(const IncidentFilter& filter) {
  FilteredQuery query(incident_columns, "incidents");
  if (filter.state) query.where("state = ?", to_string(*filter.state));
  if (!filter.priority.empty()) query.where("priority = ?", filter.priority);
  if (!filter.group.empty()) query.where("group_name = ?", filter.group);
  if (!filter.ci.empty()) query.where("ci = ?", filter.ci);
  if (!filter.assignee.empty()) query.where("assignee = ?", filter.assignee);
  if (!filter.service.empty()) query.where("service = ?", filter.service);
  if (filter.since_ms > 0) query.where("opened_at_ms >= ?", filter.since_ms);
  if (filter.until_ms > 0) query.where("opened_at_ms < ?", filter.until_ms);
  if (!filter.text.empty()) query.where("instr(lower(title), lower(?)) > 0", filter.text);
  if (filter.before_id > 0) query.where("id < ?", filter.before_id);
  return collect(query.prepare(db_, filter.limit), read_incident);
}

std::optional<IncidentDetail> SqliteStore::incident(std::int64_t id) {
  static const std::string incident_sql =
      select_from(std::string{incident_columns} + ", last_timeline_ref", "incidents") + " WHERE id = ?";
  static const std::string alerts_sql = select_from(alert_columns, "alerts") + " WHERE incident_id = ? ORDER BY id";
  // One snapshot, so the alerts and timeline match the incident row.
  Transaction snapshot(db_, Transaction::Mode::deferred);
  Statement& stmt = db_.cached(incident_sql);
  stmt.bind(1, id);
  auto found = collect(stmt, [](const Statement& s) {
    return std::pair{read_incident(s), s.column_int64(incident_column_count)};
  });
  if (found.empty()) return std::nullopt;
  IncidentDetail detail{std::move(found.front().first), {}, {}};
  Statement& alerts = db_.cached(alerts_sql);
  alerts.bind(1, id);
  detail.alerts = collect(alerts, read_alert);
  // The chain from the newest entry back, then in time order (entries of the
  // same time in the order they were written: by id, their reference).
  for (std::int64_t reference = found.front().second; reference != 0;) {
    JournalTimelineEntry j = decode_timeline(journal_->read(reference), reference);
    detail.timeline.push_back(std::move(j.entry));
    reference = j.previous;
  }
  std::reverse(detail.timeline.begin(), detail.timeline.end());
  std::stable_sort(detail.timeline.begin(), detail.timeline.end(),
                   [](const TimelineEntry& a, const TimelineEntry& b) { return a.at_ms < b.at_ms; });
  snapshot.commit();
  return detail;
}

std::vector<Alert> SqliteStore::alerts(const AlertFilter& filter) {
  FilteredQuery query(alert_columns, "alerts");
  if (filter.state) query.where("state = ?", to_string(*filter.state));
  if (!filter.resource.empty()) query.where("resource = ?", filter.resource);
  if (filter.incident_id > 0) query.where("incident_id = ?", filter.incident_id);
  if (!filter.suppressed_by.empty()) query.where("suppressed_by = ?", filter.suppressed_by);
  return collect(query.prepare(db_, filter.limit), read_alert);
}

std::vector<EventRecord> SqliteStore::events_of_alert(std::int64_t alert_id, std::int64_t limit) {
  Statement& stmt = db_.cached("SELECT last_event_ref FROM alerts WHERE id = ?");
  stmt.bind(1, alert_id);
  std::int64_t reference = stmt.step() ? stmt.column_int64(0) : 0;
  stmt.reset();
  std::vector<EventRecord> events;
  while (reference != 0 && static_cast<std::int64_t>(events.size()) < limit) {
    JournalEvent event = decode_event(journal_->read(reference));
    events.push_back(std::move(event.record));
    reference = event.previous;
  }
  return events;
}

// The newest segments back to the oldest, each read forward; every segment
// but the newest ends with its last record (see append_events).
std::vector<std::string> SqliteStore::recent_attribute_values(const std::string& source, const std::string& key,
                                                             std::int64_t limit) {
  const JournalState state = journal_state();
  std::vector<std::string> values;
  std::int64_t events = 0;
  std::vector<std::string> bodies;
  for (std::uint32_t segment = state.position.segment; segment >= 1 && events < limit; --segment) {
    std::uint64_t end = state.position.offset;
    if (segment != state.position.segment) {
      auto size = journal_->size(segment);
      if (!size) break;  // removed
      end = *size;
    }
    // Matching records of the segment, oldest first, then taken newest first.
    bodies.clear();
    journal_->scan(segment, 0, end, [&](std::int64_t, std::string_view body) {
      if (source_of(body) == source) bodies.emplace_back(body);
    });
    for (auto it = bodies.rbegin(); it != bodies.rend() && events < limit; ++it, ++events) {
      for (auto& [k, v] : decode_event(*it).record.event.attributes)
        if (k == key) values.push_back(std::move(v));
    }
    if (segment == 1) break;
  }
  return values;
}

// ---- outbox ---------------------------------------------------------------------------------

std::vector<Notification> SqliteStore::claim_due(std::int64_t now_ms, int limit) {
  return claim_due_for("", "", now_ms, limit);
}

std::vector<Notification> SqliteStore::claim_due_for(const std::string& channel, const std::string& recipient,
                                                   std::int64_t now_ms, int limit) {
  if (limit <= 0) return {};
  // An empty channel claims whatever is due (claim_due).
  static const std::string sql =
      "UPDATE notifications SET state = 'sending', attempts = attempts + 1 WHERE id IN "
      "(SELECT id FROM notifications WHERE state = 'pending' AND next_attempt_ms <= ? "
      "AND (? = '' OR (channel = ? AND recipient = ?)) ORDER BY next_attempt_ms, id LIMIT ?) RETURNING " +
      std::string{notification_columns};
  Transaction transaction(db_, Transaction::Mode::immediate);
  Statement& stmt = db_.cached(sql);
  stmt.bind_all(now_ms, channel, channel, recipient, limit);
  auto claimed = collect(stmt, read_notification);
  transaction.commit();
  // RETURNING gives no order; hand out the longest waiting first.
  std::sort(claimed.begin(), claimed.end(), [](const Notification& a, const Notification& b) {
    return std::pair(a.next_attempt_ms, a.id) < std::pair(b.next_attempt_ms, b.id);
  });
  return claimed;
}

void SqliteStore::release(std::int64_t id, std::int64_t next_attempt_ms, const std::string& note) {
  Statement& stmt = db_.cached(
      "UPDATE notifications SET state = 'pending', attempts = max(attempts - 1, 0), next_attempt_ms = ?, "
      "last_error = ? WHERE id = ? AND state = 'sending'");
  stmt.bind_all(next_attempt_ms, note, id);
  stmt.run();
  expect_one_notification_changed(id);
}

void SqliteStore::mark_sent(std::int64_t id, std::int64_t now_ms) {
  Statement& stmt = db_.cached("UPDATE notifications SET state = 'sent', sent_at_ms = ? WHERE id = ?");
  stmt.bind_all(now_ms, id);
  stmt.run();
  expect_one_notification_changed(id);
}

void SqliteStore::mark_retry(std::int64_t id, std::int64_t next_attempt_ms, const std::string& error) {
  Statement& stmt = db_.cached(
      "UPDATE notifications SET state = 'pending', next_attempt_ms = ?, last_error = ? WHERE id = ?");
  stmt.bind_all(next_attempt_ms, error, id);
  stmt.run();
  expect_one_notification_changed(id);
}

void SqliteStore::mark_failed(std::int64_t id, const std::string& error) {
  Statement& stmt = db_.cached("UPDATE notifications SET state = 'failed', last_error = ? WHERE id = ?");
  stmt.bind_all(error, id);
  stmt.run();
  expect_one_notification_changed(id);
}

void SqliteStore::expect_one_notification_changed(std::int64_t id) {
  if (db_.changes() != 1) {
    throw std::runtime_error(db_.path() + ": no notification with id " + std::to_string(id));
  }
}

int SqliteStore::recover_in_flight() {
  Statement& stmt = db_.cached(
      "UPDATE notifications SET state = 'pending', possible_duplicate = 1 WHERE state = 'sending'");
  stmt.run();
  return static_cast<int>(db_.changes());
}

bool SqliteStore::record_delivery_report(std::int64_t id, const std::string& status, const std::string& gateway_id) {
  Transaction transaction(db_, Transaction::Mode::immediate);
  if (!gateway_id.empty()) {
    Statement& id_update = db_.cached("UPDATE notifications SET gateway_id = ? WHERE id = ?");
    id_update.bind_all(gateway_id, id);
    id_update.run();
  }
  Statement& update = db_.cached(
      "UPDATE notifications SET delivery_status = ?1 WHERE id = ?2 AND (delivery_status NOT IN "
      "('delivered', 'failed', 'rejected') OR ?1 IN ('delivered', 'failed', 'rejected'))");
  update.bind_all(status, id);
  update.run();
  bool found = db_.changes() == 1;
  if (!found) {
    Statement& exists = db_.cached("SELECT count(*) FROM notifications WHERE id = ?");
    exists.bind(1, id);
    found = collect(exists, [](const Statement& s) { return s.column_int64(0); }).at(0) > 0;
  }
  transaction.commit();
  return found;
}

std::vector<Notification> SqliteStore::notifications(std::int64_t incident_id) {
  static const std::string sql =
      select_from(notification_columns, "notifications") + " WHERE incident_id = ? ORDER BY id";
  Statement& stmt = db_.cached(sql);
  stmt.bind(1, incident_id);
  return collect(stmt, read_notification);
}

std::int64_t SqliteStore::pending_notifications() {
  Statement& stmt = db_.cached("SELECT count(*) FROM notifications WHERE state IN ('pending', 'sending')");
  return collect(stmt, [](const Statement& s) { return s.column_int64(0); }).at(0);
}

std::vector<CmdbGap> SqliteStore::cmdb_gaps(std::int64_t limit) {
  Statement& stmt = db_.cached(
      "SELECT resource, source, count, first_seen_ms, last_seen_ms FROM cmdb_gaps ORDER BY count DESC, resource "
      "LIMIT ?");
  stmt.bind_all(std::max<std::int64_t>(limit, 0));
  return collect(stmt, [](const Statement& s) {
    RowReader row(s);
    CmdbGap g;
    g.resource = row.text();
    g.source = row.text();
    g.count = row.int64();
    g.first_seen_ms = row.int64();
    g.last_seen_ms = row.int64();
    return g;
  });
}

// ---- auto-close, recurrence and problem candidates -----------------------------------

std::vector<Incident> SqliteStore::resolved_before(std::int64_t resolved_before_ms, std::int64_t limit) {
  // A range of the (state, resolved_at_ms) index: as cheap with a million
  // closed incidents as with none.
  static const std::string sql =
      select_from(incident_columns, "incidents") +
      " WHERE state = 'resolved' AND resolved_at_ms <= ? ORDER BY resolved_at_ms, id LIMIT ?";
  Statement& stmt = db_.cached(sql);
  stmt.bind_all(resolved_before_ms, std::max<std::int64_t>(limit, 0));
  return collect(stmt, read_incident);
}

std::vector<IncidentOpening> SqliteStore::incident_openings(std::int64_t since_ms) {
  Statement& stmt = db_.cached(
      "SELECT ci, opened_at_ms FROM incidents WHERE opened_at_ms >= ? AND merged_into = 0 ORDER BY opened_at_ms");
  stmt.bind_all(since_ms);
  return collect(stmt, [](const Statement& s) {
    RowReader row(s);
    IncidentOpening o;
    o.ci = row.text();
    o.opened_at_ms = row.int64();
    return o;
  });
}

// INDEXED BY: left to itself, SQLite walks the ci index to group without a
// sort, which reads every incident ever stored; the window is what is small.
std::string SqliteStore::problems_query() {
  std::string columns;
  std::string_view rest = incident_columns;
  for (;;) {
    auto comma = rest.find(", ");
    columns += "incidents.";
    columns += rest.substr(0, comma);
    if (comma == std::string_view::npos) break;
    columns += ", ";
    rest.remove_prefix(comma + 2);
  }
  return "WITH counts AS (SELECT ci, count(*) AS n, min(opened_at_ms) AS first_ms, max(id) AS last_id "
         "FROM incidents INDEXED BY incidents_by_opened_ci WHERE opened_at_ms >= ? AND merged_into = 0 "
         "GROUP BY ci HAVING count(*) >= ? ORDER BY n DESC, last_id DESC LIMIT ?) SELECT " +
         columns +
         ", counts.n, counts.first_ms FROM counts JOIN incidents ON incidents.id = counts.last_id "
         "ORDER BY counts.n DESC, counts.last_id DESC";
}

std::vector<ProblemCandidate> SqliteStore::problems(const ProblemFilter& filter) {
  // The grouping reads only the covering index (opened_at_ms, ci,
  // merged_into) over the window; the latest incident of each CI returned is
  // then one lookup by id (ids grow with opening time).
  static const std::string sql = problems_query();
  Statement& stmt = db_.cached(sql);
  stmt.bind_all(filter.since_ms, std::max<std::int64_t>(filter.min_incidents, 1),
                std::max<std::int64_t>(filter.limit, 0));
  return collect(stmt, [](const Statement& s) {
    ProblemCandidate p;
    p.last = read_incident(s);
    p.ci = p.last.ci;
    p.incident_count = s.column_int64(incident_column_count);
    p.first_opened_ms = s.column_int64(incident_column_count + 1);
    return p;
  });
}

// ---- CMDB overlay and CI history -------------------------------------------------------

std::vector<CiOverride> SqliteStore::cmdb_overlay() {
  Statement& stmt = db_.cached("SELECT id, deleted, ci, updated_at_ms, updated_by FROM cmdb_overlay ORDER BY id");
  return collect(stmt, [](const Statement& s) {
    RowReader row(s);
    CiOverride o;
    o.id = row.text();
    o.deleted = row.boolean();
    o.ci_json = row.text();
    o.at_ms = row.int64();
    o.actor = row.text();
    return o;
  });
}

void SqliteStore::commit_cmdb(const CmdbChange& change) {
  if (change.empty()) return;
  Transaction transaction(db_, Transaction::Mode::immediate);
  for (const auto& o : change.upserts) {
    Statement& stmt = db_.cached(
        "INSERT INTO cmdb_overlay (id, deleted, ci, updated_at_ms, updated_by) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET deleted = excluded.deleted, ci = excluded.ci, "
        "updated_at_ms = excluded.updated_at_ms, updated_by = excluded.updated_by");
    stmt.bind_all(o.id, o.deleted, o.ci_json, o.at_ms, o.actor);
    stmt.run();
  }
  for (const auto& id : change.erased) {
    Statement& stmt = db_.cached("DELETE FROM cmdb_overlay WHERE id = ?");
    stmt.bind_all(id);
    stmt.run();
  }
  for (const auto& h : change.history) {
    Statement& stmt =
        db_.cached("INSERT INTO cmdb_history (ci, at_ms, actor, source, action, changes) VALUES (?, ?, ?, ?, ?, ?)");
    stmt.bind_all(h.ci, h.at_ms, h.actor, h.source, h.action, h.changes_json);
    stmt.run();
  }
  transaction.commit();
}

std::vector<CiHistoryEntry> SqliteStore::ci_history(const std::string& ci, std::int64_t limit) {
  Statement& stmt = db_.cached(
      "SELECT id, ci, at_ms, actor, source, action, changes FROM cmdb_history WHERE ci = ? ORDER BY id DESC LIMIT ?");
  stmt.bind_all(ci, std::max<std::int64_t>(limit, 0));
  return collect(stmt, [](const Statement& s) {
    RowReader row(s);
    CiHistoryEntry h;
    h.id = row.int64();
    h.ci = row.text();
    h.at_ms = row.int64();
    h.actor = row.text();
    h.source = row.text();
    h.action = row.text();
    h.changes_json = row.text();
    return h;
  });
}

}  // namespace tocsin

// Schema steps of the embedded store. Attribute lists are BLOBs in the
// store's own length-prefixed encoding (see sqlite_store.cpp) rather than JSON:
// values such as SNMP OCTET STRINGs are arbitrary bytes, and JSON text could
// not keep them intact. Ids referring to nothing (an event that raised no
// alert) are NULL so that foreign keys hold. CHECKs list states with OR: an
// IN list makes SQLite build a temporary b-tree for every row written.
#include "store/sqlite/migrations.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace tocsin::sqlite {

namespace {

constexpr std::string_view initial_schema = R"sql(
CREATE TABLE incidents (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state = 'open' OR state = 'acknowledged' OR state = 'resolved' OR state = 'closed'),
  priority TEXT NOT NULL,
  severity TEXT NOT NULL,
  ci TEXT NOT NULL,
  service TEXT NOT NULL,
  group_name TEXT NOT NULL,
  assignee TEXT NOT NULL,
  alert_count INTEGER NOT NULL,
  event_count INTEGER NOT NULL,
  opened_at_ms INTEGER NOT NULL,
  acknowledged_at_ms INTEGER NOT NULL,
  resolved_at_ms INTEGER NOT NULL,
  closed_at_ms INTEGER NOT NULL,
  sla_ack_due_ms INTEGER NOT NULL,
  sla_resolve_due_ms INTEGER NOT NULL,
  sla_ack_breached INTEGER NOT NULL,
  sla_resolve_breached INTEGER NOT NULL,
  escalation_level INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX incidents_by_state ON incidents (state);
CREATE INDEX incidents_by_priority ON incidents (priority);
CREATE INDEX incidents_by_group ON incidents (group_name);
CREATE INDEX incidents_by_ci ON incidents (ci);

CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  name TEXT NOT NULL,
  resource TEXT NOT NULL,
  severity TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state = 'firing' OR state = 'resolved'),
  summary TEXT NOT NULL,
  attributes BLOB NOT NULL,
  first_seen_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  resolved_at_ms INTEGER NOT NULL,
  count INTEGER NOT NULL,
  incident_id INTEGER REFERENCES incidents (id)
);
CREATE INDEX alerts_by_fingerprint ON alerts (fingerprint);
CREATE INDEX alerts_by_state ON alerts (state);
CREATE INDEX alerts_by_resource ON alerts (resource);
CREATE INDEX alerts_by_incident ON alerts (incident_id);

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  received_at_ms INTEGER NOT NULL,
  source TEXT NOT NULL,
  source_address TEXT NOT NULL,
  name TEXT NOT NULL,
  alert_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  resource TEXT NOT NULL,
  summary TEXT NOT NULL,
  rule TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  alert_id INTEGER REFERENCES alerts (id),
  attributes BLOB NOT NULL,
  fingerprint_keys BLOB NOT NULL,
  raw BLOB NOT NULL
);
CREATE INDEX events_by_alert ON events (alert_id);

CREATE TABLE timeline (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id INTEGER NOT NULL REFERENCES incidents (id),
  at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX timeline_by_incident ON timeline (incident_id, at_ms);

CREATE TABLE notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id INTEGER REFERENCES incidents (id),
  channel TEXT NOT NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state = 'pending' OR state = 'sending' OR state = 'sent' OR state = 'failed'),
  attempts INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  next_attempt_ms INTEGER NOT NULL,
  sent_at_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  possible_duplicate INTEGER NOT NULL
);
CREATE INDEX notifications_due ON notifications (state, next_attempt_ms);
CREATE INDEX notifications_by_incident ON notifications (incident_id);
)sql";

// CMDB enrichment and topology on alerts and incidents, the CMDB gap list,
// and the `cancelled` notification state (held pages of merged incidents):
// SQLite cannot change a CHECK, so the outbox table is rebuilt.
constexpr std::string_view correlation_schema = R"sql(
ALTER TABLE alerts ADD COLUMN ci TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN ci_name TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN group_name TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN criticality TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN services BLOB NOT NULL DEFAULT x'';
ALTER TABLE alerts ADD COLUMN location TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN runbook TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN symptom INTEGER NOT NULL DEFAULT 0;

ALTER TABLE incidents ADD COLUMN ci_name TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN criticality TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN services BLOB NOT NULL DEFAULT x'';
ALTER TABLE incidents ADD COLUMN location TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN runbook TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN root_alert_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN symptom_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN merged_into INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN hold_until_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN resolve_after_ms INTEGER NOT NULL DEFAULT 0;

CREATE TABLE cmdb_gaps (
  resource TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  count INTEGER NOT NULL,
  first_seen_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL
);

CREATE TABLE notifications_v2 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id INTEGER REFERENCES incidents (id),
  channel TEXT NOT NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state = 'pending' OR state = 'sending' OR state = 'sent' OR state = 'failed' OR
                             state = 'cancelled'),
  attempts INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  next_attempt_ms INTEGER NOT NULL,
  sent_at_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  possible_duplicate INTEGER NOT NULL
);
INSERT INTO notifications_v2 SELECT * FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_v2 RENAME TO notifications;
CREATE INDEX notifications_due ON notifications (state, next_attempt_ms);
CREATE INDEX notifications_by_incident ON notifications (incident_id);
)sql";

// SQLite cannot change a CHECK in place: the alerts table is rebuilt. Events
// refer to alerts, so the foreign keys are checked at commit, once every alert
// is back.
constexpr std::string_view alert_state_flapping = R"sql(
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE alerts_before_flapping AS SELECT * FROM alerts;
DROP TABLE alerts;
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  name TEXT NOT NULL,
  resource TEXT NOT NULL,
  severity TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state = 'firing' OR state = 'resolved' OR state = 'flapping' OR state = 'suppressed'),
  summary TEXT NOT NULL,
  attributes BLOB NOT NULL,
  first_seen_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  resolved_at_ms INTEGER NOT NULL,
  count INTEGER NOT NULL,
  incident_id INTEGER REFERENCES incidents (id),
  ci TEXT NOT NULL DEFAULT '',
  ci_name TEXT NOT NULL DEFAULT '',
  group_name TEXT NOT NULL DEFAULT '',
  criticality TEXT NOT NULL DEFAULT '',
  services BLOB NOT NULL DEFAULT x'',
  location TEXT NOT NULL DEFAULT '',
  runbook TEXT NOT NULL DEFAULT '',
  symptom INTEGER NOT NULL DEFAULT 0
);
INSERT INTO alerts SELECT * FROM temp.alerts_before_flapping;
DROP TABLE temp.alerts_before_flapping;
CREATE INDEX alerts_by_fingerprint ON alerts (fingerprint);
CREATE INDEX alerts_by_state ON alerts (state);
CREATE INDEX alerts_by_resource ON alerts (resource);
CREATE INDEX alerts_by_incident ON alerts (incident_id);
)sql";

// Why a notification was sent (person, kind of change, escalation step) and
// what the gateway reported after delivery.
constexpr std::string_view notification_purpose = R"sql(
ALTER TABLE notifications ADD COLUMN person TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN kind TEXT NOT NULL DEFAULT 'opened';
ALTER TABLE notifications ADD COLUMN step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN gateway_id TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN delivery_status TEXT NOT NULL DEFAULT '';
)sql";

// Escalation timers are data: the next step's due time survives a restart.
constexpr std::string_view escalation_due = R"sql(
ALTER TABLE incidents ADD COLUMN next_escalation_ms INTEGER NOT NULL DEFAULT 0;
)sql";

// The incident lifecycle: resolution code, the group a forward came from,
// who set the priority by hand.
constexpr std::string_view incident_lifecycle = R"sql(
ALTER TABLE incidents ADD COLUMN resolution_code TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN previous_group TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN priority_set_by TEXT NOT NULL DEFAULT '';
CREATE INDEX incidents_by_assignee ON incidents (assignee);
CREATE INDEX incidents_by_opened ON incidents (opened_at_ms);
)sql";

// Auto-close finds resolved incidents by resolution time; recurrence counts
// incidents per CI over a window of opening times (the index covers the
// query); the CMDB overlay holds CIs created, replaced or removed through the
// API on top of the files, and the history every CI change.
constexpr std::string_view problems_and_cmdb_overlay = R"sql(
ALTER TABLE incidents ADD COLUMN recurrence_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX incidents_resolved_due ON incidents (state, resolved_at_ms);
CREATE INDEX incidents_by_opened_ci ON incidents (opened_at_ms, ci, merged_into);

CREATE TABLE cmdb_overlay (
  id TEXT PRIMARY KEY,
  deleted INTEGER NOT NULL,
  ci TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  updated_by TEXT NOT NULL
);

CREATE TABLE cmdb_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ci TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source = 'api' OR source = 'file'),
  action TEXT NOT NULL,
  changes TEXT NOT NULL
);
CREATE INDEX cmdb_history_by_ci ON cmdb_history (ci, id);
)sql";

// Suppression: what suppresses an alert and the collector it came from (silences
// match on it), silences, and the maintenance windows added through the API
// (removed ones are kept, marked, so that ids are never reused).
constexpr std::string_view suppression_schema = R"sql(
ALTER TABLE alerts ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN suppressed_by TEXT NOT NULL DEFAULT '';
CREATE INDEX alerts_by_suppressed_by ON alerts (suppressed_by) WHERE suppressed_by <> '';
CREATE TABLE silences (
  id INTEGER PRIMARY KEY,
  matchers BLOB NOT NULL,
  starts_at_ms INTEGER NOT NULL,
  ends_at_ms INTEGER NOT NULL,
  author TEXT NOT NULL,
  comment TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE INDEX silences_by_end ON silences (ends_at_ms);
CREATE TABLE maintenance_windows (
  id INTEGER PRIMARY KEY,
  comment TEXT NOT NULL,
  schedule TEXT NOT NULL CHECK (schedule = 'once' OR schedule = 'daily' OR schedule = 'weekly'),
  starts_at_ms INTEGER NOT NULL,
  ends_at_ms INTEGER NOT NULL,
  at_minute INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  days INTEGER NOT NULL,
  time_zone TEXT NOT NULL,
  cis BLOB NOT NULL,
  include_dependents INTEGER NOT NULL,
  author TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  removed_at_ms INTEGER NOT NULL DEFAULT 0
);
)sql";

// On-call overrides added through the API and the duty log of hand-over notes.
constexpr std::string_view oncall_records = R"sql(
CREATE TABLE oncall_overrides (
  id INTEGER PRIMARY KEY,
  group_name TEXT NOT NULL,
  layer TEXT NOT NULL CHECK (layer = 'primary' OR layer = 'secondary'),
  person TEXT NOT NULL,
  from_ms INTEGER NOT NULL,
  to_ms INTEGER NOT NULL CHECK (to_ms > from_ms),
  reason TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE TABLE duty_log (
  id INTEGER PRIMARY KEY,
  group_name TEXT NOT NULL,
  author TEXT NOT NULL,
  text TEXT NOT NULL,
  at_ms INTEGER NOT NULL
);
CREATE INDEX duty_log_by_group ON duty_log (group_name, id);
)sql";

// People and groups created, replaced or deleted through the API (one JSON
// object per kind and id; a deleted row hides the configured entry), and the
// history of their changes.
constexpr std::string_view oncall_people = R"sql(
CREATE TABLE oncall_entries (
  kind TEXT NOT NULL CHECK (kind = 'person' OR kind = 'group'),
  id TEXT NOT NULL,
  deleted INTEGER NOT NULL,
  body TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (kind, id)
);
CREATE TABLE oncall_entry_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  entry TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  before TEXT NOT NULL,
  after TEXT NOT NULL
);
CREATE INDEX oncall_entry_history_by_entry ON oncall_entry_history (kind, entry, id);
)sql";

// A reopened incident's SLA clocks and escalation count from its latest reopen.
constexpr std::string_view incident_reopened_at = R"sql(
ALTER TABLE incidents ADD COLUMN reopened_at_ms INTEGER NOT NULL DEFAULT 0;
)sql";

// incidents_by_opened (opened_at_ms) is a prefix of incidents_by_opened_ci
// (opened_at_ms, ci, merged_into), which serves the same ranges; every new
// incident paid for both. incidents_by_state stays although it is a prefix of
// incidents_resolved_due (state, resolved_at_ms): within one state it keeps
// the ids in order, so "state = ? ORDER BY id DESC LIMIT ?" (the API's
// incident list) reads only the page instead of sorting every incident in
// that state.
constexpr std::string_view drop_prefix_index = R"sql(
DROP INDEX incidents_by_opened;
)sql";

// Events move to the append-only event journal beside the database
// (store/sqlite/event_journal.hpp): this row records how far it is committed;
// each alert's row holds the reference of its latest event. The rows of the
// events table are moved by the store when it opens (SqliteStore), which then
// drops the table.
constexpr std::string_view event_journal = R"sql(
ALTER TABLE alerts ADD COLUMN last_event_ref INTEGER NOT NULL DEFAULT 0;
CREATE TABLE event_journal (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  segment INTEGER NOT NULL,
  end_offset INTEGER NOT NULL,
  last_event_id INTEGER NOT NULL,
  events INTEGER NOT NULL
);
INSERT INTO event_journal (id, segment, end_offset, last_event_id, events) VALUES (1, 1, 0, 0, 0);
)sql";

// Deferred repeats (SqliteStore, README.md): each row written whole or
// repeated records the journal position of its commit; repeats journaled from
// repeats_from on may still be missing from their rows.
constexpr std::string_view deferred_repeats = R"sql(
ALTER TABLE alerts ADD COLUMN written_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN written_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE event_journal ADD COLUMN repeats_from INTEGER NOT NULL DEFAULT 0;
)sql";

// Timeline entries move to the journal too (store/sqlite/README.md): each
// incident's row holds the reference of its newest entry. The rows of the
// timeline table are moved by the store when it opens, which then drops the
// table.
constexpr std::string_view timeline_journal = R"sql(
ALTER TABLE incidents ADD COLUMN last_timeline_ref INTEGER NOT NULL DEFAULT 0;
)sql";

// alerts_by_fingerprint serves no query (firing alerts are loaded by state
// and matched in memory by fingerprint), and every new alert paid for an
// entry keyed by a long string.
constexpr std::string_view drop_fingerprint_index = R"sql(
DROP INDEX alerts_by_fingerprint;
)sql";

constexpr std::array<Migration, 16> steps{{

    {"events, alerts, incidents, timeline and the notification outbox", initial_schema},
    {"CMDB enrichment and topology of alerts and incidents, CMDB gaps, cancelled notifications",
     correlation_schema},
    {"alert states flapping and suppressed", alert_state_flapping},
    {"person, kind, step and delivery report of notifications", notification_purpose},
    {"due time of an incident's next escalation step", escalation_due},
    {"incident resolution code, previous group and manual priority", incident_lifecycle},
    {"recurrence count, auto-close and problem indexes, CMDB overlay and CI history", problems_and_cmdb_overlay},
    {"suppression: silences, maintenance windows, suppressed alerts", suppression_schema},
    {"on-call overrides and the duty log", oncall_records},
    {"on-call people and groups managed through the API, and their history", oncall_people},
    {"time of an incident's latest reopen", incident_reopened_at},
    {"drop the incident index that another one covers", drop_prefix_index},
    {"events in the append-only event journal", event_journal},
    {"repeat counters journaled and written later under load", deferred_repeats},
    {"incident timelines in the event journal", timeline_journal},
    {"drop the alert index that no query uses", drop_fingerprint_index},
}};

// Returns false when another connection applied the step first (it may have
// migrated while this one waited for the write lock).
bool apply_step(Database& db, const Migration& step, int version) {
  Transaction transaction(db, Transaction::Mode::immediate);
  if (schema_version(db) >= version) return false;
  try {
    db.exec(std::string{step.sql});
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string{e.what()} + " (schema step " + std::to_string(version) + ": " +
                             std::string{step.description} + ")");
  }
  db.exec("PRAGMA user_version = " + std::to_string(version));
  transaction.commit();
  return true;
}

}  // namespace

std::span<const Migration> schema_migrations() { return steps; }

int latest_schema_version() { return static_cast<int>(steps.size()); }

int schema_version(Database& db) { return static_cast<int>(db.query_int64("PRAGMA user_version")); }

int migrate(Database& db, std::span<const Migration> steps) {
  const int known = static_cast<int>(steps.size());
  const int found = schema_version(db);
  if (found > known) {
    throw std::runtime_error(db.path() + ": schema version " + std::to_string(found) +
                             " is newer than this build knows (" + std::to_string(known) +
                             "); use a newer tocsind");
  }
  int applied = 0;
  for (int version = found + 1; version <= known; ++version) {
    if (apply_step(db, steps[static_cast<std::size_t>(version - 1)], version)) ++applied;
  }
  return applied;
}

}  // namespace tocsin::sqlite

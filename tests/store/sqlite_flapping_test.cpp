// The alert state `flapping` in the embedded store: the schema step that admits
// it keeps every alert and the events that refer to them, and a flapping alert
// is restored at start-up with the firing ones.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace tocsin {
namespace {

using test::TempDir;

std::span<const sqlite::Migration> steps_before_flapping() {
  auto all = sqlite::schema_migrations();
  auto it = std::find_if(all.begin(), all.end(),
                         [](const sqlite::Migration& m) { return m.description == "alert states flapping and suppressed"; });
  return all.first(static_cast<std::size_t>(it - all.begin()));
}

TEST(SqliteFlapping, TheSchemaStepKeepsAlertsAndTheEventsThatReferToThem) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  {
    sqlite::Database db(path);
    db.exec("PRAGMA foreign_keys = ON");
    ASSERT_GT(sqlite::migrate(db, steps_before_flapping()), 0);
    db.exec(
        "INSERT INTO incidents (id, title, state, priority, severity, ci, service, group_name, assignee, "
        "alert_count, event_count, opened_at_ms, acknowledged_at_ms, resolved_at_ms, closed_at_ms, sla_ack_due_ms, "
        "sla_resolve_due_ms, sla_ack_breached, sla_resolve_breached, escalation_level, updated_at_ms) VALUES (1, 't', 'open', 'P2', 'major', 'sw1', '', 'noc', '', 1, 1, 5, 0, 0, 0, 0, 0, "
        "0, 0, 0, 5);"
        "INSERT INTO alerts (id, fingerprint, name, resource, severity, state, summary, attributes, first_seen_ms, last_seen_ms, "
        "resolved_at_ms, count, incident_id) VALUES (1, 'fp1', 'interface_down', 'sw1', 'major', 'firing', 's', x'', 5, 6, 0, 2, 1);"
        "INSERT INTO alerts (id, fingerprint, name, resource, severity, state, summary, attributes, first_seen_ms, last_seen_ms, "
        "resolved_at_ms, count, incident_id) VALUES (2, 'fp2', 'interface_down', 'sw2', 'major', 'resolved', 's', x'', 5, 6, 7, 1, "
        "NULL);"
        "INSERT INTO events VALUES (1, 5, 'syslog', '', 'interface_down', 'interface_down', 'problem', 'major', "
        "'sw1', 's', 'r', 'fp1', 1, x'', x'', x'');");
  }
  SqliteStore store(path);  // applies the remaining steps
  auto firing = store.firing_alerts();
  ASSERT_EQ(firing.size(), 1u);
  EXPECT_EQ(firing[0].fingerprint, "fp1");
  EXPECT_EQ(firing[0].count, 2);
  EXPECT_EQ(store.events_of_alert(1, 10).size(), 1u);
  sqlite::Database db(path);
  EXPECT_EQ(db.query_int64("SELECT count(*) FROM alerts"), 2);
  EXPECT_EQ(db.query_int64("SELECT count(*) FROM pragma_foreign_key_check"), 0);
  // The indexes the step dropped with the old table are back (later steps
  // may add others; a later one drops alerts_by_fingerprint, which no query
  // uses).
  EXPECT_EQ(db.query_int64("SELECT count(*) FROM sqlite_master WHERE tbl_name = 'alerts' AND type = 'index' AND name IN "
                           "('alerts_by_state', 'alerts_by_resource', 'alerts_by_incident')"),
            3);
}

TEST(SqliteFlapping, AFlappingAlertIsStoredAndRestoredWithTheFiringOnes) {
  TempDir dir;
  SqliteStore store(dir.file("tocsin.db"));
  ChangeSet c;
  Incident i;
  i.id = 1;
  i.title = "t";
  i.priority = "P2";
  c.incidents.push_back(i);
  for (std::int64_t id = 1; id <= 3; ++id) {
    Alert a;
    a.id = id;
    a.fingerprint = "fp" + std::to_string(id);
    a.name = "interface_down";
    a.incident_id = 1;
    a.state = id == 1 ? AlertState::flapping : id == 2 ? AlertState::firing : AlertState::resolved;
    c.alerts.push_back(a);
  }
  store.commit(c);
  auto restored = store.firing_alerts();
  ASSERT_EQ(restored.size(), 2u);
  EXPECT_EQ(restored[0].state, AlertState::flapping);
  EXPECT_EQ(restored[1].state, AlertState::firing);
  AlertFilter only_flapping;
  only_flapping.state = AlertState::flapping;
  auto listed = store.alerts(only_flapping);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].fingerprint, "fp1");
}

}  // namespace
}  // namespace tocsin

// The embedded store against real SQLite files: every field survives a round
// trip, upserts, filters and paging, the outbox life cycle, several connections
// on one file, schema migrations and open errors.
#include "store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <tuple>

#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite.hpp"
#include "tests/support/temp_dir.hpp"

// Filters are written with designated initializers naming only the fields a
// case sets; GCC would warn about the others although they have defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace tocsin {
namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;

using test::TempDir;

// ---- sample records, every field set to something other than its default ---------------

Incident sample_incident(std::int64_t id) {
  Incident i;
  i.id = id;
  i.title = "core-sw1 interface Gi0/1 down";
  i.state = IncidentState::acknowledged;
  i.priority = "P2";
  i.severity = Severity::major;
  i.ci = "core-sw1";
  i.service = "campus-lan";
  i.group = "network";
  i.assignee = "alice";
  i.alert_count = 2;
  i.event_count = 7;
  i.opened_at_ms = t0;
  i.acknowledged_at_ms = t0 + 60'000;
  i.resolved_at_ms = t0 + 120'000;
  i.closed_at_ms = t0 + 180'000;
  i.sla = {t0 + 900'000, t0 + 14'400'000, true, false};
  i.escalation_level = 3;
  i.updated_at_ms = t0 + 60'000;
  return i;
}

Alert sample_alert(std::int64_t id, std::int64_t incident_id) {
  Alert a;
  a.id = id;
  a.fingerprint = "9f2c1e0d4b3a5f61";
  a.name = "interface_down";
  a.resource = "core-sw1";
  a.severity = Severity::critical;
  a.state = AlertState::resolved;
  a.summary = "Gi0/1 down";
  a.attributes = {{"ifIndex", "3"}, {"ifDescr", std::string("Gi0/1\xff\x00x", 8)}};
  a.first_seen_ms = t0;
  a.last_seen_ms = t0 + 5'000;
  a.resolved_at_ms = t0 + 9'000;
  a.count = 4;
  a.incident_id = incident_id;
  return a;
}

EventRecord sample_event(std::int64_t id, std::int64_t alert_id) {
  EventRecord r;
  r.id = id;
  r.alert_id = alert_id;
  r.fingerprint = "9f2c1e0d4b3a5f61";
  Event& e = r.event;
  e.source = "snmp";
  e.source_address = "192.0.2.7:161";
  e.received_at_ms = t0 + id;
  e.name = "interface_down";
  e.alert_key = "interface_down";
  e.severity = Severity::major;
  e.kind = EventKind::problem;
  e.resource = "core-sw1";
  e.summary = "latin-1 caf\xe9 summary";
  e.attributes = {{"ifIndex", "3"}, {"ifAlias", std::string("\x80\x00\xfe", 3)}, {"empty", ""}};
  e.fingerprint_keys = {"ifIndex", ""};
  e.rule = "if-mib-linkdown";
  e.raw = std::string("\x30\x82\x00\x2a\xff\xfe\x00\x01 trap bytes", 19);
  return r;
}

TimelineEntry sample_timeline(std::int64_t incident_id, std::int64_t at_ms, std::string action) {
  return {0, incident_id, at_ms, "tocsin", std::move(action), "Gi0/1 down on core-sw1"};
}

Notification sample_notification(std::int64_t incident_id, std::int64_t next_attempt_ms) {
  Notification n;
  n.incident_id = incident_id;
  n.channel = "sms";
  n.recipient = "+15550100";
  n.subject = "P2 core-sw1";
  n.body = "Gi0/1 down";
  n.attempts = 0;
  n.created_at_ms = t0;
  n.next_attempt_ms = next_attempt_ms;
  return n;
}

// One incident with one alert, its events, a timeline entry and a page.
ChangeSet sample_batch(std::int64_t id, int events = 1) {
  ChangeSet c;
  c.incidents.push_back(sample_incident(id));
  c.alerts.push_back(sample_alert(id, id));
  for (int k = 0; k < events; ++k) c.events.push_back(sample_event(id * 1000 + k, id));
  c.timeline.push_back(sample_timeline(id, t0, "opened"));
  c.notifications.push_back(sample_notification(id, t0));
  return c;
}

// ---- comparison of every field ----------------------------------------------------------

auto fields(const Incident& i) {
  return std::tie(i.id, i.title, i.state, i.priority, i.severity, i.ci, i.service, i.group, i.assignee,
                  i.alert_count, i.event_count, i.opened_at_ms, i.acknowledged_at_ms, i.resolved_at_ms,
                  i.closed_at_ms, i.sla.ack_due_ms, i.sla.resolve_due_ms, i.sla.ack_breached,
                  i.sla.resolve_breached, i.escalation_level, i.updated_at_ms);
}

auto fields(const Alert& a) {
  return std::tie(a.id, a.fingerprint, a.name, a.resource, a.severity, a.state, a.summary, a.attributes,
                  a.first_seen_ms, a.last_seen_ms, a.resolved_at_ms, a.count, a.incident_id);
}

auto fields(const EventRecord& r) {
  const Event& e = r.event;
  return std::tie(r.id, r.alert_id, r.fingerprint, e.source, e.source_address, e.received_at_ms, e.name,
                  e.alert_key, e.severity, e.kind, e.resource, e.summary, e.attributes, e.fingerprint_keys, e.rule,
                  e.raw);
}

auto fields(const Notification& n) {
  return std::tie(n.incident_id, n.channel, n.recipient, n.subject, n.body, n.state, n.attempts, n.created_at_ms,
                  n.next_attempt_ms, n.sent_at_ms, n.last_error, n.possible_duplicate);
}

std::vector<std::int64_t> ids_of(const auto& rows) {
  std::vector<std::int64_t> ids;
  for (const auto& row : rows) ids.push_back(row.id);
  return ids;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string path_ = dir_.file("tocsin.db");
  SqliteStore store_{path_};
};

// ---- round trips ------------------------------------------------------------------------

TEST_F(SqliteStoreTest, EventKeepsEveryFieldIncludingNonUtf8RawBytesAndAttributeValues) {
  ChangeSet c = sample_batch(1);
  store_.commit(c);

  SqliteStore reopened(path_);
  auto events = reopened.events_of_alert(1, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(fields(events[0]), fields(c.events[0]));
  EXPECT_EQ(events[0].event.raw.size(), 19u);
}

TEST_F(SqliteStoreTest, EmptyStringsAndEmptyAttributeValuesStayDistinctFromAbsentOnes) {
  ChangeSet c = sample_batch(1);
  EventRecord bare;
  bare.id = 7;
  bare.alert_id = 1;
  bare.event.attributes = {{"", ""}, {"key", ""}};
  c.events = {bare};
  c.alerts[0].attributes = {};
  c.alerts[0].incident_id = 0;
  store_.commit(c);

  auto events = store_.events_of_alert(1, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(fields(events[0]), fields(bare));
  EXPECT_EQ(events[0].event.attribute("key"), &events[0].event.attributes[1].second);
  EXPECT_EQ(events[0].event.attribute("absent"), nullptr);
  auto alerts = store_.alerts({});
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_TRUE(alerts[0].attributes.empty());
  EXPECT_EQ(alerts[0].incident_id, 0);
}

TEST_F(SqliteStoreTest, IncidentDetailKeepsEveryFieldOfIncidentAndItsAlerts) {
  ChangeSet c = sample_batch(5);
  c.alerts.push_back(sample_alert(6, 5));
  store_.commit(c);

  auto detail = store_.incident(5);
  ASSERT_TRUE(detail);
  EXPECT_EQ(fields(detail->incident), fields(c.incidents[0]));
  ASSERT_EQ(detail->alerts.size(), 2u);
  EXPECT_EQ(fields(detail->alerts[0]), fields(c.alerts[0]));
  EXPECT_EQ(fields(detail->alerts[1]), fields(c.alerts[1]));
}

TEST_F(SqliteStoreTest, NotificationKeepsEveryFieldAndGetsAnIdFromTheStore) {
  ChangeSet c = sample_batch(1);
  Notification& n = c.notifications[0];
  n.id = 999;
  n.state = NotificationState::failed;
  n.attempts = 5;
  n.sent_at_ms = t0 + 1;
  n.last_error = "gateway said 503";
  n.possible_duplicate = true;
  store_.commit(c);

  auto stored = store_.notifications(1);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(fields(stored[0]), fields(n));
  EXPECT_GT(stored[0].id, 0);
  EXPECT_NE(stored[0].id, 999);
}

TEST_F(SqliteStoreTest, TimelineIsChronologicalWhateverTheCommitOrder) {
  ChangeSet c = sample_batch(1);
  c.timeline = {sample_timeline(1, t0 + 300, "acknowledged"), sample_timeline(1, t0, "opened"),
                sample_timeline(1, t0 + 100, "notified")};
  store_.commit(c);
  ChangeSet later;
  later.timeline = {sample_timeline(1, t0 + 200, "comment")};
  store_.commit(later);

  auto detail = store_.incident(1);
  ASSERT_TRUE(detail);
  std::vector<std::string> actions;
  for (const auto& entry : detail->timeline) actions.push_back(entry.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"opened", "notified", "comment", "acknowledged"}));
  EXPECT_EQ(detail->timeline[0].actor, "tocsin");
  EXPECT_EQ(detail->timeline[0].text, "Gi0/1 down on core-sw1");
  EXPECT_EQ(detail->timeline[0].incident_id, 1);
  EXPECT_GT(detail->timeline[0].id, 0);
}

TEST_F(SqliteStoreTest, UnknownIncidentHasNoDetail) { EXPECT_FALSE(store_.incident(42)); }

// ---- upserts and failed commits ----------------------------------------------------------

TEST_F(SqliteStoreTest, CommittingAnExistingIdUpdatesTheIncidentAndAlert) {
  store_.commit(sample_batch(1));
  ChangeSet update;
  Incident incident = sample_incident(1);
  incident.state = IncidentState::resolved;
  incident.assignee = "bob";
  incident.escalation_level = 0;
  Alert alert = sample_alert(1, 1);
  alert.count = 99;
  alert.state = AlertState::firing;
  update.incidents = {incident};
  update.alerts = {alert};
  store_.commit(update);

  auto incidents = store_.incidents({});
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(fields(incidents[0]), fields(incident));
  auto alerts = store_.alerts({});
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(fields(alerts[0]), fields(alert));
}

TEST_F(SqliteStoreTest, RepeatsMoveOnlyTheCountersOfAlertAndIncident) {
  store_.commit(sample_batch(1));
  Incident incident = sample_incident(1);
  Alert alert = sample_alert(1, 1);
  ChangeSet repeat;
  repeat.incident_repeats = {{incident.id, incident.event_count + 5, Severity::critical, incident.updated_at_ms + 9}};
  repeat.alert_repeats = {{alert.id, alert.count + 5, alert.last_seen_ms + 9, Severity::critical}};
  store_.commit(repeat);

  incident.event_count += 5;
  incident.severity = Severity::critical;
  incident.updated_at_ms += 9;
  alert.count += 5;
  alert.last_seen_ms += 9;
  alert.severity = Severity::critical;
  auto detail = store_.incident(incident.id);
  ASSERT_TRUE(detail);
  EXPECT_EQ(fields(detail->incident), fields(incident));
  ASSERT_EQ(detail->alerts.size(), 1u);
  EXPECT_EQ(fields(detail->alerts[0]), fields(alert));
}

// Indexed columns are written only when they change: every index must still
// find the row by its new values, and no longer by the old ones, also from a
// connection opened afterwards (a restart).
TEST_F(SqliteStoreTest, UpdatesOfIndexedColumnsAreFoundByThemAfterARestartAndTheOldValuesAreNot) {
  ChangeSet first = sample_batch(1);
  first.incidents[0].state = IncidentState::open;
  first.incidents[0].resolved_at_ms = 0;
  first.alerts[0].state = AlertState::firing;
  first.incidents.push_back(sample_incident(2));
  store_.commit(first);

  ChangeSet update;
  Incident incident = sample_incident(1);
  incident.state = IncidentState::resolved;
  incident.resolved_at_ms = t0 + 500'000;
  incident.group = "servers";
  incident.assignee = "bob";
  incident.priority = "P1";
  incident.ci = "core-sw2";
  incident.opened_at_ms = t0 + 1;
  incident.merged_into = 2;
  incident.title = "renamed";
  Alert alert = sample_alert(1, 2);  // moved to incident 2
  alert.state = AlertState::suppressed;
  alert.resource = "core-sw2";
  alert.fingerprint = "0000000000000001";
  alert.suppressed_by = "silence:7";
  alert.count = 12;
  update.incidents = {incident};
  update.alerts = {alert};
  store_.commit(update);

  SqliteStore reopened(path_);
  auto ids = [&](IncidentFilter f) { return ids_of(reopened.incidents(f)); };
  const std::vector<std::int64_t> one{1}, none{};
  EXPECT_EQ(ids({.state = IncidentState::resolved}), one);
  EXPECT_EQ(ids({.state = IncidentState::open}), none);
  EXPECT_EQ(ids({.priority = "P1"}), one);
  EXPECT_EQ(ids({.group = "servers"}), one);
  EXPECT_EQ(ids({.ci = "core-sw2"}), one);
  EXPECT_EQ(ids({.ci = "core-sw1"}), (std::vector<std::int64_t>{2}));
  EXPECT_EQ(ids({.assignee = "bob"}), one);
  EXPECT_EQ(ids({.since_ms = t0 + 1, .until_ms = t0 + 2}), one);
  EXPECT_EQ(ids_of(reopened.resolved_before(t0 + 500'000, 10)), one);
  EXPECT_TRUE(reopened.incident_openings(t0).size() == 1);  // merged incidents are not openings
  EXPECT_EQ(ids_of(reopened.alerts({.state = AlertState::suppressed})), one);
  EXPECT_EQ(ids_of(reopened.alerts({.state = AlertState::firing})), none);
  EXPECT_EQ(ids_of(reopened.alerts({.resource = "core-sw2"})), one);
  EXPECT_EQ(ids_of(reopened.alerts({.incident_id = 2})), one);
  EXPECT_EQ(ids_of(reopened.alerts({.incident_id = 1})), none);
  EXPECT_EQ(ids_of(reopened.alerts({.suppressed_by = "silence:7"})), one);
  auto detail = reopened.incident(2);
  ASSERT_TRUE(detail);
  ASSERT_EQ(detail->alerts.size(), 1u);
  EXPECT_EQ(fields(detail->alerts[0]), fields(alert));
  auto stored = reopened.incident(1);
  ASSERT_TRUE(stored);
  EXPECT_EQ(fields(stored->incident), fields(incident));
  EXPECT_EQ(stored->incident.merged_into, 2);

  sqlite::Database db(path_);
  EXPECT_EQ(db.query_text("PRAGMA integrity_check"), "ok");
}

TEST_F(SqliteStoreTest, AnUpdateOfUnindexedColumnsOnlyKeepsTheIndexedOnesAndTheIndexesIntact) {
  store_.commit(sample_batch(1));
  Incident incident = sample_incident(1);
  incident.title = "renamed";
  incident.alert_count = 9;
  incident.sla.ack_breached = false;
  incident.cmdb = CiFields::copy_of(incident.cmdb.name(), {"campus-lan", "voice"}, incident.cmdb.location(),
                                    incident.cmdb.runbook());
  Alert alert = sample_alert(1, 1);
  alert.summary = "Gi0/1 still down";
  alert.attributes = {{"ifIndex", "4"}};
  ChangeSet update;
  update.incidents = {incident};
  update.alerts = {alert};
  store_.commit(update);

  auto detail = store_.incident(1);
  ASSERT_TRUE(detail);
  EXPECT_EQ(fields(detail->incident), fields(incident));
  EXPECT_EQ(detail->incident.cmdb.services(), incident.cmdb.services());
  ASSERT_EQ(detail->alerts.size(), 1u);
  EXPECT_EQ(fields(detail->alerts[0]), fields(alert));
  EXPECT_EQ(ids_of(store_.incidents({.group = "network"})), (std::vector<std::int64_t>{1}));
  sqlite::Database db(path_);
  EXPECT_EQ(db.query_text("PRAGMA integrity_check"), "ok");
}

TEST_F(SqliteStoreTest, AnIncidentOpenedAndResolvedInOneBatchIsStoredResolved) {
  ChangeSet c = sample_batch(1);
  c.incidents[0].state = IncidentState::open;
  Incident resolved = sample_incident(1);
  resolved.state = IncidentState::resolved;
  c.incidents.push_back(resolved);
  Alert cleared = sample_alert(1, 1);
  cleared.state = AlertState::resolved;
  c.alerts[0].state = AlertState::firing;
  c.alerts.push_back(cleared);
  store_.commit(c);

  EXPECT_TRUE(store_.unresolved_incidents().empty());
  EXPECT_TRUE(store_.firing_alerts().empty());
  EXPECT_EQ(ids_of(store_.incidents({.state = IncidentState::resolved})), (std::vector<std::int64_t>{1}));
}

TEST_F(SqliteStoreTest, FailedCommitKeepsNothingOfTheBatchAndThrows) {
  store_.commit(sample_batch(1));
  ChangeSet broken = sample_batch(2);
  broken.events.push_back(sample_event(1000, 1));  // id already used by batch 1

  EXPECT_THROW(store_.commit(broken), std::runtime_error);
  EXPECT_FALSE(store_.incident(2));
  EXPECT_TRUE(store_.alerts({.incident_id = 2}).empty());
  EXPECT_TRUE(store_.notifications(2).empty());
  store_.commit(sample_batch(3));
  EXPECT_EQ(store_.max_ids().incident, 3);
}

TEST_F(SqliteStoreTest, ARetriedCommitWritesTheNewRowsItsFailedAttemptRolledBack) {
  ChangeSet batch = sample_batch(2);
  batch.events.push_back(sample_event(2000, 2));  // the same event twice: the first attempt fails
  EXPECT_THROW(store_.commit(batch), std::runtime_error);
  batch.events.pop_back();
  store_.commit(batch);

  ASSERT_TRUE(store_.incident(2));
  EXPECT_EQ(fields(store_.incident(2)->incident), fields(sample_incident(2)));
  EXPECT_EQ(ids_of(store_.alerts({.incident_id = 2})), (std::vector<std::int64_t>{2}));
}

TEST_F(SqliteStoreTest, NewRowsBelowTheLargestStoredIdAreInsertedAndLaterOnesUpdated) {
  store_.commit(sample_batch(5));
  ChangeSet late = sample_batch(3);
  late.events.clear();  // event ids only grow (EventIdsOnlyGrow…)
  Incident resolved = sample_incident(3);
  resolved.state = IncidentState::resolved;
  late.incidents.push_back(resolved);
  store_.commit(late);
  ChangeSet next = sample_batch(8);
  next.incidents.push_back(sample_incident(6));  // new ones in any order
  next.incidents.push_back(sample_incident(7));
  Incident assigned = sample_incident(6);
  assigned.assignee = "carol";
  next.incidents.push_back(assigned);
  store_.commit(next);

  EXPECT_EQ(ids_of(store_.incidents({})), (std::vector<std::int64_t>{8, 7, 6, 5, 3}));
  EXPECT_EQ(fields(store_.incident(3)->incident), fields(resolved));
  EXPECT_EQ(ids_of(store_.incidents({.state = IncidentState::resolved})), (std::vector<std::int64_t>{3}));
  EXPECT_EQ(fields(store_.incident(6)->incident), fields(assigned));
  EXPECT_EQ(ids_of(store_.incidents({.assignee = "carol"})), (std::vector<std::int64_t>{6}));
}

TEST_F(SqliteStoreTest, EventOfAnUnknownAlertIsRefusedByForeignKeys) {
  ChangeSet c;
  c.events.push_back(sample_event(1, 77));
  EXPECT_THROW(store_.commit(c), std::runtime_error);
  EXPECT_EQ(store_.max_ids().event, 0);
}

// ---- start-up reloads ---------------------------------------------------------------------

TEST_F(SqliteStoreTest, MaxIdsAreZeroOnAnEmptyStoreThenTheHighestInUse) {
  IdState empty = store_.max_ids();
  EXPECT_EQ(std::tie(empty.event, empty.alert, empty.incident), std::make_tuple(0, 0, 0));
  store_.commit(sample_batch(3, 2));
  ChangeSet late = sample_batch(2, 1);
  late.events[0].id = 3002;
  store_.commit(late);

  IdState ids = store_.max_ids();
  EXPECT_EQ(std::tie(ids.event, ids.alert, ids.incident), std::make_tuple(3002, 3, 3));
}

// The correlator counts event ids out in order: an event at or below the
// latest stored one is a second copy, refused with its whole batch.
TEST_F(SqliteStoreTest, EventIdsOnlyGrowAndABatchWithAnOlderOneIsRefusedWhole) {
  store_.commit(sample_batch(3, 2));
  ChangeSet late = sample_batch(2, 1);
  EXPECT_THROW(store_.commit(late), std::runtime_error);
  EXPECT_FALSE(store_.incident(2));
  EXPECT_TRUE(store_.events_of_alert(2, 10).empty());
  late.events[0].id = 3002;
  store_.commit(late);
  EXPECT_EQ(ids_of(store_.events_of_alert(2, 10)), (std::vector<std::int64_t>{3002}));
  EXPECT_EQ(ids_of(store_.events_of_alert(3, 10)), (std::vector<std::int64_t>{3001, 3000}));
}

TEST_F(SqliteStoreTest, FiringAlertsAndUnresolvedIncidentsAreWhatTheCorrelatorReloads) {
  ChangeSet c;
  const IncidentState states[] = {IncidentState::open, IncidentState::acknowledged, IncidentState::resolved,
                                  IncidentState::closed};
  for (int id = 1; id <= 4; ++id) {
    c.incidents.push_back(sample_incident(id));
    c.incidents.back().state = states[id - 1];
    c.alerts.push_back(sample_alert(id, id));
    c.alerts.back().state = id % 2 ? AlertState::firing : AlertState::resolved;
  }
  store_.commit(c);

  EXPECT_EQ(ids_of(store_.unresolved_incidents()), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(ids_of(store_.firing_alerts()), (std::vector<std::int64_t>{1, 3}));
}

// ---- filters and paging ------------------------------------------------------------------

class SqliteStoreFilterTest : public SqliteStoreTest {
 protected:
  void SetUp() override {
    ChangeSet c;
    for (int id = 1; id <= 6; ++id) {
      Incident i = sample_incident(id);
      i.state = id <= 3 ? IncidentState::open : IncidentState::resolved;
      i.priority = id % 2 ? "P1" : "P3";
      i.group = id <= 2 ? "network" : "servers";
      i.ci = "ci-" + std::to_string(id % 3);
      c.incidents.push_back(i);
      Alert a = sample_alert(id, id <= 4 ? 1 : 6);
      a.state = id % 2 ? AlertState::firing : AlertState::resolved;
      a.resource = id <= 3 ? "core-sw1" : "edge-rtr2";
      c.alerts.push_back(a);
    }
    store_.commit(c);
  }
};

TEST_F(SqliteStoreFilterTest, IncidentsComeNewestFirst) {
  EXPECT_EQ(ids_of(store_.incidents({})), (std::vector<std::int64_t>{6, 5, 4, 3, 2, 1}));
}

TEST_F(SqliteStoreFilterTest, IncidentFiltersCombine) {
  EXPECT_EQ(ids_of(store_.incidents({.state = IncidentState::open})), (std::vector<std::int64_t>{3, 2, 1}));
  EXPECT_EQ(ids_of(store_.incidents({.priority = "P1"})), (std::vector<std::int64_t>{5, 3, 1}));
  EXPECT_EQ(ids_of(store_.incidents({.group = "network"})), (std::vector<std::int64_t>{2, 1}));
  EXPECT_EQ(ids_of(store_.incidents({.ci = "ci-0"})), (std::vector<std::int64_t>{6, 3}));
  EXPECT_EQ(ids_of(store_.incidents({.state = IncidentState::open, .priority = "P3", .group = "network"})),
            (std::vector<std::int64_t>{2}));
  EXPECT_TRUE(store_.incidents({.state = IncidentState::closed}).empty());
}

TEST_F(SqliteStoreFilterTest, IncidentSearchByAssigneeServiceOpenedTimeAndTitleText) {
  ChangeSet c;
  for (int id = 1; id <= 6; ++id) {
    Incident i = sample_incident(id);
    i.assignee = id == 2 ? "bob" : "";
    i.service = id >= 5 ? "shop" : "mail";
    i.opened_at_ms = 1'000'000 * id;
    i.title = id == 4 ? "Disk FULL on db1" : "link down";
    c.incidents.push_back(i);
  }
  store_.commit(c);
  EXPECT_EQ(ids_of(store_.incidents({.assignee = "bob"})), (std::vector<std::int64_t>{2}));
  EXPECT_EQ(ids_of(store_.incidents({.service = "shop"})), (std::vector<std::int64_t>{6, 5}));
  // since is inclusive, until exclusive.
  EXPECT_EQ(ids_of(store_.incidents({.since_ms = 2'000'000, .until_ms = 4'000'000})),
            (std::vector<std::int64_t>{3, 2}));
  EXPECT_EQ(ids_of(store_.incidents({.text = "disk full"})), (std::vector<std::int64_t>{4}));
  EXPECT_TRUE(store_.incidents({.assignee = "bob", .service = "shop"}).empty());
}

TEST_F(SqliteStoreFilterTest, IncidentsPageByBeforeId) {
  auto first = store_.incidents({.limit = 4});
  EXPECT_EQ(ids_of(first), (std::vector<std::int64_t>{6, 5, 4, 3}));
  auto second = store_.incidents({.limit = 4, .before_id = first.back().id});
  EXPECT_EQ(ids_of(second), (std::vector<std::int64_t>{2, 1}));
  EXPECT_EQ(ids_of(store_.incidents({.priority = "P1", .limit = 1, .before_id = 5})),
            (std::vector<std::int64_t>{3}));
}

TEST_F(SqliteStoreFilterTest, AlertFiltersCombineAndRespectTheLimit) {
  EXPECT_EQ(ids_of(store_.alerts({})), (std::vector<std::int64_t>{6, 5, 4, 3, 2, 1}));
  EXPECT_EQ(ids_of(store_.alerts({.state = AlertState::firing})), (std::vector<std::int64_t>{5, 3, 1}));
  EXPECT_EQ(ids_of(store_.alerts({.resource = "core-sw1"})), (std::vector<std::int64_t>{3, 2, 1}));
  EXPECT_EQ(ids_of(store_.alerts({.incident_id = 6})), (std::vector<std::int64_t>{6, 5}));
  EXPECT_EQ(ids_of(store_.alerts({.state = AlertState::resolved, .resource = "edge-rtr2"})),
            (std::vector<std::int64_t>{6, 4}));
  EXPECT_EQ(ids_of(store_.alerts({.limit = 2})), (std::vector<std::int64_t>{6, 5}));
}

TEST_F(SqliteStoreTest, ALargeBatchKeepsEveryFieldOfEachEventAndTimelineEntryInOrder) {
  ChangeSet c = sample_batch(1, 41);
  c.timeline.clear();
  for (int k = 0; k < 37; ++k) {
    EventRecord& r = c.events[static_cast<std::size_t>(k)];
    r.event.summary = "event " + std::to_string(k);
    r.event.attributes.emplace_back("k", std::to_string(k));
    r.event.fingerprint_keys.push_back(std::string(static_cast<std::size_t>(k), 'x'));
    c.timeline.push_back(sample_timeline(1, t0 + k, "step " + std::to_string(k)));
  }
  store_.commit(c);

  auto stored = store_.events_of_alert(1, 100);
  ASSERT_EQ(stored.size(), c.events.size());
  std::reverse(stored.begin(), stored.end());
  for (std::size_t k = 0; k < stored.size(); ++k) EXPECT_EQ(fields(stored[k]), fields(c.events[k])) << k;
  auto detail = store_.incident(1);
  ASSERT_TRUE(detail);
  ASSERT_EQ(detail->timeline.size(), c.timeline.size());
  for (std::size_t k = 0; k < c.timeline.size(); ++k) {
    EXPECT_EQ(detail->timeline[k].action, c.timeline[k].action);
    EXPECT_EQ(detail->timeline[k].at_ms, c.timeline[k].at_ms);
    if (k > 0) EXPECT_GT(detail->timeline[k].id, detail->timeline[k - 1].id);
  }
}

TEST_F(SqliteStoreTest, EventsOfAlertAreTheLatestFirstUpToTheLimit) {
  store_.commit(sample_batch(1, 5));
  store_.commit(sample_batch(2, 2));

  EXPECT_EQ(ids_of(store_.events_of_alert(1, 3)), (std::vector<std::int64_t>{1004, 1003, 1002}));
  EXPECT_EQ(ids_of(store_.events_of_alert(2, 10)), (std::vector<std::int64_t>{2001, 2000}));
  EXPECT_TRUE(store_.events_of_alert(9, 10).empty());
}

// ---- outbox --------------------------------------------------------------------------------

class SqliteOutboxTest : public SqliteStoreTest {
 protected:
  void SetUp() override {
    ChangeSet c = sample_batch(1);
    c.notifications = {sample_notification(1, t0 + 300), sample_notification(1, t0 + 100),
                       sample_notification(1, t0 + 200), sample_notification(1, t0 + 10'000)};
    store_.commit(c);
    for (const auto& n : store_.notifications(1)) ids_.push_back(n.id);
  }
  NotificationState state_of(std::int64_t id) {
    for (const auto& n : store_.notifications(1))
      if (n.id == id) return n.state;
    throw std::runtime_error("no such notification");
  }
  std::vector<std::int64_t> ids_;  // in creation order: due at +300, +100, +200, +10000
};

TEST_F(SqliteOutboxTest, ClaimDueTakesOnlyDuePendingOldestFirstAndCountsTheAttempt) {
  auto claimed = store_.claim_due(t0 + 300, 10);

  EXPECT_EQ(ids_of(claimed), (std::vector<std::int64_t>{ids_[1], ids_[2], ids_[0]}));
  for (const auto& n : claimed) {
    EXPECT_EQ(n.state, NotificationState::sending);
    EXPECT_EQ(n.attempts, 1);
  }
  EXPECT_EQ(state_of(ids_[3]), NotificationState::pending);
  EXPECT_EQ(store_.pending_notifications(), 4);
}

TEST_F(SqliteOutboxTest, ClaimDueRespectsTheLimitAndNeverHandsOutARowTwice) {
  EXPECT_EQ(ids_of(store_.claim_due(t0 + 300, 2)), (std::vector<std::int64_t>{ids_[1], ids_[2]}));
  EXPECT_EQ(ids_of(store_.claim_due(t0 + 300, 2)), (std::vector<std::int64_t>{ids_[0]}));
  EXPECT_TRUE(store_.claim_due(t0 + 300, 2).empty());
  EXPECT_TRUE(store_.claim_due(t0 + 300, 0).empty());
}

TEST_F(SqliteOutboxTest, ClaimDueForTakesOnlyThatRecipientOnThatChannel) {
  ChangeSet c;
  Notification other = sample_notification(1, t0 + 100);
  other.recipient = "+15550199";
  Notification mail = sample_notification(1, t0 + 100);
  mail.channel = "email";
  c.notifications = {other, mail};
  store_.commit(c);

  auto claimed = store_.claim_due_for("sms", "+15550100", t0 + 300, 10);
  EXPECT_EQ(ids_of(claimed), (std::vector<std::int64_t>{ids_[1], ids_[2], ids_[0]}));
  for (const auto& n : claimed) EXPECT_EQ(n.attempts, 1);
  EXPECT_TRUE(store_.claim_due_for("sms", "+15550100", t0 + 300, 10).empty());
  EXPECT_EQ(store_.claim_due(t0 + 300, 10).size(), 2u);  // the other recipient and the e-mail
}

TEST_F(SqliteOutboxTest, ReleaseHoldsWithoutCountingAnAttempt) {
  std::int64_t id = store_.claim_due(t0 + 100, 1).at(0).id;
  store_.release(id, t0 + 60'000, "held by the rate limit");

  EXPECT_TRUE(store_.claim_due_for("sms", "+15550100", t0 + 200, 10).size() == 1);  // only the one due at +200
  auto later = store_.claim_due(t0 + 60'000, 10);
  auto it = std::find_if(later.begin(), later.end(), [&](const Notification& n) { return n.id == id; });
  ASSERT_NE(it, later.end());
  EXPECT_EQ(it->attempts, 1);  // the hold did not count
  EXPECT_EQ(it->last_error, "held by the rate limit");
  EXPECT_THROW(store_.release(id + 1000, t0, "x"), std::runtime_error);
}

TEST_F(SqliteOutboxTest, MarkRetryReturnsToPendingUntilTheNextAttemptIsDue) {
  std::int64_t id = store_.claim_due(t0 + 100, 1).at(0).id;
  store_.mark_retry(id, t0 + 5'000, "connection refused");

  EXPECT_TRUE(store_.claim_due(t0 + 100, 10).empty());
  auto again = store_.claim_due(t0 + 5'000, 10);
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again.back().id, id);
  EXPECT_EQ(again.back().attempts, 2);
  EXPECT_EQ(again.back().last_error, "connection refused");
}

TEST_F(SqliteOutboxTest, MarkSentAndMarkFailedEndTheNotification) {
  auto claimed = store_.claim_due(t0 + 200, 2);
  store_.mark_sent(claimed[0].id, t0 + 250);
  store_.mark_failed(claimed[1].id, "recipient rejected");

  auto all = store_.notifications(1);
  auto sent = std::find_if(all.begin(), all.end(), [&](auto& n) { return n.id == claimed[0].id; });
  auto failed = std::find_if(all.begin(), all.end(), [&](auto& n) { return n.id == claimed[1].id; });
  EXPECT_EQ(sent->state, NotificationState::sent);
  EXPECT_EQ(sent->sent_at_ms, t0 + 250);
  EXPECT_EQ(failed->state, NotificationState::failed);
  EXPECT_EQ(failed->last_error, "recipient rejected");
  EXPECT_EQ(store_.pending_notifications(), 2);
  EXPECT_TRUE(store_.claim_due(t0 + 200, 10).empty());
}

TEST_F(SqliteOutboxTest, RecoverInFlightReturnsSendingRowsFlaggedAsPossibleDuplicates) {
  auto claimed = store_.claim_due(t0 + 300, 10);
  store_.mark_sent(claimed[0].id, t0 + 400);

  SqliteStore restarted(path_);
  EXPECT_EQ(restarted.recover_in_flight(), 2);
  EXPECT_EQ(restarted.recover_in_flight(), 0);
  auto resent = restarted.claim_due(t0 + 300, 10);
  EXPECT_EQ(ids_of(resent), (std::vector<std::int64_t>{claimed[1].id, claimed[2].id}));
  for (const auto& n : resent) EXPECT_TRUE(n.possible_duplicate);
  EXPECT_FALSE(restarted.notifications(1)[3].possible_duplicate);
}

TEST_F(SqliteOutboxTest, MarkingAnUnknownNotificationThrows) {
  EXPECT_THROW(store_.mark_sent(12345, t0), std::runtime_error);
  EXPECT_THROW(store_.mark_retry(12345, t0, "x"), std::runtime_error);
  EXPECT_THROW(store_.mark_failed(12345, "x"), std::runtime_error);
}

TEST_F(SqliteOutboxTest, DeliveryReportIsRecordedAndAFinalStatusIsNotReplacedByALateIntermediateOne) {
  auto claimed = store_.claim_due(t0 + 200, 1);
  std::int64_t id = claimed.at(0).id;
  store_.mark_sent(id, t0 + 250);
  auto status_of = [&] {
    for (const auto& n : store_.notifications(1))
      if (n.id == id) return n.delivery_status;
    return std::string("missing");
  };
  EXPECT_TRUE(store_.record_delivery_report(id, "accepted"));
  EXPECT_EQ(status_of(), "accepted");
  EXPECT_TRUE(store_.record_delivery_report(id, "delivered"));
  EXPECT_EQ(status_of(), "delivered");
  EXPECT_TRUE(store_.record_delivery_report(id, "buffered"));  // late and intermediate: kept out
  EXPECT_EQ(status_of(), "delivered");
  EXPECT_TRUE(store_.record_delivery_report(id, "failed"));
  EXPECT_EQ(status_of(), "failed");
  EXPECT_FALSE(store_.record_delivery_report(12345, "delivered"));
}

TEST_F(SqliteOutboxTest, DeliveryReportRecordsTheGatewaysMessageIdWhenItGivesOne) {
  auto claimed = store_.claim_due(t0 + 200, 1);
  std::int64_t id = claimed.at(0).id;
  store_.mark_sent(id, t0 + 250);
  auto stored = [&] {
    for (const auto& n : store_.notifications(1))
      if (n.id == id) return n;
    return Notification{};
  };
  EXPECT_TRUE(store_.record_delivery_report(id, "accepted", "1f8e3a2c-77"));
  EXPECT_EQ(stored().gateway_id, "1f8e3a2c-77");
  // A report without one (or a late intermediate one) keeps the id.
  EXPECT_TRUE(store_.record_delivery_report(id, "delivered"));
  EXPECT_TRUE(store_.record_delivery_report(id, "buffered", "1f8e3a2c-77"));
  EXPECT_EQ(stored().gateway_id, "1f8e3a2c-77");
  EXPECT_EQ(stored().delivery_status, "delivered");
  EXPECT_FALSE(store_.record_delivery_report(12345, "delivered", "x"));
}

// ---- several connections on one file ---------------------------------------------------------

// The correlator thread commits while the API thread reads and two outbox
// workers claim: readers only ever see whole batches, and no notification is
// handed to two workers.
TEST(SqliteStoreConcurrency, WriterReaderAndOutboxWorkersShareOneFile) {
  TempDir dir;
  const std::string path = dir.file("shared.db");
  constexpr int batches = 30;
  constexpr int events_per_batch = 50;
  SqliteStore{path};
  std::atomic<bool> writing{true};
  std::atomic<int> partial_batches{0};
  std::mutex error_mutex;
  std::vector<std::string> errors;
  auto guarded = [&](auto body) {
    return [&, body] {
      try {
        body();
      } catch (const std::exception& e) {
        std::lock_guard lock(error_mutex);
        errors.push_back(e.what());
        writing = false;
      }
    };
  };

  std::thread writer(guarded([&] {
    SqliteStore store(path);
    for (int b = 1; b <= batches; ++b) store.commit(sample_batch(b, events_per_batch));
    writing = false;
  }));
  std::thread reader(guarded([&] {
    SqliteStore store(path);
    while (writing) {
      for (const auto& incident : store.incidents({.limit = batches})) {
        auto detail = store.incident(incident.id);
        auto events = store.events_of_alert(incident.id, events_per_batch + 1);
        if (!detail || detail->alerts.size() != 1 || detail->timeline.size() != 1 ||
            events.size() != events_per_batch)
          ++partial_batches;
      }
    }
  }));
  auto outbox_worker = guarded([&] {
    SqliteStore store(path);
    while (writing || store.pending_notifications() > 0) {
      for (const auto& n : store.claim_due(t0, 4)) store.mark_sent(n.id, t0 + 1);
      std::this_thread::yield();
    }
  });
  std::thread worker1(outbox_worker);
  std::thread worker2(outbox_worker);
  for (auto* t : {&writer, &reader, &worker1, &worker2}) t->join();

  EXPECT_EQ(errors, std::vector<std::string>{});
  EXPECT_EQ(partial_batches, 0);
  SqliteStore check(path);
  EXPECT_EQ(check.max_ids().incident, batches);
  EXPECT_EQ(check.pending_notifications(), 0);
  for (int b = 1; b <= batches; ++b) {
    auto notifications = check.notifications(b);
    ASSERT_EQ(notifications.size(), 1u);
    EXPECT_EQ(notifications[0].state, NotificationState::sent);
    EXPECT_EQ(notifications[0].attempts, 1) << "notification of batch " << b << " was claimed twice";
  }
}

// ---- schema and open ------------------------------------------------------------------------

TEST(SqliteStoreOpen, CreatesTheParentDirectoryAndTheLatestSchemaInWalMode) {
  TempDir dir;
  const std::string path = dir.file("var/lib/tocsin/tocsin.db");
  SqliteStore store(path);

  sqlite::Database db(path);
  EXPECT_EQ(sqlite::schema_version(db), sqlite::latest_schema_version());
  EXPECT_GE(sqlite::latest_schema_version(), 1);
  EXPECT_EQ(db.query_text("PRAGMA journal_mode"), "wal");
}

// The steps of SQLite's plan for `sql`, each followed by "; ".
std::string query_plan(sqlite::Database& db, const std::string& sql) {
  sqlite::Statement stmt(db.handle(), "EXPLAIN QUERY PLAN " + sql);
  std::string steps;
  while (stmt.step()) steps += stmt.column_text(3) + "; ";
  return steps;
}

// Each incident filter of the API and each start-up or timer query still has
// an index, and the incident list by state reads its page in id order
// instead of sorting every incident in that state.
TEST(SqliteStoreOpen, EveryIncidentQueryKeepsAnIndexOnceTheRedundantOneIsDropped) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  SqliteStore store(path);
  sqlite::Database db(path);
  EXPECT_EQ(db.query_int64("SELECT count(*) FROM sqlite_schema WHERE name = 'incidents_by_opened'"), 0);
  auto plan = [&](const std::string& where) {
    return query_plan(db, "SELECT id, title FROM incidents WHERE " + where);
  };
  for (const char* where :
       {"state = ? ORDER BY id DESC LIMIT ?", "priority = ? ORDER BY id DESC LIMIT ?",
        "group_name = ? ORDER BY id DESC LIMIT ?", "ci = ? ORDER BY id DESC LIMIT ?",
        "assignee = ? ORDER BY id DESC LIMIT ?", "opened_at_ms >= ? AND opened_at_ms < ? ORDER BY id DESC LIMIT ?",
        "state IN ('open', 'acknowledged') ORDER BY id",
        "state = 'resolved' AND resolved_at_ms <= ? ORDER BY resolved_at_ms, id LIMIT ?",
        "opened_at_ms >= ? AND merged_into = 0 ORDER BY opened_at_ms"}) {
    const std::string steps = plan(where);
    EXPECT_NE(steps.find("USING"), std::string::npos) << where << ": " << steps;
  }
  EXPECT_EQ(plan("state = ? ORDER BY id DESC LIMIT ?").find("TEMP B-TREE"), std::string::npos);
}

// Likewise for alerts, whose fingerprint index no query used.
TEST(SqliteStoreOpen, EveryAlertQueryKeepsAnIndexWithoutTheFingerprintOne) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  SqliteStore store(path);
  sqlite::Database db(path);
  EXPECT_EQ(db.query_int64("SELECT count(*) FROM sqlite_schema WHERE name = 'alerts_by_fingerprint'"), 0);
  for (const char* where :
       {"state = ? ORDER BY id DESC LIMIT ?", "resource = ? ORDER BY id DESC LIMIT ?",
        "incident_id = ? ORDER BY id DESC LIMIT ?", "incident_id = ? ORDER BY id",
        "state = 'firing' OR state = 'flapping' OR state = 'suppressed' ORDER BY id"}) {
    const std::string steps = query_plan(db, std::string{"SELECT id FROM alerts WHERE "} + where);
    EXPECT_NE(steps.find("USING"), std::string::npos) << where << ": " << steps;
  }
}

TEST(SqliteStoreOpen, ReopeningKeepsTheDataAndAppliesNoStep) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  SqliteStore(path).commit(sample_batch(1));

  SqliteStore reopened(path);
  EXPECT_TRUE(reopened.incident(1));
  sqlite::Database db(path);
  EXPECT_EQ(sqlite::migrate(db), 0);
}

TEST(SqliteStoreOpen, DatabaseFromANewerVersionIsRefusedWithItsPath) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  SqliteStore{path};
  {
    sqlite::Database db(path);
    db.exec("PRAGMA user_version = " + std::to_string(sqlite::latest_schema_version() + 1));
  }
  try {
    SqliteStore store(path);
    FAIL() << "a newer schema was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST(SqliteStoreOpen, StepsApplyInOrderAndAFailingStepLeavesTheLastCompleteVersion) {
  TempDir dir;
  sqlite::Database db(dir.file("steps.db"));
  const sqlite::Migration steps[] = {
      {"first", "CREATE TABLE a (x INTEGER)"},
      {"second", "CREATE TABLE b (y INTEGER)"},
      {"broken", "CREATE TABLE c (z INTEGER); INSERT INTO nowhere VALUES (1)"},
  };
  EXPECT_EQ(sqlite::migrate(db, std::span(steps, 2)), 2);
  EXPECT_EQ(sqlite::schema_version(db), 2);

  EXPECT_THROW(sqlite::migrate(db, steps), std::runtime_error);
  EXPECT_EQ(sqlite::schema_version(db), 2);
  EXPECT_EQ(db.query_int64("SELECT count(*) FROM sqlite_master WHERE name = 'c'"), 0);
}

TEST(SqliteStoreOpen, UnwritablePathThrowsWithThePath) {
  TempDir dir;
  const std::string blocker = dir.file("not-a-directory");
  std::ofstream(blocker) << "x";
  const std::string path = blocker + "/tocsin.db";
  try {
    SqliteStore store(path);
    FAIL() << "opened a database under a regular file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(SqliteStoreOpen, CorruptFileThrowsWithThePathAndSqlitesMessage) {
  TempDir dir;
  const std::string path = dir.file("corrupt.db");
  std::ofstream(path) << std::string(4096, 'x');
  try {
    SqliteStore store(path);
    FAIL() << "opened a file that is not a database";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a database"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tocsin

namespace tocsin {
namespace {

TEST(SqliteStoreRecent, AttributeValuesOfTheLatestEventsOfOneSourceNewestFirst) {
  auto dir = std::filesystem::temp_directory_path() / ("tocsin-recent-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    SqliteStore store((dir / "t.db").string());
    ChangeSet batch;
    for (int i = 1; i <= 5; ++i) {
      EventRecord r;
      r.id = i;
      r.event.source = i == 3 ? "syslog" : "mqtt";
      r.event.kind = EventKind::info;
      r.event.attributes = {{"other", "x"}, {"mqtt_message_id", "id-" + std::to_string(i)}};
      batch.events.push_back(r);
    }
    store.commit(batch);
    EXPECT_EQ(store.recent_attribute_values("mqtt", "mqtt_message_id", 3),
              (std::vector<std::string>{"id-5", "id-4", "id-2"}));
    EXPECT_TRUE(store.recent_attribute_values("snmp", "mqtt_message_id", 3).empty());
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tocsin

// The embedded store's event journal: events chained per alert across
// segment files, what lies past the committed end, corruption, and the move of
// an older store's events table into the journal.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "correlator/clock.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace tocsin {
namespace {

using test::TempDir;

std::vector<std::int64_t> ids_of(const std::vector<EventRecord>& events) {
  std::vector<std::int64_t> ids;
  for (const auto& e : events) ids.push_back(e.id);
  return ids;
}

Alert alert(std::int64_t id) {
  Alert a;
  a.id = id;
  a.fingerprint = "fp-" + std::to_string(id);
  return a;
}

EventRecord event(std::int64_t id, std::int64_t alert_id) {
  EventRecord r;
  r.id = id;
  r.alert_id = alert_id;
  r.event.source = "mqtt";
  r.event.attributes = {{"mqtt_message_id", "m-" + std::to_string(id)}};
  r.event.raw = std::string(100, 'x');
  return r;
}

std::vector<std::filesystem::path> segments(const std::string& db) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(db + "-events")) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

SqliteOptions small_segments() {
  SqliteOptions options;
  options.journal_segment_bytes = 1024;
  return options;
}

// 20 batches of 4 events, two alerts, in segments of 1 KiB (two batches each):
// the chains and the latest-events scan cross from segment to segment.
TEST(SqliteJournal, EventsOfAnAlertAndTheLatestOfASourceAreFoundAcrossSegmentsAfterAReopen) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  const SqliteOptions options = small_segments();
  {
    SqliteStore store(path, options);
    std::int64_t id = 0;
    for (int b = 0; b < 20; ++b) {
      ChangeSet c;
      if (b == 0) c.alerts = {alert(1), alert(2)};
      else c.alert_repeats = {{1, b, b, Severity::major}};
      for (int k = 0; k < 4; ++k) c.events.push_back(event(++id, k % 2 + 1));
      store.commit(c);
    }
  }
  EXPECT_GE(segments(path).size(), 5u);
  SqliteStore store(path, options);
  std::vector<std::int64_t> odd, even;
  for (std::int64_t id = 79; id >= 1; id -= 2) odd.push_back(id);
  for (std::int64_t id = 80; id >= 2; id -= 2) even.push_back(id);
  EXPECT_EQ(ids_of(store.events_of_alert(1, 100)), odd);
  EXPECT_EQ(ids_of(store.events_of_alert(2, 100)), even);
  EXPECT_EQ(ids_of(store.events_of_alert(2, 3)), (std::vector<std::int64_t>{80, 78, 76}));
  auto recent = store.recent_attribute_values("mqtt", "mqtt_message_id", 15);
  ASSERT_EQ(recent.size(), 15u);
  EXPECT_EQ(recent.front(), "m-80");
  EXPECT_EQ(recent.back(), "m-66");
  EXPECT_EQ(store.max_ids().event, 80);
  EXPECT_EQ(store.alerts({}).size(), 2u);
}

// A commit that failed (or a crash) after its records were written leaves
// bytes past the committed end: never read, written over by the next commit
// and cut off before the journal moves to a new segment.
TEST(SqliteJournal, BytesPastTheCommittedEndAreWrittenOverAndCutWhenTheJournalMovesOn) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  const SqliteOptions options = small_segments();
  SqliteStore store(path, options);
  ChangeSet first;
  first.alerts = {alert(1)};
  first.events = {event(1, 1)};
  store.commit(first);
  const auto committed = std::filesystem::file_size(segments(path).at(0));
  {
    std::ofstream tail(segments(path).at(0), std::ios::app | std::ios::binary);
    tail << std::string(5000, '\xee');
  }
  std::int64_t id = 1;
  while (segments(path).size() < 3) {
    ChangeSet c;
    c.events = {event(++id, 1)};
    store.commit(c);
  }
  auto events = store.events_of_alert(1, 1000);
  ASSERT_EQ(events.size(), static_cast<std::size_t>(id));
  EXPECT_EQ(events.back().event.raw, std::string(100, 'x'));
  // The first segment ends with its last record, no longer with the garbage.
  const auto first_size = std::filesystem::file_size(segments(path).at(0));
  EXPECT_GT(first_size, committed);
  EXPECT_LT(first_size, 1024u + 200u);
  EXPECT_EQ(store.recent_attribute_values("mqtt", "mqtt_message_id", 1000).size(), static_cast<std::size_t>(id));
}

TEST(SqliteJournal, ACorruptRecordIsReportedWithItsFileAndOffset) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  SqliteStore store(path);
  ChangeSet c;
  c.alerts = {alert(1)};
  c.events = {event(1, 1), event(2, 1)};
  store.commit(c);
  {
    std::fstream f(segments(path).at(0), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('\x01');
  }
  try {
    store.events_of_alert(1, 10);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("CRC mismatch"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("00000001.log:0"), std::string::npos) << e.what();
  }
}

// The schema steps before the one described so.
std::span<const sqlite::Migration> steps_before(std::string_view description) {
  auto all = sqlite::schema_migrations();
  auto it = std::find_if(all.begin(), all.end(),
                         [&](const sqlite::Migration& m) { return m.description == description; });
  return all.first(static_cast<std::size_t>(it - all.begin()));
}

std::span<const sqlite::Migration> steps_before_the_journal() {
  return steps_before("events in the append-only event journal");
}

// A store written before the journal: its events move to the journal on the
// first open, chained per alert, and the table goes; later events continue
// the chains.
TEST(SqliteJournal, AnOlderStoresEventTableMovesToTheJournalAndItsChainsContinue) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  {
    sqlite::Database db(path);
    ASSERT_GT(sqlite::migrate(db, steps_before_the_journal()), 0);
    db.exec(
        "INSERT INTO alerts (id, fingerprint, name, resource, severity, state, summary, attributes, first_seen_ms, "
        "last_seen_ms, resolved_at_ms, count, incident_id) VALUES (1, 'fp1', 'n', 'sw1', 'major', 'firing', 's', "
        "x'', 5, 6, 0, 3, NULL), (2, 'fp2', 'n', 'sw2', 'major', 'firing', 's', x'', 5, 6, 0, 2, NULL)");
    for (int id = 1; id <= 5; ++id) {
      // attributes: key "mqtt_message_id", value "m-<id>" as length-prefixed strings
      db.exec("INSERT INTO events VALUES (" + std::to_string(id) + ", " + std::to_string(100 + id) +
              ", 'mqtt', '127.0.0.1', 'n', 'n', 'problem', 'major', 'sw', 's', 'r', 'fp', " +
              std::to_string(id % 2 ? 1 : 2) + ", x'0f6d7174745f6d6573736167655f696403' || CAST('m-" +
              std::to_string(id) + "' AS BLOB), x'', CAST('raw " + std::to_string(id) + "' AS BLOB))");
    }
  }
  SqliteStore store(path);
  EXPECT_EQ(ids_of(store.events_of_alert(1, 10)), (std::vector<std::int64_t>{5, 3, 1}));
  EXPECT_EQ(ids_of(store.events_of_alert(2, 10)), (std::vector<std::int64_t>{4, 2}));
  auto events = store.events_of_alert(1, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event.raw, "raw 5");
  EXPECT_EQ(events[0].event.received_at_ms, 105);
  EXPECT_EQ(store.recent_attribute_values("mqtt", "mqtt_message_id", 2), (std::vector<std::string>{"m-5", "m-4"}));
  EXPECT_EQ(store.max_ids().event, 5);
  {
    sqlite::Database db(path);
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM sqlite_master WHERE name = 'events'"), 0);
    EXPECT_EQ(db.query_int64("SELECT events FROM event_journal"), 5);
  }
  ChangeSet c;
  c.alert_repeats = {{1, 4, 7, Severity::major}};
  c.events = {event(6, 1)};
  store.commit(c);
  EXPECT_EQ(ids_of(store.events_of_alert(1, 10)), (std::vector<std::int64_t>{6, 5, 3, 1}));
}

// ---- deferred repeats ------------------------------------------------------------------

Incident incident(std::int64_t id) {
  Incident i;
  i.id = id;
  i.title = "incident " + std::to_string(id);
  return i;
}

SqliteOptions deferring(const FakeClock& clock) {
  SqliteOptions options;
  options.repeat_flush_ms = 1000;
  options.repeat_defer_min_events = 2;
  options.clock = &clock;
  return options;
}

// A commit of `events` events of alert 1 (incident 1) repeating it to `count`.
ChangeSet repeat(std::int64_t& next_event, std::int64_t count, int events = 2) {
  ChangeSet c;
  c.alert_repeats = {{1, count, count * 10, Severity::major}};
  c.incident_repeats = {{1, count, Severity::major, count * 10}};
  for (int k = 0; k < events; ++k) c.events.push_back(event(next_event++, 1));
  return c;
}

ChangeSet opening(std::int64_t& next_event) {
  ChangeSet c;
  c.incidents = {incident(1)};
  c.alerts = {alert(1)};
  c.alerts[0].incident_id = 1;
  c.alerts[0].count = 2;
  c.events = {event(next_event++, 1), event(next_event++, 1)};
  return c;
}

std::int64_t stored_count(SqliteStore& reader) { return reader.alerts({}).at(0).count; }
std::int64_t stored_event_count(SqliteStore& reader) { return reader.incidents({}).at(0).event_count; }

class SqliteDeferredRepeats : public ::testing::Test {
 protected:
  TempDir dir_;
  const std::string path = dir_.file("tocsin.db");
  FakeClock clock;
  std::int64_t next = 1;  // the next event id
};

TEST_F(SqliteDeferredRepeats, UnderLoadRepeatsReachTheRowsAtTheAgeAtASmallCommitOrAtFlush) {
  SqliteStore writer(path, deferring(clock));
  writer.commit(opening(next));
  SqliteStore reader(path);

  writer.commit(repeat(next, 4));  // deferred
  EXPECT_EQ(stored_count(reader), 2);
  EXPECT_EQ(stored_event_count(reader), 0);
  EXPECT_EQ(ids_of(reader.events_of_alert(1, 10)), (std::vector<std::int64_t>{2, 1}));
  clock.advance_ms(999);
  writer.commit(repeat(next, 6));  // still within the age
  EXPECT_EQ(stored_count(reader), 2);
  clock.advance_ms(1);
  writer.commit(repeat(next, 8));  // the first past it writes all
  EXPECT_EQ(stored_count(reader), 8);
  EXPECT_EQ(stored_event_count(reader), 8);
  EXPECT_EQ(reader.alerts({}).at(0).last_seen_ms, 80);
  EXPECT_EQ(ids_of(reader.events_of_alert(1, 3)), (std::vector<std::int64_t>{8, 7, 6}));

  writer.commit(repeat(next, 10));
  EXPECT_EQ(stored_count(reader), 8);
  writer.commit(repeat(next, 11, 1));  // small, but amid busy ones: still under load
  EXPECT_EQ(stored_count(reader), 8);
  clock.advance_ms(200);
  writer.commit(repeat(next, 12, 1));  // a small commit after a quiet moment: not under load
  EXPECT_EQ(stored_count(reader), 12);
  EXPECT_EQ(ids_of(reader.events_of_alert(1, 3)), (std::vector<std::int64_t>{12, 11, 10}));

  writer.commit(repeat(next, 14));
  EXPECT_EQ(stored_count(reader), 12);
  writer.flush();
  EXPECT_EQ(stored_count(reader), 14);
  EXPECT_EQ(stored_event_count(reader), 14);
  EXPECT_EQ(ids_of(reader.events_of_alert(1, 1)), (std::vector<std::int64_t>{14}));
}

TEST_F(SqliteDeferredRepeats, AfterACrashTheJournaledRepeatsReachTheirRowsUnlessARowWasWrittenWholeSince) {
  SqliteOptions options = deferring(clock);
  options.flush_on_close = false;  // as kill -9 leaves it
  {
    SqliteStore writer(path, options);
    ChangeSet second = opening(next);
    second.incidents.push_back(incident(2));
    second.alerts.push_back(alert(2));
    second.alerts[1].incident_id = 2;
    writer.commit(second);
    ChangeSet c = repeat(next, 4);
    c.alert_repeats.push_back({2, 7, 70, Severity::critical});
    writer.commit(c);  // deferred: alert 1 to 4, alert 2 to 7
    // Alert 2 written whole (resolved, count 9) after its journaled repeat.
    ChangeSet whole = repeat(next, 5);
    whole.alerts = {alert(2)};
    whole.alerts[0].count = 9;
    whole.alerts[0].state = AlertState::resolved;
    whole.alerts[0].incident_id = 2;
    writer.commit(whole);
  }
  SqliteStore reopened(path);
  auto alerts = reopened.alerts({});
  ASSERT_EQ(alerts.size(), 2u);
  std::sort(alerts.begin(), alerts.end(), [](const Alert& a, const Alert& b) { return a.id < b.id; });
  EXPECT_EQ(alerts[0].count, 5);
  EXPECT_EQ(alerts[0].last_seen_ms, 50);
  EXPECT_EQ(alerts[1].count, 9);
  EXPECT_EQ(alerts[1].state, AlertState::resolved);
  EXPECT_EQ(reopened.incident(1)->incident.event_count, 5);
  EXPECT_EQ(ids_of(reopened.events_of_alert(1, 10)), (std::vector<std::int64_t>{6, 5, 4, 3, 2, 1}));
  // Written once: a second open finds nothing left to write.
  sqlite::Database db(path);
  EXPECT_EQ(db.query_int64("SELECT repeats_from = (segment << 40) + end_offset FROM event_journal"), 1);
}

TEST_F(SqliteDeferredRepeats, AFailedCommitLeavesTheDeferredRepeatsAsTheyWere) {
  SqliteStore writer(path, deferring(clock));
  writer.commit(opening(next));
  writer.commit(repeat(next, 4));  // deferred
  ChangeSet broken = repeat(next, 6);
  broken.events.push_back(event(1, 1));  // an id already stored: the commit fails
  clock.advance_ms(2000);               // and it would have written the pending ones
  EXPECT_THROW(writer.commit(broken), std::runtime_error);
  SqliteStore reader(path);  // opening writes what the journal deferred (as after a crash)
  EXPECT_EQ(stored_count(reader), 4);
  writer.flush();
  EXPECT_EQ(stored_count(reader), 4);
  EXPECT_EQ(stored_event_count(reader), 4);
}


// ---- the timeline in the journal --------------------------------------------------------

TimelineEntry entry(std::int64_t incident_id, std::int64_t at_ms, std::string action) {
  return {0, incident_id, at_ms, "tocsin", std::move(action), "on incident " + std::to_string(incident_id)};
}

std::vector<std::string> actions_of(SqliteStore& store, std::int64_t incident_id) {
  std::vector<std::string> actions;
  for (const auto& e : store.incident(incident_id).value().timeline) actions.push_back(e.action);
  return actions;
}

// Two connections append to the same incidents' timelines in turn, and the
// journal moves to new segments meanwhile: each incident's entries stay one
// chain, in order, after a reopen too.
TEST(SqliteJournalTimeline, EntriesOfTwoWritersAcrossSegmentsStayOneChainPerIncident) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  const SqliteOptions options = small_segments();
  std::vector<std::string> first, second;
  {
    SqliteStore a(path, options), b(path, options);
    ChangeSet opened;
    opened.incidents = {incident(1), incident(2)};
    opened.timeline = {entry(1, 1, "opened"), entry(2, 1, "opened")};
    first.push_back("opened");
    second.push_back("opened");
    a.commit(opened);
    for (int k = 0; k < 30; ++k) {
      ChangeSet c;
      c.timeline = {entry(1, 10 + k, "one " + std::to_string(k)), entry(2, 10 + k, "two " + std::to_string(k))};
      first.push_back(c.timeline[0].action);
      second.push_back(c.timeline[1].action);
      if (k % 3 == 2) c.incidents = {incident(1)};  // the head goes with the row
      (k % 2 ? b : a).commit(c);
    }
    EXPECT_EQ(actions_of(a, 1), first);
    EXPECT_EQ(actions_of(b, 2), second);
  }
  EXPECT_GE(segments(path).size(), 3u);
  SqliteStore store(path, options);
  EXPECT_EQ(actions_of(store, 1), first);
  EXPECT_EQ(actions_of(store, 2), second);
  const auto timeline = store.incident(1)->timeline;
  for (std::size_t k = 1; k < timeline.size(); ++k) EXPECT_GT(timeline[k].id, timeline[k - 1].id);
  EXPECT_EQ(timeline.back().text, "on incident 1");
  // The journal counts events only.
  sqlite::Database db(path);
  EXPECT_EQ(db.query_int64("SELECT events FROM event_journal"), 0);
}

// As the timeline table's foreign key did: an entry of an incident that is
// neither stored nor in the batch fails the whole batch.
TEST(SqliteJournalTimeline, AnEntryOfAnUnknownIncidentFailsItsBatch) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  SqliteStore store(path);
  ChangeSet opened;
  opened.incidents = {incident(1)};
  opened.timeline = {entry(1, 1, "opened")};
  store.commit(opened);
  for (std::int64_t unknown : {0, 2, 7}) {
    ChangeSet c;
    c.alerts = {alert(1)};
    c.events = {event(1, 1)};
    c.timeline = {entry(1, 2, "comment"), entry(unknown, 2, "opened")};
    EXPECT_THROW(store.commit(c), std::runtime_error) << unknown;
  }
  EXPECT_EQ(actions_of(store, 1), (std::vector<std::string>{"opened"}));
  EXPECT_TRUE(store.alerts({}).empty());
  EXPECT_FALSE(store.incident(2));
  ChangeSet later;
  later.timeline = {entry(1, 3, "comment")};
  store.commit(later);
  EXPECT_EQ(actions_of(store, 1), (std::vector<std::string>{"opened", "comment"}));
}

// A store written before the timeline moved to the journal: its rows move on
// the first open, in their order (time, then id), and later entries continue
// the chains.
TEST(SqliteJournalTimeline, AnOlderStoresTimelineTableMovesToTheJournalAndItsChainsContinue) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  {
    sqlite::Database db(path);
    ASSERT_GT(sqlite::migrate(db, steps_before("incident timelines in the event journal")), 0);
    db.exec(
        "INSERT INTO incidents (id, title, state, priority, severity, ci, service, group_name, assignee, "
        "alert_count, event_count, opened_at_ms, acknowledged_at_ms, resolved_at_ms, closed_at_ms, sla_ack_due_ms, "
        "sla_resolve_due_ms, sla_ack_breached, sla_resolve_breached, escalation_level, updated_at_ms) VALUES "
        "(1, 't1', 'open', 'P2', 'major', '', '', '', '', 1, 1, 5, 0, 0, 0, 0, 0, 0, 0, 0, 5), "
        "(2, 't2', 'open', 'P2', 'major', '', '', '', '', 1, 1, 5, 0, 0, 0, 0, 0, 0, 0, 0, 5)");
    db.exec(
        "INSERT INTO timeline (incident_id, at_ms, actor, action, text) VALUES (1, 5, 'tocsin', 'opened', 'a'), "
        "(2, 5, 'tocsin', 'opened', 'b'), (1, 9, 'alice', 'acknowledged', 'c'), (1, 7, 'tocsin', 'notified', "
        "'d'), (1, 9, 'bob', 'comment', 'e')");
  }
  SqliteStore store(path);
  {
    sqlite::Database db(path);
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM sqlite_master WHERE name = 'timeline'"), 0);
  }
  auto detail = store.incident(1);
  ASSERT_TRUE(detail);
  std::vector<std::string> seen;
  for (const auto& e : detail->timeline) seen.push_back(e.actor + " " + e.action + " " + e.text);
  EXPECT_EQ(seen, (std::vector<std::string>{"tocsin opened a", "tocsin notified d", "alice acknowledged c",
                                            "bob comment e"}));
  EXPECT_EQ(detail->timeline[1].at_ms, 7);
  EXPECT_EQ(detail->timeline[1].incident_id, 1);
  EXPECT_EQ(actions_of(store, 2), (std::vector<std::string>{"opened"}));
  ChangeSet c;
  c.timeline = {entry(2, 10, "resolved"), entry(1, 8, "escalated")};
  store.commit(c);
  EXPECT_EQ(actions_of(store, 1), (std::vector<std::string>{"opened", "notified", "escalated", "acknowledged",
                                                            "comment"}));
  EXPECT_EQ(actions_of(store, 2), (std::vector<std::string>{"opened", "resolved"}));
}

}  // namespace
}  // namespace tocsin

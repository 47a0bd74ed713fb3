// Auto-close of resolved incidents and recurrence counting per CI (problem
// candidates), with a fake clock: no test sleeps.
#include <gtest/gtest.h>

#include <algorithm>

#include "correlator/auto_close.hpp"
#include "correlator/clock.hpp"
#include "correlator/correlator.hpp"
#include "correlator/recurrence.hpp"

namespace tocsin {
namespace {

constexpr std::int64_t minute = 60'000;
constexpr std::int64_t day = 86'400'000;

Incident resolved_at(std::int64_t id, std::int64_t at) {
  Incident i;
  i.id = id;
  i.state = IncidentState::resolved;
  i.opened_at_ms = at - minute;
  i.resolved_at_ms = at;
  return i;
}

TEST(AutoClose, DueExactlyAtResolutionPlusTheDelayNotBefore) {
  AutoCloseConfig c{.after_ms = 10 * minute};
  Incident i = resolved_at(1, 1'000'000);
  EXPECT_EQ(auto_close_at(i, c), 1'000'000 + 10 * minute);
  EXPECT_FALSE(auto_close_due(i, 1'000'000 + 10 * minute - 1, c));
  EXPECT_TRUE(auto_close_due(i, 1'000'000 + 10 * minute, c));
}

TEST(AutoClose, ZeroDelayMeansNever) {
  Incident i = resolved_at(1, 1'000'000);
  EXPECT_EQ(auto_close_at(i, AutoCloseConfig{}), 0);
  EXPECT_FALSE(auto_close_due(i, 1'000'000 + 365 * day, AutoCloseConfig{}));
}

TEST(AutoClose, OnlyResolvedIncidentsClose) {
  AutoCloseConfig c{.after_ms = minute};
  for (auto state : {IncidentState::open, IncidentState::acknowledged, IncidentState::closed}) {
    Incident i = resolved_at(1, 1'000'000);
    i.state = state;
    EXPECT_FALSE(auto_close_due(i, 1'000'000 + day, c)) << to_string(state);
  }
}

TEST(AutoClose, ClosingRecordsTheTimeAndATimelineEntryByTocsin) {
  AutoCloseConfig c{.after_ms = 2 * 3'600'000};
  ChangeSet changes;
  auto_close(resolved_at(7, 1'000'000), 9'000'000, c, changes);
  ASSERT_EQ(changes.incidents.size(), 1u);
  EXPECT_EQ(changes.incidents[0].state, IncidentState::closed);
  EXPECT_EQ(changes.incidents[0].closed_at_ms, 9'000'000);
  EXPECT_EQ(changes.incidents[0].resolved_at_ms, 1'000'000);
  ASSERT_EQ(changes.timeline.size(), 1u);
  EXPECT_EQ(changes.timeline[0].incident_id, 7);
  EXPECT_EQ(changes.timeline[0].actor, "tocsin");
  EXPECT_EQ(changes.timeline[0].action, "closed");
  EXPECT_EQ(changes.timeline[0].text, "closed automatically 2h after it was resolved");
}

TEST(Recurrence, CountsEarlierIncidentsOnTheSameCiWithinTheWindow) {
  RecurrenceCounter r;
  r.configure({.window_ms = 30 * day, .note_at = 3});
  std::int64_t t = 100 * day;
  EXPECT_EQ(r.count("sw1", t), 0);
  r.record("sw1", t);
  r.record("sw1", t + day);
  r.record("db1", t + day);
  EXPECT_EQ(r.count("sw1", t + 2 * day), 2);
  EXPECT_EQ(r.count("db1", t + 2 * day), 1);
  EXPECT_EQ(r.count("web1", t + 2 * day), 0);
}

TEST(Recurrence, AnIncidentExactlyOneWindowOldNoLongerCounts) {
  RecurrenceCounter r;
  r.configure({.window_ms = 30 * day, .note_at = 3});
  r.record("sw1", 10 * day);
  EXPECT_EQ(r.count("sw1", 40 * day - 1), 1);
  EXPECT_EQ(r.count("sw1", 40 * day), 0);
}

TEST(Recurrence, ForgetRemovesAMergedIncidentAndPruneDropsIdleCis) {
  RecurrenceCounter r;
  r.configure({.window_ms = day, .note_at = 0});
  r.record("h1", 1000);
  r.record("h1", 2000);
  r.forget("h1", 1000);
  EXPECT_EQ(r.count("h1", 3000), 1);
  r.record("h2", 5000);
  EXPECT_EQ(r.tracked_cis(), 2u);
  r.prune(5000 + day);
  EXPECT_EQ(r.tracked_cis(), 0u);
}

TEST(Recurrence, RestoreRebuildsFromStoredOpenings) {
  RecurrenceCounter r;
  r.configure({.window_ms = 30 * day, .note_at = 3});
  r.restore({{"sw1", 1 * day}, {"sw1", 2 * day}, {"sw2", 2 * day}});
  EXPECT_EQ(r.count("sw1", 3 * day), 2);
}

TEST(Recurrence, ZeroWindowCountsNothing) {
  RecurrenceCounter r;
  r.configure({.window_ms = 0, .note_at = 3});
  r.record("sw1", 1000);
  EXPECT_EQ(r.count("sw1", 2000), 0);
}

Event problem(std::string resource, std::string name = "disk_full") {
  Event e;
  e.source = "syslog";
  e.kind = EventKind::problem;
  e.name = e.alert_key = std::move(name);
  e.severity = Severity::major;
  e.resource = std::move(resource);
  return e;
}

Event clear(std::string resource, std::string name = "disk_full") {
  Event e = problem(std::move(resource), std::move(name));
  e.kind = EventKind::clear;
  return e;
}

class CorrelatorProblemsTest : public ::testing::Test {
 protected:
  explicit CorrelatorProblemsTest(CorrelatorConfig config = make_config()) : correlator(std::move(config), stats) {
    correlator.restore({}, {}, {});
  }
  static CorrelatorConfig make_config() {
    CorrelatorConfig c;
    c.recurrence = {.window_ms = 30 * day, .note_at = 2};
    c.auto_close = {.after_ms = 60 * minute, .batch = 100};
    c.grouping.window_ms = 0;
    return c;
  }
  ChangeSet send(Event e) {
    ChangeSet changes;
    correlator.on_event(std::move(e), clock.wall_ms(), changes);
    correlator.flush(changes);
    for (const auto& i : changes.incidents) stored[i.id] = i;
    for (const auto& t : changes.timeline) timeline.push_back(t);
    return changes;
  }
  // Open and clear one incident on `resource`; returns its id.
  std::int64_t outage(const std::string& resource) {
    ChangeSet opened = send(problem(resource));
    std::int64_t id = opened.incidents.at(0).id;
    clock.advance_ms(minute);
    send(clear(resource));
    clock.advance_ms(minute);
    return id;
  }
  bool has_note(std::int64_t id, std::string_view action) const {
    return std::any_of(timeline.begin(), timeline.end(),
                       [&](const TimelineEntry& t) { return t.incident_id == id && t.action == action; });
  }

  FakeClock clock;
  StatsRegistry stats;
  Correlator correlator;
  std::map<std::int64_t, Incident> stored;
  std::vector<TimelineEntry> timeline;
};

TEST_F(CorrelatorProblemsTest, EachNewIncidentRecordsTheEarlierOnesOfItsCi) {
  std::int64_t a = outage("db1");
  std::int64_t b = outage("db1");
  std::int64_t other = outage("web1");
  std::int64_t c = outage("db1");
  EXPECT_EQ(stored[a].recurrence_count, 0);
  EXPECT_EQ(stored[b].recurrence_count, 1);
  EXPECT_EQ(stored[other].recurrence_count, 0);
  EXPECT_EQ(stored[c].recurrence_count, 2);
  EXPECT_FALSE(has_note(b, "recurring"));
  EXPECT_TRUE(has_note(c, "recurring"));
  EXPECT_EQ(stats.value("tocsin_incidents_recurring_total"), 1);
}

TEST_F(CorrelatorProblemsTest, IncidentsOlderThanTheWindowAreNotCounted) {
  outage("db1");
  clock.advance_ms(31 * day);
  std::int64_t later = outage("db1");
  EXPECT_EQ(stored[later].recurrence_count, 0);
}

TEST_F(CorrelatorProblemsTest, DueResolvedIncidentClosesWithATimelineEntry) {
  std::int64_t id = outage("db1");
  ASSERT_EQ(stored[id].state, IncidentState::resolved);
  ChangeSet early;
  EXPECT_EQ(correlator.auto_close_resolved({stored[id]}, {}, stored[id].resolved_at_ms + 59 * minute, early), 0u);
  EXPECT_TRUE(early.incidents.empty());
  ChangeSet due;
  EXPECT_EQ(correlator.auto_close_resolved({stored[id]}, {}, stored[id].resolved_at_ms + 60 * minute, due), 1u);
  ASSERT_EQ(due.incidents.size(), 1u);
  EXPECT_EQ(due.incidents[0].state, IncidentState::closed);
  EXPECT_EQ(due.timeline.at(0).actor, "tocsin");
  EXPECT_EQ(stats.value("tocsin_incidents_auto_closed_total"), 1);
}

TEST_F(CorrelatorProblemsTest, ReopenedIncidentIsNotClosed) {
  std::int64_t id = outage("db1");
  Incident resolved = stored[id];
  IncidentAction reopen;
  reopen.incident_id = id;
  reopen.kind = ActionKind::reopen;
  reopen.actor = "alice";
  reopen.stored = resolved;
  ChangeSet changes;
  ASSERT_EQ(correlator.on_action(reopen, clock.wall_ms(), changes).status, 200);
  // The store still shows it resolved until the batch commits: the
  // correlator holds it again, so auto-close leaves it alone.
  ChangeSet tick;
  EXPECT_EQ(correlator.auto_close_resolved({resolved}, {}, resolved.resolved_at_ms + day, tick), 0u);
  EXPECT_TRUE(tick.incidents.empty());
}

TEST_F(CorrelatorProblemsTest, IncidentActedOnInTheSameBatchWaitsForTheNextTick) {
  std::int64_t id = outage("db1");
  ChangeSet tick;
  EXPECT_EQ(correlator.auto_close_resolved({stored[id]}, {id}, stored[id].resolved_at_ms + day, tick), 0u);
  EXPECT_TRUE(tick.timeline.empty());
}

}  // namespace
}  // namespace tocsin

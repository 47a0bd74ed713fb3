// The correlation engine as a NOC engineer sees it: one incident per outage,
// repeats counted, clears resolving, actions recorded.
#include "correlator/correlator.hpp"

#include <gtest/gtest.h>

#include "correlator/clock.hpp"
#include "correlator/notify/page.hpp"

namespace tocsin {
namespace {

Event link_event(EventKind kind, std::string host, std::string interface) {
  Event e;
  e.source = "syslog";
  e.kind = kind;
  e.name = kind == EventKind::clear ? "interface_up" : "interface_down";
  e.alert_key = "interface_down";
  e.severity = kind == EventKind::clear ? Severity::clear : Severity::major;
  e.resource = std::move(host);
  e.summary = "Interface " + interface + " changed state";
  e.attributes = {{"interface", std::move(interface)}};
  e.fingerprint_keys = {"interface"};
  return e;
}

class CorrelatorTest : public ::testing::Test {
 protected:
  CorrelatorTest() : correlator(CorrelatorConfig{"noc", {"noc@example.net"}}, stats) {
    correlator.restore({}, {}, {});
  }
  ChangeSet fold(std::vector<Event> events) {
    ChangeSet changes;
    for (auto& e : events) correlator.on_event(std::move(e), clock.wall_ms(), changes);
    correlator.flush(changes);
    return changes;
  }

  FakeClock clock;
  StatsRegistry stats;
  Correlator correlator;
};

TEST_F(CorrelatorTest, ProblemOpensOneAlertAndOneIncidentAndQueuesAPage) {
  auto changes = fold({link_event(EventKind::problem, "core1", "Gi0/1")});
  ASSERT_EQ(changes.events.size(), 1u);
  ASSERT_EQ(changes.alerts.size(), 1u);
  ASSERT_EQ(changes.incidents.size(), 1u);
  const Incident& incident = changes.incidents[0];
  EXPECT_EQ(incident.state, IncidentState::open);
  EXPECT_EQ(incident.priority, "P2");
  EXPECT_EQ(incident.group, "noc");
  EXPECT_EQ(incident.ci, "core1");
  EXPECT_EQ(incident.event_count, 1);
  EXPECT_EQ(changes.alerts[0].incident_id, incident.id);
  EXPECT_EQ(changes.events[0].alert_id, changes.alerts[0].id);
  ASSERT_EQ(changes.notifications.size(), 1u);
  EXPECT_EQ(changes.notifications[0].recipient, "noc@example.net");
  EXPECT_EQ(changes.notifications[0].channel, "email");
  EXPECT_NE(changes.notifications[0].subject.find("interface_down on core1"), std::string::npos);
  EXPECT_EQ(stats.value("tocsin_incidents_opened_total"), 1);
}

TEST_F(CorrelatorTest, RepeatsRaiseEventCountWithoutNewIncidentOrPage) {
  fold({link_event(EventKind::problem, "core1", "Gi0/1")});
  clock.advance_ms(5000);
  auto changes = fold({link_event(EventKind::problem, "core1", "Gi0/1"), link_event(EventKind::problem, "core1", "Gi0/1")});
  EXPECT_EQ(changes.events.size(), 2u);
  EXPECT_TRUE(changes.incidents.empty()) << "repeats move counters only";
  ASSERT_EQ(changes.incident_repeats.size(), 1u) << "the same incident is updated once per batch";
  EXPECT_EQ(changes.incident_repeats[0].event_count, 3);
  EXPECT_EQ(changes.incident_repeats[0].updated_at_ms, clock.wall_ms());
  EXPECT_TRUE(changes.alerts.empty());
  ASSERT_EQ(changes.alert_repeats.size(), 1u);
  EXPECT_EQ(changes.alert_repeats[0].count, 3);
  EXPECT_EQ(changes.alert_repeats[0].last_seen_ms, clock.wall_ms());
  EXPECT_TRUE(changes.notifications.empty());
}

TEST_F(CorrelatorTest, AnotherInterfaceIsASeparateAlert) {
  auto changes = fold({link_event(EventKind::problem, "core1", "Gi0/1"), link_event(EventKind::problem, "core1", "Gi0/2")});
  EXPECT_EQ(changes.alerts.size(), 2u);
  EXPECT_EQ(changes.incidents.size(), 2u);
  EXPECT_EQ(correlator.firing_alert_count(), 2u);
}

TEST_F(CorrelatorTest, LinkUpClearsLinkDownOnSameInterfaceAndResolvesTheIncident) {
  fold({link_event(EventKind::problem, "core1", "Gi0/1"), link_event(EventKind::problem, "core1", "Gi0/2")});
  auto changes = fold({link_event(EventKind::clear, "core1", "Gi0/1")});
  ASSERT_EQ(changes.incidents.size(), 1u);
  EXPECT_EQ(changes.incidents[0].state, IncidentState::resolved);
  EXPECT_EQ(changes.incidents[0].resolved_at_ms, clock.wall_ms());
  ASSERT_EQ(changes.alerts.size(), 1u);
  EXPECT_EQ(changes.alerts[0].state, AlertState::resolved);
  EXPECT_EQ(correlator.firing_alert_count(), 1u) << "Gi0/2 still fires";
  ASSERT_FALSE(changes.timeline.empty());
  EXPECT_EQ(changes.timeline.back().action, "resolved");
}

TEST_F(CorrelatorTest, ClearBeforeProblemIsRecordedAndCountedButChangesNothing) {
  auto changes = fold({link_event(EventKind::clear, "core1", "Gi0/1")});
  EXPECT_EQ(changes.events.size(), 1u);
  EXPECT_EQ(changes.events[0].alert_id, 0);
  EXPECT_TRUE(changes.alerts.empty());
  EXPECT_TRUE(changes.incidents.empty());
  EXPECT_EQ(stats.value("tocsin_correlator_clears_without_alert_total"), 1);
}

TEST_F(CorrelatorTest, ProblemAfterClearOpensANewIncident) {
  fold({link_event(EventKind::problem, "core1", "Gi0/1")});
  fold({link_event(EventKind::clear, "core1", "Gi0/1")});
  auto changes = fold({link_event(EventKind::problem, "core1", "Gi0/1")});
  ASSERT_EQ(changes.incidents.size(), 1u);
  EXPECT_EQ(changes.incidents[0].id, 2);
  EXPECT_EQ(changes.notifications.size(), 1u);
}

TEST_F(CorrelatorTest, InfoEventsAreRecordedWithoutAlert) {
  Event e;
  e.kind = EventKind::info;
  e.name = "sshd";
  auto changes = fold({e});
  EXPECT_EQ(changes.events.size(), 1u);
  EXPECT_TRUE(changes.alerts.empty());
}

TEST_F(CorrelatorTest, AcknowledgeIsRecordedWithActorAndTime) {
  auto opened = fold({link_event(EventKind::problem, "core1", "Gi0/1")});
  clock.advance_ms(60'000);
  ChangeSet changes;
  auto r = correlator.on_action({opened.incidents[0].id, ActionKind::acknowledge, "alice", "on it"}, clock.wall_ms(), changes);
  correlator.flush(changes);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.incident->state, IncidentState::acknowledged);
  EXPECT_EQ(r.incident->acknowledged_at_ms, clock.wall_ms());
  ASSERT_EQ(changes.timeline.size(), 1u);
  EXPECT_EQ(changes.timeline[0].actor, "alice");
  EXPECT_EQ(changes.timeline[0].text, "acknowledged: on it");
  ASSERT_EQ(changes.incidents.size(), 1u);
  EXPECT_EQ(changes.incidents[0].state, IncidentState::acknowledged);
}

TEST_F(CorrelatorTest, AcknowledgingTwiceIsAConflict) {
  auto opened = fold({link_event(EventKind::problem, "core1", "Gi0/1")});
  ChangeSet changes;
  correlator.on_action({opened.incidents[0].id, ActionKind::acknowledge, "alice", ""}, clock.wall_ms(), changes);
  auto r = correlator.on_action({opened.incidents[0].id, ActionKind::acknowledge, "bob", ""}, clock.wall_ms(), changes);
  EXPECT_EQ(r.status, 409);
}

TEST_F(CorrelatorTest, ManualResolveResolvesAlertsSoARecurrenceOpensANewIncident) {
  auto opened = fold({link_event(EventKind::problem, "core1", "Gi0/1")});
  ChangeSet changes;
  auto r = correlator.on_action({opened.incidents[0].id, ActionKind::resolve, "alice", "replaced SFP"}, clock.wall_ms(), changes);
  correlator.flush(changes);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.incident->state, IncidentState::resolved);
  ASSERT_EQ(changes.alerts.size(), 1u);
  EXPECT_EQ(changes.alerts[0].state, AlertState::resolved);
  EXPECT_EQ(correlator.firing_alert_count(), 0u);
  auto again = fold({link_event(EventKind::problem, "core1", "Gi0/1")});
  ASSERT_EQ(again.incidents.size(), 1u);
  EXPECT_NE(again.incidents[0].id, opened.incidents[0].id);
}

TEST_F(CorrelatorTest, ActionOnUnknownIncidentIsNotFound) {
  ChangeSet changes;
  EXPECT_EQ(correlator.on_action({99, ActionKind::acknowledge, "alice", ""}, clock.wall_ms(), changes).status, 404);
}

TEST_F(CorrelatorTest, RestoredStateKeepsDedupAcrossRestart) {
  auto opened = fold({link_event(EventKind::problem, "core1", "Gi0/1")});
  Correlator restarted(CorrelatorConfig{}, stats);
  restarted.restore({opened.events[0].id, opened.alerts[0].id, opened.incidents[0].id}, opened.alerts, opened.incidents);
  ChangeSet changes;
  restarted.on_event(link_event(EventKind::problem, "core1", "Gi0/1"), clock.wall_ms(), changes);
  restarted.flush(changes);
  ASSERT_EQ(changes.incident_repeats.size(), 1u);
  EXPECT_EQ(changes.incident_repeats[0].id, opened.incidents[0].id);
  EXPECT_EQ(changes.incident_repeats[0].event_count, 2);
  EXPECT_EQ(changes.events[0].id, opened.events[0].id + 1);
}

TEST(Fingerprint, DependsOnResourceAlertKeyAndIdentifyingAttributesOnly) {
  Event a = link_event(EventKind::problem, "core1", "Gi0/1");
  Event b = link_event(EventKind::clear, "core1", "Gi0/1");
  b.summary = "different text";
  EXPECT_EQ(fingerprint(a), fingerprint(b)) << "the clear must find the problem";
  Event c = link_event(EventKind::problem, "core2", "Gi0/1");
  EXPECT_NE(fingerprint(a), fingerprint(c));
  Event d = link_event(EventKind::problem, "core1", "Gi0/10");
  EXPECT_NE(fingerprint(a), fingerprint(d));
}

TEST(Fingerprint, ValuesAreStableAcrossVersions) {
  // Stored alerts are found again by these values after an upgrade: FNV-1a of
  // "<len>:<part>;" for resource, alert key, then each identifying key and value.
  Event e;
  e.resource = "core-sw1";
  e.name = "link_down";
  e.attributes = {{"ifIndex", "3"}, {"ifDescr", "Te1/0/3"}};
  e.fingerprint_keys = {"ifIndex"};
  EXPECT_EQ(fingerprint(e), "7aae4634c3e2e36a");
  Event u;
  u.resource = "srv-\xc3\xa9";
  u.name = "disk_full";
  EXPECT_EQ(fingerprint(u), "c84ae983ecb48f45");
}

TEST(PageText, InvalidUtf8IsReplacedAndValidTextKeptByteForByte) {
  EXPECT_EQ(notify::valid_utf8("plain ascii"), "plain ascii");
  EXPECT_EQ(notify::valid_utf8("\xe4\xb8\xad\xe6\x96\x87 ok"), "\xe4\xb8\xad\xe6\x96\x87 ok");
  EXPECT_EQ(notify::valid_utf8("a\xff" "b\xc3"), "a\xef\xbf\xbd" "b\xef\xbf\xbd");
  EXPECT_EQ(notify::valid_utf8(""), "");
}

TEST(Rfc3339, MatchesTheCLibraryOverCenturiesLeapDaysAndBeforeTheEpoch) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(1'764'712'800'123), "2025-12-02T22:00:00.123Z");
  EXPECT_EQ(format_rfc3339(951'782'400'000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999Z");
  std::uint64_t x = 88172645463325252ULL;  // xorshift: spread over 1900..2200
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const std::int64_t ms = static_cast<std::int64_t>(x % 9'467'280'000'000ULL) - 2'208'988'800'000LL;
    std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char want[40];
    std::snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms - std::int64_t{secs} * 1000));
    ASSERT_EQ(format_rfc3339(ms), want) << ms;
  }
}

TEST(Priority, FollowsSeverityUntilTheCmdbGivesImpact) {
  EXPECT_EQ(priority_for(Severity::critical), "P1");
  EXPECT_EQ(priority_for(Severity::major), "P2");
  EXPECT_EQ(priority_for(Severity::warning), "P4");
  EXPECT_EQ(priority_for(Severity::info), "P5");
}

}  // namespace
}  // namespace tocsin

namespace tocsin {
namespace {

TEST_F(CorrelatorTest, OpenRepeatAndClearInOneBatchWriteOneFinalRowEach) {
  auto changes = fold({link_event(EventKind::problem, "core1", "Gi0/1"), link_event(EventKind::problem, "core1", "Gi0/1"),
                       link_event(EventKind::clear, "core1", "Gi0/1")});
  ASSERT_EQ(changes.alerts.size(), 1u);
  EXPECT_EQ(changes.alerts[0].state, AlertState::resolved);
  EXPECT_EQ(changes.alerts[0].count, 2);
  ASSERT_EQ(changes.incidents.size(), 1u);
  EXPECT_EQ(changes.incidents[0].state, IncidentState::resolved);
  EXPECT_EQ(changes.incidents[0].event_count, 3);
  EXPECT_TRUE(changes.alert_repeats.empty());
  EXPECT_TRUE(changes.incident_repeats.empty());
}

TEST_F(CorrelatorTest, RepeatAfterAcknowledgeInOneBatchKeepsTheFullRow) {
  auto opened = fold({link_event(EventKind::problem, "core1", "Gi0/1")});
  ChangeSet changes;
  correlator.on_event(link_event(EventKind::problem, "core1", "Gi0/1"), clock.wall_ms(), changes);
  correlator.on_action({opened.incidents[0].id, ActionKind::acknowledge, "alice", ""}, clock.wall_ms(), changes);
  correlator.flush(changes);
  ASSERT_EQ(changes.incidents.size(), 1u);
  EXPECT_EQ(changes.incidents[0].state, IncidentState::acknowledged);
  EXPECT_EQ(changes.incidents[0].event_count, 2);
  EXPECT_TRUE(changes.incident_repeats.empty());
  EXPECT_EQ(changes.alert_repeats.size(), 1u);
}

}  // namespace
}  // namespace tocsin

// Threshold, flapping and heartbeats as the NOC sees them through the
// correlator: which incidents open, which pages go out, what the timeline says.
#include <gtest/gtest.h>

#include <algorithm>

#include "correlator/clock.hpp"
#include "correlator/correlator.hpp"

namespace tocsin {
namespace {

Event link(EventKind kind, std::string interface = "Gi0/1") {
  Event e;
  e.source = "syslog";
  e.kind = kind;
  e.name = kind == EventKind::clear ? "interface_up" : "interface_down";
  e.alert_key = "interface_down";
  e.severity = kind == EventKind::clear ? Severity::clear : Severity::major;
  e.resource = "core1";
  e.attributes = {{"interface", std::move(interface)}};
  e.fingerprint_keys = {"interface"};
  e.rule = "link";
  return e;
}

Event auth_failure() {
  Event e;
  e.source = "syslog";
  e.kind = EventKind::problem;
  e.name = "auth_failure";
  e.alert_key = e.name;
  e.severity = Severity::minor;
  e.resource = "bastion";
  e.rule = "ssh_auth";
  e.options.threshold_count = 3;
  e.options.threshold_window_ms = 5 * 60'000;
  return e;
}

CorrelatorConfig config_with(rules::RulesConfig rules) {
  CorrelatorConfig c;
  c.default_group = "noc";
  c.email_recipients = {"noc@example.net"};
  c.rules = std::move(rules);
  return c;
}

rules::RulesConfig flap_after(std::uint32_t changes) {
  rules::RulesConfig r;
  r.flapping.enabled = true;
  r.flapping.changes = changes;
  r.flapping.window_ms = 10 * 60'000;
  r.flapping.quiet_ms = 5 * 60'000;
  return r;
}

class RulesCorrelatorTest : public ::testing::Test {
 protected:
  explicit RulesCorrelatorTest(rules::RulesConfig rules = flap_after(4))
      : correlator(config_with(std::move(rules)), stats) {
    correlator.restore({}, {}, {});
  }
  ChangeSet fold(Event e) {
    ChangeSet changes;
    correlator.on_event(std::move(e), clock.wall_ms(), changes);
    correlator.flush(changes);
    record(changes);
    return changes;
  }
  ChangeSet tick() {
    ChangeSet changes;
    correlator.on_tick(clock.wall_ms(), changes);
    correlator.flush(changes);
    record(changes);
    return changes;
  }
  // Everything committed so far, as the store would have it.
  void record(const ChangeSet& c) {
    for (const auto& n : c.notifications) pages.push_back(n);
    for (const auto& t : c.timeline) timeline.push_back(t);
    for (const auto& i : c.incidents) incidents[i.id] = i;
    for (const auto& a : c.alerts) alerts[a.id] = a;
  }
  std::size_t open_incidents() const {
    return static_cast<std::size_t>(std::count_if(incidents.begin(), incidents.end(), [](const auto& kv) {
      return kv.second.state == IncidentState::open;
    }));
  }
  std::size_t timeline_count(std::int64_t incident, const std::string& action) const {
    return static_cast<std::size_t>(std::count_if(timeline.begin(), timeline.end(), [&](const TimelineEntry& t) {
      return t.incident_id == incident && t.action == action;
    }));
  }

  FakeClock clock;
  StatsRegistry stats;
  Correlator correlator;
  std::vector<Notification> pages;
  std::vector<TimelineEntry> timeline;
  std::map<std::int64_t, Incident> incidents;
  std::map<std::int64_t, Alert> alerts;
};

// ---- threshold ------------------------------------------------------------------------------

TEST_F(RulesCorrelatorTest, BelowTheThresholdEventsAreRecordedButNoIncidentOpens) {
  for (int i = 0; i < 2; ++i) {
    auto c = fold(auth_failure());
    ASSERT_EQ(c.events.size(), 1u) << "the event is stored";
    EXPECT_EQ(c.events[0].alert_id, 0) << "with no alert";
    EXPECT_FALSE(c.events[0].fingerprint.empty());
    EXPECT_TRUE(c.alerts.empty());
    EXPECT_TRUE(c.incidents.empty());
    EXPECT_TRUE(c.notifications.empty());
    clock.advance_ms(60'000);
  }
  EXPECT_EQ(stats.value("tocsin_rules_threshold_events_total", {{"outcome", "held"}}), 2);
  EXPECT_EQ(correlator.unresolved_incident_count(), 0u);
}

TEST_F(RulesCorrelatorTest, TheNthEventInTheWindowOpensOneIncidentAndOnePage) {
  fold(auth_failure());
  fold(auth_failure());
  auto c = fold(auth_failure());
  ASSERT_EQ(c.incidents.size(), 1u);
  EXPECT_EQ(c.events[0].alert_id, c.alerts.at(0).id);
  EXPECT_EQ(c.notifications.size(), 1u);
  EXPECT_EQ(stats.value("tocsin_rules_threshold_events_total", {{"outcome", "reached"}}), 1);
  auto repeat = fold(auth_failure());
  EXPECT_TRUE(repeat.notifications.empty()) << "once raised, further events are repeats";
  ASSERT_EQ(repeat.incident_repeats.size(), 1u);
  EXPECT_EQ(stats.value("tocsin_rules_threshold_events_total", {{"outcome", "held"}}), 2);
}

TEST_F(RulesCorrelatorTest, EventsSpreadWiderThanTheWindowNeverOpenAnIncident) {
  for (int i = 0; i < 10; ++i) {
    fold(auth_failure());
    clock.advance_ms(150'000);  // two per 5 minutes at most
  }
  EXPECT_TRUE(incidents.empty());
  EXPECT_TRUE(pages.empty());
  EXPECT_EQ(stats.value("tocsin_rules_threshold_events_total", {{"outcome", "held"}}), 10);
}

// ---- flapping -------------------------------------------------------------------------------

TEST_F(RulesCorrelatorTest, BelowTheFlapThresholdEachOutageIsItsOwnIncident) {
  fold(link(EventKind::problem));
  fold(link(EventKind::clear));
  fold(link(EventKind::problem));
  EXPECT_EQ(incidents.size(), 2u);
  EXPECT_EQ(pages.size(), 2u);
  EXPECT_EQ(stats.value("tocsin_rules_flapping_transitions_total", {{"to", "flapping"}}), 0);
}

TEST_F(RulesCorrelatorTest, TheNthChangeBeingAClearKeepsTheIncidentOpenAndPagesOnceAsFlapping) {
  fold(link(EventKind::problem));  // change 1: incident 1
  fold(link(EventKind::clear));    // 2: resolved
  fold(link(EventKind::problem));  // 3: incident 2
  clock.advance_ms(1000);
  auto c = fold(link(EventKind::clear));  // 4: flapping
  ASSERT_EQ(c.alerts.size(), 1u);
  EXPECT_EQ(c.alerts[0].state, AlertState::flapping);
  const std::int64_t id = c.alerts[0].incident_id;
  EXPECT_EQ(incidents.at(id).state, IncidentState::open);
  EXPECT_EQ(c.events[0].alert_id, c.alerts[0].id);
  ASSERT_EQ(c.notifications.size(), 1u);
  EXPECT_NE(c.notifications[0].subject.find("flapping"), std::string::npos) << c.notifications[0].subject;
  EXPECT_EQ(timeline_count(id, "flapping"), 1u);
  EXPECT_EQ(stats.value("tocsin_rules_flapping_transitions_total", {{"to", "flapping"}}), 1);

  // Twenty more bounces: no new incident, no page, the clears do not resolve it.
  for (int i = 0; i < 20; ++i) {
    clock.advance_ms(1000);
    fold(link(i % 2 == 0 ? EventKind::problem : EventKind::clear));
  }
  EXPECT_EQ(incidents.size(), 2u);
  EXPECT_EQ(pages.size(), 3u) << "two opened pages before it flapped, then one flapping page";
  EXPECT_EQ(timeline_count(id, "flapping"), 1u);
  EXPECT_EQ(correlator.unresolved_incident_count(), 1u);
  EXPECT_EQ(correlator.firing_alert_count(), 1u);
}

class FlapOnRaiseTest : public RulesCorrelatorTest {
 protected:
  FlapOnRaiseTest() : RulesCorrelatorTest(flap_after(3)) {}
};

TEST_F(FlapOnRaiseTest, TheIncidentOpenedByTheNthChangeIsPagedAsFlappingNotAsNew) {
  fold(link(EventKind::problem));
  fold(link(EventKind::clear));
  auto c = fold(link(EventKind::problem));  // change 3
  ASSERT_EQ(c.incidents.size(), 1u);
  ASSERT_EQ(c.notifications.size(), 1u);
  EXPECT_NE(c.notifications[0].subject.find("flapping"), std::string::npos);
  EXPECT_EQ(c.alerts.at(0).state, AlertState::flapping);
  EXPECT_EQ(pages.size(), 2u);
}

TEST_F(RulesCorrelatorTest, AfterTheQuietPeriodAFlappingAlertWhoseLastEventClearedIsResolved) {
  fold(link(EventKind::problem));
  fold(link(EventKind::clear));
  fold(link(EventKind::problem));
  auto c = fold(link(EventKind::clear));  // flapping since now, last event a clear
  const std::int64_t id = c.alerts[0].incident_id;
  clock.advance_ms(5 * 60'000 - 1);
  EXPECT_TRUE(tick().incidents.empty()) << "1 ms before the quiet period ends";
  clock.advance_ms(1);
  auto settled = tick();
  ASSERT_EQ(settled.incidents.size(), 1u);
  EXPECT_EQ(settled.incidents[0].state, IncidentState::resolved);
  ASSERT_EQ(settled.alerts.size(), 1u);
  EXPECT_EQ(settled.alerts[0].state, AlertState::resolved);
  EXPECT_TRUE(settled.notifications.empty());
  EXPECT_EQ(timeline_count(id, "flapping ended"), 1u);
  EXPECT_EQ(correlator.firing_alert_count(), 0u);
  EXPECT_EQ(stats.value("tocsin_rules_flapping_transitions_total", {{"to", "resolved"}}), 1);

  // The next outage is a fresh incident with a normal page.
  auto next = fold(link(EventKind::problem));
  ASSERT_EQ(next.incidents.size(), 1u);
  EXPECT_EQ(next.alerts.at(0).state, AlertState::firing);
  EXPECT_EQ(next.notifications.size(), 1u);
}

TEST_F(RulesCorrelatorTest, AProblemDuringTheQuietPeriodKeepsItFlappingThenItSettlesFiring) {
  fold(link(EventKind::problem));
  fold(link(EventKind::clear));
  fold(link(EventKind::problem));
  auto c = fold(link(EventKind::clear));
  const std::int64_t id = c.alerts[0].incident_id;
  clock.advance_ms(4 * 60'000);
  fold(link(EventKind::problem));  // a state change: quiet starts over
  clock.advance_ms(60'000);
  EXPECT_TRUE(tick().alerts.empty()) << "5m after the clear, but only 1m after the problem";
  clock.advance_ms(4 * 60'000);
  auto settled = tick();
  ASSERT_EQ(settled.alerts.size(), 1u);
  EXPECT_EQ(settled.alerts[0].state, AlertState::firing);
  EXPECT_TRUE(settled.incidents.empty());
  EXPECT_EQ(incidents.at(id).state, IncidentState::open);
  EXPECT_EQ(stats.value("tocsin_rules_flapping_transitions_total", {{"to", "firing"}}), 1);

  // Back to normal: the next clear resolves it.
  auto cleared = fold(link(EventKind::clear));
  ASSERT_EQ(cleared.incidents.size(), 1u);
  EXPECT_EQ(cleared.incidents[0].state, IncidentState::resolved);
}

TEST_F(RulesCorrelatorTest, ARuleCanTurnFlapDetectionOff) {
  for (int i = 0; i < 8; ++i) {
    Event e = link(i % 2 == 0 ? EventKind::problem : EventKind::clear);
    e.options.flapping_enabled = false;
    fold(std::move(e));
  }
  EXPECT_EQ(incidents.size(), 4u);
  EXPECT_EQ(pages.size(), 4u);
}

TEST_F(RulesCorrelatorTest, AFlappingAlertRestoredAtStartUpSettlesAfterAQuietPeriod) {
  Alert a;
  a.id = 7;
  a.fingerprint = fingerprint(link(EventKind::problem));
  a.name = "interface_down";
  a.resource = "core1";
  a.state = AlertState::flapping;
  a.incident_id = 3;
  Incident i;
  i.id = 3;
  Correlator restarted(config_with(flap_after(4)), stats);
  restarted.restore({10, 7, 3}, {a}, {i});
  ChangeSet c;
  restarted.on_tick(clock.wall_ms(), c);
  restarted.flush(c);
  EXPECT_TRUE(c.alerts.empty());
  clock.advance_ms(5 * 60'000);
  restarted.on_tick(clock.wall_ms(), c);
  restarted.flush(c);
  ASSERT_EQ(c.alerts.size(), 1u);
  EXPECT_EQ(c.alerts[0].state, AlertState::firing);
}

// ---- heartbeats -----------------------------------------------------------------------------

rules::RulesConfig nightly_backup() {
  rules::RulesConfig r;
  rules::HeartbeatConfig h;
  h.name = "backup";
  h.resource = "db1";
  h.interval_ms = 60'000;
  h.severity = Severity::critical;
  r.heartbeats = {h};
  return r;
}

Event from_db1() {
  Event e;
  e.source = "syslog";
  e.kind = EventKind::info;
  e.name = "backup_done";
  e.resource = "db1";
  return e;
}

class HeartbeatCorrelatorTest : public RulesCorrelatorTest {
 protected:
  HeartbeatCorrelatorTest() : RulesCorrelatorTest(nightly_backup()) {}
};

TEST_F(HeartbeatCorrelatorTest, SilenceOpensAPagedIncidentAndTheReturnResolvesIt) {
  tick();
  clock.advance_ms(59'999);
  EXPECT_TRUE(tick().incidents.empty());
  clock.advance_ms(1);
  auto missed = tick();
  ASSERT_EQ(missed.events.size(), 1u) << "the heartbeat_missed event is stored like any other";
  EXPECT_EQ(missed.events[0].event.name, "heartbeat_missed");
  ASSERT_EQ(missed.incidents.size(), 1u);
  EXPECT_EQ(missed.incidents[0].priority, "P1");
  EXPECT_EQ(missed.incidents[0].ci, "db1");
  EXPECT_EQ(missed.notifications.size(), 1u);
  EXPECT_EQ(stats.value("tocsin_rules_heartbeats_total", {{"outcome", "missed"}}), 1);

  clock.advance_ms(3 * 60'000);
  EXPECT_TRUE(tick().events.empty()) << "raised once";

  auto back = fold(from_db1());
  ASSERT_EQ(back.events.size(), 2u) << "the arriving event and the heartbeat's clear";
  EXPECT_EQ(back.events[1].event.kind, EventKind::clear);
  ASSERT_EQ(back.incidents.size(), 1u);
  EXPECT_EQ(back.incidents[0].state, IncidentState::resolved);
  EXPECT_EQ(correlator.firing_alert_count(), 0u);
  EXPECT_EQ(stats.value("tocsin_rules_heartbeats_total", {{"outcome", "recovered"}}), 1);
}

TEST_F(HeartbeatCorrelatorTest, RegularArrivalsNeverRaise) {
  tick();
  for (int i = 0; i < 30; ++i) {
    clock.advance_ms(59'000);
    fold(from_db1());
    EXPECT_TRUE(tick().incidents.empty());
  }
  EXPECT_TRUE(pages.empty());
}

TEST_F(HeartbeatCorrelatorTest, AfterARestartAMissedHeartbeatIsClearedByTheNextArrival) {
  tick();
  clock.advance_ms(60'000);
  auto missed = tick();
  ASSERT_EQ(missed.alerts.size(), 1u);

  // The daemon restarts an hour later with the alert and incident in the store.
  clock.advance_ms(3'600'000);
  Correlator restarted(config_with(nightly_backup()), stats);
  restarted.restore({1, 1, 1}, {missed.alerts[0]}, {missed.incidents[0]});
  ChangeSet c;
  restarted.on_tick(clock.wall_ms(), c);
  EXPECT_TRUE(c.events.empty()) << "no second alert for the downtime";
  restarted.on_event(from_db1(), clock.wall_ms(), c);
  restarted.flush(c);
  ASSERT_EQ(c.incidents.size(), 1u);
  EXPECT_EQ(c.incidents[0].state, IncidentState::resolved);
}

TEST_F(HeartbeatCorrelatorTest, AfterARestartTheClockStartsAtTheRestartNotAtTheLastArrival) {
  clock.advance_ms(3'600'000);  // down for an hour, nothing firing
  Correlator restarted(config_with(nightly_backup()), stats);
  restarted.restore({}, {}, {});
  ChangeSet c;
  restarted.on_tick(clock.wall_ms(), c);
  EXPECT_TRUE(c.events.empty());
  clock.advance_ms(60'000);
  restarted.on_tick(clock.wall_ms(), c);
  EXPECT_EQ(c.events.size(), 1u);
}

}  // namespace
}  // namespace tocsin

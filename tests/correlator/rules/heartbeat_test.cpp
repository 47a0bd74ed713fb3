// Heartbeats: silence for the interval raises heartbeat_missed; the next
// matching event clears it; restarts never count as silence.
#include "correlator/rules/heartbeat.hpp"

#include <gtest/gtest.h>

#include "correlator/clock.hpp"

namespace tocsin::rules {
namespace {

HeartbeatConfig backup_job() {
  HeartbeatConfig h;
  h.name = "backup";
  h.resource = "db1";
  h.event = "backup_(done|running)";
  h.interval_ms = 60'000;
  h.severity = Severity::minor;
  return h;
}

Event event_from(std::string resource, std::string name) {
  Event e;
  e.source = "syslog";
  e.kind = EventKind::info;
  e.resource = std::move(resource);
  e.name = std::move(name);
  return e;
}

TEST(Heartbeats, MissedExactlyAtTheInterval) {
  FakeClock clock;
  Heartbeats beats;
  beats.configure({backup_job()});
  EXPECT_TRUE(beats.due(clock.wall_ms()).empty()) << "the clock starts at the first tick";
  clock.advance_ms(60'000 - 1);
  EXPECT_TRUE(beats.due(clock.wall_ms()).empty());
  clock.advance_ms(1);
  auto missed = beats.due(clock.wall_ms());
  ASSERT_EQ(missed.size(), 1u);
  const Event& e = missed[0];
  EXPECT_EQ(e.name, "heartbeat_missed");
  EXPECT_EQ(e.kind, EventKind::problem);
  EXPECT_EQ(e.severity, Severity::minor);
  EXPECT_EQ(e.resource, "db1");
  ASSERT_NE(e.attribute("heartbeat"), nullptr);
  EXPECT_EQ(*e.attribute("heartbeat"), "backup");
  EXPECT_EQ(e.fingerprint_keys, std::vector<std::string>{"heartbeat"});
  EXPECT_TRUE(beats.due(clock.wall_ms() + 3'600'000).empty()) << "raised once until it is back";
}

TEST(Heartbeats, AnArrivalOneMillisecondBeforeTheIntervalResetsTheClock) {
  FakeClock clock;
  Heartbeats beats;
  beats.configure({backup_job()});
  beats.due(clock.wall_ms());
  clock.advance_ms(60'000 - 1);
  EXPECT_TRUE(beats.arrived(event_from("db1", "backup_done"), clock.wall_ms()).empty());
  clock.advance_ms(1);
  EXPECT_TRUE(beats.due(clock.wall_ms()).empty());
  clock.advance_ms(60'000 - 1);
  EXPECT_EQ(beats.due(clock.wall_ms()).size(), 1u);
}

TEST(Heartbeats, OnlyMatchingEventsCount) {
  FakeClock clock;
  Heartbeats beats;
  beats.configure({backup_job()});
  beats.due(clock.wall_ms());
  clock.advance_ms(30'000);
  beats.arrived(event_from("db2", "backup_done"), clock.wall_ms());   // other resource
  beats.arrived(event_from("db1", "backup_failed"), clock.wall_ms());  // other event name
  beats.arrived(event_from("db1", "xbackup_done"), clock.wall_ms());   // the pattern matches whole names
  clock.advance_ms(30'000);
  EXPECT_EQ(beats.due(clock.wall_ms()).size(), 1u);
}

TEST(Heartbeats, TheNextArrivalClearsAMissedHeartbeatOnce) {
  FakeClock clock;
  Heartbeats beats;
  beats.configure({backup_job()});
  beats.due(clock.wall_ms());
  clock.advance_ms(60'000);
  ASSERT_EQ(beats.due(clock.wall_ms()).size(), 1u);
  clock.advance_ms(5000);
  auto clears = beats.arrived(event_from("db1", "backup_running"), clock.wall_ms());
  ASSERT_EQ(clears.size(), 1u);
  EXPECT_EQ(clears[0].kind, EventKind::clear);
  EXPECT_EQ(clears[0].alert_key, "heartbeat_missed");
  EXPECT_EQ(clears[0].resource, "db1");
  EXPECT_EQ(fingerprint(clears[0]), fingerprint(heartbeat_event(backup_job(), EventKind::problem, 0)));
  EXPECT_TRUE(beats.arrived(event_from("db1", "backup_running"), clock.wall_ms()).empty());
  clock.advance_ms(60'000);
  EXPECT_EQ(beats.due(clock.wall_ms()).size(), 1u) << "missed again after another silent interval";
}

TEST(Heartbeats, ItsOwnEventsAreNotArrivals) {
  FakeClock clock;
  Heartbeats beats;
  beats.configure({backup_job()});
  beats.due(clock.wall_ms());
  clock.advance_ms(60'000);
  auto missed = beats.due(clock.wall_ms());
  missed[0].name = "backup_done";  // even if it looked like one
  EXPECT_TRUE(beats.arrived(missed[0], clock.wall_ms()).empty());
}

TEST(Heartbeats, AfterARestartTheClockStartsAtTheFirstTickNotAtTheLastArrival) {
  // A fresh Heartbeats is what a restarted daemon has: the hour it was down
  // is not silence.
  FakeClock clock;
  Heartbeats beats;
  beats.configure({backup_job()});
  clock.advance_ms(3'600'000);
  EXPECT_TRUE(beats.due(clock.wall_ms()).empty());
  clock.advance_ms(60'000);
  EXPECT_EQ(beats.due(clock.wall_ms()).size(), 1u);
}

TEST(Heartbeats, AMissedHeartbeatRestoredFromTheStoreIsClearedByTheNextArrival) {
  FakeClock clock;
  Heartbeats beats;
  beats.configure({backup_job()});
  beats.mark_missed("backup");
  EXPECT_TRUE(beats.due(clock.wall_ms() + 3'600'000).empty()) << "already raised before the restart";
  EXPECT_EQ(beats.arrived(event_from("db1", "backup_done"), clock.wall_ms()).size(), 1u);
}

TEST(Heartbeats, ReloadKeepsTheStateOfHeartbeatsThatKeepTheirName) {
  FakeClock clock;
  Heartbeats beats;
  beats.configure({backup_job()});
  beats.due(clock.wall_ms());
  clock.advance_ms(60'000);
  ASSERT_EQ(beats.due(clock.wall_ms()).size(), 1u);
  HeartbeatConfig other = backup_job();
  other.name = "other";
  beats.configure({backup_job(), other});
  EXPECT_EQ(beats.size(), 2u);
  auto clears = beats.arrived(event_from("db1", "backup_done"), clock.wall_ms());
  ASSERT_EQ(clears.size(), 1u) << "only the one that was missed clears";
  EXPECT_EQ(*clears[0].attribute("heartbeat"), "backup");
}

TEST(Heartbeats, SourceMatchesTheCollectorOrTheSenderAddress) {
  FakeClock clock;
  HeartbeatConfig by_address;
  by_address.name = "router";
  by_address.source = "192.0.2.7";
  by_address.interval_ms = 1000;
  Heartbeats beats;
  beats.configure({by_address});
  beats.due(clock.wall_ms());
  clock.advance_ms(1000);
  ASSERT_EQ(beats.due(clock.wall_ms()).size(), 1u);
  Event e = event_from("r7", "anything");
  e.source_address = "192.0.2.7";
  EXPECT_EQ(beats.arrived(e, clock.wall_ms()).size(), 1u);
}

}  // namespace
}  // namespace tocsin::rules

// Assignment by roster: a new incident goes to the person on primary duty of
// its group at the moment it opens (a person named by an assignment rule
// wins); a forward or a return hands it to the new group's primary; with
// nobody on duty it stays unassigned, the timeline says so and a counter moves.
#include <gtest/gtest.h>

#include <algorithm>

#include "correlator/clock.hpp"
#include "correlator/correlator.hpp"
#include "correlator/oncall/roster.hpp"

namespace tocsin {
namespace {

std::int64_t at(std::string_view rfc3339) { return oncall::parse_instant(rfc3339).value(); }

Event problem(std::string resource, std::string name = "disk_full") {
  Event e;
  e.source = "syslog";
  e.kind = EventKind::problem;
  e.name = e.alert_key = std::move(name);
  e.severity = Severity::major;
  e.resource = std::move(resource);
  return e;
}

oncall::Rotation weekly(std::vector<std::string> who, oncall::Layer layer = oncall::Layer::primary) {
  oncall::Rotation r;
  r.layer = layer;
  r.participants = std::move(who);
  r.shift_minutes = 7 * 24 * 60;
  r.time_zone = "Europe/Paris";
  r.handover_minute = 9 * 60;
  r.start_day = *oncall::parse_day("2026-01-05");  // a Monday
  return r;
}

// noc: alice then bob, a week each from Monday 09:00 Paris, carol secondary;
// storage: dave on duty only 08:00-18:00 Paris; facilities: no roster.
std::shared_ptr<const oncall::Snapshot> directory() {
  oncall::RosterData d;
  for (const char* id : {"alice", "bob", "carol", "dave", "erin"})
    d.people.push_back({id, id, {{"email", std::string(id) + "@example.net"}}, "Europe/Paris"});
  d.groups.push_back({"noc", "NOC", {"alice", "bob", "carol"}, "carol", "erin"});
  d.groups.push_back({"storage", "Storage", {"dave"}, "", ""});
  d.groups.push_back({"facilities", "Facilities", {"erin"}, "", ""});
  oncall::Rotation office = weekly({"dave"});
  office.window_from = 8 * 60;
  office.window_to = 18 * 60;
  d.rosters.push_back({"noc", {weekly({"alice", "bob"}), weekly({"carol"}, oncall::Layer::secondary)}, {}});
  d.rosters.push_back({"storage", {office}, {}});
  return std::make_shared<const oncall::Snapshot>(std::move(d));
}

class OncallAssignmentTest : public ::testing::Test {
 protected:
  OncallAssignmentTest() : clock(at("2026-01-07T10:00:00+01:00")) {}

  void start(std::shared_ptr<const oncall::Directory> d = directory(), AssignmentConfig assignment = {}) {
    CorrelatorConfig c;
    c.default_group = "noc";
    c.oncall = std::move(d);
    c.assignment = std::move(assignment);
    correlator = std::make_unique<Correlator>(std::move(c), stats);
    correlator->restore({}, {}, {});
  }
  Incident open(Event e) {
    ChangeSet changes;
    correlator->on_event(std::move(e), clock.wall_ms(), changes);
    correlator->flush(changes);
    keep(changes);
    return changes.incidents.at(0);
  }
  ActionResult act(std::int64_t id, ActionKind kind, std::string group = "", std::string reason = "") {
    IncidentAction a;
    a.incident_id = id;
    a.kind = kind;
    a.actor = "operator";
    a.group = std::move(group);
    a.comment = std::move(reason);
    ChangeSet changes;
    ActionResult r = correlator->on_action(a, clock.wall_ms(), changes);
    correlator->flush(changes);
    keep(changes);
    return r;
  }
  void keep(const ChangeSet& changes) {
    for (const auto& t : changes.timeline) timeline.push_back(t);
  }
  std::vector<std::string> entries(std::int64_t id, std::string_view action) const {
    std::vector<std::string> out;
    for (const auto& t : timeline)
      if (t.incident_id == id && t.action == action) out.push_back(t.text);
    return out;
  }
  std::uint64_t counter(const std::string& by) {
    return stats.counter("tocsin_incident_assignments_total", "", {{"by", by}}).value();
  }

  FakeClock clock;
  StatsRegistry stats;
  std::unique_ptr<Correlator> correlator;
  std::vector<TimelineEntry> timeline;
};

TEST_F(OncallAssignmentTest, NewIncidentGoesToThePrimaryOnCallOfItsGroupAtThatMoment) {
  start();
  Incident first = open(problem("db1"));
  EXPECT_EQ(first.group, "noc");
  EXPECT_EQ(first.assignee, "alice");
  EXPECT_EQ(entries(first.id, "assigned"), std::vector<std::string>{"assigned to alice: on call primary for noc"});

  clock.advance_ms(7LL * 24 * 3600 * 1000);  // the next Wednesday: bob's week
  Incident second = open(problem("db2"));
  EXPECT_EQ(second.assignee, "bob");
  EXPECT_EQ(entries(second.id, "assigned"), std::vector<std::string>{"assigned to bob: on call primary for noc"});
  EXPECT_EQ(counter("roster"), 2u);
  EXPECT_EQ(counter("nobody_on_call"), 0u);
}

TEST_F(OncallAssignmentTest, HandOverTimeDecidesWhoGetsTheIncident) {
  start();
  clock.advance_ms(at("2026-01-12T08:59:59+01:00") - clock.wall_ms());
  EXPECT_EQ(open(problem("db1")).assignee, "alice") << "one second before Monday's hand-over";
  clock.advance_ms(1000);
  EXPECT_EQ(open(problem("db2")).assignee, "bob") << "at the hand-over";
}

TEST_F(OncallAssignmentTest, APersonNamedByAnAssignmentRuleWinsOverTheRoster) {
  AssignmentConfig rules;
  rules.rules.push_back({"", "", "fan_failure", "noc", "carol"});
  start(directory(), rules);
  Incident i = open(problem("core-sw1", "fan_failure"));
  EXPECT_EQ(i.assignee, "carol");
  EXPECT_EQ(entries(i.id, "assigned"),
            std::vector<std::string>{"assigned to carol: named by assignment rule for group noc"});
  EXPECT_EQ(counter("rule"), 1u);
  EXPECT_EQ(counter("roster"), 0u);
}

TEST_F(OncallAssignmentTest, NobodyOnDutyLeavesTheIncidentUnassignedSaysSoAndIsCounted) {
  AssignmentConfig rules;
  rules.rules.push_back({"", "", "power_loss", "facilities", ""});
  start(directory(), rules);
  Incident i = open(problem("pdu1", "power_loss"));
  EXPECT_EQ(i.group, "facilities");
  EXPECT_EQ(i.assignee, "");
  EXPECT_EQ(entries(i.id, "assigned"),
            std::vector<std::string>{"nobody on call primary for facilities: left unassigned"});
  EXPECT_EQ(counter("nobody_on_call"), 1u);
}

TEST_F(OncallAssignmentTest, ForwardAssignsTheNewGroupsPrimaryAndReturnTheOldOnes) {
  start();
  Incident i = open(problem("db1"));
  ASSERT_EQ(act(i.id, ActionKind::forward, "storage", "array degraded").status, 200);
  ActionResult r = act(i.id, ActionKind::forward, "storage");
  EXPECT_EQ(r.status, 409) << "already there";
  std::vector<std::string> forwarded = entries(i.id, "forwarded");
  ASSERT_EQ(forwarded.size(), 1u);
  EXPECT_EQ(forwarded[0], "forwarded from noc to storage: array degraded; assigned to dave: on call primary for storage");
  ActionResult back = act(i.id, ActionKind::return_, "", "not storage");
  ASSERT_EQ(back.status, 200);
  EXPECT_EQ(back.incident->assignee, "alice");
  EXPECT_EQ(entries(i.id, "returned"),
            std::vector<std::string>{"returned from storage to noc: not storage; assigned to alice: on call primary for noc"});
}

TEST_F(OncallAssignmentTest, ForwardOutsideTheNewGroupsHoursLeavesItUnassigned) {
  start();
  clock.advance_ms(at("2026-01-07T22:00:00+01:00") - clock.wall_ms());
  Incident i = open(problem("db1"));
  EXPECT_EQ(i.assignee, "alice");
  ActionResult r = act(i.id, ActionKind::forward, "storage", "disk");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.incident->assignee, "");
  EXPECT_EQ(entries(i.id, "forwarded"),
            std::vector<std::string>{
                "forwarded from noc to storage: disk; nobody on call primary for storage: left unassigned"});
  EXPECT_EQ(counter("nobody_on_call"), 1u);
}

TEST_F(OncallAssignmentTest, AnOverrideSwappedInChangesTheNextAssigneeOnly) {
  start();
  Incident before = open(problem("db1"));
  oncall::StoredOverride o;
  o.id = 7;
  o.group = "noc";
  o.person = "erin";
  o.from_ms = clock.wall_ms();
  o.to_ms = clock.wall_ms() + 3600'000;
  correlator->set_oncall(oncall::with_overrides(*directory(), {o}));
  EXPECT_TRUE(correlator->holds_incident(before.id)) << "incident state is kept";
  Incident after = open(problem("db2"));
  EXPECT_EQ(after.assignee, "erin");
  clock.advance_ms(3600'000);
  EXPECT_EQ(open(problem("db3")).assignee, "alice") << "the override has ended";
}

TEST_F(OncallAssignmentTest, WithoutADirectoryNothingIsAssignedAndNothingIsWritten) {
  start(nullptr);
  Incident i = open(problem("db1"));
  EXPECT_EQ(i.assignee, "");
  EXPECT_TRUE(entries(i.id, "assigned").empty());
  EXPECT_EQ(counter("nobody_on_call"), 0u);
}

}  // namespace
}  // namespace tocsin

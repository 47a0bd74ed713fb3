// The incident lifecycle as an operator drives it: forward, return, comment,
// manual priority, resolve with a code, close and reopen, and the actions a
// state does not allow.
#include <gtest/gtest.h>

#include <algorithm>

#include "correlator/clock.hpp"
#include "correlator/correlator.hpp"

namespace tocsin {
namespace {

Event problem(std::string resource) {
  Event e;
  e.source = "syslog";
  e.kind = EventKind::problem;
  e.name = e.alert_key = "disk_full";
  e.severity = Severity::major;
  e.resource = std::move(resource);
  return e;
}

class LifecycleTest : public ::testing::Test {
 protected:
  LifecycleTest() : correlator(CorrelatorConfig{}, stats) {
    correlator.restore({}, {}, {});
    ChangeSet changes;
    correlator.on_event(problem("db1"), clock.wall_ms(), changes);
    correlator.flush(changes);
    keep(changes);
    id = changes.incidents.at(0).id;
  }

  ActionResult act(ActionKind kind, std::string comment = "", std::string group = "", std::string priority = "") {
    IncidentAction a;
    a.incident_id = id;
    a.kind = kind;
    a.actor = "alice";
    a.comment = std::move(comment);
    a.group = std::move(group);
    a.priority = std::move(priority);
    // As the pipeline does: the stored row when the correlator no longer holds it.
    if (!correlator.holds_incident(id)) a.stored = stored;
    ChangeSet changes;
    ActionResult r = correlator.on_action(a, clock.wall_ms(), changes);
    correlator.flush(changes);
    keep(changes);
    return r;
  }
  void keep(const ChangeSet& changes) {
    for (const auto& i : changes.incidents) stored = i;
    for (const auto& t : changes.timeline) timeline.push_back(t);
  }
  bool timeline_has(std::string_view action, std::string_view text) const {
    return std::any_of(timeline.begin(), timeline.end(), [&](const TimelineEntry& t) {
      return t.action == action && t.actor == "alice" && t.text.find(text) != std::string::npos;
    });
  }

  FakeClock clock;
  StatsRegistry stats;
  Correlator correlator;
  Incident stored;
  std::vector<TimelineEntry> timeline;
  std::int64_t id = 0;
};

TEST_F(LifecycleTest, ForwardThenReturnGoesBackToThePreviousGroup) {
  ActionResult f = act(ActionKind::forward, "storage problem", "storage");
  ASSERT_EQ(f.status, 200);
  EXPECT_EQ(stored.group, "storage");
  EXPECT_EQ(stored.previous_group, "noc");
  EXPECT_TRUE(timeline_has("forwarded", "from noc to storage: storage problem"));
  ActionResult r = act(ActionKind::return_, "not ours");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(stored.group, "noc");
  EXPECT_TRUE(timeline_has("returned", "from storage to noc: not ours"));
}

TEST_F(LifecycleTest, ReturnWithoutForwardIsAConflict) { EXPECT_EQ(act(ActionKind::return_, "why").status, 409); }

TEST_F(LifecycleTest, ForwardToTheOwningGroupIsAConflict) {
  EXPECT_EQ(act(ActionKind::forward, "", "noc").status, 409);
}

TEST_F(LifecycleTest, AssignSetsGroupAndPerson) {
  IncidentAction a;
  a.incident_id = id;
  a.kind = ActionKind::assign;
  a.actor = "alice";
  a.group = "dba";
  a.assignee = "bob";
  ChangeSet changes;
  ActionResult r = correlator.on_action(a, clock.wall_ms(), changes);
  correlator.flush(changes);
  keep(changes);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(stored.group, "dba");
  EXPECT_EQ(stored.assignee, "bob");
  EXPECT_TRUE(timeline_has("assigned", "assignee nobody → bob"));
}

TEST_F(LifecycleTest, CommentOnlyAddsToTheTimeline) {
  std::string before(stored.group);
  ASSERT_EQ(act(ActionKind::comment, "checking the array").status, 200);
  EXPECT_TRUE(timeline_has("comment", "checking the array"));
  EXPECT_EQ(stored.group, before);
}

TEST_F(LifecycleTest, ManualPriorityRecordsWhoAndWhy) {
  std::string matrix(stored.priority);
  ASSERT_NE(matrix, "P1");
  ASSERT_EQ(act(ActionKind::set_priority, "CEO's laptop", "", "P1").status, 200);
  EXPECT_EQ(stored.priority, "P1");
  EXPECT_EQ(stored.priority_set_by, "alice");
  EXPECT_TRUE(timeline_has("priority", matrix + " → P1: CEO's laptop"));
  EXPECT_EQ(act(ActionKind::set_priority, "again", "", "P1").status, 409);
}

TEST_F(LifecycleTest, CloseNeedsAResolvedIncident) {
  EXPECT_EQ(act(ActionKind::close).status, 409);
  EXPECT_EQ(act(ActionKind::reopen).status, 409);
}

TEST_F(LifecycleTest, ResolveWithCodeThenCloseThenReopen) {
  IncidentAction a;
  a.incident_id = id;
  a.kind = ActionKind::resolve;
  a.actor = "alice";
  a.resolution_code = "fixed";
  ChangeSet changes;
  ASSERT_EQ(correlator.on_action(a, clock.wall_ms(), changes).status, 200);
  keep(changes);
  EXPECT_EQ(stored.resolution_code, "fixed");
  EXPECT_TRUE(timeline_has("resolved", "(fixed)"));
  EXPECT_FALSE(correlator.holds_incident(id));

  clock.advance_ms(60'000);
  ActionResult closed = act(ActionKind::close, "done");
  ASSERT_EQ(closed.status, 200);
  EXPECT_EQ(stored.state, IncidentState::closed);
  EXPECT_EQ(stored.closed_at_ms, clock.wall_ms());
  EXPECT_EQ(act(ActionKind::close).status, 409);
  EXPECT_EQ(act(ActionKind::forward, "", "dba").status, 409);

  ActionResult reopened = act(ActionKind::reopen, "came back");
  ASSERT_EQ(reopened.status, 200);
  EXPECT_EQ(stored.state, IncidentState::open);
  EXPECT_EQ(stored.resolved_at_ms, 0);
  EXPECT_EQ(stored.closed_at_ms, 0);
  EXPECT_TRUE(correlator.holds_incident(id));
  EXPECT_TRUE(timeline_has("reopened", "reopened from closed: came back"));
  // Open again: it can be acknowledged and resolved like any other.
  EXPECT_EQ(act(ActionKind::acknowledge).status, 200);
  EXPECT_EQ(act(ActionKind::resolve).status, 200);
}

TEST_F(LifecycleTest, UnknownIncidentIsNotFound) {
  IncidentAction a;
  a.incident_id = 999;
  a.kind = ActionKind::reopen;
  ChangeSet changes;
  EXPECT_EQ(correlator.on_action(a, clock.wall_ms(), changes).status, 404);
}

}  // namespace
}  // namespace tocsin

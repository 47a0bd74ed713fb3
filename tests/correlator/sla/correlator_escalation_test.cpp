// Escalation and SLA clocks inside the correlator, with a fake clock: what the
// on-call people receive, when, and what the timeline says.
#include <gtest/gtest.h>

#include <algorithm>

#include "correlator/clock.hpp"
#include "correlator/correlator.hpp"
#include "tests/correlator/sla/fake_directory.hpp"

namespace tocsin {
namespace {

constexpr std::int64_t minute = 60'000;

Event link_down(std::string host) {
  Event e;
  e.source = "syslog";
  e.kind = EventKind::problem;
  e.name = e.alert_key = "interface_down";
  e.severity = Severity::major;  // no CI: priority P2
  e.resource = std::move(host);
  e.summary = "Interface Gi0/1 down";
  e.attributes = {{"interface", "Gi0/1"}};
  e.fingerprint_keys = {"interface"};
  return e;
}

CorrelatorConfig escalating_config() {
  CorrelatorConfig c;
  c.default_group = "network-ops";
  c.email_recipients = {"noc@example.net"};
  c.oncall = std::make_shared<testing::FakeDirectory>(testing::network_ops_directory());
  sla::Policy p;
  p.steps = {{0, {"primary"}, {"sms"}}, {15 * minute, {"secondary"}, {"sms", "email"}}};
  c.escalation.by_group["network-ops"] = p;
  c.sla.by_priority["P2"] = {10 * minute, 60 * minute, ""};
  return c;
}

std::vector<std::string> pages(const ChangeSet& c) {
  std::vector<std::string> out;
  for (const auto& n : c.notifications)
    out.push_back(n.person + " " + n.channel + " " + n.recipient + " " + n.kind + " " + std::to_string(n.step));
  return out;
}

std::size_t escalations(const ChangeSet& c) {
  return static_cast<std::size_t>(std::count_if(c.notifications.begin(), c.notifications.end(),
                                                [](const Notification& n) { return n.kind == "escalated"; }));
}

bool timeline_has(const ChangeSet& c, const std::string& action, const std::string& text) {
  return std::any_of(c.timeline.begin(), c.timeline.end(), [&](const TimelineEntry& t) {
    return t.action == action && t.text.find(text) != std::string::npos;
  });
}

class CorrelatorEscalationTest : public ::testing::Test {
 protected:
  CorrelatorEscalationTest() { correlator->restore({}, {}, {}); }

  ChangeSet open() {
    ChangeSet c;
    correlator->on_event(link_down("core1"), clock.wall_ms(), c);
    correlator->flush(c);
    opened_at = clock.wall_ms();
    for (const auto& a : c.alerts) stored_alerts.push_back(a);
    for (const auto& i : c.incidents) stored_incident = i;
    return c;
  }
  ChangeSet tick_at(std::int64_t at_ms) {
    ChangeSet c;
    correlator->on_tick(at_ms, c);
    correlator->flush(c);
    for (const auto& i : c.incidents) stored_incident = i;
    return c;
  }
  ChangeSet act(ActionKind kind, std::int64_t at_ms, ActionResult* result = nullptr, std::string priority = "") {
    ChangeSet c;
    IncidentAction a{stored_incident.id, kind, "alice"};
    a.priority = std::move(priority);
    // As the pipeline does: the stored row when the correlator no longer holds it.
    if (!correlator->holds_incident(stored_incident.id)) a.stored = stored_incident;
    ActionResult r = correlator->on_action(a, at_ms, c);
    correlator->flush(c);
    for (const auto& i : c.incidents) stored_incident = i;
    if (result) *result = r;
    return c;
  }
  // A new process on the same store: only what was committed survives.
  void restart() {
    correlator = std::make_unique<Correlator>(escalating_config(), stats);
    correlator->restore({1, 1, stored_incident.id}, stored_alerts, {stored_incident});
  }

  FakeClock clock;
  StatsRegistry stats;
  std::unique_ptr<Correlator> correlator = std::make_unique<Correlator>(escalating_config(), stats);
  std::int64_t opened_at = 0;
  std::vector<Alert> stored_alerts;
  Incident stored_incident;
};

TEST_F(CorrelatorEscalationTest, OpenPagesThePrimaryBySmsAtOnceInsteadOfTheFixedRecipients) {
  ChangeSet c = open();
  EXPECT_EQ(pages(c), (std::vector<std::string>{"alice sms +33600000001 opened 0"}));
  EXPECT_FALSE(c.notifications[0].body.empty());
  EXPECT_TRUE(timeline_has(c, "notified", "step 0: alice by sms"));
  EXPECT_EQ(stored_incident.escalation_level, 1);
  EXPECT_EQ(stored_incident.next_escalation_ms, opened_at + 15 * minute);
  EXPECT_EQ(stored_incident.sla.ack_due_ms, opened_at + 10 * minute);
  EXPECT_EQ(stored_incident.sla.resolve_due_ms, opened_at + 60 * minute);
}

TEST_F(CorrelatorEscalationTest, GroupWithoutPolicyKeepsTheFixedEmailPage) {
  CorrelatorConfig config = escalating_config();
  config.escalation.by_group.clear();
  correlator = std::make_unique<Correlator>(config, stats);
  correlator->restore({}, {}, {});
  ChangeSet c = open();
  ASSERT_EQ(c.notifications.size(), 1u);
  EXPECT_EQ(c.notifications[0].recipient, "noc@example.net");
  EXPECT_EQ(stored_incident.next_escalation_ms, 0);
}

TEST_F(CorrelatorEscalationTest, WithoutAcknowledgementTheSecondaryIsPagedAtTheStepDelayNotBefore) {
  open();
  EXPECT_TRUE(tick_at(opened_at + 15 * minute - 1).notifications.empty());
  ChangeSet c = tick_at(opened_at + 15 * minute);
  EXPECT_EQ(pages(c), (std::vector<std::string>{"bob sms +33600000002 escalated 1",
                                                "bob email bob@example.net escalated 1"}));
  EXPECT_TRUE(timeline_has(c, "escalated", "escalated to step 1: bob by sms, bob by email"));
  EXPECT_FALSE(timeline_has(c, "escalated", "late:"));
  EXPECT_EQ(stored_incident.escalation_level, 2);
  EXPECT_EQ(stored_incident.next_escalation_ms, 0) << "the policy is exhausted";
  EXPECT_EQ(escalations(tick_at(opened_at + 100 * minute)), 0u);
  EXPECT_EQ(stats.value("tocsin_escalation_steps_total", {{"timing", "on_time"}}), 2);
}

TEST_F(CorrelatorEscalationTest, AcknowledgeStopsTheEscalation) {
  open();
  act(ActionKind::acknowledge, opened_at + 5 * minute);
  ChangeSet c = tick_at(opened_at + 15 * minute);
  EXPECT_TRUE(c.notifications.empty());
  EXPECT_EQ(stored_incident.next_escalation_ms, 0);
  EXPECT_EQ(stored_incident.escalation_level, 1);
}

TEST_F(CorrelatorEscalationTest, AfterARestartAPendingStepFiresAtItsStoredTimeOnce) {
  open();
  restart();
  EXPECT_TRUE(tick_at(opened_at + 15 * minute - 1).notifications.empty());
  ChangeSet c = tick_at(opened_at + 15 * minute);
  EXPECT_EQ(c.notifications.size(), 2u);
  EXPECT_EQ(stored_incident.escalation_level, 2);
  restart();  // the row committed with the pages says the step is done
  EXPECT_TRUE(tick_at(opened_at + 16 * minute).notifications.empty());
}

TEST_F(CorrelatorEscalationTest, StepMissedDuringALongDowntimeFiresOnceFlaggedLate) {
  open();
  restart();
  ChangeSet c = tick_at(opened_at + 180 * minute);
  EXPECT_EQ(escalations(c), 2u) << "step 1 to bob by sms and email, once";
  EXPECT_TRUE(timeline_has(c, "escalated", "late: due at"));
  EXPECT_EQ(stats.value("tocsin_escalation_steps_total", {{"timing", "late"}}), 1);
  EXPECT_EQ(escalations(tick_at(opened_at + 181 * minute)), 0u);
}

TEST_F(CorrelatorEscalationTest, SlaBreachesAreRecordedOnceAndAResolveBreachTellsTheManager) {
  open();
  EXPECT_FALSE(timeline_has(tick_at(opened_at + 10 * minute - 1), "sla_breach", ""));
  ChangeSet c = tick_at(opened_at + 10 * minute);
  EXPECT_TRUE(timeline_has(c, "sla_breach", "acknowledge target missed"));
  EXPECT_TRUE(stored_incident.sla.ack_breached);
  EXPECT_TRUE(c.notifications.empty());
  EXPECT_FALSE(timeline_has(tick_at(opened_at + 11 * minute), "sla_breach", ""));
  EXPECT_EQ(stats.value("tocsin_sla_breaches_total", {{"target", "acknowledge"}}), 1);
  tick_at(opened_at + 15 * minute);  // step 1
  c = tick_at(opened_at + 60 * minute);
  EXPECT_TRUE(timeline_has(c, "sla_breach", "resolve target missed"));
  EXPECT_EQ(pages(c), (std::vector<std::string>{"dave email dave@example.net sla_breach 2"}));
  EXPECT_TRUE(stored_incident.sla.resolve_breached);
  restart();
  EXPECT_FALSE(timeline_has(tick_at(opened_at + 61 * minute), "sla_breach", ""));
  EXPECT_EQ(stats.value("tocsin_sla_breaches_total", {{"target", "resolve"}}), 1);
}

TEST_F(CorrelatorEscalationTest, AcknowledgedInTimeIsNoBreach) {
  open();
  act(ActionKind::acknowledge, opened_at + 9 * minute);
  EXPECT_FALSE(timeline_has(tick_at(opened_at + 10 * minute), "sla_breach", ""));
  EXPECT_FALSE(stored_incident.sla.ack_breached);
}

TEST_F(CorrelatorEscalationTest, ManualEscalateFiresTheNextStepNowUntilNoneIsLeft) {
  open();
  ActionResult r;
  ChangeSet c = act(ActionKind::escalate, opened_at + 2 * minute, &r);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(pages(c), (std::vector<std::string>{"bob sms +33600000002 escalated 1",
                                                "bob email bob@example.net escalated 1"}));
  EXPECT_TRUE(timeline_has(c, "escalated", "escalated by hand"));
  EXPECT_EQ(stored_incident.escalation_level, 2);
  EXPECT_TRUE(tick_at(opened_at + 15 * minute).notifications.empty()) << "not paged twice";
  act(ActionKind::escalate, opened_at + 3 * minute, &r);
  EXPECT_EQ(r.status, 409);
}

TEST_F(CorrelatorEscalationTest, NobodyOnCallPagesTheGroupLeadAndSaysSo) {
  CorrelatorConfig config = escalating_config();
  auto d = testing::network_ops_directory();
  d.primary.clear();
  config.oncall = std::make_shared<testing::FakeDirectory>(d);
  correlator = std::make_unique<Correlator>(config, stats);
  correlator->restore({}, {}, {});
  ChangeSet c = open();
  EXPECT_EQ(pages(c), (std::vector<std::string>{}));  // carol has no SMS
  EXPECT_TRUE(timeline_has(c, "notified", "nobody for primary: group lead carol paged instead"));
  EXPECT_TRUE(timeline_has(c, "notified", "carol has no contact"));
}

TEST_F(CorrelatorEscalationTest, ReopenRestartsTheEscalationAndTheSlaClocksFromTheReopenTime) {
  open();
  tick_at(opened_at + 10 * minute);  // acknowledge target missed
  tick_at(opened_at + 15 * minute);  // step 1: bob
  act(ActionKind::resolve, opened_at + 20 * minute);
  ASSERT_EQ(stored_incident.state, IncidentState::resolved);
  ASSERT_TRUE(stored_incident.sla.ack_breached);

  const std::int64_t reopened_at = opened_at + 100 * minute;
  ActionResult r;
  ChangeSet c = act(ActionKind::reopen, reopened_at, &r);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(pages(c), (std::vector<std::string>{"alice sms +33600000001 opened 0"})) << "step 0 again, at once";
  EXPECT_TRUE(timeline_has(c, "escalation", "escalation restarted from step 0 of group network-ops's policy"));
  EXPECT_TRUE(timeline_has(c, "notified", "step 0: alice by sms"));
  EXPECT_TRUE(timeline_has(c, "sla", "SLA clocks restarted at the reopen: acknowledge due at " +
                                         format_rfc3339(reopened_at + 10 * minute) + ", resolve due at " +
                                         format_rfc3339(reopened_at + 60 * minute)));
  EXPECT_TRUE(timeline_has(c, "sla", "the acknowledge breach recorded before stays in the timeline"));
  EXPECT_EQ(stored_incident.reopened_at_ms, reopened_at);
  EXPECT_EQ(stored_incident.opened_at_ms, opened_at) << "the opening time is history";
  EXPECT_EQ(stored_incident.escalation_level, 1);
  EXPECT_EQ(stored_incident.next_escalation_ms, reopened_at + 15 * minute);
  EXPECT_EQ(stored_incident.sla.ack_due_ms, reopened_at + 10 * minute);
  EXPECT_EQ(stored_incident.sla.resolve_due_ms, reopened_at + 60 * minute);
  EXPECT_FALSE(stored_incident.sla.ack_breached) << "the flags speak of the new clocks";

  // The new clocks run like the first ones, and survive a restart.
  restart();
  EXPECT_TRUE(tick_at(reopened_at + 10 * minute - 1).timeline.empty());
  c = tick_at(reopened_at + 10 * minute);
  EXPECT_TRUE(timeline_has(c, "sla_breach", "acknowledge target missed: due at " +
                                                format_rfc3339(reopened_at + 10 * minute)));
  EXPECT_EQ(stats.value("tocsin_sla_breaches_total", {{"target", "acknowledge"}}), 2);
  EXPECT_TRUE(tick_at(reopened_at + 15 * minute - 1).notifications.empty());
  c = tick_at(reopened_at + 15 * minute);
  EXPECT_EQ(pages(c), (std::vector<std::string>{"bob sms +33600000002 escalated 1",
                                                "bob email bob@example.net escalated 1"}));
  EXPECT_FALSE(timeline_has(c, "escalated", "late:"));
}

TEST_F(CorrelatorEscalationTest, ReopenedIncidentAcknowledgedInTimeStopsEscalatingAndIsNoBreach) {
  open();
  act(ActionKind::resolve, opened_at + 2 * minute);
  const std::int64_t reopened_at = opened_at + 30 * minute;
  act(ActionKind::reopen, reopened_at);
  act(ActionKind::acknowledge, reopened_at + 5 * minute);
  ChangeSet c = tick_at(reopened_at + 20 * minute);
  EXPECT_TRUE(c.notifications.empty());
  EXPECT_FALSE(timeline_has(c, "sla_breach", ""));
  EXPECT_EQ(stored_incident.next_escalation_ms, 0);
}

TEST_F(CorrelatorEscalationTest, ReopenWithoutAPolicyRestartsOnlyTheSlaClocks) {
  CorrelatorConfig config = escalating_config();
  config.escalation.by_group.clear();
  correlator = std::make_unique<Correlator>(config, stats);
  correlator->restore({}, {}, {});
  open();
  act(ActionKind::resolve, opened_at + minute);
  ChangeSet c = act(ActionKind::reopen, opened_at + 5 * minute);
  EXPECT_TRUE(c.notifications.empty());
  EXPECT_FALSE(timeline_has(c, "escalation", ""));
  EXPECT_TRUE(timeline_has(c, "sla", "SLA clocks restarted at the reopen"));
  EXPECT_EQ(stored_incident.sla.ack_due_ms, opened_at + 15 * minute);
}

TEST_F(CorrelatorEscalationTest, PriorityChangeRecomputesTheDueTimesFromTheOpening) {
  CorrelatorConfig config = escalating_config();
  config.sla.by_priority["P1"] = {5 * minute, 30 * minute, ""};
  correlator = std::make_unique<Correlator>(config, stats);
  correlator->restore({}, {}, {});
  open();
  ActionResult r;
  ChangeSet c = act(ActionKind::set_priority, opened_at + 2 * minute, &r, "P1");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(stored_incident.sla.ack_due_ms, opened_at + 5 * minute);
  EXPECT_EQ(stored_incident.sla.resolve_due_ms, opened_at + 30 * minute);
  EXPECT_TRUE(timeline_has(c, "sla", "SLA due times for P1 from the opening at " + format_rfc3339(opened_at) +
                                         ": acknowledge due at " + format_rfc3339(opened_at + 5 * minute) +
                                         ", resolve due at " + format_rfc3339(opened_at + 30 * minute)));
  EXPECT_FALSE(timeline_has(c, "sla_breach", ""));
  EXPECT_EQ(stored_incident.next_escalation_ms, opened_at + 15 * minute) << "the group's policy, unchanged";

  // The new target fires at its own time, the old one not at all.
  EXPECT_FALSE(timeline_has(tick_at(opened_at + 5 * minute - 1), "sla_breach", ""));
  c = tick_at(opened_at + 5 * minute);
  EXPECT_TRUE(timeline_has(c, "sla_breach", "acknowledge target missed: due at " +
                                                format_rfc3339(opened_at + 5 * minute)));
  EXPECT_FALSE(timeline_has(tick_at(opened_at + 10 * minute), "sla_breach", "acknowledge"));
  EXPECT_EQ(stats.value("tocsin_sla_breaches_total", {{"target", "acknowledge"}}), 1);
}

TEST_F(CorrelatorEscalationTest, PriorityChangeToATargetAlreadyPastRecordsTheBreachAtOnceOnce) {
  CorrelatorConfig config = escalating_config();
  config.sla.by_priority["P1"] = {5 * minute, 30 * minute, ""};
  correlator = std::make_unique<Correlator>(config, stats);
  correlator->restore({}, {}, {});
  open();
  ChangeSet c = act(ActionKind::set_priority, opened_at + 7 * minute, nullptr, "P1");
  EXPECT_TRUE(timeline_has(c, "sla_breach", "acknowledge target missed: due at " +
                                                format_rfc3339(opened_at + 5 * minute)));
  EXPECT_FALSE(timeline_has(c, "sla_breach", "resolve"));
  EXPECT_TRUE(stored_incident.sla.ack_breached);
  EXPECT_EQ(stats.value("tocsin_sla_breaches_total", {{"target", "acknowledge"}}), 1);
  EXPECT_FALSE(timeline_has(tick_at(opened_at + 8 * minute), "sla_breach", ""));
  restart();
  EXPECT_FALSE(timeline_has(tick_at(opened_at + 9 * minute), "sla_breach", ""));
  EXPECT_EQ(stats.value("tocsin_sla_breaches_total", {{"target", "acknowledge"}}), 1);
}

TEST_F(CorrelatorEscalationTest, PriorityChangeKeepsABreachAlreadyRecorded) {
  CorrelatorConfig config = escalating_config();
  config.sla.by_priority["P4"] = {60 * minute, 240 * minute, ""};
  correlator = std::make_unique<Correlator>(config, stats);
  correlator->restore({}, {}, {});
  open();
  tick_at(opened_at + 10 * minute);  // the P2 acknowledge target missed
  ASSERT_TRUE(stored_incident.sla.ack_breached);
  ChangeSet c = act(ActionKind::set_priority, opened_at + 12 * minute, nullptr, "P4");
  EXPECT_TRUE(stored_incident.sla.ack_breached);
  EXPECT_EQ(stored_incident.sla.ack_due_ms, opened_at + 60 * minute);
  EXPECT_TRUE(timeline_has(c, "sla", "the acknowledge breach already recorded is kept"));
  EXPECT_FALSE(timeline_has(tick_at(opened_at + 60 * minute), "sla_breach", "acknowledge"));
  EXPECT_EQ(stats.value("tocsin_sla_breaches_total", {{"target", "acknowledge"}}), 1);
  // The resolve target moved to 240 minutes: not missed at the P2 time.
  EXPECT_FALSE(timeline_has(tick_at(opened_at + 61 * minute), "sla_breach", "resolve"));
  EXPECT_TRUE(timeline_has(tick_at(opened_at + 240 * minute), "sla_breach", "resolve"));
}

TEST_F(CorrelatorEscalationTest, PriorityChangeCountsWithinTheNewTargetsBusinessHours) {
  CorrelatorConfig config = escalating_config();
  sla::Calendar office;
  office.time_zone = "UTC";
  for (int day = 0; day < 5; ++day) office.week[day] = {{8 * 60, 18 * 60}};
  config.sla.calendars["office"] = office;
  config.sla.by_priority["P4"] = {60 * minute, 8 * 60 * minute, "office"};
  correlator = std::make_unique<Correlator>(config, stats);
  correlator->restore({}, {}, {});
  // Friday 2026-03-06 17:30 UTC: half an hour of office time left this week.
  clock.advance_ms(1'772'818'200'000 - clock.wall_ms());
  open();
  ChangeSet c = act(ActionKind::set_priority, opened_at + 5 * minute, nullptr, "P4");
  // Monday 08:30 and Monday 15:30 (half an hour on Friday, the rest on Monday).
  EXPECT_EQ(stored_incident.sla.ack_due_ms, 1'773'045'000'000);
  EXPECT_EQ(stored_incident.sla.resolve_due_ms, 1'773'070'200'000);
  EXPECT_TRUE(timeline_has(c, "sla", "acknowledge due at " + format_rfc3339(1'773'045'000'000)));
  EXPECT_FALSE(timeline_has(c, "sla_breach", ""));
}

TEST_F(CorrelatorEscalationTest, PriorityChangeOfAReopenedIncidentCountsFromTheReopen) {
  CorrelatorConfig config = escalating_config();
  config.sla.by_priority["P1"] = {5 * minute, 30 * minute, ""};
  correlator = std::make_unique<Correlator>(config, stats);
  correlator->restore({}, {}, {});
  open();
  act(ActionKind::resolve, opened_at + minute);
  const std::int64_t reopened_at = opened_at + 50 * minute;
  act(ActionKind::reopen, reopened_at);
  ChangeSet c = act(ActionKind::set_priority, reopened_at + minute, nullptr, "P1");
  EXPECT_EQ(stored_incident.sla.ack_due_ms, reopened_at + 5 * minute);
  EXPECT_TRUE(timeline_has(c, "sla", "SLA due times for P1 from the reopen at " + format_rfc3339(reopened_at)));
  EXPECT_FALSE(timeline_has(c, "sla_breach", ""));
}

TEST_F(CorrelatorEscalationTest, PriorityWithoutATargetHasNoDueTimes) {
  open();
  ChangeSet c = act(ActionKind::set_priority, opened_at + minute, nullptr, "P5");
  EXPECT_EQ(stored_incident.sla.ack_due_ms, 0);
  EXPECT_EQ(stored_incident.sla.resolve_due_ms, 0);
  EXPECT_TRUE(timeline_has(c, "sla", "no SLA target for P5"));
  EXPECT_FALSE(timeline_has(tick_at(opened_at + 100 * minute), "sla_breach", ""));
}

}  // namespace
}  // namespace tocsin

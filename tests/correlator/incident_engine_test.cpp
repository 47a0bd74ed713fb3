// The incident engine against a small CMDB: a core switch, two distribution
// switches behind it, hosts behind those. What a NOC engineer expects: one
// incident per outage naming the root cause, the right priority and group,
// one page, and everything resolving when the root cause clears.
#include <gtest/gtest.h>

#include <algorithm>

#include "correlator/clock.hpp"
#include "correlator/correlator.hpp"

namespace tocsin {
namespace {

constexpr std::string_view cmdb_yaml = R"(
cis:
  - {id: core-sw1, type: device, addresses: [10.0.0.1], owner_group: network-ops, criticality: critical,
     services: [internet], location: dc1/row-a}
  - {id: dist-sw1, type: device, addresses: [10.0.1.1], owner_group: network-ops, criticality: high,
     depends_on: [core-sw1], location: dc1/row-b}
  - {id: dist-sw2, type: device, owner_group: network-ops, criticality: high, depends_on: [core-sw1]}
  - {id: web01, type: host, owner_group: web-team, criticality: medium, services: [shop], location: dc1/row-b,
     depends_on: [dist-sw1], runbook: "https://wiki.example.net/web"}
  - {id: web02, type: host, owner_group: web-team, criticality: low, services: [intranet], depends_on: [dist-sw1]}
  - {id: db01, type: host, owner_group: dba, criticality: medium, services: [shop], location: dc2/row-a,
     depends_on: [dist-sw2]}
  - {id: shop, type: service, owner_group: shop-team, criticality: critical}
)";

std::shared_ptr<const cmdb::Cmdb> sample_cmdb() {
  cmdb::CmdbDraft draft;
  config::Errors errors;
  cmdb::load_cmdb_yaml(cmdb_yaml, "cmdb.yaml", draft, errors);
  auto db = cmdb::Cmdb::build(std::move(draft), errors);
  EXPECT_TRUE(errors.empty()) << errors.joined();
  return db;
}

Event problem(std::string resource, std::string name = "interface_down", Severity severity = Severity::major,
              std::string object = "1") {
  Event e;
  e.source = "snmp";
  e.kind = EventKind::problem;
  e.name = name;
  e.alert_key = name;
  e.severity = severity;
  e.resource = std::move(resource);
  e.attributes = {{"ifIndex", std::move(object)}};
  e.fingerprint_keys = {"ifIndex"};
  return e;
}

Event clear(std::string resource, std::string name = "interface_down", std::string object = "1") {
  Event e = problem(std::move(resource), name, Severity::clear, std::move(object));
  e.kind = EventKind::clear;
  e.name = "interface_up";
  return e;
}

class IncidentEngineTest : public ::testing::Test {
 protected:
  IncidentEngineTest() : correlator(config(), stats) { correlator.restore({}, {}, {}); }

  CorrelatorConfig config() {
    CorrelatorConfig c;
    c.default_group = "noc";
    c.email_recipients = {"noc@example.net", "oncall@example.net"};
    c.cmdb = db;
    c.topology.hold_ms = 30'000;
    c.grouping.window_ms = 300'000;
    return c;
  }

  ChangeSet fold(std::vector<Event> events) {
    ChangeSet changes;
    for (auto& e : events) correlator.on_event(std::move(e), clock.wall_ms(), changes);
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
  // A tiny store: the latest row of every incident and alert.
  void record(const ChangeSet& changes) {
    for (const auto& i : changes.incidents) incidents[i.id] = i;
    for (const auto& a : changes.alerts) alerts[a.id] = a;
    for (const auto& r : changes.incident_repeats) incidents[r.id].event_count = r.event_count;
    for (const auto& n : changes.notifications) pages.push_back(n);
    for (auto id : changes.cancelled_pages)
      for (auto& n : pages)
        if (n.incident_id == id && n.state == NotificationState::pending) n.state = NotificationState::cancelled;
    for (const auto& t : changes.timeline) timeline.push_back(t);
  }
  std::vector<Incident> unresolved() const {
    std::vector<Incident> out;
    for (const auto& [id, i] : incidents)
      if (i.state == IncidentState::open || i.state == IncidentState::acknowledged) out.push_back(i);
    return out;
  }
  std::vector<Alert> firing() const {
    std::vector<Alert> out;
    for (const auto& [id, a] : alerts)
      if (a.state == AlertState::firing) out.push_back(a);
    return out;
  }
  std::vector<Notification> live_pages() const {
    std::vector<Notification> out;
    for (const auto& n : pages)
      if (n.state != NotificationState::cancelled) out.push_back(n);
    return out;
  }
  bool timeline_has(std::int64_t incident, std::string_view action, std::string_view text) const {
    return std::any_of(timeline.begin(), timeline.end(), [&](const TimelineEntry& t) {
      return t.incident_id == incident && t.action == action && t.text.find(text) != std::string::npos;
    });
  }

  std::shared_ptr<const cmdb::Cmdb> db = sample_cmdb();
  FakeClock clock;
  StatsRegistry stats;
  Correlator correlator;
  std::map<std::int64_t, Incident> incidents;
  std::map<std::int64_t, Alert> alerts;
  std::vector<Notification> pages;
  std::vector<TimelineEntry> timeline;
};

// ---- enrichment ---------------------------------------------------------------------------

TEST_F(IncidentEngineTest, AlertAndIncidentCarryTheCiFields) {
  auto changes = fold({problem("web01", "http_down")});
  ASSERT_EQ(changes.incidents.size(), 1u);
  const Incident& i = changes.incidents[0];
  EXPECT_EQ(i.ci, "web01");
  EXPECT_EQ(i.cmdb.name(), "web01");
  EXPECT_EQ(i.group, "web-team");
  EXPECT_EQ(i.criticality, "medium");
  EXPECT_EQ(i.cmdb.services(), (std::vector<std::string>{"shop"}));
  EXPECT_EQ(i.service, "shop");
  EXPECT_EQ(i.cmdb.location(), "dc1/row-b");
  EXPECT_EQ(i.cmdb.runbook(), "https://wiki.example.net/web");
  EXPECT_EQ(i.assignee, "");
  const Alert& a = changes.alerts[0];
  EXPECT_EQ(a.ci, "web01");
  EXPECT_EQ(a.group, "web-team");
  EXPECT_FALSE(a.symptom);
  EXPECT_TRUE(changes.cmdb_gaps.empty());
}

TEST_F(IncidentEngineTest, FiringAlertsKeepTheirCiFieldsThroughACmdbReload) {
  fold({problem("web01", "http_down"), problem("db01", "disk_full")});
  std::string yaml(cmdb_yaml);
  yaml.replace(yaml.find("wiki.example.net/web"), 20, "wiki.example.net/web-v2");
  cmdb::CmdbDraft draft;
  config::Errors errors;
  cmdb::load_cmdb_yaml(yaml, "cmdb.yaml", draft, errors);
  std::weak_ptr<const cmdb::Cmdb> before = db;
  db = cmdb::Cmdb::build(std::move(draft), errors);
  ASSERT_TRUE(db) << errors.joined();
  correlator.set_cmdb(db);
  alerts.clear();
  incidents.clear();
  // The alerts and incidents enriched by it hold none of the old snapshot.
  EXPECT_TRUE(before.expired());

  auto changes = fold({clear("web01", "http_down"), clear("db01", "disk_full"), problem("web01", "ping_down")});
  ASSERT_EQ(changes.alerts.size(), 3u);
  for (const Alert& a : changes.alerts) {
    std::string_view runbook = a.name == "ping_down" ? "https://wiki.example.net/web-v2"
                               : a.ci == "web01"     ? "https://wiki.example.net/web"
                                                     : "";
    EXPECT_EQ(a.cmdb.runbook(), runbook) << a.name;
    EXPECT_EQ(a.cmdb.location(), a.ci == "web01" ? "dc1/row-b" : "dc2/row-a") << a.name;
  }
  ASSERT_FALSE(changes.incidents.empty());
  for (const Incident& i : changes.incidents)
    if (i.ci == "web01" && i.state == IncidentState::resolved)
      EXPECT_EQ(i.cmdb.runbook(), "https://wiki.example.net/web");
}

TEST_F(IncidentEngineTest, ResolvesByAddress) {
  auto changes = fold({problem("10.0.0.1")});
  EXPECT_EQ(changes.incidents.at(0).ci, "core-sw1");
  EXPECT_EQ(changes.incidents.at(0).group, "network-ops");
}

TEST_F(IncidentEngineTest, UnknownResourceGoesToTheDefaultGroupAndIsAGap) {
  auto changes = fold({problem("mystery-box"), problem("mystery-box")});
  ASSERT_EQ(changes.incidents.size(), 1u);
  EXPECT_EQ(changes.incidents[0].group, "noc");
  EXPECT_EQ(changes.incidents[0].ci, "mystery-box");
  EXPECT_EQ(changes.incidents[0].cmdb.name(), "");
  ASSERT_EQ(changes.cmdb_gaps.size(), 1u);
  EXPECT_EQ(changes.cmdb_gaps[0].resource, "mystery-box");
  EXPECT_EQ(changes.cmdb_gaps[0].count, 2);
  EXPECT_EQ(changes.cmdb_gaps[0].source, "snmp");
  EXPECT_EQ(changes.cmdb_gaps[0].first_seen_ms, clock.wall_ms());
  EXPECT_EQ(stats.value("tocsin_correlator_unknown_resource_events_total"), 2);
  clock.advance_ms(1000);
  auto later = fold({problem("mystery-box")});
  ASSERT_EQ(later.cmdb_gaps.size(), 1u);
  EXPECT_EQ(later.cmdb_gaps[0].count, 1) << "a batch carries what to add";
  EXPECT_EQ(later.cmdb_gaps[0].last_seen_ms, clock.wall_ms());
}

// ---- priority -------------------------------------------------------------------------------

TEST(Priority, ItilMatrixCells) {
  PriorityConfig c;
  auto db = sample_cmdb();
  auto at = [&](const char* id, Severity s) {
    Event e = problem(id, "x", s);
    return priority_of(c, db.get(), db->find_id(id), e);
  };
  EXPECT_EQ(at("core-sw1", Severity::critical), "P1");  // impact high × urgency high
  EXPECT_EQ(at("core-sw1", Severity::minor), "P2");     // high × medium
  EXPECT_EQ(at("core-sw1", Severity::info), "P3");      // high × low
  EXPECT_EQ(at("dist-sw1", Severity::major), "P1");     // criticality high → impact high
  EXPECT_EQ(at("web01", Severity::major), "P2");        // medium × high
  EXPECT_EQ(at("web01", Severity::warning), "P3");      // medium × medium
  EXPECT_EQ(at("web01", Severity::info), "P4");         // medium × low
  EXPECT_EQ(at("web02", Severity::critical), "P3");     // low × high
  EXPECT_EQ(at("web02", Severity::minor), "P4");        // low × medium
  EXPECT_EQ(at("web02", Severity::info), "P5");         // low × low
}

TEST(Priority, UnknownResourceFollowsSeverityUnlessAnImpactIsConfigured) {
  PriorityConfig c;
  EXPECT_EQ(priority_of(c, nullptr, nullptr, problem("x", "x", Severity::critical)), "P1");
  EXPECT_EQ(priority_of(c, nullptr, nullptr, problem("x", "x", Severity::warning)), "P4");
  c.unknown_impact = Level::low;
  EXPECT_EQ(priority_of(c, nullptr, nullptr, problem("x", "x", Severity::critical)), "P3");
}

TEST(Priority, ServiceCriticalityRaisesImpactWhenConfigured) {
  PriorityConfig c;
  auto db = sample_cmdb();
  Event e = problem("web01", "x", Severity::major);
  EXPECT_EQ(priority_of(c, db.get(), db->find_id("web01"), e), "P2");
  c.service_criticality = true;  // web01 carries the critical `shop` service
  EXPECT_EQ(priority_of(c, db.get(), db->find_id("web01"), e), "P1");
}

TEST(Priority, PlatformPriorityIsKeptWhenConfigured) {
  PriorityConfig c;
  auto db = sample_cmdb();
  Event e = problem("core-sw1", "x", Severity::critical);
  e.attributes.emplace_back("priority", "4");
  EXPECT_EQ(priority_of(c, db.get(), db->find_id("core-sw1"), e), "P1") << "ignored unless configured";
  c.source_attribute = "priority";
  EXPECT_EQ(priority_of(c, db.get(), db->find_id("core-sw1"), e), "P4");
  e.attributes.back().second = "urgent";  // not a priority: computed
  EXPECT_EQ(priority_of(c, db.get(), db->find_id("core-sw1"), e), "P1");
  EXPECT_EQ(normalize_priority("p2"), "P2");
  EXPECT_EQ(normalize_priority("P6"), std::nullopt);
}

TEST(Priority, CustomMatrix) {
  PriorityConfig c;
  c.matrix[0] = {"P1", "P1", "P2"};
  auto db = sample_cmdb();
  EXPECT_EQ(priority_of(c, db.get(), db->find_id("core-sw1"), problem("core-sw1", "x", Severity::minor)), "P1");
}

// ---- assignment --------------------------------------------------------------------------------

TEST(Assignment, RulesOverrideTheOwnerInOrderThenTheDefault) {
  auto db = sample_cmdb();
  AssignmentConfig c;
  c.rules = {{"shop", "", "", "shop-oncall"}, {"", "dc1/*", "fan_failure", "facilities"}, {"", "", "bgp_down", "peering"}};
  EXPECT_EQ(assign_group(c, "noc", db->find_id("web01"), problem("web01")), "shop-oncall");
  EXPECT_EQ(assign_group(c, "noc", db->find_id("core-sw1"), problem("core-sw1", "fan_failure")), "facilities");
  EXPECT_EQ(assign_group(c, "noc", db->find_id("core-sw1"), problem("core-sw1")), "network-ops");
  EXPECT_EQ(assign_group(c, "noc", nullptr, problem("unknown", "bgp_down")), "peering");
  EXPECT_EQ(assign_group(c, "noc", nullptr, problem("unknown")), "noc");
  EXPECT_EQ(assign_group(c, "noc", db->find_id("dist-sw2"), problem("dist-sw2", "fan_failure")), "network-ops")
      << "dist-sw2 has no location";
}

TEST_F(IncidentEngineTest, AssignmentRuleSetsTheIncidentGroup) {
  CorrelatorConfig c = config();
  c.assignment.rules = {{"shop", "", "", "shop-oncall"}};
  correlator.set_config(c);
  auto changes = fold({problem("db01")});
  EXPECT_EQ(changes.incidents.at(0).group, "shop-oncall");
}

// ---- grouping --------------------------------------------------------------------------------------

TEST_F(IncidentEngineTest, AlertsOnTheSameCiWithinTheWindowShareAnIncident) {
  fold({problem("core-sw1", "interface_down", Severity::major, "1")});
  clock.advance_ms(300'000 - 1);
  auto changes = fold({problem("core-sw1", "fan_failure", Severity::critical)});
  ASSERT_EQ(unresolved().size(), 1u);
  const Incident i = unresolved()[0];
  EXPECT_EQ(i.alert_count, 2);
  EXPECT_EQ(i.symptom_count, 0);
  EXPECT_EQ(i.severity, Severity::critical);
  EXPECT_TRUE(changes.notifications.empty()) << "one page per incident";
  EXPECT_EQ(stats.value("tocsin_correlator_grouped_alerts_total"), 1);
}

TEST_F(IncidentEngineTest, AlertAtTheWindowEndOpensItsOwnIncident) {
  fold({problem("core-sw1", "interface_down", Severity::major, "1")});
  clock.advance_ms(300'000);
  fold({problem("core-sw1", "interface_down", Severity::major, "2")});
  EXPECT_EQ(unresolved().size(), 2u);
}

TEST_F(IncidentEngineTest, UnknownResourcesAreNotGrouped) {
  fold({problem("mystery", "a"), problem("mystery", "b")});
  EXPECT_EQ(unresolved().size(), 2u);
}

TEST_F(IncidentEngineTest, IncidentWithSeveralRootAlertsResolvesWhenTheLastClears) {
  fold({problem("core-sw1", "interface_down", Severity::major, "1"),
        problem("core-sw1", "interface_down", Severity::major, "2")});
  ASSERT_EQ(unresolved().size(), 1u);
  std::int64_t id = unresolved()[0].id;
  fold({clear("core-sw1", "interface_down", "1")});
  EXPECT_EQ(incidents[id].state, IncidentState::open);
  EXPECT_TRUE(timeline_has(id, "alert", "1 root alert(s) still firing"));
  fold({clear("core-sw1", "interface_down", "2")});
  EXPECT_EQ(incidents[id].state, IncidentState::resolved);
}

// ---- topology ----------------------------------------------------------------------------------------

TEST_F(IncidentEngineTest, AlertBelowAnOpenIncidentJoinsAsSymptomWithoutPaging) {
  auto root = fold({problem("core-sw1")});
  ASSERT_EQ(root.notifications.size(), 2u) << "core-sw1 has no upstream: paged at once";
  EXPECT_EQ(root.notifications[0].next_attempt_ms, clock.wall_ms());
  std::int64_t id = root.incidents[0].id;
  clock.advance_ms(5000);
  auto changes = fold({problem("web01", "http_down"), problem("db01", "ping_loss"), problem("dist-sw1")});
  EXPECT_TRUE(changes.notifications.empty());
  ASSERT_EQ(unresolved().size(), 1u);
  EXPECT_EQ(incidents[id].symptom_count, 3);
  EXPECT_EQ(incidents[id].alert_count, 4);
  for (const auto& a : firing()) {
    EXPECT_EQ(a.incident_id, id);
    EXPECT_EQ(a.symptom, a.ci != "core-sw1") << a.ci;
  }
  EXPECT_EQ(stats.value("tocsin_correlator_symptoms_total"), 3);
  EXPECT_EQ(incidents[id].priority, "P1");
  EXPECT_EQ(incidents[id].group, "network-ops");
}

TEST_F(IncidentEngineTest, SymptomsDoNotChangeTheRootIncidentsSeverity) {
  auto root = fold({problem("core-sw1", "interface_down", Severity::minor)});
  fold({problem("web01", "http_down", Severity::critical)});
  fold({problem("web01", "http_down", Severity::critical)});
  EXPECT_EQ(incidents[root.incidents[0].id].severity, Severity::minor);
}

TEST_F(IncidentEngineTest, IncidentBelowACiWithUpstreamHoldsItsPage) {
  auto changes = fold({problem("web01", "http_down")});
  ASSERT_EQ(changes.notifications.size(), 2u);
  EXPECT_EQ(changes.notifications[0].next_attempt_ms, clock.wall_ms() + 30'000);
  EXPECT_EQ(changes.incidents[0].hold_until_ms, clock.wall_ms() + 30'000);
  EXPECT_TRUE(timeline_has(changes.incidents[0].id, "held", "page held until"));
}

TEST_F(IncidentEngineTest, RootCauseInsideTheHoldWindowAdoptsEarlierIncidents) {
  auto first = fold({problem("web01", "http_down"), problem("web02", "http_down"), problem("db01", "ping_loss")});
  ASSERT_EQ(first.incidents.size(), 3u);
  clock.advance_ms(30'000 - 1);
  auto root = fold({problem("core-sw1")});
  ASSERT_EQ(unresolved().size(), 1u);
  const Incident r = unresolved()[0];
  EXPECT_EQ(r.ci, "core-sw1");
  EXPECT_EQ(r.symptom_count, 3);
  EXPECT_EQ(r.alert_count, 4);
  for (const auto& held : first.incidents) {
    const Incident& m = incidents[held.id];
    EXPECT_EQ(m.state, IncidentState::resolved);
    EXPECT_EQ(m.merged_into, r.id);
    EXPECT_TRUE(timeline_has(held.id, "merged", "merged into #" + std::to_string(r.id)));
  }
  EXPECT_TRUE(timeline_has(r.id, "adopted", "as symptoms"));
  ASSERT_EQ(root.cancelled_pages.size(), 3u);
  for (const auto& a : firing()) {
    EXPECT_EQ(a.incident_id, r.id);
    EXPECT_EQ(a.symptom, a.ci != "core-sw1");
  }
  auto live = live_pages();
  ASSERT_EQ(live.size(), 2u) << "one page per recipient, the root's";
  EXPECT_EQ(live[0].incident_id, r.id);
  EXPECT_EQ(live[1].incident_id, r.id);
  EXPECT_EQ(stats.value("tocsin_correlator_merged_incidents_total"), 3);
}

TEST_F(IncidentEngineTest, RootCauseExactlyAtTheHoldEndDoesNotAdopt) {
  auto first = fold({problem("web01", "http_down")});
  clock.advance_ms(30'000);
  auto root = fold({problem("core-sw1")});
  EXPECT_EQ(unresolved().size(), 2u) << "the held page was due: that incident is paged and stays";
  EXPECT_TRUE(root.cancelled_pages.empty());
  EXPECT_EQ(incidents[first.incidents[0].id].merged_into, 0);
}

TEST_F(IncidentEngineTest, RootCauseAfterTheHoldWindowOpensItsOwnIncident) {
  fold({problem("web01", "http_down")});
  clock.advance_ms(45'000);
  tick();
  fold({problem("core-sw1")});
  EXPECT_EQ(unresolved().size(), 2u);
  EXPECT_EQ(live_pages().size(), 4u);
  // A later symptom joins the nearest open upstream incident, the core's.
  auto later = fold({problem("db01", "ping_loss")});
  EXPECT_TRUE(later.notifications.empty());
}

TEST_F(IncidentEngineTest, NearestUpstreamIncidentWins) {
  auto dist = fold({problem("dist-sw1")});
  clock.advance_ms(60'000);  // past dist-sw1's hold: the core no longer adopts it
  fold({problem("core-sw1")});
  ASSERT_EQ(unresolved().size(), 2u);
  auto web = fold({problem("web01", "http_down")});
  EXPECT_TRUE(web.notifications.empty());
  EXPECT_EQ(alerts[web.alerts.at(0).id].incident_id, dist.incidents[0].id);
  EXPECT_TRUE(alerts[web.alerts.at(0).id].symptom);
}

TEST_F(IncidentEngineTest, MiddleRootCauseAdoptsThenIsAdoptedByTheCore) {
  fold({problem("web01", "http_down")});
  clock.advance_ms(1000);
  fold({problem("dist-sw1")});
  ASSERT_EQ(unresolved().size(), 1u);
  EXPECT_EQ(unresolved()[0].ci, "dist-sw1");
  clock.advance_ms(1000);
  fold({problem("core-sw1")});
  ASSERT_EQ(unresolved().size(), 1u);
  const Incident r = unresolved()[0];
  EXPECT_EQ(r.ci, "core-sw1");
  EXPECT_EQ(r.symptom_count, 2);
  EXPECT_EQ(live_pages().size(), 2u);
}

TEST_F(IncidentEngineTest, TopologyCanBeTurnedOff) {
  CorrelatorConfig c = config();
  c.topology.enabled = false;
  correlator.set_config(c);
  fold({problem("core-sw1")});
  auto changes = fold({problem("web01", "http_down")});
  EXPECT_EQ(unresolved().size(), 2u);
  EXPECT_EQ(changes.notifications.at(0).next_attempt_ms, clock.wall_ms());
}

// ---- resolution ------------------------------------------------------------------------------------------

TEST_F(IncidentEngineTest, RootClearResolvesTheIncidentAndItsSymptoms) {
  auto root = fold({problem("core-sw1")});
  std::int64_t id = root.incidents[0].id;
  fold({problem("web01", "http_down"), problem("db01", "ping_loss")});
  clock.advance_ms(60'000);
  fold({clear("core-sw1")});
  EXPECT_EQ(incidents[id].state, IncidentState::resolved);
  EXPECT_TRUE(firing().empty());
  for (const auto& [aid, a] : alerts) EXPECT_EQ(a.resolved_at_ms, clock.wall_ms());
  EXPECT_TRUE(timeline_has(id, "resolved", "2 symptom alert(s) resolved with their root cause"));
  EXPECT_EQ(correlator.firing_alert_count(), 0u);
  EXPECT_EQ(correlator.unresolved_incident_count(), 0u);
}

TEST_F(IncidentEngineTest, SymptomClearLeavesTheIncidentOpen) {
  auto root = fold({problem("core-sw1")});
  fold({problem("web01", "http_down")});
  fold({clear("web01", "http_down")});
  EXPECT_EQ(incidents[root.incidents[0].id].state, IncidentState::open);
  EXPECT_EQ(firing().size(), 1u);
}

TEST_F(IncidentEngineTest, ClearBeforeProblemHasNoEffect) {
  fold({clear("core-sw1")});
  EXPECT_TRUE(incidents.empty());
  EXPECT_EQ(stats.value("tocsin_correlator_clears_without_alert_total"), 1);
  fold({problem("core-sw1")});
  EXPECT_EQ(unresolved().size(), 1u);
}

TEST_F(IncidentEngineTest, AutoResolveHoldWaitsForQuiet) {
  CorrelatorConfig c = config();
  c.auto_resolve_hold_ms = 60'000;
  correlator.set_config(c);
  auto root = fold({problem("core-sw1")});
  std::int64_t id = root.incidents[0].id;
  fold({clear("core-sw1")});
  EXPECT_EQ(incidents[id].state, IncidentState::open);
  EXPECT_EQ(incidents[id].resolve_after_ms, clock.wall_ms() + 60'000);
  clock.advance_ms(60'000 - 1);
  tick();
  EXPECT_EQ(incidents[id].state, IncidentState::open) << "never early";
  clock.advance_ms(1);
  tick();
  EXPECT_EQ(incidents[id].state, IncidentState::resolved);
  EXPECT_TRUE(timeline_has(id, "resolved", "auto-resolve hold"));
}

TEST_F(IncidentEngineTest, FiringAgainDuringTheAutoResolveHoldKeepsTheIncident) {
  CorrelatorConfig c = config();
  c.auto_resolve_hold_ms = 60'000;
  c.grouping.window_ms = 1000;
  correlator.set_config(c);
  auto root = fold({problem("core-sw1")});
  std::int64_t id = root.incidents[0].id;
  clock.advance_ms(10'000);
  fold({clear("core-sw1")});
  clock.advance_ms(30'000);
  auto again = fold({problem("core-sw1")});
  EXPECT_TRUE(again.notifications.empty());
  EXPECT_EQ(incidents[id].resolve_after_ms, 0);
  EXPECT_TRUE(timeline_has(id, "alert", "auto-resolve cancelled"));
  clock.advance_ms(60'000);
  tick();
  EXPECT_EQ(incidents[id].state, IncidentState::open);
  EXPECT_EQ(unresolved().size(), 1u);
}

TEST_F(IncidentEngineTest, ResolvingByHandForgetsTheIncident) {
  auto root = fold({problem("core-sw1")});
  std::int64_t id = root.incidents[0].id;
  fold({problem("web01", "http_down")});
  ChangeSet changes;
  auto r = correlator.on_action({id, ActionKind::resolve, "alice", "fixed"}, clock.wall_ms(), changes);
  correlator.flush(changes);
  record(changes);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(firing().empty());
  auto next = fold({problem("web02", "http_down")});
  ASSERT_EQ(next.incidents.size(), 1u) << "no open upstream incident any more";
  EXPECT_NE(next.incidents[0].id, id);
}

// ---- restart --------------------------------------------------------------------------------------------------

TEST_F(IncidentEngineTest, RestoredStateKeepsSymptomsAndHeldPages) {
  fold({problem("web01", "http_down")});  // held incident
  auto root = fold({problem("dist-sw2")});  // held too (core upstream)
  fold({problem("db01", "ping_loss")});     // symptom of dist-sw2
  IdState ids{100, 100, 100};
  for (const auto& [id, i] : incidents) ids.incident = std::max(ids.incident, id);
  for (const auto& [id, a] : alerts) ids.alert = std::max(ids.alert, id);

  StatsRegistry stats2;
  Correlator restarted(config(), stats2);
  restarted.restore(ids, firing(), unresolved());
  clock.advance_ms(10'000);
  ChangeSet changes;
  restarted.on_event(problem("core-sw1"), clock.wall_ms(), changes);
  restarted.flush(changes);
  record(changes);
  EXPECT_EQ(changes.cancelled_pages.size(), 2u) << "both held incidents adopted after the restart";
  ASSERT_EQ(unresolved().size(), 1u);
  const Incident r = unresolved()[0];
  EXPECT_EQ(r.symptom_count, 3);
  EXPECT_EQ(live_pages().size(), 2u);

  ChangeSet cleared;
  restarted.on_event(clear("core-sw1"), clock.wall_ms(), cleared);
  restarted.flush(cleared);
  record(cleared);
  EXPECT_TRUE(firing().empty()) << "symptoms restored with their incident resolve with it";
  EXPECT_EQ(restarted.unresolved_incident_count(), 0u);
}

TEST_F(IncidentEngineTest, RestoredAutoResolveTimerFiresOnce) {
  CorrelatorConfig c = config();
  c.auto_resolve_hold_ms = 60'000;
  correlator.set_config(c);
  fold({problem("core-sw1")});
  fold({clear("core-sw1")});
  StatsRegistry stats2;
  Correlator restarted(c, stats2);
  restarted.restore({}, firing(), unresolved());
  ChangeSet early;
  restarted.on_tick(clock.wall_ms() + 59'999, early);
  EXPECT_TRUE(early.incidents.empty());
  ChangeSet due;
  restarted.on_tick(clock.wall_ms() + 60'000, due);
  restarted.flush(due);
  ASSERT_EQ(due.incidents.size(), 1u);
  EXPECT_EQ(due.incidents[0].state, IncidentState::resolved);
  ChangeSet again;
  restarted.on_tick(clock.wall_ms() + 120'000, again);
  EXPECT_TRUE(again.incidents.empty());
}

TEST_F(IncidentEngineTest, CmdbReloadKeepsAlertState) {
  auto root = fold({problem("core-sw1")});
  CorrelatorConfig c = config();
  c.cmdb = sample_cmdb();  // a new snapshot: other CI indexes are possible
  correlator.set_config(c);
  auto changes = fold({problem("web01", "http_down")});
  EXPECT_TRUE(changes.notifications.empty());
  EXPECT_EQ(incidents[root.incidents[0].id].symptom_count, 1);
}

}  // namespace
}  // namespace tocsin

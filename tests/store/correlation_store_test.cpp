// The store keeps what the incident engine needs across a restart: CMDB
// enrichment and topology fields of alerts and incidents, the CMDB gap list,
// and cancelled held pages.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "store/sqlite/sqlite_store.hpp"

namespace tocsin {
namespace {

namespace fs = std::filesystem;

class CorrelationStoreTest : public ::testing::Test {
 protected:
  CorrelationStoreTest() {
    std::string pattern = (fs::temp_directory_path() / "tocsin-corr-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
  }
  ~CorrelationStoreTest() override { fs::remove_all(dir_); }
  std::string path() const { return (dir_ / "tocsin.db").string(); }

  fs::path dir_;
};

Incident root_incident() {
  Incident i;
  i.id = 7;
  i.title = "core-sw1 down";
  i.priority = "P1";
  i.ci = "core-sw1";
  i.criticality = "critical";
  i.cmdb = CiFields::copy_of("core-sw1", {"payments", "intranet"}, "dc1/row-a", "https://wiki.example.net/core");
  i.group = "network-ops";
  i.root_alert_id = 3;
  i.symptom_count = 500;
  i.hold_until_ms = 1'700'000'030'000;
  i.resolve_after_ms = 1'700'000'090'000;
  i.opened_at_ms = i.updated_at_ms = 1'700'000'000'000;
  return i;
}

TEST_F(CorrelationStoreTest, EnrichmentAndTopologyFieldsSurviveARestart) {
  {
    SqliteStore store(path());
    ChangeSet c;
    c.incidents.push_back(root_incident());
    Incident merged = root_incident();
    merged.id = 8;
    merged.state = IncidentState::resolved;
    merged.merged_into = 7;
    c.incidents.push_back(merged);
    Alert a;
    a.id = 3;
    a.fingerprint = "fp";
    a.name = "host_down";
    a.resource = "10.0.9.9";
    a.incident_id = 7;
    a.ci = "web01";
    a.group = "web-team";
    a.criticality = "medium";
    a.cmdb = CiFields::copy_of("web01.example.net", {"shop"}, "dc1/row-b", "https://wiki.example.net/web");
    a.symptom = true;
    c.alerts.push_back(a);
    store.commit(c);
  }
  SqliteStore reopened(path());
  auto incidents = reopened.unresolved_incidents();
  ASSERT_EQ(incidents.size(), 1u);
  const Incident& i = incidents[0];
  EXPECT_EQ(i.cmdb.name(), "core-sw1");
  EXPECT_EQ(i.criticality, "critical");
  EXPECT_EQ(i.cmdb.services(), (std::vector<std::string>{"payments", "intranet"}));
  EXPECT_EQ(i.cmdb.location(), "dc1/row-a");
  EXPECT_EQ(i.cmdb.runbook(), "https://wiki.example.net/core");
  EXPECT_EQ(i.root_alert_id, 3);
  EXPECT_EQ(i.symptom_count, 500);
  EXPECT_EQ(i.hold_until_ms, 1'700'000'030'000);
  EXPECT_EQ(i.resolve_after_ms, 1'700'000'090'000);
  EXPECT_EQ(reopened.incident(8)->incident.merged_into, 7);
  auto alerts = reopened.firing_alerts();
  ASSERT_EQ(alerts.size(), 1u);
  const Alert& a = alerts[0];
  EXPECT_EQ(a.ci, "web01");
  EXPECT_EQ(a.cmdb.name(), "web01.example.net");
  EXPECT_EQ(a.group, "web-team");
  EXPECT_EQ(a.criticality, "medium");
  EXPECT_EQ(a.cmdb.services(), (std::vector<std::string>{"shop"}));
  EXPECT_EQ(a.cmdb.location(), "dc1/row-b");
  EXPECT_EQ(a.cmdb.runbook(), "https://wiki.example.net/web");
  EXPECT_TRUE(a.symptom);
}

TEST_F(CorrelationStoreTest, GapCountsAddUpAcrossBatches) {
  SqliteStore store(path());
  ChangeSet first;
  first.cmdb_gaps = {{"mystery", "syslog", 3, 1000, 2000}, {"rare", "snmp", 1, 1500, 1500}};
  store.commit(first);
  ChangeSet second;
  second.cmdb_gaps = {{"mystery", "snmp", 2, 5000, 6000}};
  store.commit(second);
  auto gaps = store.cmdb_gaps(10);
  ASSERT_EQ(gaps.size(), 2u);
  EXPECT_EQ(gaps[0].resource, "mystery");
  EXPECT_EQ(gaps[0].count, 5);
  EXPECT_EQ(gaps[0].first_seen_ms, 1000);
  EXPECT_EQ(gaps[0].last_seen_ms, 6000);
  EXPECT_EQ(gaps[0].source, "snmp");
  EXPECT_EQ(gaps[1].resource, "rare");
  EXPECT_EQ(store.cmdb_gaps(1).size(), 1u);
}

TEST_F(CorrelationStoreTest, HeldPageIsDurableAndCancelledWithItsMergedIncident) {
  SqliteStore store(path());
  ChangeSet c;
  Incident held = root_incident();
  held.id = 9;
  c.incidents.push_back(held);
  Notification n;
  n.incident_id = 9;
  n.channel = "email";
  n.recipient = "noc@example.net";
  n.subject = "[P2] #9";
  n.created_at_ms = 1000;
  n.next_attempt_ms = 31'000;
  c.notifications.push_back(n);
  store.commit(c);
  EXPECT_TRUE(store.claim_due(30'999, 10).empty()) << "held: not due before its time";
  ChangeSet merge;
  merge.cancelled_pages = {9};
  store.commit(merge);
  EXPECT_TRUE(store.claim_due(100'000, 10).empty());
  auto pages = store.notifications(9);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].state, NotificationState::cancelled);
  EXPECT_EQ(store.pending_notifications(), 0);
}

}  // namespace
}  // namespace tocsin

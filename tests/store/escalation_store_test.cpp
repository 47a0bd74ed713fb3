// The store keeps an incident's SLA clocks and escalation timer across a
// restart, so the next step fires at its stored time.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "store/sqlite/sqlite_store.hpp"

namespace tocsin {
namespace {

namespace fs = std::filesystem;

TEST(EscalationStoreTest, SlaDueTimesLevelAndNextEscalationSurviveARestart) {
  std::string pattern = (fs::temp_directory_path() / "tocsin-esc-XXXXXX").string();
  fs::path dir = ::mkdtemp(pattern.data());
  std::string path = (dir / "tocsin.db").string();
  {
    SqliteStore store(path);
    ChangeSet c;
    Incident i;
    i.id = 3;
    i.title = "core-sw1 down";
    i.priority = "P1";
    i.group = "network-ops";
    i.opened_at_ms = i.updated_at_ms = 1'700'000'000'000;
    i.sla = {1'700'000'600'000, 1'700'003'600'000, true, false};
    i.escalation_level = 2;
    i.next_escalation_ms = 1'700'001'800'000;
    i.reopened_at_ms = 1'700'000'300'000;
    c.incidents.push_back(i);
    store.commit(c);
  }
  SqliteStore reopened(path);
  auto incidents = reopened.unresolved_incidents();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].sla.ack_due_ms, 1'700'000'600'000);
  EXPECT_EQ(incidents[0].sla.resolve_due_ms, 1'700'003'600'000);
  EXPECT_TRUE(incidents[0].sla.ack_breached);
  EXPECT_EQ(incidents[0].escalation_level, 2);
  EXPECT_EQ(incidents[0].next_escalation_ms, 1'700'001'800'000);
  EXPECT_EQ(incidents[0].reopened_at_ms, 1'700'000'300'000);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tocsin

// Suppression state in the embedded store: silences (added, then expired by
// hand) and API maintenance windows survive a reopen, a removed window is not
// reloaded but its id is never reused, and a suppressed alert is restored with
// the firing ones and listed by what suppresses it.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "correlator/suppression/suppression.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace tocsin {
namespace {

using test::TempDir;

suppression::Silence silence(std::int64_t id, std::int64_t end_ms) {
  suppression::Silence s;
  s.id = id;
  s.matchers = {{"ci", suppression::MatchOp::equal, "db01", nullptr},
                {"attr.mount", suppression::MatchOp::not_regex, "/home.*", nullptr}};
  s.start_ms = 1000;
  s.end_ms = end_ms;
  s.author = "alice";
  s.comment = "disk swap";
  s.created_at_ms = 900;
  return s;
}

suppression::MaintenanceWindow window(std::string id) {
  suppression::MaintenanceWindow w;
  w.id = std::move(id);
  w.schedule = suppression::Schedule::weekly;
  w.at_minute = 22 * 60;
  w.duration_ms = 4 * 3'600'000;
  w.days = 0b1000001;
  w.time_zone = "Europe/Paris";
  w.cis = {"core-sw1", "core-sw2"};
  w.include_dependents = true;
  w.author = "bob";
  w.comment = "weekend works";
  w.created_at_ms = 800;
  return w;
}

TEST(SqliteSuppression, SilencesAndWindowsSurviveAReopen) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  {
    SqliteStore store(path);
    ChangeSet c;
    c.silences = {silence(1, 5000), silence(2, 9000)};
    c.maintenance = {window("1"), window("2")};
    store.commit(c);
    ChangeSet expire;
    expire.silences = {silence(2, 3000)};  // expired by hand: end moved to now
    expire.removed_maintenance = {{"2", 3000}};
    store.commit(expire);
  }
  SqliteStore store(path);
  auto silences = store.silences(0);
  ASSERT_EQ(silences.size(), 2u);
  EXPECT_EQ(silences[0].id, 1);
  EXPECT_EQ(silences[1].end_ms, 3000);
  ASSERT_EQ(silences[0].matchers.size(), 2u);
  EXPECT_EQ(silences[0].matchers[1].field, "attr.mount");
  EXPECT_EQ(silences[0].matchers[1].op, suppression::MatchOp::not_regex);
  EXPECT_EQ(silences[0].matchers[1].value, "/home.*");
  EXPECT_EQ(silences[0].author, "alice");
  EXPECT_EQ(silences[0].comment, "disk swap");
  EXPECT_EQ(silences[0].created_at_ms, 900);
  EXPECT_EQ(store.silences(4000).size(), 1u) << "only those that end after the bound";

  auto windows = store.maintenance_windows();
  ASSERT_EQ(windows.size(), 1u) << "the removed window is not reloaded";
  const auto& w = windows[0];
  EXPECT_EQ(w.id, "1");
  EXPECT_EQ(w.schedule, suppression::Schedule::weekly);
  EXPECT_EQ(w.at_minute, 22 * 60);
  EXPECT_EQ(w.duration_ms, 4 * 3'600'000);
  EXPECT_EQ(w.days, 0b1000001);
  EXPECT_EQ(w.time_zone, "Europe/Paris");
  EXPECT_EQ(w.cis, (std::vector<std::string>{"core-sw1", "core-sw2"}));
  EXPECT_TRUE(w.include_dependents);
  EXPECT_EQ(w.author, "bob");
  EXPECT_FALSE(w.from_config);

  IdState ids = store.max_ids();
  EXPECT_EQ(ids.silence, 2);
  EXPECT_EQ(ids.maintenance, 2) << "a removed window's id is not reused";
}

TEST(SqliteSuppression, SuppressedAlertIsRestoredAndListedByWhatSuppressesIt) {
  TempDir dir;
  SqliteStore store(dir.file("tocsin.db"));
  Alert a;
  a.id = 1;
  a.fingerprint = "fp1";
  a.name = "disk_full";
  a.resource = "db01";
  a.severity = Severity::major;
  a.state = AlertState::suppressed;
  a.first_seen_ms = a.last_seen_ms = 5;
  a.count = 1;
  a.source = "syslog";
  a.suppressed_by = "silence:7";
  Alert b = a;
  b.id = 2;
  b.fingerprint = "fp2";
  b.state = AlertState::resolved;
  b.suppressed_by = "maintenance:core";
  ChangeSet c;
  c.alerts = {a, b};
  store.commit(c);

  auto firing = store.firing_alerts();
  ASSERT_EQ(firing.size(), 1u);
  EXPECT_EQ(firing[0].state, AlertState::suppressed);
  EXPECT_EQ(firing[0].suppressed_by, "silence:7");
  EXPECT_EQ(firing[0].source, "syslog");
  EXPECT_EQ(firing[0].incident_id, 0);

  AlertFilter f;
  f.state = AlertState::suppressed;
  EXPECT_EQ(store.alerts(f).size(), 1u);
  AlertFilter by;
  by.suppressed_by = "maintenance:core";
  auto found = store.alerts(by);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, 2);
}

TEST(SqliteSuppression, TheSchemaStepIsTheLatest) {
  TempDir dir;
  SqliteStore store(dir.file("tocsin.db"));
  auto steps = sqlite::schema_migrations();
  ASSERT_EQ(static_cast<int>(steps.size()), sqlite::latest_schema_version());
  bool found = false;
  for (const auto& s : steps) found = found || s.description.find("suppression") != std::string_view::npos;
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace tocsin

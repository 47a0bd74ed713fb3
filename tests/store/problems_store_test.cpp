// The store's side of auto-close, recurrence and the CMDB overlay, on real
// SQLite files: which resolved incidents are due, problem candidates by CI
// (and that the query reads an index, not the table), the overlay rows and
// the CI history.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "store/sqlite/sqlite.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace tocsin {
namespace {

using testing::HasSubstr;

constexpr std::int64_t t0 = 1'700'000'000'000;
constexpr std::int64_t day = 86'400'000;

using test::TempDir;

Incident incident(std::int64_t id, std::string ci, std::int64_t opened, IncidentState state = IncidentState::open) {
  Incident i;
  i.id = id;
  i.title = "outage on " + ci;
  i.state = state;
  i.priority = "P3";
  i.ci = std::move(ci);
  i.group = "noc";
  i.cmdb = CiFields::copy_of("", {"payments"}, "", "");
  i.opened_at_ms = i.updated_at_ms = opened;
  if (state == IncidentState::resolved || state == IncidentState::closed) i.resolved_at_ms = opened + 60'000;
  if (state == IncidentState::closed) i.closed_at_ms = opened + 120'000;
  return i;
}

class ProblemsStoreTest : public ::testing::Test {
 protected:
  ProblemsStoreTest() : store(dir.file("tocsin.db")) {}
  void commit(std::vector<Incident> incidents) {
    ChangeSet c;
    c.incidents = std::move(incidents);
    store.commit(c);
  }
  TempDir dir;
  SqliteStore store;
};

TEST_F(ProblemsStoreTest, ResolvedBeforeListsOnlyResolvedOnesDueEarliestFirst) {
  commit({incident(1, "a", t0, IncidentState::resolved), incident(2, "b", t0 - day, IncidentState::resolved),
          incident(3, "c", t0 - 2 * day, IncidentState::closed), incident(4, "d", t0 - 3 * day),
          incident(5, "e", t0 + day, IncidentState::resolved)});
  auto due = store.resolved_before(t0 + 60'000, 10);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].id, 2);
  EXPECT_EQ(due[1].id, 1);
  EXPECT_EQ(store.resolved_before(t0 + 60'000, 1).size(), 1u);
}

TEST_F(ProblemsStoreTest, RecurrenceCountSurvivesTheRoundTrip) {
  Incident i = incident(1, "a", t0);
  i.recurrence_count = 4;
  commit({i});
  EXPECT_EQ(store.incident(1)->incident.recurrence_count, 4);
}

TEST_F(ProblemsStoreTest, ProblemsCountIncidentsPerCiWithinTheWindow) {
  std::vector<Incident> all;
  std::int64_t id = 0;
  for (int k = 0; k < 4; ++k) all.push_back(incident(++id, "core-sw1", t0 + k * day));
  for (int k = 0; k < 2; ++k) all.push_back(incident(++id, "db1", t0 + k * day));
  all.push_back(incident(++id, "core-sw1", t0 - 40 * day));  // outside the window
  Incident merged = incident(++id, "core-sw1", t0 + 5 * day);
  merged.merged_into = 1;
  all.push_back(merged);
  for (int k = 0; k < 3; ++k) all.push_back(incident(++id, "web1", t0 + k * day, IncidentState::closed));
  commit(all);

  auto problems = store.problems({.since_ms = t0 - 30 * day, .min_incidents = 3, .limit = 10});
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].ci, "core-sw1");
  EXPECT_EQ(problems[0].incident_count, 4);
  EXPECT_EQ(problems[0].first_opened_ms, t0);
  EXPECT_EQ(problems[0].last.id, 4);
  EXPECT_EQ(problems[0].last.cmdb.services(), std::vector<std::string>{"payments"});
  EXPECT_EQ(problems[1].ci, "web1");
  EXPECT_EQ(problems[1].incident_count, 3);
  EXPECT_EQ(store.problems({.since_ms = t0 - 30 * day, .min_incidents = 2, .limit = 10}).size(), 3u);
  EXPECT_EQ(store.problems({.since_ms = t0 - 30 * day, .min_incidents = 1, .limit = 1}).size(), 1u);

  auto openings = store.incident_openings(t0);
  EXPECT_EQ(openings.size(), 9u);  // not the old one, not the merged one
  EXPECT_EQ(openings.front().opened_at_ms, t0);
}

// The grouping reads the covering index over the window only, and auto-close
// a range of its index: both stay cheap with years of incidents.
TEST_F(ProblemsStoreTest, ProblemAndAutoCloseQueriesUseTheirIndexes) {
  sqlite::Database db(dir.file("tocsin.db"));
  auto plan = [&](const std::string& sql) {
    std::string out;
    sqlite::Statement stmt(db.handle(), "EXPLAIN QUERY PLAN " + sql);
    while (stmt.step()) out += stmt.column_text(3) + "\n";
    return out;
  };
  std::string problems = plan(SqliteStore::problems_query());
  EXPECT_THAT(problems, HasSubstr("SEARCH incidents USING COVERING INDEX incidents_by_opened_ci (opened_at_ms>?)"));
  EXPECT_THAT(problems, testing::Not(HasSubstr("SCAN incidents")));
  EXPECT_THAT(
      plan("SELECT id FROM incidents WHERE state = 'resolved' AND resolved_at_ms <= 5 ORDER BY resolved_at_ms, id"),
      HasSubstr("incidents_resolved_due"));
}

TEST_F(ProblemsStoreTest, OverlayRowsAndHistoryAreKept) {
  CmdbChange c;
  c.upserts.push_back({"web1", false, R"({"id":"web1"})", t0, "alice"});
  c.upserts.push_back({"db1", true, "", t0, "bob"});
  c.history.push_back({0, "web1", t0, "alice", "api", "created", R"({"id":{"before":null,"after":"web1"}})"});
  store.commit_cmdb(c);
  CmdbChange d;
  d.erased.push_back("db1");
  d.history.push_back({0, "web1", t0 + 1, "bob", "api", "replaced", R"({"criticality":{}})"});
  store.commit_cmdb(d);

  auto rows = store.cmdb_overlay();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].id, "web1");
  EXPECT_FALSE(rows[0].deleted);
  EXPECT_EQ(rows[0].ci_json, R"({"id":"web1"})");
  EXPECT_EQ(rows[0].actor, "alice");

  auto history = store.ci_history("web1", 10);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].action, "replaced");  // newest first
  EXPECT_EQ(history[0].actor, "bob");
  EXPECT_EQ(history[1].action, "created");
  EXPECT_EQ(history[1].source, "api");
  EXPECT_TRUE(store.ci_history("db1", 10).empty());
}

TEST_F(ProblemsStoreTest, HistorySourceIsChecked) {
  CmdbChange c;
  c.history.push_back({0, "web1", t0, "alice", "telepathy", "created", "{}"});
  EXPECT_THROW(store.commit_cmdb(c), std::runtime_error);
  EXPECT_TRUE(store.ci_history("web1", 10).empty());
}

}  // namespace
}  // namespace tocsin

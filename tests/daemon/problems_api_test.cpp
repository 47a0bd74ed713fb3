// Query parameters of GET /api/v1/problems and the JSON of a problem candidate
// and a CI history entry.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "daemon/api.hpp"
#include "daemon/json.hpp"

namespace tocsin::api {
namespace {

namespace json = boost::json;
constexpr std::int64_t now = 1'700'000'000'000;
constexpr std::int64_t day = 86'400'000;

ApiRequest with(std::vector<std::pair<std::string, std::string>> query) {
  ApiRequest r;
  r.query = std::move(query);
  return r;
}

TEST(ProblemFilter, DefaultsAreThirtyDaysAndThreeIncidents) {
  ProblemFilter f;
  EXPECT_FALSE(parse_problem_filter(with({}), now, f));
  EXPECT_EQ(f.since_ms, now - 30 * day);
  EXPECT_EQ(f.min_incidents, 3);
  EXPECT_EQ(f.limit, 100);
}

TEST(ProblemFilter, WindowMinAndLimitAreRead) {
  ProblemFilter f;
  EXPECT_FALSE(parse_problem_filter(with({{"window", "12h"}, {"min", "5"}, {"limit", "7"}}), now, f));
  EXPECT_EQ(f.since_ms, now - 12 * 3'600'000);
  EXPECT_EQ(f.min_incidents, 5);
  EXPECT_EQ(f.limit, 7);
}

TEST(ProblemFilter, BadValuesNameTheirField) {
  for (auto [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"window", "soon"}, {"window", "0s"}, {"min", "0"}, {"min", "x"}, {"limit", "5000"}, {"windw", "1d"}}) {
    ProblemFilter f;
    auto e = parse_problem_filter(with({{key, value}}), now, f);
    ASSERT_TRUE(e) << key << "=" << value;
    EXPECT_EQ(e->field, key);
  }
}

TEST(ProblemJson, CarriesCountsTheLatestIncidentAndItsServices) {
  ProblemCandidate p;
  p.ci = "core-sw1";
  p.incident_count = 4;
  p.first_opened_ms = now - 3 * day;
  p.last.id = 42;
  p.last.title = "core-sw1 down";
  p.last.state = IncidentState::closed;
  p.last.priority = "P1";
  p.last.opened_at_ms = now;
  p.last.group = "network-ops";
  p.last.cmdb = CiFields::copy_of("", {"payments"}, "", "");
  json::value v = to_json(p);
  EXPECT_EQ(v.at("ci"), "core-sw1");
  EXPECT_EQ(v.at("incident_count"), 4);
  EXPECT_EQ(v.at("last_incident").at("id"), 42);
  EXPECT_EQ(v.at("last_incident").at("state"), "closed");
  EXPECT_EQ(v.at("group"), "network-ops");
  EXPECT_EQ(v.at("services").at(0), "payments");
}

TEST(CiHistoryJson, ChangesAreAnObject) {
  CiHistoryEntry h{3, "db1", now, "alice", "api", "replaced", R"({"criticality":{"before":"low","after":"high"}})"};
  json::value v = to_json(h);
  EXPECT_EQ(v.at("actor"), "alice");
  EXPECT_EQ(v.at("changes").at("criticality").at("after"), "high");
}

TEST(IncidentJson, RecurrenceCountIsShown) {
  Incident i;
  i.recurrence_count = 5;
  EXPECT_EQ(to_json(i).at("recurrence_count"), 5);
}

}  // namespace
}  // namespace tocsin::api

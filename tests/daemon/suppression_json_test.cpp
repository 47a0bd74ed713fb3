// Bodies of POST /api/v1/silences and /api/v1/maintenance: what they accept,
// what they refuse (with the field and a reason), and the JSON of the records.
#include "daemon/suppression_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "correlator/suppression/suppression.hpp"
#include "daemon/json.hpp"
#include "daemon/suppression_settings.hpp"

namespace tocsin::api {
namespace {

namespace json = boost::json;

TEST(SilenceBodyTest, ReadsMatchersTimesAndComment) {
  suppression::Silence s;
  std::int64_t duration = 0;
  auto e = silence_from_json(R"({"matchers": [{"field": "ci", "value": "db01"},
      {"field": "name", "op": "=~", "value": "disk_.*"}, {"field": "severity", "op": "!=", "value": "critical"}],
      "start": "2026-12-05T22:00:00Z", "duration": "2h", "comment": "CHG-1"})",
                             s, duration);
  ASSERT_FALSE(e) << e->problem.field << ": " << e->problem.message;
  ASSERT_EQ(s.matchers.size(), 3u);
  EXPECT_EQ(s.matchers[0].op, suppression::MatchOp::equal) << "= by default";
  EXPECT_EQ(s.matchers[1].op, suppression::MatchOp::regex);
  EXPECT_EQ(s.matchers[2].op, suppression::MatchOp::not_equal);
  EXPECT_EQ(*parse_time("2026-12-05T22:00:00Z"), s.start_ms);
  EXPECT_EQ(duration, 2 * 3'600'000);
  EXPECT_EQ(s.comment, "CHG-1");
}

TEST(SilenceBodyTest, RefusesWithTheFieldAndAReason) {
  struct Case {
    const char* body;
    const char* field;
    BodyRejection reason;
  };
  const Case cases[] = {
      {"{", "", BodyRejection::invalid_json},
      {"[]", "", BodyRejection::invalid_json},
      {R"({"matchers": [{"field": "ci", "value": "a"}], "duration": "1h", "comment": "x", "by": "me"})", "by",
       BodyRejection::unknown_field},
      {R"({"matchers": [], "duration": "1h", "comment": "x"})", "matchers", BodyRejection::invalid_value},
      {R"({"matchers": [{"field": "ci", "value": "a", "x": 1}], "duration": "1h"})", "matchers[0].x",
       BodyRejection::unknown_field},
      {R"({"matchers": [{"field": "ci", "op": "==", "value": "a"}], "duration": "1h"})", "matchers[0].op",
       BodyRejection::invalid_value},
      {R"({"matchers": [{"field": "ci"}], "duration": "1h"})", "matchers[0].value", BodyRejection::invalid_value},
      {R"({"matchers": [{"value": "a"}], "duration": "1h"})", "matchers[0].field", BodyRejection::invalid_value},
      {R"({"matchers": [{"field": "ci", "value": 3}], "duration": "1h"})", "matchers[0].value",
       BodyRejection::invalid_value},
      {R"({"matchers": [{"field": "ci", "value": "a"}], "duration": "soon"})", "duration", BodyRejection::invalid_value},
      {R"({"matchers": [{"field": "ci", "value": "a"}], "end": "tomorrow"})", "end", BodyRejection::invalid_value},
      {R"({"matchers": [{"field": "ci", "value": "a"}], "end": "2026-12-05T22:00:00Z", "duration": "1h"})", "end",
       BodyRejection::invalid_value},
  };
  for (const auto& c : cases) {
    suppression::Silence s;
    std::int64_t duration = 0;
    auto e = silence_from_json(c.body, s, duration);
    ASSERT_TRUE(e) << c.body;
    EXPECT_EQ(e->problem.field, c.field) << c.body;
    EXPECT_EQ(e->reason, c.reason) << c.body;
    EXPECT_FALSE(e->problem.message.empty());
  }
  std::string many = R"({"matchers": [)";
  for (int i = 0; i < 40; ++i) many += std::string(i ? "," : "") + R"({"field": "ci", "value": "a"})";
  many += R"(], "duration": "1h"})";
  suppression::Silence s;
  std::int64_t duration = 0;
  auto e = silence_from_json(many, s, duration);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->problem.field, "matchers");
}

TEST(WindowBodyTest, ReadsOneOffAndWeeklyWindows) {
  suppression::MaintenanceWindow once;
  auto e = window_from_json(R"({"cis": ["core-sw1"], "include_dependents": true, "start": "2026-12-05T22:00:00Z",
      "end": "2026-12-06T02:00:00Z", "comment": "upgrade"})",
                            once);
  ASSERT_FALSE(e) << e->problem.field << ": " << e->problem.message;
  EXPECT_EQ(once.schedule, suppression::Schedule::once);
  EXPECT_TRUE(once.include_dependents);
  EXPECT_EQ(once.end_ms - once.start_ms, 4 * 3'600'000);
  EXPECT_FALSE(suppression::validate(once));

  suppression::MaintenanceWindow weekly;
  e = window_from_json(R"({"cis": ["db01"], "schedule": "weekly", "days": ["sat", "Sun"], "at": "01:30",
      "duration": "3h", "time_zone": "Europe/Paris"})",
                       weekly);
  ASSERT_FALSE(e) << e->problem.field << ": " << e->problem.message;
  EXPECT_EQ(weekly.at_minute, 90);
  EXPECT_EQ(weekly.days, 0b1000001);
  EXPECT_EQ(weekly.time_zone, "Europe/Paris");
  EXPECT_FALSE(suppression::validate(weekly));
}

TEST(WindowBodyTest, RefusesWithTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"start": "2026-12-05T22:00:00Z", "end": "2026-12-06T02:00:00Z"})", "cis"},
      {R"({"cis": "core-sw1", "start": "2026-12-05T22:00:00Z", "end": "2026-12-06T02:00:00Z"})", "cis"},
      {R"({"cis": ["a"], "end": "2026-12-06T02:00:00Z"})", "start"},
      {R"({"cis": ["a"], "start": "2026-12-05T22:00:00Z", "end": "2026-12-06T02:00:00Z", "at": "22:00"})", "at"},
      {R"({"cis": ["a"], "schedule": "monthly"})", "schedule"},
      {R"({"cis": ["a"], "schedule": "daily", "at": "25:00", "duration": "1h"})", "at"},
      {R"({"cis": ["a"], "schedule": "daily", "at": "22:00"})", "duration"},
      {R"({"cis": ["a"], "schedule": "daily", "at": "22:00", "duration": "1h", "days": ["mon"]})", "days"},
      {R"({"cis": ["a"], "schedule": "weekly", "at": "22:00", "duration": "1h", "days": ["someday"]})", "days"},
      {R"({"cis": ["a"], "schedule": "weekly", "at": "22:00", "duration": "1h", "start": "2026-12-05T22:00:00Z"})",
       "start"},
      {R"({"cis": ["a"], "include_dependents": "yes", "start": "2026-12-05T22:00:00Z", "end": "2026-12-06T02:00:00Z"})",
       "include_dependents"},
      {R"({"cis": ["a"], "start": "2026-12-05T22:00:00Z", "end": "2026-12-06T02:00:00Z", "owner": "me"})", "owner"},
  };
  for (const auto& [body, field] : cases) {
    suppression::MaintenanceWindow w;
    auto e = window_from_json(body, w);
    ASSERT_TRUE(e) << body;
    EXPECT_EQ(e->problem.field, field) << body << ": " << e->problem.message;
  }
}

TEST(SuppressionJsonTest, WindowShowsItsCurrentAndNextOccurrence) {
  suppression::MaintenanceWindow w;
  w.id = "nightly";
  w.from_config = true;
  w.schedule = suppression::Schedule::daily;
  w.at_minute = 22 * 60;
  w.duration_ms = 4 * 3'600'000;
  w.cis = {"db01"};
  std::int64_t now = *parse_time("2026-12-05T23:00:00Z");
  json::value v = to_json(w, now);
  EXPECT_EQ(v.at("source"), "config");
  EXPECT_EQ(v.at("active"), true);
  EXPECT_EQ(v.at("at"), "22:00");
  EXPECT_EQ(v.at("current").at("start"), "2026-12-05T22:00:00.000Z");
  EXPECT_EQ(v.at("current").at("end"), "2026-12-06T02:00:00.000Z");
  EXPECT_EQ(v.at("next").at("start"), "2026-12-06T22:00:00.000Z");
  EXPECT_EQ(v.at("suppresses"), "maintenance:nightly");

  suppression::Silence s;
  s.id = 4;
  s.matchers = {{"ci", suppression::MatchOp::regex, "db.*", nullptr}};
  s.start_ms = now;
  s.end_ms = now + 1000;
  json::value sv = to_json(s, now + 1000);
  EXPECT_EQ(sv.at("state"), "expired") << "the end is exclusive";
  EXPECT_EQ(sv.at("matchers").at(0).at("op"), "=~");
}

const config::Section& root() {
  static const config::Section s{"(top level)", "", {{"maintenance", config::Type::list, "", ""}}};
  return s;
}

std::vector<suppression::MaintenanceWindow> load(const std::string& yaml, config::Errors& errors) {
  config::Node n(YAML::Load(yaml), root(), "tocsin.yaml", "", errors);
  return load_maintenance_settings(n);
}

TEST(MaintenanceSettingsTest, LoadsOneOffAndRecurringWindows) {
  config::Errors errors;
  auto windows = load(R"(
maintenance:
  - name: core-upgrade
    cis: [core-sw1]
    include_dependents: true
    start: 2026-12-05T22:00:00Z
    end: 2026-12-06T02:00:00Z
  - name: backups
    cis: [db01, db02]
    schedule: weekly
    days: [sat, sun]
    at: "01:00"
    duration: 3h
    time_zone: Europe/Paris
    comment: nightly backups
)",
                      errors);
  ASSERT_TRUE(errors.empty()) << errors.joined();
  ASSERT_EQ(windows.size(), 2u);
  EXPECT_EQ(windows[0].id, "core-upgrade");
  EXPECT_TRUE(windows[0].from_config);
  EXPECT_TRUE(windows[0].include_dependents);
  EXPECT_EQ(windows[1].schedule, suppression::Schedule::weekly);
  EXPECT_EQ(windows[1].at_minute, 60);
  EXPECT_EQ(windows[1].days, 0b1000001);
}

TEST(MaintenanceSettingsTest, RejectsBadWindowsWithFileAndLine) {
  config::Errors errors;
  load(R"(
maintenance:
  - name: "42"
    cis: [a]
    start: 2026-12-05T22:00:00Z
    end: 2026-12-05T21:00:00Z
  - name: weekly
    cis: [a]
    schedule: weekly
    at: "22:00"
    duration: 1h
    days: [funday]
  - name: zone
    cis: [a]
    schedule: daily
    at: "22:00"
    duration: 1h
    time_zone: Europe/Atlantis
  - name: zone
    cis: [a]
    schedule: daily
    duration: 1h
    colour: blue
)",
       errors);
  std::string all = errors.joined();
  EXPECT_NE(all.find("tocsin.yaml:3: maintenance[0].name: must not be empty or all digits"), std::string::npos) << all;
  EXPECT_NE(all.find("maintenance[0].end: end must be after start"), std::string::npos) << all;
  EXPECT_NE(all.find("maintenance[1].days: 'funday' is not a day"), std::string::npos) << all;
  EXPECT_NE(all.find("maintenance[2].time_zone: unknown time zone 'Europe/Atlantis'"), std::string::npos) << all;
  EXPECT_NE(all.find("maintenance[3].name: 'zone' names another maintenance window too"), std::string::npos) << all;
  EXPECT_NE(all.find("maintenance[3].at: a daily or weekly window needs `at`"), std::string::npos) << all;
  EXPECT_NE(all.find("maintenance[3].colour: unknown key"), std::string::npos) << all;
}

}  // namespace
}  // namespace tocsin::api

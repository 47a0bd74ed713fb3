// Maintenance windows and silences with a fake clock: window boundaries (start
// inclusive, end exclusive), recurring windows in local time across DST
// changes and midnight, scoping to dependents, silence matchers, and what the
// correlator does with an alert that fires while suppressed: recorded, no
// incident, no page; its incident opens when the suppression ends while it
// still fires, and a clear meanwhile resolves it quietly.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "correlator/clock.hpp"
#include "correlator/correlator.hpp"
#include "correlator/suppression/suppression.hpp"

namespace tocsin {
namespace {

using suppression::MaintenanceWindow;
using suppression::MatchOp;
using suppression::Matcher;
using suppression::Schedule;
using suppression::Silence;

std::int64_t utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  using namespace std::chrono;
  auto t = sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

constexpr std::int64_t hour_ms = 3'600'000;
constexpr std::int64_t minute = 60'000;

MaintenanceWindow once(std::string id, std::vector<std::string> cis, std::int64_t start, std::int64_t end,
                       bool dependents = false) {
  MaintenanceWindow w;
  w.id = std::move(id);
  w.schedule = Schedule::once;
  w.start_ms = start;
  w.end_ms = end;
  w.cis = std::move(cis);
  w.include_dependents = dependents;
  return w;
}

MaintenanceWindow recurring(Schedule schedule, int at_minute, std::int64_t duration_ms, std::string zone,
                            std::vector<std::string> days = {}) {
  MaintenanceWindow w;
  w.id = "recurring";
  w.schedule = schedule;
  w.at_minute = at_minute;
  w.duration_ms = duration_ms;
  w.time_zone = std::move(zone);
  w.cis = {"web01"};
  for (const auto& d : days) w.days = static_cast<std::uint8_t>(w.days | (1U << *suppression::parse_weekday(d)));
  return w;
}

bool active(const MaintenanceWindow& w, std::int64_t at) { return suppression::occurrence_at(w, at).has_value(); }

// ---- windows, pure -------------------------------------------------------------------------

TEST(MaintenanceWindowTest, OneOffWindowStartIsInclusiveAndEndExclusive) {
  auto w = once("upgrade", {"web01"}, utc(2026, 12, 5, 22), utc(2026, 12, 6, 2));
  EXPECT_FALSE(active(w, utc(2026, 12, 5, 22) - 1));
  EXPECT_TRUE(active(w, utc(2026, 12, 5, 22)));
  EXPECT_TRUE(active(w, utc(2026, 12, 6, 2) - 1));
  EXPECT_FALSE(active(w, utc(2026, 12, 6, 2)));
}

TEST(MaintenanceWindowTest, DailyWindowCrossesMidnight) {
  auto w = recurring(Schedule::daily, 22 * 60, 4 * hour_ms, "UTC");
  EXPECT_FALSE(active(w, utc(2026, 12, 5, 21, 59, 59)));
  EXPECT_TRUE(active(w, utc(2026, 12, 5, 22)));
  EXPECT_TRUE(active(w, utc(2026, 12, 5, 23, 59, 59)));
  EXPECT_TRUE(active(w, utc(2026, 12, 6, 0)));
  EXPECT_TRUE(active(w, utc(2026, 12, 6, 2) - 1));
  EXPECT_FALSE(active(w, utc(2026, 12, 6, 2)));
  auto occurrence = suppression::occurrence_at(w, utc(2026, 12, 6, 1));
  ASSERT_TRUE(occurrence);
  EXPECT_EQ(occurrence->start_ms, utc(2026, 12, 5, 22));
  EXPECT_EQ(occurrence->end_ms, utc(2026, 12, 6, 2));
}

TEST(MaintenanceWindowTest, WeeklyWindowKeepsItsLocalStartAcrossTheAutumnDstChange) {
  // Saturdays 22:00 Europe/Paris for 2h. Summer time (UTC+2) ends on Sunday
  // 2026-10-25: the start moves from 20:00Z to 21:00Z.
  auto w = recurring(Schedule::weekly, 22 * 60, 2 * hour_ms, "Europe/Paris", {"sat"});
  EXPECT_FALSE(active(w, utc(2026, 10, 24, 19, 59, 59)));
  EXPECT_TRUE(active(w, utc(2026, 10, 24, 20)));
  EXPECT_FALSE(active(w, utc(2026, 10, 24, 22)));
  EXPECT_FALSE(active(w, utc(2026, 10, 31, 20, 30)));  // 21:30 local, winter time
  EXPECT_TRUE(active(w, utc(2026, 10, 31, 21)));
  EXPECT_TRUE(active(w, utc(2026, 10, 31, 23) - 1));
  EXPECT_FALSE(active(w, utc(2026, 10, 31, 23)));
  // Not on the other days of the week.
  EXPECT_FALSE(active(w, utc(2026, 10, 30, 21, 30)));
  auto next = suppression::next_occurrence(w, utc(2026, 10, 25, 12));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->start_ms, utc(2026, 10, 31, 21));
}

TEST(MaintenanceWindowTest, DurationIsElapsedTimeThroughTheDstChangeItself) {
  // Saturday 22:00 CEST (20:00Z) for 8h covers the night the clocks go back:
  // it ends 8 real hours later, 04:00Z, which is 05:00 local winter time, not
  // 06:00 on the wall clock.
  auto w = recurring(Schedule::weekly, 22 * 60, 8 * hour_ms, "Europe/Paris", {"sat"});
  EXPECT_TRUE(active(w, utc(2026, 10, 25, 4) - 1));
  EXPECT_FALSE(active(w, utc(2026, 10, 25, 4)));
}

TEST(MaintenanceWindowTest, StartSkippedBySpringDstChangeStartsAtTheTransition) {
  // 02:30 does not exist in Paris on 2026-03-29 (02:00 → 03:00 at 01:00Z).
  auto w = recurring(Schedule::daily, 2 * 60 + 30, hour_ms, "Europe/Paris");
  auto occurrence = suppression::occurrence_at(w, utc(2026, 3, 29, 1, 15));
  ASSERT_TRUE(occurrence);
  EXPECT_EQ(occurrence->start_ms, utc(2026, 3, 29, 1));
  // The day before, 02:30 CET is 01:30Z.
  EXPECT_TRUE(active(w, utc(2026, 3, 28, 1, 30)));
  EXPECT_FALSE(active(w, utc(2026, 3, 28, 1, 29)));
}

TEST(MaintenanceWindowTest, ValidationNamesTheWrongField) {
  auto w = recurring(Schedule::weekly, 22 * 60, 2 * hour_ms, "Europe/Paris");
  auto p = suppression::validate(w);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->field, "days");
  w = recurring(Schedule::daily, 22 * 60, 25 * hour_ms, "UTC");
  ASSERT_TRUE(p = suppression::validate(w));
  EXPECT_EQ(p->field, "duration");
  w = recurring(Schedule::daily, 22 * 60, hour_ms, "Mars/Olympus_Mons");
  ASSERT_TRUE(p = suppression::validate(w));
  EXPECT_EQ(p->field, "time_zone");
  w = once("x", {"web01"}, utc(2026, 12, 5), utc(2026, 12, 5));
  ASSERT_TRUE(p = suppression::validate(w));
  EXPECT_EQ(p->field, "end");
  w = once("x", {}, utc(2026, 12, 5), utc(2026, 12, 6));
  ASSERT_TRUE(p = suppression::validate(w));
  EXPECT_EQ(p->field, "cis");
  EXPECT_FALSE(suppression::validate(once("x", {"web01"}, utc(2026, 12, 5), utc(2026, 12, 6))));
}

TEST(MaintenanceWindowTest, TimeOfDayParsesAndFormats) {
  EXPECT_EQ(suppression::parse_time_of_day("22:05"), 22 * 60 + 5);
  EXPECT_EQ(suppression::parse_time_of_day("00:00"), 0);
  EXPECT_FALSE(suppression::parse_time_of_day("24:00"));
  EXPECT_FALSE(suppression::parse_time_of_day("7:00"));
  EXPECT_FALSE(suppression::parse_time_of_day("07:60"));
  EXPECT_EQ(suppression::format_time_of_day(7 * 60 + 5), "07:05");
}

// ---- silences, pure ------------------------------------------------------------------------

Alert sample_alert() {
  Alert a;
  a.fingerprint = "fp";
  a.name = "disk_full";
  a.resource = "db01.example.net";
  a.ci = "db01";
  a.source = "syslog";
  a.severity = Severity::major;
  a.attributes = {{"mount", "/var"}, {"team", "dba"}};
  return a;
}

Silence silence_of(std::vector<Matcher> matchers) {
  Silence s;
  s.id = 1;
  s.matchers = std::move(matchers);
  s.start_ms = utc(2026, 12, 1);
  s.end_ms = utc(2026, 12, 2);
  s.comment = "disk replacement";
  return s;
}

bool silences(std::vector<Matcher> matchers, const Alert& a = sample_alert()) {
  Silence s = silence_of(std::move(matchers));
  auto problem = suppression::compile(s);
  EXPECT_FALSE(problem) << (problem ? problem->field + ": " + problem->message : "");
  return suppression::matches(s, a);
}

TEST(SilenceTest, EqualityMatchersOnEveryField) {
  EXPECT_TRUE(silences({{"resource", MatchOp::equal, "db01.example.net", nullptr}}));
  EXPECT_TRUE(silences({{"ci", MatchOp::equal, "db01", nullptr}}));
  EXPECT_TRUE(silences({{"name", MatchOp::equal, "disk_full", nullptr}}));
  EXPECT_TRUE(silences({{"source", MatchOp::equal, "syslog", nullptr}}));
  EXPECT_TRUE(silences({{"severity", MatchOp::equal, "major", nullptr}}));
  EXPECT_TRUE(silences({{"attr.mount", MatchOp::equal, "/var", nullptr}}));
  EXPECT_FALSE(silences({{"resource", MatchOp::equal, "db01", nullptr}}));
  EXPECT_FALSE(silences({{"severity", MatchOp::equal, "critical", nullptr}}));
  EXPECT_FALSE(silences({{"attr.absent", MatchOp::equal, "x", nullptr}}));
}

TEST(SilenceTest, EveryMatcherMustMatch) {
  EXPECT_TRUE(silences({{"ci", MatchOp::equal, "db01", nullptr}, {"name", MatchOp::equal, "disk_full", nullptr}}));
  EXPECT_FALSE(silences({{"ci", MatchOp::equal, "db01", nullptr}, {"name", MatchOp::equal, "cpu_high", nullptr}}));
}

TEST(SilenceTest, RegexMatchesTheWholeValue) {
  EXPECT_TRUE(silences({{"resource", MatchOp::regex, "db0[0-9]\\..*", nullptr}}));
  EXPECT_FALSE(silences({{"resource", MatchOp::regex, "db0[0-9]", nullptr}}));  // a prefix is not enough
  EXPECT_TRUE(silences({{"name", MatchOp::regex, "disk_.*|cpu_.*", nullptr}}));
}

TEST(SilenceTest, NegationsNarrowAPositiveMatcher) {
  EXPECT_TRUE(silences({{"ci", MatchOp::equal, "db01", nullptr}, {"severity", MatchOp::not_equal, "critical", nullptr}}));
  EXPECT_FALSE(silences({{"ci", MatchOp::equal, "db01", nullptr}, {"severity", MatchOp::not_equal, "major", nullptr}}));
  EXPECT_FALSE(silences({{"ci", MatchOp::equal, "db01", nullptr}, {"attr.mount", MatchOp::not_regex, "/v.*", nullptr}}));
  EXPECT_TRUE(silences({{"ci", MatchOp::equal, "db01", nullptr}, {"attr.mount", MatchOp::not_regex, "/home", nullptr}}));
}

TEST(SilenceTest, CompileRefusesWhatWouldSilenceTooMuchOrCannotWork) {
  Silence s = silence_of({{"severity", MatchOp::not_equal, "critical", nullptr}});
  auto p = suppression::compile(s);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->field, "matchers");
  s = silence_of({{"resource", MatchOp::equal, "", nullptr}});
  ASSERT_TRUE(p = suppression::compile(s));
  EXPECT_EQ(p->field, "matchers");
  s = silence_of({{"ci", MatchOp::equal, "db01", nullptr}, {"resource", MatchOp::regex, "db(", nullptr}});
  ASSERT_TRUE(p = suppression::compile(s));
  EXPECT_EQ(p->field, "matchers[1].value");
  EXPECT_NE(p->message.find("invalid regular expression"), std::string::npos);
  s = silence_of({{"hostname", MatchOp::equal, "db01", nullptr}});
  ASSERT_TRUE(p = suppression::compile(s));
  EXPECT_EQ(p->field, "matchers[0].field");
  s = silence_of({});
  ASSERT_TRUE(p = suppression::compile(s));
  EXPECT_EQ(p->field, "matchers");
  s = silence_of(std::vector<Matcher>(suppression::max_matchers + 1, Matcher{"ci", MatchOp::equal, "db01", nullptr}));
  ASSERT_TRUE(p = suppression::compile(s));
  EXPECT_EQ(p->field, "matchers");
}

TEST(SilenceTest, StateFollowsStartInclusiveEndExclusive) {
  Silence s = silence_of({{"ci", MatchOp::equal, "db01", nullptr}});
  EXPECT_EQ(suppression::state_at(s, s.start_ms - 1), suppression::SilenceState::pending);
  EXPECT_EQ(suppression::state_at(s, s.start_ms), suppression::SilenceState::active);
  EXPECT_EQ(suppression::state_at(s, s.end_ms - 1), suppression::SilenceState::active);
  EXPECT_EQ(suppression::state_at(s, s.end_ms), suppression::SilenceState::expired);
  EXPECT_TRUE(suppression::validate_new(s, s.end_ms));
  EXPECT_FALSE(suppression::validate_new(s, s.end_ms - 1));
  s.comment.clear();
  auto p = suppression::validate_new(s, s.start_ms);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->field, "comment");
}

// ---- the correlator ------------------------------------------------------------------------

constexpr std::string_view cmdb_yaml = R"(
cis:
  - {id: core-sw1, type: device, owner_group: network-ops, criticality: critical}
  - {id: dist-sw1, type: device, owner_group: network-ops, criticality: high, depends_on: [core-sw1]}
  - {id: dist-sw2, type: device, owner_group: network-ops, criticality: high, depends_on: [core-sw1]}
  - {id: web01, type: host, owner_group: web-team, criticality: medium, depends_on: [dist-sw1]}
  - {id: db01, type: host, owner_group: dba, criticality: medium, depends_on: [dist-sw2]}
)";

std::shared_ptr<const cmdb::Cmdb> sample_cmdb() {
  cmdb::CmdbDraft draft;
  config::Errors errors;
  cmdb::load_cmdb_yaml(cmdb_yaml, "cmdb.yaml", draft, errors);
  auto db = cmdb::Cmdb::build(std::move(draft), errors);
  EXPECT_TRUE(errors.empty()) << errors.joined();
  return db;
}

Event problem(std::string resource, std::string name = "disk_full", Severity severity = Severity::major) {
  Event e;
  e.source = "syslog";
  e.kind = EventKind::problem;
  e.name = name;
  e.alert_key = name;
  e.severity = severity;
  e.resource = std::move(resource);
  e.summary = e.name + " on " + e.resource;
  return e;
}

Event clear(std::string resource, std::string name = "disk_full") {
  Event e = problem(std::move(resource), name, Severity::clear);
  e.kind = EventKind::clear;
  return e;
}

class SuppressionTest : public ::testing::Test {
 protected:
  SuppressionTest() : clock(utc(2026, 12, 5, 21)), correlator(config({}), stats) { correlator.restore({}, {}, {}); }

  CorrelatorConfig config(std::vector<MaintenanceWindow> windows) {
    CorrelatorConfig c;
    c.email_recipients = {"noc@example.net"};
    c.cmdb = db;
    c.topology.hold_ms = 0;
    c.grouping.window_ms = 0;
    c.maintenance = std::move(windows);
    return c;
  }
  void configure(std::vector<MaintenanceWindow> windows) { correlator.set_config(config(std::move(windows))); }

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
  suppression::Result request(suppression::Request r, ChangeSet* out = nullptr) {
    ChangeSet changes;
    if (r.actor.empty()) r.actor = "alice";
    auto result = correlator.on_suppression(r, clock.wall_ms(), changes);
    correlator.flush(changes);
    record(changes);
    if (out) *out = changes;
    return result;
  }
  suppression::Result add_silence(std::vector<Matcher> matchers, std::int64_t duration_ms) {
    suppression::Request r;
    r.kind = suppression::RequestKind::add_silence;
    r.silence.matchers = std::move(matchers);
    r.silence.comment = "planned work";
    r.duration_ms = duration_ms;
    return request(r);
  }
  void record(const ChangeSet& changes) {
    for (const auto& i : changes.incidents) incidents[i.id] = i;
    for (const auto& a : changes.alerts) alerts[a.id] = a;
    for (const auto& n : changes.notifications) pages.push_back(n);
    for (const auto& t : changes.timeline) timeline.push_back(t);
    for (const auto& s : changes.silences) stored_silences[s.id] = s;
  }
  const Alert& alert_on(std::string_view resource) const {
    for (const auto& [id, a] : alerts)
      if (a.resource == resource) return a;
    throw std::runtime_error("no alert on " + std::string(resource));
  }
  double counter(const std::string& name, const Labels& labels = {}) const { return stats.value(name, labels); }

  std::shared_ptr<const cmdb::Cmdb> db = sample_cmdb();
  FakeClock clock;
  StatsRegistry stats;
  Correlator correlator;
  std::map<std::int64_t, Incident> incidents;
  std::map<std::int64_t, Alert> alerts;
  std::map<std::int64_t, Silence> stored_silences;
  std::vector<Notification> pages;
  std::vector<TimelineEntry> timeline;
};

TEST_F(SuppressionTest, AlertFiringDuringMaintenanceIsRecordedButOpensNoIncidentAndPagesNobody) {
  configure({once("db-upgrade", {"db01"}, utc(2026, 12, 5, 20), utc(2026, 12, 5, 23))});
  auto changes = fold({problem("db01")});
  ASSERT_EQ(changes.events.size(), 1u);
  EXPECT_NE(changes.events[0].alert_id, 0) << "the event names its alert";
  const Alert& a = alert_on("db01");
  EXPECT_EQ(a.state, AlertState::suppressed);
  EXPECT_EQ(a.suppressed_by, "maintenance:db-upgrade");
  EXPECT_EQ(a.incident_id, 0);
  EXPECT_TRUE(incidents.empty());
  EXPECT_TRUE(pages.empty());
  EXPECT_EQ(counter("tocsin_alerts_suppressed_total", {{"by", "maintenance"}}), 1);
  EXPECT_EQ(correlator.suppressed_alert_count(), 1u);
  // Repeats count on the suppressed alert.
  changes = fold({problem("db01")});
  ASSERT_EQ(changes.alert_repeats.size(), 1u);
  EXPECT_EQ(changes.alert_repeats[0].count, 2);
  EXPECT_TRUE(incidents.empty());
  // Other CIs are not covered.
  fold({problem("web01")});
  EXPECT_EQ(alert_on("web01").state, AlertState::firing);
  EXPECT_EQ(incidents.size(), 1u);
}

TEST_F(SuppressionTest, MaintenanceEndingMidAlertOpensTheIncidentThenAndPages) {
  const std::int64_t end = utc(2026, 12, 5, 22);
  configure({once("db-upgrade", {"db01"}, utc(2026, 12, 5, 20), end)});
  fold({problem("db01"), problem("db01")});
  clock.advance_ms(end - 1 - clock.wall_ms());
  tick();
  EXPECT_TRUE(incidents.empty()) << "still in force 1 ms before its end";
  clock.advance_ms(1);
  auto changes = tick();
  ASSERT_EQ(incidents.size(), 1u);
  const Incident& i = incidents.begin()->second;
  EXPECT_EQ(i.state, IncidentState::open);
  EXPECT_EQ(i.ci, "db01");
  EXPECT_EQ(i.opened_at_ms, end);
  EXPECT_EQ(i.group, "dba");
  EXPECT_EQ(i.event_count, 2) << "the events folded while suppressed";
  const Alert& a = alert_on("db01");
  EXPECT_EQ(a.state, AlertState::firing);
  EXPECT_EQ(a.incident_id, i.id);
  EXPECT_TRUE(a.suppressed_by.empty());
  EXPECT_EQ(a.count, 2);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].incident_id, i.id);
  EXPECT_TRUE(std::any_of(timeline.begin(), timeline.end(), [&](const TimelineEntry& t) {
    return t.incident_id == i.id && t.action == "suppression ended" &&
           t.text.find("maintenance:db-upgrade") != std::string::npos;
  }));
  EXPECT_EQ(counter("tocsin_alerts_suppression_ended_total"), 1);
  EXPECT_EQ(correlator.suppressed_alert_count(), 0u);
  // Nothing more on the next tick.
  tick();
  EXPECT_EQ(incidents.size(), 1u);
  EXPECT_EQ(pages.size(), 1u);
}

TEST_F(SuppressionTest, ClearBeforeTheWindowEndsResolvesQuietly) {
  const std::int64_t end = utc(2026, 12, 5, 22);
  configure({once("db-upgrade", {"db01"}, utc(2026, 12, 5, 20), end)});
  fold({problem("db01")});
  clock.advance_ms(10 * minute);
  fold({clear("db01")});
  const Alert& a = alert_on("db01");
  EXPECT_EQ(a.state, AlertState::resolved);
  EXPECT_EQ(a.incident_id, 0);
  EXPECT_EQ(a.suppressed_by, "maintenance:db-upgrade") << "kept as its history";
  EXPECT_EQ(counter("tocsin_alerts_suppressed_cleared_total"), 1);
  clock.advance_ms(end - clock.wall_ms());
  tick();
  EXPECT_TRUE(incidents.empty());
  EXPECT_TRUE(pages.empty());
  // The same fault after the window is a new alert with its incident.
  fold({problem("db01")});
  EXPECT_EQ(incidents.size(), 1u);
}

TEST_F(SuppressionTest, WindowStartIsInclusiveForAlerts) {
  const std::int64_t start = utc(2026, 12, 5, 22);
  configure({once("db-upgrade", {"db01"}, start, start + hour_ms)});
  clock.advance_ms(start - 1 - clock.wall_ms());
  fold({problem("db01", "before")});
  clock.advance_ms(1);
  fold({problem("db01", "at_start")});
  EXPECT_EQ(alert_on("db01").name, "before");
  for (const auto& [id, a] : alerts) {
    if (a.name == "before") {
      EXPECT_EQ(a.state, AlertState::firing);
    }
    if (a.name == "at_start") {
      EXPECT_EQ(a.state, AlertState::suppressed);
    }
  }
  EXPECT_EQ(incidents.size(), 1u);
}

TEST_F(SuppressionTest, AlertAlreadyInAnIncidentWhenTheWindowStartsKeepsIt) {
  const std::int64_t start = utc(2026, 12, 5, 22);
  fold({problem("db01")});
  ASSERT_EQ(incidents.size(), 1u);
  configure({once("db-upgrade", {"db01"}, start, start + hour_ms)});
  clock.advance_ms(start - clock.wall_ms());
  tick();
  fold({problem("db01")});
  const Alert& a = alert_on("db01");
  EXPECT_EQ(a.state, AlertState::firing);
  EXPECT_NE(a.incident_id, 0);
  EXPECT_EQ(incidents.begin()->second.state, IncidentState::open);
  EXPECT_EQ(counter("tocsin_alerts_suppressed_total", {{"by", "maintenance"}}), 0);
}

TEST_F(SuppressionTest, DependentsAreCoveredOnlyWithIncludeDependents) {
  const std::int64_t start = utc(2026, 12, 5, 20), end = utc(2026, 12, 5, 23);
  configure({once("dist1", {"dist-sw1"}, start, end, false)});
  fold({problem("web01")});
  EXPECT_EQ(alert_on("web01").state, AlertState::firing);

  incidents.clear();
  alerts.clear();
  fold({clear("web01")});
  configure({once("dist1", {"dist-sw1"}, start, end, true)});
  fold({problem("web01", "http_down"), problem("db01", "http_down"), problem("dist-sw1", "fan_failure")});
  for (const auto& [id, a] : alerts) {
    if (a.resource == "web01" && a.name == "http_down") {
      EXPECT_EQ(a.state, AlertState::suppressed);
    }
    if (a.resource == "dist-sw1") {
      EXPECT_EQ(a.state, AlertState::suppressed);
    }
    if (a.resource == "db01") {
      EXPECT_EQ(a.state, AlertState::firing) << "db01 hangs off dist-sw2";
    }
  }
}

TEST_F(SuppressionTest, DependentsAreCoveredTransitively) {
  configure({once("core", {"core-sw1"}, utc(2026, 12, 5, 20), utc(2026, 12, 5, 23), true)});
  fold({problem("web01"), problem("db01"), problem("core-sw1")});
  for (const auto& [id, a] : alerts) EXPECT_EQ(a.state, AlertState::suppressed) << a.resource;
  EXPECT_TRUE(incidents.empty());
  EXPECT_EQ(counter("tocsin_alerts_suppressed_total", {{"by", "maintenance"}}), 3);
}

TEST_F(SuppressionTest, EndOfMaintenanceOnARootCausePlacesItsDependentsAsSymptoms) {
  const std::int64_t end = utc(2026, 12, 5, 22);
  configure({once("core", {"core-sw1"}, utc(2026, 12, 5, 20), end, true)});
  fold({problem("core-sw1", "link_down")});
  clock.advance_ms(minute);
  fold({problem("web01", "http_down")});
  clock.advance_ms(end - clock.wall_ms());
  tick();
  ASSERT_EQ(incidents.size(), 1u) << "the host joins its upstream switch's incident";
  EXPECT_EQ(incidents.begin()->second.ci, "core-sw1");
  EXPECT_TRUE(alert_on("web01").symptom);
  EXPECT_EQ(pages.size(), 1u);
}

TEST_F(SuppressionTest, UnknownResourceNamedByAWindowIsCovered) {
  configure({once("lab", {"lab-printer"}, utc(2026, 12, 5, 20), utc(2026, 12, 5, 23))});
  fold({problem("lab-printer")});
  EXPECT_EQ(alert_on("lab-printer").state, AlertState::suppressed);
}

TEST_F(SuppressionTest, SilenceSuppressesUntilItExpiresThenTheIncidentOpens) {
  auto r = add_silence({{"ci", MatchOp::equal, "db01", nullptr}, {"name", MatchOp::regex, "disk_.*", nullptr}},
                       30 * minute);
  ASSERT_EQ(r.status, 201) << r.error;
  ASSERT_EQ(r.silences.size(), 1u);
  const Silence s = r.silences[0];
  EXPECT_EQ(s.author, "alice");
  EXPECT_EQ(s.start_ms, clock.wall_ms());
  EXPECT_EQ(s.end_ms, clock.wall_ms() + 30 * minute);
  EXPECT_EQ(stored_silences.count(s.id), 1u) << "committed with the change";

  fold({problem("db01"), problem("db01", "cpu_high")});
  for (const auto& [id, a] : alerts)
    EXPECT_EQ(a.state, a.name == "disk_full" ? AlertState::suppressed : AlertState::firing) << a.name;
  EXPECT_EQ(alert_on("db01").suppressed_by, suppression::silence_ref(s.id));
  EXPECT_EQ(counter("tocsin_alerts_suppressed_total", {{"by", "silence"}}), 1);
  EXPECT_EQ(incidents.size(), 1u);

  clock.advance_ms(30 * minute - 1);
  tick();
  EXPECT_EQ(incidents.size(), 1u);
  clock.advance_ms(1);
  tick();
  EXPECT_EQ(incidents.size(), 2u) << "expired: the disk_full incident opens";
  EXPECT_EQ(pages.size(), 2u);
}

TEST_F(SuppressionTest, ExpiringASilenceByHandOpensTheIncidentInTheSameCommit) {
  auto r = add_silence({{"resource", MatchOp::equal, "db01", nullptr}}, 2 * hour_ms);
  ASSERT_EQ(r.status, 201);
  fold({problem("db01")});
  EXPECT_EQ(alert_on("db01").suppressed_by, suppression::silence_ref(r.silences[0].id));
  clock.advance_ms(5 * minute);
  suppression::Request expire;
  expire.kind = suppression::RequestKind::expire_silence;
  expire.id = std::to_string(r.silences[0].id);
  ChangeSet changes;
  auto done = request(expire, &changes);
  ASSERT_EQ(done.status, 200) << done.error;
  EXPECT_EQ(done.silences[0].end_ms, clock.wall_ms());
  ASSERT_EQ(changes.silences.size(), 1u);
  EXPECT_EQ(changes.incidents.size(), 1u);
  EXPECT_EQ(changes.notifications.size(), 1u);
  EXPECT_EQ(alert_on("db01").state, AlertState::firing);
  // Expiring again is refused; an unknown id is 404.
  EXPECT_EQ(request(expire).status, 409);
  expire.id = "999";
  EXPECT_EQ(request(expire).status, 404);
  expire.id = "abc";
  EXPECT_EQ(request(expire).status, 404);
}

TEST_F(SuppressionTest, PendingSilenceDoesNotSuppressBeforeItsStart) {
  suppression::Request r;
  r.kind = suppression::RequestKind::add_silence;
  r.silence.matchers = {{"resource", MatchOp::equal, "db01", nullptr}};
  r.silence.comment = "later";
  r.silence.start_ms = clock.wall_ms() + hour_ms;
  r.silence.end_ms = clock.wall_ms() + 2 * hour_ms;
  ASSERT_EQ(request(r).status, 201);
  fold({problem("db01")});
  EXPECT_EQ(alert_on("db01").state, AlertState::firing);
  clock.advance_ms(hour_ms);
  fold({problem("db01", "cpu_high")});
  for (const auto& [id, a] : alerts)
    if (a.name == "cpu_high") {
      EXPECT_EQ(a.state, AlertState::suppressed);
    }
}

TEST_F(SuppressionTest, SilenceOnSeverityReleasesAnAlertThatGetsWorse) {
  ASSERT_EQ(add_silence({{"resource", MatchOp::equal, "db01", nullptr}, {"severity", MatchOp::equal, "warning", nullptr}},
                        hour_ms)
                .status,
            201);
  fold({problem("db01", "disk_full", Severity::warning)});
  EXPECT_EQ(alert_on("db01").state, AlertState::suppressed);
  fold({problem("db01", "disk_full", Severity::critical)});
  tick();
  EXPECT_EQ(alert_on("db01").state, AlertState::firing);
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents.begin()->second.severity, Severity::critical);
}

TEST_F(SuppressionTest, InvalidRequestsAreRefusedWithTheField) {
  auto r = add_silence({{"resource", MatchOp::regex, "db(", nullptr}}, hour_ms);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.field, "matchers[0].value");
  suppression::Request past;
  past.kind = suppression::RequestKind::add_silence;
  past.silence.matchers = {{"resource", MatchOp::equal, "db01", nullptr}};
  past.silence.comment = "too late";
  past.silence.start_ms = clock.wall_ms() - 2 * hour_ms;
  past.silence.end_ms = clock.wall_ms() - hour_ms;
  r = request(past);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.field, "end");
  EXPECT_TRUE(stored_silences.empty());

  configure({once("db-upgrade", {"db01"}, utc(2026, 12, 5, 20), utc(2026, 12, 5, 23))});
  suppression::Request rm;
  rm.kind = suppression::RequestKind::remove_maintenance;
  rm.id = "db-upgrade";
  r = request(rm);
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.error.find("configuration file"), std::string::npos);
  rm.id = "42";
  EXPECT_EQ(request(rm).status, 404);
  suppression::Request bad;
  bad.kind = suppression::RequestKind::add_maintenance;
  bad.window = recurring(Schedule::weekly, 60, hour_ms, "UTC");
  r = request(bad);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.field, "days");
}

TEST_F(SuppressionTest, ApiWindowAddedAndRemovedReleasesItsAlerts) {
  suppression::Request add;
  add.kind = suppression::RequestKind::add_maintenance;
  add.window = once("", {"dist-sw2"}, clock.wall_ms(), clock.wall_ms() + hour_ms, true);
  ChangeSet changes;
  auto r = request(add, &changes);
  ASSERT_EQ(r.status, 201) << r.error;
  ASSERT_EQ(changes.maintenance.size(), 1u);
  const std::string id = r.windows[0].id;
  EXPECT_EQ(id, "1");
  EXPECT_EQ(r.windows[0].author, "alice");
  fold({problem("db01")});
  EXPECT_EQ(alert_on("db01").suppressed_by, "maintenance:1");
  // Configured windows come and go on reload; API windows stay.
  configure({});
  tick();
  EXPECT_EQ(alert_on("db01").state, AlertState::suppressed);
  suppression::Request rm;
  rm.kind = suppression::RequestKind::remove_maintenance;
  rm.id = id;
  r = request(rm, &changes);
  ASSERT_EQ(r.status, 200) << r.error;
  ASSERT_EQ(changes.removed_maintenance.size(), 1u);
  EXPECT_EQ(changes.removed_maintenance[0].first, id);
  EXPECT_EQ(changes.incidents.size(), 1u) << "removing the window opens the incident at once";
  EXPECT_EQ(alert_on("db01").state, AlertState::firing);
  suppression::Request list;
  list.kind = suppression::RequestKind::list_maintenance;
  EXPECT_TRUE(request(list).windows.empty());
}

TEST_F(SuppressionTest, SuppressedAlertsSurviveARestart) {
  auto r = add_silence({{"resource", MatchOp::equal, "db01", nullptr}}, hour_ms);
  ASSERT_EQ(r.status, 201);
  fold({problem("db01")});
  ASSERT_EQ(alert_on("db01").state, AlertState::suppressed);

  // A new correlator from what the store holds.
  StatsRegistry stats2;
  Correlator restarted(config({}), stats2);
  IdState ids;
  ids.event = 10;
  ids.alert = alert_on("db01").id;
  ids.silence = r.silences[0].id;
  restarted.restore(ids, {alert_on("db01")}, {});
  restarted.restore_suppression({stored_silences.begin()->second}, {});
  EXPECT_EQ(restarted.suppressed_alert_count(), 1u);
  ChangeSet changes;
  restarted.on_tick(clock.wall_ms(), changes);
  restarted.flush(changes);
  EXPECT_TRUE(changes.incidents.empty()) << "still silenced after the restart";
  restarted.on_event(problem("db01"), clock.wall_ms(), changes);
  restarted.flush(changes);
  EXPECT_TRUE(changes.incidents.empty()) << "a repeat of the restored alert";
  clock.advance_ms(hour_ms);
  changes.clear();
  restarted.on_tick(clock.wall_ms(), changes);
  restarted.flush(changes);
  ASSERT_EQ(changes.incidents.size(), 1u);
  EXPECT_EQ(changes.notifications.size(), 1u);
  // The next silence gets a new id.
  suppression::Request add;
  add.kind = suppression::RequestKind::add_silence;
  add.actor = "bob";
  add.silence.matchers = {{"resource", MatchOp::equal, "web01", nullptr}};
  add.silence.comment = "again";
  add.duration_ms = hour_ms;
  changes.clear();
  auto again = restarted.on_suppression(add, clock.wall_ms(), changes);
  ASSERT_EQ(again.status, 201);
  EXPECT_EQ(again.silences[0].id, r.silences[0].id + 1);
}

TEST_F(SuppressionTest, ListedSilencesNewestFirst) {
  add_silence({{"resource", MatchOp::equal, "db01", nullptr}}, hour_ms);
  add_silence({{"resource", MatchOp::equal, "web01", nullptr}}, hour_ms);
  suppression::Request list;
  list.kind = suppression::RequestKind::list_silences;
  auto r = request(list);
  ASSERT_EQ(r.silences.size(), 2u);
  EXPECT_GT(r.silences[0].id, r.silences[1].id);
  EXPECT_EQ(r.now_ms, clock.wall_ms());
}

}  // namespace
}  // namespace tocsin

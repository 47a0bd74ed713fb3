// The JSON shape of records as the HTTP API serves them: field names, time
// format, null for unset times, and valid UTF-8 whatever bytes a device sent.
#include "daemon/json.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace tocsin::api {
namespace {

namespace json = boost::json;

// 2026-11-23T15:04:05.123Z
constexpr std::int64_t t0 = 1795446245123;

Incident acknowledged_incident() {
  Incident i;
  i.id = 42;
  i.title = "core-sw1 interface Gi0/1 down";
  i.state = IncidentState::acknowledged;
  i.priority = "P2";
  i.severity = Severity::major;
  i.ci = "core-sw1";
  i.service = "campus-lan";
  i.group = "network";
  i.assignee = "alice";
  i.alert_count = 2;
  i.event_count = 5;
  i.opened_at_ms = t0;
  i.acknowledged_at_ms = t0 + 60'000;
  i.sla = {t0 + 900'000, t0 + 14'400'000, false, true};
  i.escalation_level = 1;
  return i;
}

TEST(IncidentJson, CarriesEveryFieldWithRfc3339MillisecondTimes) {
  EXPECT_EQ(json::serialize(to_json(acknowledged_incident())),
            R"({"id":42,"title":"core-sw1 interface Gi0/1 down","state":"acknowledged","priority":"P2",)"
            R"("severity":"major","ci":"core-sw1","service":"campus-lan","group":"network","assignee":"alice",)"
            R"("alert_count":2,"event_count":5,"opened_at":"2026-11-23T15:04:05.123Z",)"
            R"("acknowledged_at":"2026-11-23T15:05:05.123Z","resolved_at":null,"closed_at":null,"reopened_at":null,)"
            R"("sla":{"ack_due":"2026-11-23T15:19:05.123Z","resolve_due":"2026-11-23T19:04:05.123Z",)"
            R"("ack_breached":false,"resolve_breached":true},"escalation_level":1,)"
            R"("ci_name":"","criticality":"","services":[],"location":"","runbook":"","root_alert_id":0,)"
            R"("symptom_count":0,"merged_into":null,"page_held_until":null,"resolves_at":null,)"
            R"("next_escalation_at":null,"resolution_code":"","previous_group":"","priority_set_by":"","recurrence_count":0})");
}

TEST(IncidentJson, UnsetTimesAreNullAndEmptyStringsStayEmpty) {
  Incident i;
  i.id = 7;
  EXPECT_EQ(json::serialize(to_json(i)),
            R"({"id":7,"title":"","state":"open","priority":"","severity":"info","ci":"","service":"",)"
            R"("group":"","assignee":"","alert_count":0,"event_count":0,"opened_at":null,)"
            R"("acknowledged_at":null,"resolved_at":null,"closed_at":null,"reopened_at":null,)"
            R"("sla":{"ack_due":null,"resolve_due":null,"ack_breached":false,"resolve_breached":false},)"
            R"("escalation_level":0,"ci_name":"","criticality":"","services":[],"location":"","runbook":"",)"
            R"("root_alert_id":0,"symptom_count":0,"merged_into":null,"page_held_until":null,"resolves_at":null,)"
            R"("next_escalation_at":null,"resolution_code":"","previous_group":"","priority_set_by":"","recurrence_count":0})");
}

TEST(IncidentJson, NextEscalationShowsOnlyWhileTheIncidentIsOpen) {
  Incident i = acknowledged_incident();
  i.next_escalation_ms = t0 + 600'000;
  EXPECT_TRUE(to_json(i).as_object().at("next_escalation_at").is_null()) << "acknowledging stops escalation";
  i.state = IncidentState::open;
  EXPECT_EQ(to_json(i).as_object().at("next_escalation_at"), "2026-11-23T15:14:05.123Z");
}

TEST(IncidentJson, ReadsBackWhatItWrites) {
  Incident original = acknowledged_incident();
  auto parsed = incident_from_json(json::parse(json::serialize(to_json(original))));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->id, 42);
  EXPECT_EQ(parsed->state, IncidentState::acknowledged);
  EXPECT_EQ(parsed->severity, Severity::major);
  EXPECT_EQ(parsed->acknowledged_at_ms, original.acknowledged_at_ms);
  EXPECT_EQ(parsed->resolved_at_ms, 0);
  EXPECT_EQ(parsed->sla.resolve_due_ms, original.sla.resolve_due_ms);
  EXPECT_TRUE(parsed->sla.resolve_breached);
}

TEST(IncidentJson, ReopenedAtIsWrittenAndReadBack) {
  Incident original = acknowledged_incident();
  original.reopened_at_ms = original.opened_at_ms + 3'600'000;
  json::value v = to_json(original);
  EXPECT_EQ(v.at("reopened_at").as_string(), "2026-11-23T16:04:05.123Z");
  auto parsed = incident_from_json(v);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->reopened_at_ms, original.reopened_at_ms);
}

TEST(IncidentJson, ReadingRejectsAMissingField) {
  json::value v = to_json(acknowledged_incident());
  v.as_object().erase("state");
  EXPECT_FALSE(incident_from_json(v));
}

TEST(AlertJson, CarriesAttributesAsAnObject) {
  Alert a;
  a.id = 9;
  a.fingerprint = "core-sw1|linkDown|ifIndex=3";
  a.name = "linkDown";
  a.resource = "core-sw1";
  a.severity = Severity::critical;
  a.summary = "Gi0/1 down";
  a.attributes = {{"ifIndex", "3"}, {"ifDescr", "Gi0/1"}};
  a.first_seen_ms = t0;
  a.last_seen_ms = t0 + 1000;
  a.count = 3;
  a.incident_id = 42;
  EXPECT_EQ(json::serialize(to_json(a)),
            R"({"id":9,"fingerprint":"core-sw1|linkDown|ifIndex=3","name":"linkDown","resource":"core-sw1",)"
            R"("severity":"critical","state":"firing","summary":"Gi0/1 down",)"
            R"("attributes":{"ifIndex":"3","ifDescr":"Gi0/1"},"first_seen":"2026-11-23T15:04:05.123Z",)"
            R"("last_seen":"2026-11-23T15:04:06.123Z","resolved_at":null,"count":3,"incident_id":42,)"
            R"("ci":"","ci_name":"","group":"","criticality":"","services":[],"location":"","runbook":"",)"
            R"("symptom":false,"source":"","suppressed_by":null})");
  auto back = alert_from_json(to_json(a));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->attributes, a.attributes);
}

TEST(AlertJson, SuppressedAlertNamesWhatSuppressesIt) {
  Alert a;
  a.id = 3;
  a.name = "disk_full";
  a.resource = "db01";
  a.state = AlertState::suppressed;
  a.source = "syslog";
  a.suppressed_by = "silence:7";
  json::value v = to_json(a);
  EXPECT_EQ(v.at("state"), "suppressed");
  EXPECT_EQ(v.at("suppressed_by"), "silence:7");
  EXPECT_EQ(v.at("source"), "syslog");
  EXPECT_EQ(v.at("incident_id"), 0);
  auto back = alert_from_json(v);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->state, AlertState::suppressed);
  EXPECT_EQ(back->suppressed_by, "silence:7");
}

TEST(AlertJson, InvalidUtf8InAttributesBecomesReplacementCharacters) {
  Alert a;
  a.attributes = {{"msg", "caf\xE9 ok"}, {"bad\xFFkey", "x"}};
  a.summary = "trunc\xE2\x82";
  std::string text = json::serialize(to_json(a));
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);  // the parser rejects invalid UTF-8
  ASSERT_FALSE(ec) << text;
  EXPECT_EQ(parsed.at("attributes").at("msg").as_string(), "caf\xEF\xBF\xBD ok");
  EXPECT_TRUE(parsed.at("attributes").as_object().contains("bad\xEF\xBF\xBDkey"));
  EXPECT_EQ(parsed.at("summary").as_string(), "trunc\xEF\xBF\xBD");
}

TEST(TimelineJson, CarriesTimeActorActionAndText) {
  TimelineEntry e{1, 42, t0, "noc-ops", "acknowledged", "looking into it"};
  EXPECT_EQ(json::serialize(to_json(e)),
            R"({"at":"2026-11-23T15:04:05.123Z","actor":"noc-ops","action":"acknowledged","text":"looking into it"})");
}

TEST(IncidentDetailJson, AddsAlertsAndTimelineToTheIncident) {
  IncidentDetail d{acknowledged_incident(), {Alert{}}, {TimelineEntry{}, TimelineEntry{}}};
  json::value v = to_json(d);
  EXPECT_EQ(v.at("id").as_int64(), 42);
  EXPECT_EQ(v.at("alerts").as_array().size(), 1u);
  EXPECT_EQ(v.at("timeline").as_array().size(), 2u);
}

struct Utf8Case {
  std::string input;
  std::string expected;
};

class ValidUtf8 : public testing::TestWithParam<Utf8Case> {};

TEST_P(ValidUtf8, ReplacesEachMaximalInvalidSubpartWithOneReplacementCharacter) {
  EXPECT_EQ(valid_utf8(GetParam().input), GetParam().expected);
}

const std::string fffd = "\xEF\xBF\xBD";

std::string utf8_case_name(const testing::TestParamInfo<Utf8Case>& info) {
  static const char* const names[] = {"Ascii",     "TwoByte",   "FourByte",           "LoneContinuation",
                                      "Overlong",  "Surrogate", "TruncatedThreeByte", "AboveMaxCodePoint",
                                      "EmbeddedNul"};
  return names[info.index];
}

INSTANTIATE_TEST_SUITE_P(
    Sequences, ValidUtf8,
    testing::Values(Utf8Case{"plain ascii", "plain ascii"}, Utf8Case{"\xC3\xA9t\xC3\xA9", "\xC3\xA9t\xC3\xA9"},
                    Utf8Case{"\xF0\x9F\x94\x94", "\xF0\x9F\x94\x94"},  // 🔔, four bytes
                    Utf8Case{"a\x80z", "a" + fffd + "z"},              // lone continuation byte
                    Utf8Case{"\xC0\xAF", fffd + fffd},                 // overlong encoding of '/'
                    Utf8Case{"\xED\xA0\x80", fffd + fffd + fffd},      // UTF-16 surrogate
                    Utf8Case{"\xE2\x82" "x", fffd + "x"},              // truncated three-byte sequence
                    Utf8Case{"\xF4\x90\x80\x80", fffd + fffd + fffd + fffd},  // above U+10FFFF
                    Utf8Case{std::string("nul\0in", 6), std::string("nul\0in", 6)}),
    utf8_case_name);

TEST(Time, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(format_time(t0), "2026-11-23T15:04:05.123Z");
  EXPECT_EQ(format_time(1000), "1970-01-01T00:00:01.000Z");
}

TEST(Time, ParsesWithAndWithoutFraction) {
  EXPECT_EQ(parse_time("2026-11-23T15:04:05.123Z"), t0);
  EXPECT_EQ(parse_time("2026-11-23T15:04:05Z"), t0 - 123);
  EXPECT_FALSE(parse_time("2026-11-23 15:04:05Z"));
  EXPECT_FALSE(parse_time("2026-02-30T00:00:00Z"));
}

}  // namespace
}  // namespace tocsin::api

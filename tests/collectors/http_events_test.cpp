// The generic JSON shape of POST /api/v1/events: what a valid body becomes,
// and every way a body is refused with the field to blame.

#include <gtest/gtest.h>

#include <string>

#include "collectors/http/parser.hpp"

namespace tocsin::http_ingest {
namespace {

std::string attr(const Event& e, std::string_view key) {
  const std::string* v = e.attribute(key);
  return v ? *v : "<absent>";
}

TEST(GenericEvents, OneObjectBecomesOneProblemEvent) {
  auto r = parse_events(R"({
    "name": "disk_full", "resource": "db1", "severity": "critical",
    "summary": "/var is 95% full on db1",
    "attributes": {"mount": "/var", "used_percent": 95, "lvm": true},
    "fingerprint": ["mount"],
    "time": "2024-03-01T10:00:00.250+01:00"
  })");
  ASSERT_FALSE(r.rejection) << r.rejection->message;
  ASSERT_EQ(r.events.size(), 1u);
  const Event& e = r.events[0];
  EXPECT_EQ(e.name, "disk_full");
  EXPECT_EQ(e.alert_key, "disk_full");
  EXPECT_EQ(e.resource, "db1");
  EXPECT_EQ(e.kind, EventKind::problem);
  EXPECT_EQ(e.severity, Severity::critical);
  EXPECT_EQ(e.summary, "/var is 95% full on db1");
  EXPECT_EQ(attr(e, "mount"), "/var");
  EXPECT_EQ(attr(e, "used_percent"), "95");
  EXPECT_EQ(attr(e, "lvm"), "true");
  EXPECT_EQ(attr(e, "time"), "2024-03-01T10:00:00.250+01:00");
  EXPECT_EQ(e.fingerprint_keys, std::vector<std::string>{"mount"});
  EXPECT_EQ(e.source, "http");
  EXPECT_EQ(e.rule, "generic-json");
  EXPECT_NE(e.raw.find("\"disk_full\""), std::string::npos);
}

TEST(GenericEvents, OnlyNameAndResourceAreRequiredAndAProblemDefaultsToWarning) {
  auto r = parse_events(R"({"name":"n","resource":"r"})");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].kind, EventKind::problem);
  EXPECT_EQ(r.events[0].severity, Severity::warning);
  EXPECT_TRUE(r.events[0].summary.empty());
  EXPECT_TRUE(r.events[0].attributes.empty());
}

TEST(GenericEvents, AnArrayIsABatchInOrder) {
  auto r = parse_events(R"([{"name":"a","resource":"r1"},{"name":"b","resource":"r2","kind":"info"}])");
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].name, "a");
  EXPECT_EQ(r.events[1].name, "b");
  EXPECT_EQ(r.events[1].kind, EventKind::info);
  EXPECT_EQ(r.events[1].severity, Severity::info);
}

TEST(GenericEvents, AnEmptyBatchIsAcceptedWithNoEvents) {
  auto r = parse_events("[]");
  EXPECT_FALSE(r.rejection);
  EXPECT_TRUE(r.events.empty());
}

TEST(GenericEvents, SeverityClearMakesAClearOfTheSameName) {
  auto problem = parse_events(R"({"name":"disk_full","resource":"db1","attributes":{"mount":"/var"},"fingerprint":["mount"]})");
  auto clear = parse_events(R"({"name":"disk_full","resource":"db1","severity":"clear","attributes":{"mount":"/var"},"fingerprint":["mount"]})");
  ASSERT_EQ(clear.events.size(), 1u);
  EXPECT_EQ(clear.events[0].kind, EventKind::clear);
  EXPECT_EQ(clear.events[0].severity, Severity::clear);
  EXPECT_EQ(fingerprint(clear.events[0]), fingerprint(problem.events.at(0)));
}

TEST(GenericEvents, ClearsNamesTheProblemItResolves) {
  auto problem = parse_events(R"({"name":"link_down","resource":"sw1"})");
  auto clear = parse_events(R"({"name":"link_up","resource":"sw1","clears":"link_down"})");
  ASSERT_EQ(clear.events.size(), 1u);
  EXPECT_EQ(clear.events[0].name, "link_up");
  EXPECT_EQ(clear.events[0].kind, EventKind::clear);
  EXPECT_EQ(clear.events[0].alert_key, "link_down");
  EXPECT_EQ(fingerprint(clear.events[0]), fingerprint(problem.events.at(0)));
}

TEST(GenericEvents, KindClearWinsOverAProblemSeverity) {
  auto r = parse_events(R"({"name":"x","resource":"r","kind":"clear","severity":"major"})");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].severity, Severity::clear);
}

TEST(GenericEvents, BytesOfUtf8TextAreKept) {
  auto r = parse_events(R"({"name":"链路中断","resource":"核心交换机","summary":"端口 Gi0/1 \u2014 down"})");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].name, "链路中断");
  EXPECT_EQ(r.events[0].summary, "端口 Gi0/1 — down");
}

TEST(GenericEvents, EachEventKeepsTheBytesItWasSentAs) {
  const std::string first = R"({ "name": "a", "resource": "r1",
      "summary": "quote \" and \u00e9" })";
  const std::string second = R"({"name":"b","resource":"r2","attributes":{"list":"[1, {2}]","dir":"C:\\"}})";
  auto batch = parse_events("  [ " + first + " ,\n\t" + second + " ]\n");
  ASSERT_EQ(batch.events.size(), 2u);
  EXPECT_EQ(batch.events[0].raw, first);
  EXPECT_EQ(batch.events[1].raw, second);
  auto single = parse_events("\n " + second + " \n");
  ASSERT_EQ(single.events.size(), 1u);
  EXPECT_EQ(single.events[0].raw, second);
}

struct BadBody {
  std::string name;
  std::string body;
  RejectReason reason;
  std::string field;
  std::string message_part;
};

class GenericRejection : public testing::TestWithParam<BadBody> {};

TEST_P(GenericRejection, NamesTheFieldToBlame) {
  Limits limits;
  limits.max_events = 3;
  limits.max_attributes = 2;
  limits.max_name = 8;
  limits.max_value = 16;
  limits.max_fingerprint = 1;
  const auto& c = GetParam();
  auto r = parse_events(c.body, limits);
  ASSERT_TRUE(r.rejection) << c.body;
  EXPECT_EQ(to_string(r.rejection->reason), to_string(c.reason)) << r.rejection->message;
  EXPECT_EQ(r.rejection->field, c.field) << r.rejection->message;
  EXPECT_NE(r.rejection->message.find(c.message_part), std::string::npos) << r.rejection->message;
  EXPECT_TRUE(r.events.empty());
}

const std::string ok = R"({"name":"n","resource":"r"})";

INSTANTIATE_TEST_SUITE_P(
    Table, GenericRejection,
    testing::Values(
        BadBody{"Empty", "", RejectReason::invalid_json, "", "invalid JSON at byte 0"},
        BadBody{"Truncated", R"({"name":"n","reso)", RejectReason::invalid_json, "", "invalid JSON"},
        BadBody{"TrailingGarbage", ok + "x", RejectReason::invalid_json, "", "invalid JSON at byte"},
        BadBody{"InvalidUtf8", "{\"name\":\"\xff\",\"resource\":\"r\"}", RejectReason::invalid_json, "", "invalid JSON"},
        BadBody{"TooDeep", std::string(100, '[') + std::string(100, ']'), RejectReason::invalid_json, "", "invalid JSON"},
        BadBody{"Scalar", "42", RejectReason::wrong_type, "body", "body must be an event object, not a number"},
        BadBody{"MissingName", R"({"resource":"r"})", RejectReason::missing_field, "name", "name is required"},
        BadBody{"EmptyResource", R"({"name":"n","resource":""})", RejectReason::missing_field, "resource", "required"},
        BadBody{"NameNotString", R"({"name":5,"resource":"r"})", RejectReason::wrong_type, "name",
                "name must be a string, not a number"},
        BadBody{"NameTooLong", R"({"name":"123456789","resource":"r"})", RejectReason::too_large, "name", "longer than 8"},
        BadBody{"UnknownField", R"({"name":"n","resource":"r","severty":"major"})", RejectReason::unknown_field,
                "severty", "unknown field 'severty'"},
        BadBody{"UnknownSeverity", R"({"name":"n","resource":"r","severity":"high"})", RejectReason::bad_value,
                "severity", "must be one of critical, major"},
        BadBody{"SeverityNull", R"({"name":"n","resource":"r","severity":null})", RejectReason::wrong_type,
                "severity", "not null"},
        BadBody{"UnknownKind", R"({"name":"n","resource":"r","kind":"alarm"})", RejectReason::bad_value, "kind",
                "problem, clear, info"},
        BadBody{"ProblemWithSeverityClear", R"({"name":"n","resource":"r","kind":"problem","severity":"clear"})",
                RejectReason::bad_value, "kind", "contradicts"},
        BadBody{"InfoWithClears", R"({"name":"n","resource":"r","kind":"info","clears":"x"})", RejectReason::bad_value,
                "kind", "contradicts"},
        BadBody{"SummaryTooLong", R"({"name":"n","resource":"r","summary":"12345678901234567"})",
                RejectReason::too_large, "summary", "longer than 16"},
        BadBody{"AttributesArray", R"({"name":"n","resource":"r","attributes":["a"]})", RejectReason::wrong_type,
                "attributes", "must be an object"},
        BadBody{"AttributeObject", R"({"name":"n","resource":"r","attributes":{"a":{}}})", RejectReason::wrong_type,
                "attributes.a", "a string, a number or a boolean"},
        BadBody{"TooManyAttributes", R"({"name":"n","resource":"r","attributes":{"a":"1","b":"2","c":"3"}})",
                RejectReason::too_large, "attributes", "more than 2"},
        BadBody{"EmptyAttributeName", R"({"name":"n","resource":"r","attributes":{"":"1"}})", RejectReason::bad_value,
                "attributes", "must not be empty"},
        BadBody{"FingerprintNotArray", R"({"name":"n","resource":"r","fingerprint":"a"})", RejectReason::wrong_type,
                "fingerprint", "array"},
        BadBody{"FingerprintUnknownAttribute", R"({"name":"n","resource":"r","fingerprint":["mount"]})",
                RejectReason::bad_value, "fingerprint[0]", "does not carry"},
        BadBody{"FingerprintTooLong", R"({"name":"n","resource":"r","attributes":{"a":"1","b":"2"},"fingerprint":["a","b"]})",
                RejectReason::too_large, "fingerprint", "more than 1"},
        BadBody{"TimeAsNumber", R"({"name":"n","resource":"r","time":1709287200})", RejectReason::wrong_type, "time",
                "must be a string"},
        BadBody{"TimeNotRfc3339", R"({"name":"n","resource":"r","time":"1/3/2024"})", RejectReason::bad_value,
                "time", "RFC 3339"},
        BadBody{"TooManyEvents", "[" + ok + "," + ok + "," + ok + "," + ok + "]", RejectReason::too_many, "body",
                "more than 3 events"},
        BadBody{"ThirdOfBatchBadSeverity",
                "[" + ok + "," + ok + R"(,{"name":"n","resource":"r","severity":"urgent"}])", RejectReason::bad_value,
                "[2].severity", "must be one of"},
        BadBody{"BatchItemNotObject", "[" + ok + ",\"x\"]", RejectReason::wrong_type, "[1]", "not a string"}),
    [](const testing::TestParamInfo<BadBody>& info) { return info.param.name; });

struct TimeCase {
  std::string text;
  std::optional<std::int64_t> ms;
};

class Rfc3339 : public testing::TestWithParam<TimeCase> {};

TEST_P(Rfc3339, ParsesToEpochMilliseconds) { EXPECT_EQ(parse_rfc3339(GetParam().text), GetParam().ms) << GetParam().text; }

INSTANTIATE_TEST_SUITE_P(
    Table, Rfc3339,
    testing::Values(TimeCase{"1970-01-01T00:00:00Z", 0}, TimeCase{"2024-03-01T10:00:00Z", 1709287200000},
                    TimeCase{"2024-03-01T10:00:00.123456789Z", 1709287200123},
                    TimeCase{"2024-03-01T11:00:00.5+01:00", 1709287200500},
                    TimeCase{"2024-03-01t05:30:00-04:30", 1709287200000},
                    TimeCase{"2024-02-29T00:00:00Z", 1709164800000},
                    TimeCase{"0001-01-01T00:00:00Z", -62135596800000},  // Go's zero time, Alertmanager's "no end"
                    TimeCase{"2023-02-29T00:00:00Z", std::nullopt}, TimeCase{"2024-03-01T24:00:00Z", std::nullopt},
                    TimeCase{"2024-03-01T10:00:00", std::nullopt}, TimeCase{"2024-03-01T10:00:00.Z", std::nullopt},
                    TimeCase{"2024-03-01T10:00:00.1234567890Z", std::nullopt},
                    TimeCase{"2024-03-01T10:00:00+0100", std::nullopt}, TimeCase{"2024-3-1T10:00:00Z", std::nullopt},
                    TimeCase{"", std::nullopt}));

}  // namespace
}  // namespace tocsin::http_ingest

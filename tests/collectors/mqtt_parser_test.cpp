// The MQTT payload parser on the payloads monitoring bridges really publish.
#include <gtest/gtest.h>

#include "collectors/mqtt/parser.hpp"

namespace tocsin::mqtt {
namespace {

std::unique_ptr<Mapping> mapping(PayloadConfig config = {}) {
  std::vector<std::string> errors;
  auto m = compile(config, errors);
  EXPECT_TRUE(errors.empty()) << errors.front();
  return m;
}

const std::string* attr(const Event& e, std::string_view key) { return e.attribute(key); }

TEST(MqttParser, JsonAlertWithNameBecomesProblemOnItsResource) {
  auto m = mapping();
  auto r = parse("tocsin/par1/sw1",
                 R"({"name":"interface_down","severity":"major","host":"sw1","summary":"Gi0/1 down"})", *m);
  ASSERT_FALSE(r.rejection);
  ASSERT_EQ(r.events.size(), 1u);
  const Event& e = r.events[0];
  EXPECT_EQ(e.source, "mqtt");
  EXPECT_EQ(e.name, "interface_down");
  EXPECT_EQ(e.kind, EventKind::problem);
  EXPECT_EQ(e.severity, Severity::major);
  EXPECT_EQ(e.resource, "sw1");
  EXPECT_EQ(e.summary, "Gi0/1 down");
  EXPECT_EQ(e.rule, "json-alert");
  ASSERT_TRUE(attr(e, "topic"));
  EXPECT_EQ(*attr(e, "topic"), "tocsin/par1/sw1");
}

TEST(MqttParser, JsonResolvedStatusClearsTheAlertOfTheSameName) {
  auto m = mapping();
  auto r = parse("tocsin/x", R"({"name":"disk_full","resource":"db1","status":"RESOLVED"})", *m);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].kind, EventKind::clear);
  EXPECT_EQ(r.events[0].alert_key, "disk_full");
  EXPECT_EQ(r.events[0].resource, "db1");
}

TEST(MqttParser, JsonArrayGivesOneEventPerAlert) {
  auto m = mapping();
  auto r = parse("tocsin/batch", R"([{"name":"a","resource":"r1"},{"name":"b","resource":"r2","severity":"critical"}])",
                 *m);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].name, "a");
  EXPECT_EQ(r.events[1].severity, Severity::critical);
}

TEST(MqttParser, NestedJsonFieldsAreDottedForRules) {
  PayloadConfig c;
  RuleSpec rule;
  rule.name = "ups";
  rule.match = {{"labels.kind", "^ups$"}, {"value.battery", R"(^(?P<pct>\d+)$)"}};
  rule.event = "ups_on_battery";
  rule.severity = "critical";
  rule.resource = "{device}";
  rule.summary = "UPS {device} at {pct}%";
  c.rules = {rule};
  c.topic_pattern = "site/+/device/+";
  auto m = mapping(c);
  auto r = parse("site/par1/device/ups7", R"({"labels":{"kind":"ups"},"value":{"battery":42}})", *m);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].summary, "UPS ups7 at 42%");
  EXPECT_EQ(r.events[0].resource, "ups7");
  ASSERT_TRUE(attr(r.events[0], "site"));
  EXPECT_EQ(*attr(r.events[0], "site"), "par1");
}

TEST(MqttParser, PlainTextMatchesRulesOnMessageAndTopicSegments) {
  PayloadConfig c;
  RuleSpec rule;
  rule.name = "door";
  rule.match = {{"topic_2", "^dc1$"}, {"message", R"(^DOOR OPEN (?P<rack>\S+))"}};
  rule.event = "door_open";
  rule.severity = "minor";
  rule.resource = "{topic_2}-{rack}";
  rule.summary = "Door open at rack {rack}";
  rule.fingerprint = {"rack"};
  c.rules = {rule};
  auto m = mapping(c);
  auto r = parse("sensors/dc1/door", "DOOR OPEN R12", *m);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].name, "door_open");
  EXPECT_EQ(r.events[0].resource, "dc1-R12");
  EXPECT_EQ(r.events[0].raw, "DOOR OPEN R12");
}

TEST(MqttParser, NamedSegmentsFromBracesPattern) {
  TopicPattern p("alerts/{region}/#");
  auto names = p.names("alerts/emea/fr/par1");
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0].first, "region");
  EXPECT_EQ(names[0].second, "emea");
}

TEST(MqttParser, UnmatchedTextIsRecordedAsInfoOnTheTopic) {
  auto m = mapping();
  auto r = parse("tocsin/lab", "hello", *m);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].kind, EventKind::info);
  EXPECT_EQ(r.events[0].resource, "tocsin/lab");
  EXPECT_EQ(r.unmatched, 1u);
}

TEST(MqttParser, UnmatchedDiscardGivesNoEventButCountsIt) {
  PayloadConfig c;
  c.unmatched = Unmatched::discard;
  auto m = mapping(c);
  auto r = parse("tocsin/lab", "hello", *m);
  EXPECT_FALSE(r.rejection);
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.unmatched, 1u);
}

TEST(MqttParser, TocsinShapeIsTakenWithoutRules) {
  PayloadConfig c;
  c.format = Format::tocsin;
  auto m = mapping(c);
  auto r = parse("tocsin/x", R"({"name":"bgp_down","resource":"rtr1","severity":"critical","summary":"peer lost"})", *m);
  ASSERT_FALSE(r.rejection) << r.detail;
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].source, "mqtt");
  EXPECT_EQ(r.events[0].name, "bgp_down");
}

struct BadCase {
  const char* name;
  Format format;
  std::string topic;
  std::string payload;
  RejectReason reason;
};

TEST(MqttParser, BadPayloadsAreRejectedWithTheirReason) {
  const std::vector<BadCase> cases = {
      {"not json in json mode", Format::json, "t", "{\"name\":", RejectReason::invalid_json},
      {"array of numbers", Format::automatic, "t", "[1,2,3]", RejectReason::wrong_type},
      {"json string", Format::json, "t", "\"x\"", RejectReason::wrong_type},
      {"too deep", Format::json, "t", std::string(100, '[') + std::string(100, ']'), RejectReason::invalid_json},
      {"too large", Format::text, "t", std::string(256 * 1024 + 1, 'x'), RejectReason::too_large},
      {"empty topic", Format::text, "", "x", RejectReason::bad_topic},
      {"tocsin shape without name", Format::tocsin, "t", R"({"resource":"r"})", RejectReason::invalid_event},
  };
  for (const auto& c : cases) {
    PayloadConfig config;
    config.format = c.format;
    auto m = mapping(config);
    auto r = parse(c.topic, c.payload, *m);
    ASSERT_TRUE(r.rejection) << c.name;
    EXPECT_EQ(*r.rejection, c.reason) << c.name << ": " << r.detail;
    EXPECT_TRUE(r.events.empty()) << c.name;
  }
}

TEST(MqttParser, MoreAlertsThanMaxRecordsAreRefusedWhole) {
  PayloadConfig c;
  c.limits.max_records = 2;
  auto m = mapping(c);
  auto r = parse("t", R"([{"name":"a"},{"name":"b"},{"name":"c"}])", *m);
  ASSERT_TRUE(r.rejection);
  EXPECT_EQ(*r.rejection, RejectReason::too_many);
}

TEST(MqttParser, BrokenJsonInAutoModeIsReadAsText) {
  auto m = mapping();
  auto r = parse("tocsin/x", "{not json", *m);
  ASSERT_FALSE(r.rejection);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].summary, "{not json");
}

}  // namespace
}  // namespace tocsin::mqtt

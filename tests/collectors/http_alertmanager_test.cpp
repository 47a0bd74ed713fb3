// The Alertmanager webhook shape: notifications captured from a real
// prometheus-alertmanager 0.25 (Debian 12) webhook receiver, and the ways a
// body can be wrong.

#include <gtest/gtest.h>

#include <string>

#include "collectors/http/parser.hpp"

namespace tocsin::http_ingest {
namespace {

// Alertmanager 0.25, route group_by [alertname, instance]: a firing alert
// with both annotations and a generator URL.
constexpr std::string_view host_down_firing =
    R"({"receiver":"tocsin","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"HostDown","instance":"db1:9100","job":"node","severity":"critical"},"annotations":{"description":"node exporter on db1 has not answered for 5 minutes","summary":"db1 is down"},"startsAt":"2026-11-23T16:14:07.889577126Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus.example:9090/graph?g0.expr=up+%3D%3D+0\u0026g0.tab=1","fingerprint":"be810afc28773f95"}],"groupLabels":{"alertname":"HostDown","instance":"db1:9100"},"commonLabels":{"alertname":"HostDown","instance":"db1:9100","job":"node","severity":"critical"},"commonAnnotations":{"description":"node exporter on db1 has not answered for 5 minutes","summary":"db1 is down"},"externalURL":"http://vm:19093","version":"4","groupKey":"{}:{alertname=\"HostDown\", instance=\"db1:9100\"}","truncatedAlerts":0})";

// The same alert after it was posted again with endsAt in the past.
constexpr std::string_view host_down_resolved =
    R"({"receiver":"tocsin","status":"resolved","alerts":[{"status":"resolved","labels":{"alertname":"HostDown","instance":"db1:9100","job":"node","severity":"critical"},"annotations":{"description":"node exporter on db1 has not answered for 5 minutes","summary":"db1 is down"},"startsAt":"2019-12-31T23:00:00Z","endsAt":"2020-01-01T00:00:00Z","generatorURL":"","fingerprint":"be810afc28773f95"}],"groupLabels":{"alertname":"HostDown","instance":"db1:9100"},"commonLabels":{"alertname":"HostDown","instance":"db1:9100","job":"node","severity":"critical"},"commonAnnotations":{"description":"node exporter on db1 has not answered for 5 minutes","summary":"db1 is down"},"externalURL":"http://vm:19093","version":"4","groupKey":"{}:{alertname=\"HostDown\", instance=\"db1:9100\"}","truncatedAlerts":0})";

// Only a description, no generator URL.
constexpr std::string_view disk_full_firing =
    R"({"receiver":"tocsin","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"DiskFull","instance":"db1:9100","mountpoint":"/var","severity":"warning"},"annotations":{"description":"/var is 95% full"},"startsAt":"2026-11-23T16:14:07.889577126Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":"23b6bbaaeaf30cfe"}],"groupLabels":{"alertname":"DiskFull","instance":"db1:9100"},"commonLabels":{"alertname":"DiskFull","instance":"db1:9100","mountpoint":"/var","severity":"warning"},"commonAnnotations":{"description":"/var is 95% full"},"externalURL":"http://vm:19093","version":"4","groupKey":"{}:{alertname=\"DiskFull\", instance=\"db1:9100\"}","truncatedAlerts":0})";

// group_by [alertname]: two alerts in one notification, empty commonAnnotations.
constexpr std::string_view two_interfaces_firing =
    R"({"receiver":"tocsin","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"InterfaceDown","ifName":"Gi0/1","instance":"core-sw1","severity":"major"},"annotations":{"summary":"Gi0/1 down on core-sw1"},"startsAt":"2026-11-23T16:14:20.617677058Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":"03c62453d5ea68e9"},{"status":"firing","labels":{"alertname":"InterfaceDown","ifName":"Gi0/2","instance":"core-sw2","severity":"major"},"annotations":{"summary":"Gi0/2 down on core-sw2"},"startsAt":"2026-11-23T16:14:20.617677058Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":"166e2a9c698a1579"}],"groupLabels":{"alertname":"InterfaceDown"},"commonLabels":{"alertname":"InterfaceDown","severity":"major"},"commonAnnotations":{},"externalURL":"http://vm:19093","version":"4","groupKey":"{}:{alertname=\"InterfaceDown\"}","truncatedAlerts":0})";

std::string attr(const Event& e, std::string_view key) {
  const std::string* v = e.attribute(key);
  return v ? *v : "<absent>";
}

TEST(AlertmanagerWebhook, FiringAlertBecomesProblemNamedByAlertnameOnInstance) {
  auto r = parse_alertmanager(host_down_firing);
  ASSERT_FALSE(r.rejection) << r.rejection->message;
  ASSERT_EQ(r.events.size(), 1u);
  const Event& e = r.events[0];
  EXPECT_EQ(e.name, "HostDown");
  EXPECT_EQ(e.alert_key, "HostDown");
  EXPECT_EQ(e.kind, EventKind::problem);
  EXPECT_EQ(e.severity, Severity::critical);
  EXPECT_EQ(e.resource, "db1:9100");
  EXPECT_EQ(e.summary, "db1 is down");
  EXPECT_EQ(e.source, "http");
  EXPECT_EQ(e.rule, "alertmanager");
  EXPECT_EQ(attr(e, "job"), "node");
  EXPECT_EQ(attr(e, "annotations.description"), "node exporter on db1 has not answered for 5 minutes");
  EXPECT_EQ(attr(e, "alertmanager.fingerprint"), "be810afc28773f95");
  EXPECT_EQ(attr(e, "alertmanager.generator_url"), "http://prometheus.example:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1");
  EXPECT_EQ(attr(e, "alertmanager.starts_at"), "2026-11-23T16:14:07.889577126Z");
  EXPECT_EQ(attr(e, "alertmanager.ends_at"), "<absent>");
  EXPECT_NE(e.raw.find("\"fingerprint\":\"be810afc28773f95\""), std::string::npos);
}

TEST(AlertmanagerWebhook, ResolvedAlertClearsTheFiringOneWithTheSameFingerprint) {
  auto firing = parse_alertmanager(host_down_firing);
  auto resolved = parse_alertmanager(host_down_resolved);
  ASSERT_EQ(resolved.events.size(), 1u);
  const Event& e = resolved.events[0];
  EXPECT_EQ(e.kind, EventKind::clear);
  EXPECT_EQ(e.severity, Severity::clear);
  EXPECT_EQ(e.alert_key, "HostDown");
  EXPECT_EQ(attr(e, "alertmanager.ends_at"), "2020-01-01T00:00:00Z");
  // Annotations or the generator URL may change between notifications; the
  // alert is the same.
  EXPECT_EQ(fingerprint(e), fingerprint(firing.events[0]));
}

TEST(AlertmanagerWebhook, DescriptionIsTheSummaryWhenThereIsNoSummaryAnnotation) {
  auto r = parse_alertmanager(disk_full_firing);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].summary, "/var is 95% full");
  EXPECT_EQ(r.events[0].severity, Severity::warning);
  EXPECT_EQ(attr(r.events[0], "mountpoint"), "/var");
  EXPECT_EQ(attr(r.events[0], "alertmanager.generator_url"), "<absent>");
}

TEST(AlertmanagerWebhook, EveryAlertOfAGroupBecomesItsOwnEvent) {
  auto r = parse_alertmanager(two_interfaces_firing);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].resource, "core-sw1");
  EXPECT_EQ(r.events[1].resource, "core-sw2");
  EXPECT_EQ(r.events[0].severity, Severity::major);
  EXPECT_NE(fingerprint(r.events[0]), fingerprint(r.events[1]));
}

TEST(AlertmanagerWebhook, EachAlertKeepsTheBytesItWasSentAs) {
  const std::string first = R"({"status":"firing","labels":{"alertname":"A","instance":"h1"}})";
  const std::string second = R"({ "status": "firing", "labels": {"alertname": "B", "note": "}]\""} })";
  auto r = parse_alertmanager(R"({"receiver":"x","groupLabels":{"alerts":"y"},"alerts": [)" + first + ",  " + second +
                              R"(],"status":"firing"})");
  ASSERT_FALSE(r.rejection) << r.rejection->message;
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].raw, first);
  EXPECT_EQ(r.events[1].raw, second);
  // A member name spelled with an escape: the alert is written out from the document.
  auto escaped = parse_alertmanager(R"({"al\u0065rts":[)" + first + "]}");
  ASSERT_FALSE(escaped.rejection) << escaped.rejection->message;
  ASSERT_EQ(escaped.events.size(), 1u);
  EXPECT_EQ(escaped.events[0].raw, first);
}

TEST(AlertmanagerWebhook, SeverityLabelIsMappedThroughConfigurationIgnoringCase) {
  AlertmanagerConfig config;
  config.severity_map.emplace_back("page", Severity::critical);
  config.default_severity = Severity::minor;
  auto body = [](std::string severity) {
    return R"({"alerts":[{"status":"firing","labels":{"alertname":"A","instance":"h1","severity":")" + severity +
           R"("}}]})";
  };
  EXPECT_EQ(parse_alertmanager(body("page"), config).events.at(0).severity, Severity::critical);
  EXPECT_EQ(parse_alertmanager(body("WARNING"), config).events.at(0).severity, Severity::warning);
  EXPECT_EQ(parse_alertmanager(body("error"), config).events.at(0).severity, Severity::major);
  EXPECT_EQ(parse_alertmanager(body("whatever"), config).events.at(0).severity, Severity::minor);
  EXPECT_EQ(parse_alertmanager(R"({"alerts":[{"status":"firing","labels":{"alertname":"A"}}]})", config)
                .events.at(0)
                .severity,
            Severity::minor);
}

TEST(AlertmanagerWebhook, ResourceIsTheFirstConfiguredLabelThatIsSet) {
  AlertmanagerConfig config;
  config.resource_labels = {"device", "instance"};
  auto with = [&](std::string labels) {
    return parse_alertmanager(R"({"alerts":[{"status":"firing","labels":{"alertname":"A")" + labels + "}}]}", config)
        .events.at(0)
        .resource;
  };
  EXPECT_EQ(with(R"(,"instance":"h1:9100","device":"sw1")"), "sw1");
  EXPECT_EQ(with(R"(,"instance":"h1:9100","device":"")"), "h1:9100");
  EXPECT_EQ(with(""), "alertmanager");
}

TEST(AlertmanagerWebhook, WithoutAlertmanagerFingerprintTheLabelsIdentifyTheAlert) {
  auto a = parse_alertmanager(R"({"alerts":[{"status":"firing","labels":{"alertname":"A","instance":"h","x":"1"}}]})");
  auto b = parse_alertmanager(R"({"alerts":[{"status":"resolved","labels":{"x":"1","instance":"h","alertname":"A"}}]})");
  auto c = parse_alertmanager(R"({"alerts":[{"status":"firing","labels":{"alertname":"A","instance":"h","x":"2"}}]})");
  ASSERT_FALSE(a.rejection);
  EXPECT_EQ(fingerprint(a.events.at(0)), fingerprint(b.events.at(0)));
  EXPECT_NE(fingerprint(a.events.at(0)), fingerprint(c.events.at(0)));
}

TEST(AlertmanagerWebhook, TruncatedAlertsAreReportedForCounting) {
  auto r = parse_alertmanager(R"({"alerts":[],"truncatedAlerts":7})");
  ASSERT_FALSE(r.rejection);
  EXPECT_EQ(r.truncated_alerts, 7u);
  EXPECT_TRUE(r.events.empty());
}

TEST(AlertmanagerWebhook, FieldsOtherSendersAddAreIgnored) {
  // Grafana's webhook contact point adds orgId, silenceURL, values, …
  auto r = parse_alertmanager(
      R"({"receiver":"x","status":"firing","orgId":1,"alerts":[{"status":"firing","labels":{"alertname":"High memory usage","team":"blue"},"silenceURL":"https://grafana/silence","values":{"B":44.2}}]})");
  ASSERT_FALSE(r.rejection) << r.rejection->message;
  EXPECT_EQ(r.events.at(0).name, "High memory usage");
}

struct BadNotification {
  std::string name;
  std::string body;
  RejectReason reason;
  std::string field;
};

class AlertmanagerRejection : public testing::TestWithParam<BadNotification> {};

TEST_P(AlertmanagerRejection, NamesTheFieldToBlame) {
  Limits limits;
  limits.max_events = 2;
  limits.max_attributes = 3;
  const auto& c = GetParam();
  auto r = parse_alertmanager(c.body, {}, limits);
  ASSERT_TRUE(r.rejection) << c.body;
  EXPECT_EQ(to_string(r.rejection->reason), to_string(c.reason)) << r.rejection->message;
  EXPECT_EQ(r.rejection->field, c.field) << r.rejection->message;
  EXPECT_FALSE(r.rejection->message.empty());
  EXPECT_TRUE(r.events.empty());
}

const std::string ok_alert = R"({"status":"firing","labels":{"alertname":"A"}})";

INSTANTIATE_TEST_SUITE_P(
    Table, AlertmanagerRejection,
    testing::Values(
        BadNotification{"NotJson", "{\"alerts\": [", RejectReason::invalid_json, ""},
        BadNotification{"NotAnObject", "[]", RejectReason::wrong_type, "body"},
        BadNotification{"NoAlerts", R"({"status":"firing"})", RejectReason::missing_field, "alerts"},
        BadNotification{"AlertsNotArray", R"({"alerts":{}})", RejectReason::wrong_type, "alerts"},
        BadNotification{"TooManyAlerts", "{\"alerts\":[" + ok_alert + "," + ok_alert + "," + ok_alert + "]}",
                        RejectReason::too_many, "alerts"},
        BadNotification{"AlertNotObject", "{\"alerts\":[" + ok_alert + ",5]}", RejectReason::wrong_type, "alerts[1]"},
        BadNotification{"NoStatus", R"({"alerts":[{"labels":{"alertname":"A"}}]})", RejectReason::missing_field,
                        "alerts[0].status"},
        BadNotification{"UnknownStatus", R"({"alerts":[{"status":"pending","labels":{"alertname":"A"}}]})",
                        RejectReason::bad_value, "alerts[0].status"},
        BadNotification{"NoLabels", R"({"alerts":[{"status":"firing"}]})", RejectReason::missing_field,
                        "alerts[0].labels"},
        BadNotification{"NoAlertname", R"({"alerts":[{"status":"firing","labels":{"job":"x"}}]})",
                        RejectReason::missing_field, "alerts[0].labels.alertname"},
        BadNotification{"LabelNotString", R"({"alerts":[{"status":"firing","labels":{"alertname":"A","severity":3}}]})",
                        RejectReason::wrong_type, "alerts[0].labels.severity"},
        BadNotification{"AnnotationsNotObject",
                        R"({"alerts":[{"status":"firing","labels":{"alertname":"A"},"annotations":"x"}]})",
                        RejectReason::wrong_type, "alerts[0].annotations"},
        BadNotification{"BadStartsAt",
                        R"({"alerts":[{"status":"firing","labels":{"alertname":"A"},"startsAt":"yesterday"}]})",
                        RejectReason::bad_value, "alerts[0].startsAt"},
        BadNotification{"TooManyLabels",
                        R"({"alerts":[{"status":"firing","labels":{"alertname":"A","a":"1","b":"2","c":"3"}}]})",
                        RejectReason::too_large, "alerts[0].labels"},
        BadNotification{"LabelsAndAnnotationsTooMany",
                        R"({"alerts":[{"status":"firing","labels":{"alertname":"A","a":"1"},"annotations":{"x":"1","y":"2"}}]})",
                        RejectReason::too_large, "alerts[0]"},
        BadNotification{"TruncatedNegative", R"({"alerts":[],"truncatedAlerts":-1})", RejectReason::wrong_type,
                        "truncatedAlerts"},
        BadNotification{"ReceiverNotString", R"({"receiver":1,"alerts":[]})", RejectReason::wrong_type, "receiver"},
        BadNotification{"CommonLabelsNotObject", R"({"commonLabels":[],"alerts":[]})", RejectReason::wrong_type,
                        "commonLabels"}),
    [](const testing::TestParamInfo<BadNotification>& info) { return info.param.name; });

}  // namespace
}  // namespace tocsin::http_ingest

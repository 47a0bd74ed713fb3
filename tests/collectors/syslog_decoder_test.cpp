// Real device lines through the parser and the built-in rules: the events a
// NOC engineer expects from the common interface messages.
#include "collectors/syslog/decoder.hpp"

#include <gtest/gtest.h>

namespace tocsin::syslog {
namespace {

class RecordingSink final : public EventSink {
 public:
  std::size_t offer(std::vector<Event>& events) override {
    std::size_t n = std::min(room, events.size());
    for (std::size_t i = 0; i < n; ++i) offered.push_back(events[i]);
    room -= n;
    return n;
  }
  void submit(std::vector<Event> events, std::function<void()> durable) override {
    for (auto& e : events) submitted.push_back(std::move(e));
    pending.push_back(std::move(durable));
  }
  std::size_t room = 1000;
  std::vector<Event> offered, submitted;
  std::vector<std::function<void()>> pending;
};

struct Case {
  const char* name;
  const char* line;
  const char* event;
  EventKind kind;
  const char* resource;
  const char* interface;
};

class BuiltInRules : public ::testing::TestWithParam<Case> {};

TEST_P(BuiltInRules, MapToInterfaceProblemOrClear) {
  const Case& c = GetParam();
  StatsRegistry stats;
  RecordingSink sink;
  FakeClock clock;
  Decoder decoder(DecoderConfig{}, sink, stats, clock);
  Event e;
  ASSERT_TRUE(decoder.decode({c.line, "192.0.2.7"}, e)) << c.line;
  EXPECT_EQ(e.name, c.event);
  EXPECT_EQ(e.alert_key, "interface_down");
  EXPECT_EQ(e.kind, c.kind);
  EXPECT_EQ(e.resource, c.resource);
  ASSERT_NE(e.attribute("interface"), nullptr);
  EXPECT_EQ(*e.attribute("interface"), c.interface);
  EXPECT_EQ(e.source, "syslog");
  EXPECT_EQ(e.source_address, "192.0.2.7");
  EXPECT_EQ(e.raw, c.line);
}

INSTANTIATE_TEST_SUITE_P(
    RealDevices, BuiltInRules,
    ::testing::Values(
        Case{"CiscoIosLinkDownWithoutHostnameUsesSender",
             "<187>123: Mar  1 18:46:11.123: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down",
             "interface_down", EventKind::problem, "192.0.2.7", "GigabitEthernet0/1"},
        Case{"CiscoIosLineProtocolUp",
             "<189>Mar 1 18:46:11 router1 45: *Mar 1 18:46:11: %LINEPROTO-5-UPDOWN: Line protocol on Interface "
             "GigabitEthernet0/1, changed state to up",
             "interface_up", EventKind::clear, "router1", "GigabitEthernet0/1"},
        Case{"CiscoIosAdministrativelyDown",
             "<189>46: router1: Mar  1 18:47:00: %LINK-5-CHANGED: Interface Vlan10, changed state to administratively "
             "down",
             "interface_down", EventKind::problem, "router1", "Vlan10"},
        Case{"NxosLinkFailure",
             "<187>2024 Mar  1 18:46:11 nx-sw01 %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/1 is down (Link "
             "failure)",
             "interface_down", EventKind::problem, "nx-sw01", "Ethernet1/1"},
        Case{"NxosLinkUp", "<189>2024 Mar  1 18:50:11 nx-sw01 %ETHPORT-5-IF_UP: Interface Ethernet1/1 is up in mode access",
             "interface_up", EventKind::clear, "nx-sw01", "Ethernet1/1"},
        Case{"JunosSnmpTrapLinkDown",
             "<28>Mar  1 18:46:11 mx480-re0 mib2d[1234]: SNMP_TRAP_LINK_DOWN: ifIndex 545, ifAdminStatus up(1), "
             "ifOperStatus down(2), ifName ge-0/0/1",
             "interface_down", EventKind::problem, "mx480-re0", "ge-0/0/1"},
        Case{"JunosSnmpTrapLinkUp",
             "<30>Mar  1 18:49:11 mx480-re0 mib2d[1234]: SNMP_TRAP_LINK_UP: ifIndex 545, ifAdminStatus up(1), "
             "ifOperStatus up(1), ifName ge-0/0/1",
             "interface_up", EventKind::clear, "mx480-re0", "ge-0/0/1"},
        Case{"HuaweiVrpLinkStateDown",
             "<187>Mar  1 2024 18:46:11 HUAWEI-CE %%01IFNET/4/LINK_STATE(l)[0]:The line protocol IP on the interface "
             "GigabitEthernet0/0/1 has entered the DOWN state.",
             "interface_down", EventKind::problem, "HUAWEI-CE", "GigabitEthernet0/0/1"},
        Case{"H3cPhyUp",
             "<188>Mar  1 18:46:11 2024 H3C %%10IFNET/3/PHY_UPDOWN: Physical state on the interface "
             "GigabitEthernet1/0/1 changed to up.",
             "interface_up", EventKind::clear, "H3C", "GigabitEthernet1/0/1"},
        Case{"LinuxKernelNicDown", "<3>Mar  1 18:46:11 web01 kernel: [12345.678] e1000e: eth0 NIC Link is Down",
             "interface_down", EventKind::problem, "web01", "eth0"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Decoder, UnmatchedMessagesAreRecordedAsInfoByDefault) {
  StatsRegistry stats;
  RecordingSink sink;
  FakeClock clock;
  Decoder decoder(DecoderConfig{}, sink, stats, clock);
  Event e;
  ASSERT_TRUE(decoder.decode({"<86>Mar  1 18:46:11 web01 CRON[42]: (root) CMD (run-parts /etc/cron.hourly)", "10.0.0.1"}, e));
  EXPECT_EQ(e.kind, EventKind::info);
  EXPECT_EQ(e.name, "CRON");
  EXPECT_EQ(e.resource, "web01");
  EXPECT_EQ(stats.value("tocsin_syslog_unmatched_total"), 1);
}

TEST(Decoder, UnmatchedCanRaiseAlertsOrBeDiscardedWithACount) {
  StatsRegistry stats;
  RecordingSink sink;
  FakeClock clock;
  DecoderConfig config;
  config.unmatched = Unmatched::alert;
  Decoder decoder(config, sink, stats, clock);
  Event e;
  ASSERT_TRUE(decoder.decode({"<11>Mar  1 18:46:11 db1 postgres[7]: FATAL: could not write", "10.0.0.2"}, e));
  EXPECT_EQ(e.kind, EventKind::problem);
  EXPECT_EQ(e.severity, Severity::major);

  config.unmatched = Unmatched::discard;
  decoder.reconfigure(config);
  Event d;
  EXPECT_FALSE(decoder.decode({"<11>Mar  1 18:46:11 db1 postgres[7]: FATAL: could not write", "10.0.0.2"}, d));
  EXPECT_EQ(stats.value("tocsin_syslog_dropped_total", {{"reason", "unmatched_discard"}}), 1);
}

TEST(Decoder, UserRulesComeBeforeBuiltInRules) {
  StatsRegistry stats;
  RecordingSink sink;
  FakeClock clock;
  DecoderConfig config;
  RuleSpec uplink;
  uplink.name = "core-uplink";
  uplink.match = {{"message", R"(Interface (?P<interface>TenGigabitEthernet1/1), changed state to down)"}};
  uplink.event = "uplink_down";
  uplink.severity = "critical";
  config.rules = {uplink};
  Decoder decoder(config, sink, stats, clock);
  Event e;
  ASSERT_TRUE(decoder.decode({"<187>Mar  1 18:46:11 core1 %LINK-3-UPDOWN: Interface TenGigabitEthernet1/1, changed state to down", "10.0.0.3"}, e));
  EXPECT_EQ(e.name, "uplink_down");
  EXPECT_EQ(e.severity, Severity::critical);
}

TEST(Decoder, RejectionsAreCountedByReason) {
  StatsRegistry stats;
  RecordingSink sink;
  FakeClock clock;
  Decoder decoder(DecoderConfig{}, sink, stats, clock);
  Event e;
  EXPECT_FALSE(decoder.decode({"<999>bad", "10.0.0.4"}, e));
  EXPECT_EQ(stats.value("tocsin_syslog_rejected_total", {{"reason", "bad_pri"}}), 1);
}

TEST(Decoder, QueueFullDropsAreCountedForLossyInput) {
  StatsRegistry stats;
  RecordingSink sink;
  sink.room = 1;
  FakeClock clock;
  Decoder decoder(DecoderConfig{}, sink, stats, clock);
  std::string line = "<187>Mar  1 18:46:11 sw1 %LINK-3-UPDOWN: Interface Gi0/1, changed state to down";
  FrameView frames[] = {{line, "10.0.0.5"}, {line, "10.0.0.5"}, {line, "10.0.0.5"}};
  decoder.offer(frames);
  EXPECT_EQ(sink.offered.size(), 1u);
  EXPECT_EQ(stats.value("tocsin_syslog_dropped_total", {{"reason", "queue_full"}}), 2);
}

TEST(Decoder, AcknowledgedInputCompletesOnlyThroughTheSink) {
  StatsRegistry stats;
  RecordingSink sink;
  FakeClock clock;
  Decoder decoder(DecoderConfig{}, sink, stats, clock);
  std::string line = "<187>Mar  1 18:46:11 sw1 %LINK-3-UPDOWN: Interface Gi0/1, changed state to down";
  FrameView frames[] = {{line, "10.0.0.5"}};
  bool done = false;
  decoder.submit(frames, [&] { done = true; });
  EXPECT_FALSE(done) << "not durable until the pipeline says so";
  ASSERT_EQ(sink.pending.size(), 1u);
  sink.pending[0]();
  EXPECT_TRUE(done);

  bool rejected_done = false;
  FrameView bad[] = {{"<999>x", "10.0.0.5"}};
  decoder.submit(bad, [&] { rejected_done = true; });
  EXPECT_TRUE(rejected_done) << "a batch with nothing to store completes at once";
}

}  // namespace
}  // namespace tocsin::syslog

// The SNMP data path without sockets: default rules turn real traps into the
// events a NOC expects (linkDown/linkUp as a clear pair keyed by ifIndex,
// vendor examples by numeric OID), unknown traps still become events, and
// every refusal moves its counter: source allow-list, per-source rate limit,
// credentials.
#include <gtest/gtest.h>

#include "collectors/snmp/handler.hpp"
#include "snmp_samples.hpp"

namespace tocsin::snmp {
namespace {

using test::sample;

class SnmpHandlerTest : public ::testing::Test {
 protected:
  Config config() {
    Config c;
    c.decoder = test::sample_decoder_config();
    return c;
  }
  Handled handle(TrapHandler& h, const std::string& name, std::string_view ip = "192.0.2.10") {
    data_ = sample(name);
    auto peer = test::peer_192_0_2_10();
    return h.handle({data_, ip, reinterpret_cast<const sockaddr*>(&peer), sizeof peer, false});
  }
  double rejected(const char* reason) { return stats_.value("tocsin_snmp_rejected_total", {{"reason", reason}}); }
  std::string attribute(const Event& e, std::string_view key) {
    auto* v = e.attribute(key);
    return v ? *v : "<absent>";
  }

  StatsRegistry stats_;
  FakeClock clock_;
  std::string data_;
};

TEST_F(SnmpHandlerTest, LinkDownIsAMajorProblemKeyedByIfIndex) {
  TrapHandler h(config(), stats_, clock_);
  auto out = handle(h, "v2c_link_down");
  ASSERT_TRUE(out.event);
  const Event& e = *out.event;
  EXPECT_EQ(e.source, "snmp");
  EXPECT_EQ(e.name, "link_down");
  EXPECT_EQ(e.kind, EventKind::problem);
  EXPECT_EQ(e.severity, Severity::major);
  EXPECT_EQ(e.resource, "192.0.2.10");
  EXPECT_EQ(e.summary, "Interface GigabitEthernet0/2 down on 192.0.2.10");
  EXPECT_EQ(e.fingerprint_keys, std::vector<std::string>{"ifIndex"});
  EXPECT_EQ(attribute(e, "ifIndex"), "2");
  EXPECT_EQ(attribute(e, "trap_oid"), "1.3.6.1.6.3.1.1.5.3");
  EXPECT_EQ(attribute(e, "community"), "public");
  EXPECT_NE(attribute(e, "varbinds").find("1.3.6.1.2.1.2.2.1.2.2 (ifDescr.2) = OCTET STRING: GigabitEthernet0/2"),
            std::string::npos);
  EXPECT_EQ(e.raw, sample("v2c_link_down"));
  EXPECT_EQ(stats_.value("tocsin_snmp_notifications_total", {{"outcome", "accepted"}}), 1);
}

TEST_F(SnmpHandlerTest, LinkUpClearsLinkDownOnSameIfIndex) {
  TrapHandler h(config(), stats_, clock_);
  auto down = handle(h, "v2c_link_down");
  auto up = handle(h, "v2c_link_up");
  ASSERT_TRUE(down.event && up.event);
  EXPECT_EQ(up.event->kind, EventKind::clear);
  EXPECT_EQ(up.event->alert_key, "link_down");
  EXPECT_EQ(fingerprint(*up.event), fingerprint(*down.event));
}

TEST_F(SnmpHandlerTest, IfIndexIsTakenFromTheInstanceWhenNotSentAsAValue) {
  TrapHandler h(config(), stats_, clock_);
  auto out = handle(h, "v2c_link_down_no_ifindex");
  ASSERT_TRUE(out.event);
  EXPECT_EQ(attribute(*out.event, "ifIndex"), "7");
  EXPECT_EQ(out.event->summary, "Interface xe-0/0/7 down on 192.0.2.10");
}

TEST_F(SnmpHandlerTest, SysNameVarbindNamesTheResource) {
  TrapHandler h(config(), stats_, clock_);
  auto out = handle(h, "v2c_types");
  ASSERT_TRUE(out.event);
  EXPECT_EQ(out.event->resource, "core-sw-01");
}

TEST_F(SnmpHandlerTest, JuniperFanFailureIsKeyedByComponent) {
  TrapHandler h(config(), stats_, clock_);
  auto out = handle(h, "v2c_juniper_fan");
  ASSERT_TRUE(out.event);
  EXPECT_EQ(out.event->name, "fan_failure");
  EXPECT_EQ(attribute(*out.event, "component"), "Fan Tray 0");
  EXPECT_EQ(out.event->summary, "Fan failure on 192.0.2.10: Fan Tray 0");
}

TEST_F(SnmpHandlerTest, UnknownTrapIsRecordedWithItsOidAndVarbinds) {
  TrapHandler h(config(), stats_, clock_);
  auto out = handle(h, "v2c_types");
  ASSERT_TRUE(out.event);
  EXPECT_EQ(out.event->name, "1.3.6.1.4.1.99999.0.1");
  EXPECT_EQ(out.event->kind, EventKind::info);
  EXPECT_EQ(attribute(*out.event, "1.3.6.1.4.1.99999.1.1.0"), "198.51.100.7");
  EXPECT_EQ(stats_.value("tocsin_snmp_unmatched_total"), 1);
}

TEST_F(SnmpHandlerTest, UserRuleMatchesVarbindByNameAndPosition) {
  auto c = config();
  RuleSpec r;
  r.name = "lab-trap";
  r.match = {{"trap_oid", R"(^1\.3\.6\.1\.4\.1\.99999\.0\.1$)"}, {"vb1", R"(^198\.51\.100\.7$)"}};
  r.event = "lab_alarm";
  r.severity = "critical";
  r.summary = "Lab alarm from {sysName} ({1.3.6.1.4.1.99999.1.1.0})";
  c.mapping.rules = {r};
  TrapHandler h(c, stats_, clock_);
  auto out = handle(h, "v2c_types");
  ASSERT_TRUE(out.event);
  EXPECT_EQ(out.event->name, "lab_alarm");
  EXPECT_EQ(out.event->summary, "Lab alarm from core-sw-01 (198.51.100.7)");
}

TEST_F(SnmpHandlerTest, DiscardedUnmatchedTrapIsCounted) {
  auto c = config();
  c.mapping.unmatched = Unmatched::discard;
  TrapHandler h(c, stats_, clock_);
  EXPECT_FALSE(handle(h, "v2c_types").event);
  EXPECT_EQ(stats_.value("tocsin_snmp_dropped_total", {{"reason", "unmatched_discard"}}), 1);
}

TEST_F(SnmpHandlerTest, SourcesOutsideTheAllowListAreRejectedAndCounted) {
  auto c = config();
  c.access.allowed_sources = {"10.0.0.0/8", "2001:db8::/32"};
  TrapHandler h(c, stats_, clock_);
  EXPECT_FALSE(handle(h, "v2c_link_down", "192.0.2.10").event);
  EXPECT_TRUE(handle(h, "v2c_link_down", "10.1.2.3").event);
  EXPECT_TRUE(handle(h, "v2c_link_down", "2001:db8::7").event);
  EXPECT_EQ(rejected("source_not_allowed"), 1);
}

TEST_F(SnmpHandlerTest, AFloodingSourceIsRateLimitedAloneAndRefillsWithTime) {
  auto c = config();
  c.access.rate_limit = 2;
  TrapHandler h(c, stats_, clock_);
  EXPECT_TRUE(handle(h, "v2c_link_down", "192.0.2.10").event);
  EXPECT_TRUE(handle(h, "v2c_link_down", "192.0.2.10").event);
  EXPECT_FALSE(handle(h, "v2c_link_down", "192.0.2.10").event);
  EXPECT_TRUE(handle(h, "v2c_link_down", "192.0.2.99").event);  // another device is not affected
  EXPECT_EQ(rejected("rate_limited"), 1);
  clock_.advance_ms(500);
  EXPECT_TRUE(handle(h, "v2c_link_down", "192.0.2.10").event);
}

TEST_F(SnmpHandlerTest, BadCredentialsAndBadBytesMoveTheirCounters) {
  TrapHandler h(config(), stats_, clock_);
  for (auto* s : {"v2c_wrong_community", "v3_wrong_auth_key", "v3_unknown_user", "garbage", "v2c_get_request"})
    EXPECT_FALSE(handle(h, s).event) << s;
  EXPECT_EQ(rejected("unknown_community"), 1);
  EXPECT_EQ(rejected("wrong_digest"), 1);
  EXPECT_EQ(rejected("unknown_user"), 1);
  EXPECT_EQ(rejected("parse_error"), 1);
  EXPECT_EQ(rejected("not_a_notification"), 1);
}

TEST_F(SnmpHandlerTest, DiscoveryProbeIsAnsweredButNotCountedAsARejection) {
  TrapHandler h(config(), stats_, clock_);
  auto out = handle(h, "v3_inform_discovery_probe");
  EXPECT_FALSE(out.event);
  EXPECT_FALSE(out.reply.empty());
  EXPECT_EQ(rejected("unknown_engine_id"), 0);
  EXPECT_EQ(stats_.value("tocsin_snmp_reports_sent_total"), 1);
}

TEST_F(SnmpHandlerTest, InformCarriesItsResponseForAfterTheCommit) {
  TrapHandler h(config(), stats_, clock_);
  auto out = handle(h, "v2c_inform_link_down");
  ASSERT_TRUE(out.event);
  EXPECT_TRUE(out.inform);
  EXPECT_FALSE(out.response.empty());
  EXPECT_TRUE(out.reply.empty());
}

TEST(SnmpNetworks, CidrAndPlainAddressesParse) {
  EXPECT_TRUE(cmdb::parse_network("10.0.0.0/8"));
  EXPECT_TRUE(cmdb::parse_network("192.0.2.7"));
  EXPECT_TRUE(cmdb::parse_network("::1/128"));
  EXPECT_FALSE(cmdb::parse_network("10.0.0.0/33"));
  EXPECT_FALSE(cmdb::parse_network("10.0.0.1/8")) << "host bits after the prefix: probably the wrong range";
  EXPECT_FALSE(cmdb::parse_network("core-sw-01"));
  SourceFilter f({"192.0.2.0/25"});
  EXPECT_TRUE(f.allows("192.0.2.127"));
  EXPECT_FALSE(f.allows("192.0.2.128"));
}

}  // namespace
}  // namespace tocsin::snmp

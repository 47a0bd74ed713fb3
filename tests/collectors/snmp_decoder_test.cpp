// The SNMP decoder on real datagrams from net-snmp's tools: every version and
// security level, RFC 3584 translation of v1 traps, readable varbinds, and a
// counted reason for everything refused.
#include <gtest/gtest.h>

#include "collectors/snmp/decoder.hpp"
#include "snmp_samples.hpp"

namespace tocsin::snmp {
namespace {

using test::sample;

class SnmpDecoderTest : public ::testing::Test {
 protected:
  Decoded decode(const std::string& name) {
    auto peer = test::peer_192_0_2_10();
    return decoder_.decode(sample(name), reinterpret_cast<const sockaddr*>(&peer), sizeof peer);
  }
  const Varbind* find(const Trap& t, const std::string& oid) {
    for (const auto& v : t.varbinds)
      if (v.oid == oid) return &v;
    return nullptr;
  }
  Decoder decoder_{test::sample_decoder_config()};
};

TEST_F(SnmpDecoderTest, V2cLinkDownKeepsTrapOidUptimeAndNamedVarbinds) {
  auto d = decode("v2c_link_down");
  ASSERT_TRUE(d.trap) << to_string(d.reason);
  const Trap& t = *d.trap;
  EXPECT_EQ(t.version, "2c");
  EXPECT_EQ(t.community, "public");
  EXPECT_FALSE(t.inform);
  EXPECT_EQ(t.trap_oid, "1.3.6.1.6.3.1.1.5.3");
  EXPECT_EQ(t.trap_name, "linkDown");
  EXPECT_EQ(t.uptime, 12345u);
  EXPECT_EQ(t.agent_address, "192.0.2.10");
  ASSERT_EQ(t.varbinds.size(), 4u);  // sysUpTime.0 and snmpTrapOID.0 are not varbinds of the trap
  EXPECT_EQ(t.varbinds[0].oid, "1.3.6.1.2.1.2.2.1.1.2");
  EXPECT_EQ(t.varbinds[0].name, "ifIndex.2");
  EXPECT_EQ(t.varbinds[0].type, "INTEGER");
  EXPECT_EQ(t.varbinds[0].value, "2");
  EXPECT_EQ(t.varbinds[3].name, "ifDescr.2");
  EXPECT_EQ(t.varbinds[3].value, "GigabitEthernet0/2");
  EXPECT_TRUE(d.response.empty());
}

TEST_F(SnmpDecoderTest, V1GenericTrapIsTranslatedPerRfc3584WithAgentAddress) {
  auto d = decode("v1_link_down");
  ASSERT_TRUE(d.trap) << to_string(d.reason);
  EXPECT_EQ(d.trap->version, "1");
  EXPECT_EQ(d.trap->trap_oid, "1.3.6.1.6.3.1.1.5.3");
  EXPECT_EQ(d.trap->agent_address, "192.0.2.10");
  EXPECT_EQ(d.trap->uptime, 12345u);
}

TEST_F(SnmpDecoderTest, V1EnterpriseSpecificTrapBecomesEnterpriseZeroSpecific) {
  auto d = decode("v1_enterprise_specific");
  ASSERT_TRUE(d.trap) << to_string(d.reason);
  EXPECT_EQ(d.trap->trap_oid, "1.3.6.1.4.1.9.9.43.2.0.1");
  EXPECT_EQ(d.trap->trap_name, "ciscoConfigManEvent");
  EXPECT_EQ(d.trap->agent_address, "192.0.2.11");
}

TEST_F(SnmpDecoderTest, VarbindValuesAreRenderedReadably) {
  auto d = decode("v2c_types");
  ASSERT_TRUE(d.trap) << to_string(d.reason);
  const Trap& t = *d.trap;
  EXPECT_EQ(find(t, "1.3.6.1.4.1.99999.1.1.0")->value, "198.51.100.7");
  EXPECT_EQ(find(t, "1.3.6.1.4.1.99999.1.1.0")->type, "IpAddress");
  EXPECT_EQ(find(t, "1.3.6.1.4.1.99999.1.2.0")->value, "18446744073709551615");
  EXPECT_EQ(find(t, "1.3.6.1.4.1.99999.1.3.0")->value, "8640000 (1 days, 0:00:00.00)");
  EXPECT_EQ(find(t, "1.3.6.1.4.1.99999.1.4.0")->value, "1.3.6.1.4.1.99999");
  EXPECT_EQ(find(t, "1.3.6.1.4.1.99999.1.5.0")->value, "00 1A 2B 3C 4D 5E");
  EXPECT_EQ(find(t, "1.3.6.1.4.1.99999.1.6.0")->value, "4294967295");
  EXPECT_EQ(find(t, "1.3.6.1.4.1.99999.1.6.0")->type, "Counter32");
  EXPECT_EQ(find(t, "1.3.6.1.2.1.1.5.0")->name, "sysName.0");
  EXPECT_EQ(find(t, "1.3.6.1.2.1.1.5.0")->value, "core-sw-01");
  EXPECT_TRUE(t.trap_name.empty());
}

TEST_F(SnmpDecoderTest, V2cInformIsAnsweredWithAnEncodedResponseToSendLater) {
  auto d = decode("v2c_inform_link_down");
  ASSERT_TRUE(d.trap) << to_string(d.reason);
  EXPECT_TRUE(d.trap->inform);
  EXPECT_TRUE(d.reply.empty());
  ASSERT_FALSE(d.response.empty());
  EXPECT_EQ(static_cast<unsigned char>(d.response[0]), 0x30);  // a BER message, held for the transport
}

TEST_F(SnmpDecoderTest, V3AtEachSecurityLevelDecodesWithTheUsersEngineId) {
  struct Case {
    const char* sample;
    const char* user;
    const char* level;
  };
  for (const auto& c : {Case{"v3_noauth_trap", "tocsin-plain", "noAuthNoPriv"},
                        Case{"v3_authnopriv_sha", "tocsin-auth", "authNoPriv"},
                        Case{"v3_authpriv_sha256_aes", "tocsin-noc", "authPriv"}}) {
    auto d = decode(c.sample);
    ASSERT_TRUE(d.trap) << c.sample << ": " << to_string(d.reason);
    EXPECT_EQ(d.trap->version, "3");
    EXPECT_EQ(d.trap->user, c.user);
    EXPECT_EQ(d.trap->security_level, c.level);
  }
}

TEST_F(SnmpDecoderTest, V3InformDiscoveryProbeIsAnsweredWithAReport) {
  auto d = decode("v3_inform_discovery_probe");
  EXPECT_FALSE(d.trap);
  EXPECT_TRUE(d.discovery);
  EXPECT_FALSE(d.reply.empty());
  EXPECT_EQ(decoder_.local_engine_id(), "80001F8804746F6373696E");
}

TEST_F(SnmpDecoderTest, RefusalsCarryTheirReason) {
  struct Case {
    const char* sample;
    Reject reason;
  };
  for (const auto& c : {Case{"v2c_wrong_community", Reject::unknown_community},
                        Case{"v3_wrong_auth_key", Reject::wrong_digest},
                        Case{"v3_unknown_user", Reject::unknown_user},
                        Case{"v2c_get_request", Reject::not_a_notification},
                        Case{"v2c_truncated", Reject::parse_error},
                        Case{"bad_version_7", Reject::bad_version},
                        Case{"garbage", Reject::parse_error}}) {
    auto d = decode(c.sample);
    EXPECT_FALSE(d.trap) << c.sample;
    EXPECT_EQ(to_string(d.reason), to_string(c.reason)) << c.sample;
  }
}

TEST_F(SnmpDecoderTest, TooManyVarbindsIsRefused) {
  auto config = test::sample_decoder_config();
  config.max_varbinds = 3;
  decoder_.reconfigure(config);
  auto d = decode("v2c_link_down");
  EXPECT_FALSE(d.trap);
  EXPECT_EQ(d.reason, Reject::too_many_varbinds);
}

TEST_F(SnmpDecoderTest, EmptyCommunityListRefusesV2c) {
  auto config = test::sample_decoder_config();
  config.communities.clear();
  decoder_.reconfigure(config);
  EXPECT_EQ(decode("v2c_link_down").reason, Reject::unknown_community);
}

TEST(SnmpUserCheck, ShortPassPhrasesAndPrivacyWithoutAuthAreRefused) {
  EXPECT_EQ(check_user({"u", {}, "SHA-256", "short", "none", ""}),
            "the auth pass phrase needs at least 8 characters (RFC 3414)");
  EXPECT_EQ(check_user({"u", {}, "none", "", "AES", "long-enough"}), "privacy needs authentication: set auth_protocol too");
  EXPECT_NE(check_user({"u", {"0xZZ"}, "none", "", "none", ""}), "");
  EXPECT_EQ(check_user({"u", {"0x8000000001020304"}, "SHA-512", "long-enough", "AES-256", "long-enough"}), "");
}

}  // namespace
}  // namespace tocsin::snmp

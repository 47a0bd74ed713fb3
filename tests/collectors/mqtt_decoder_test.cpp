// The MQTT decoding stage: stamping, counted rejections, and redeliveries of
// a message already taken recognized by identity, also after a restart.
#include <gtest/gtest.h>

#include "collectors/mqtt/decoder.hpp"

namespace tocsin::mqtt {
namespace {

struct DecoderTest : ::testing::Test {
  FakeClock clock;
  StatsRegistry stats;
  Decoder decoder{PayloadConfig{}, stats, clock};

  Message message(std::string_view payload, int packet_id, int qos = 1) {
    Message m;
    m.session = "tocsind@127.0.0.1:1883";
    m.broker = "127.0.0.1:1883";
    m.topic = "tocsin/par1/sw1";
    m.payload = payload;
    m.packet_id = packet_id;
    m.qos = qos;
    return m;
  }
  double metric(const std::string& name, const Labels& labels = {}) { return stats.value(name, labels); }
};

TEST_F(DecoderTest, StampsTimeBrokerAndIdentity) {
  std::vector<Event> out;
  decoder.decode(message(R"({"name":"fan_failed","host":"sw1"})", 7), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].received_at_ms, clock.wall_ms());
  EXPECT_EQ(out[0].source_address, "127.0.0.1:1883");
  ASSERT_TRUE(out[0].attribute(identity_attribute));
  EXPECT_EQ(out[0].attribute(identity_attribute)->size(), 32u);
  EXPECT_EQ(metric("tocsin_mqtt_messages_total", {{"outcome", "accepted"}}), 1);
}

TEST_F(DecoderTest, RedeliveryWithSamePacketIdIsSkippedAndCounted) {
  std::vector<Event> out;
  decoder.decode(message("link down", 7), out);
  decoder.decode(message("link down", 7), out);
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(metric("tocsin_mqtt_duplicates_total"), 1);
}

TEST_F(DecoderTest, SamePayloadWithNewPacketIdIsANewEvent) {
  std::vector<Event> out;
  decoder.decode(message("link down", 7), out);
  decoder.decode(message("link down", 8), out);
  EXPECT_EQ(out.size(), 2u);
}

TEST_F(DecoderTest, QosZeroIsNeverTakenForARedelivery) {
  std::vector<Event> out;
  decoder.decode(message("link down", 0, 0), out);
  decoder.decode(message("link down", 0, 0), out);
  EXPECT_EQ(out.size(), 2u);
}

TEST_F(DecoderTest, IdentitiesLearnedFromTheStoreCatchRedeliveryAfterRestart) {
  std::vector<Event> first;
  decoder.decode(message("link down", 9), first);
  const std::string identity = *first.at(0).attribute(identity_attribute);

  Decoder restarted(PayloadConfig{}, stats, clock);
  restarted.remember({identity});
  std::vector<Event> out;
  restarted.decode(message("link down", 9), out);
  EXPECT_TRUE(out.empty());
}

TEST_F(DecoderTest, RejectionMovesItsCounter) {
  PayloadConfig c;
  c.format = Format::json;
  decoder.reconfigure(c);
  std::vector<Event> out;
  decoder.decode(message("not json", 3), out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(metric("tocsin_mqtt_rejected_total", {{"reason", "invalid_json"}}), 1);
}

TEST(MqttIdentity, DiffersByTopicPacketIdAndPayload) {
  auto base = message_identity("s", "a/b", 1, "x");
  EXPECT_EQ(base, message_identity("s", "a/b", 1, "x"));
  EXPECT_NE(base, message_identity("s", "a/c", 1, "x"));
  EXPECT_NE(base, message_identity("s", "a/b", 2, "x"));
  EXPECT_NE(base, message_identity("s", "a/b", 1, "y"));
  EXPECT_NE(base, message_identity("t", "a/b", 1, "x"));
}

// Stored identities are compared after a restart: the value must not change.
TEST(MqttIdentity, IsTheFirst128BitsOfSha256OverLengthPrefixedParts) {
  EXPECT_EQ(message_identity("s", "a/b", 1, "x"), "540d7d4eba9929014f91f9b089676798");
}

TEST(MqttIdentity, RecentMessagesKnowsStoredIdentitiesAndOtherText) {
  RecentMessages recent(10);
  EXPECT_TRUE(recent.remember("540d7d4eba9929014f91f9b089676798"));
  EXPECT_FALSE(recent.remember(message_identity("s", "a/b", 1, "x")));
  EXPECT_FALSE(recent.contains("540d7d4eba9929014f91f9b089676799"));
  EXPECT_TRUE(recent.remember("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"));
  EXPECT_TRUE(recent.contains("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"));
  EXPECT_FALSE(recent.contains("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzy"));
}

TEST(MqttIdentity, RecentMessagesForgetsTheOldestBeyondCapacity) {
  RecentMessages recent(2);
  EXPECT_TRUE(recent.remember("a"));
  EXPECT_FALSE(recent.remember("a"));
  recent.remember("b");
  recent.remember("c");
  EXPECT_FALSE(recent.contains("a"));
  EXPECT_TRUE(recent.contains("c"));
}

}  // namespace
}  // namespace tocsin::mqtt

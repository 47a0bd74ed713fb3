// Reply SMS commands and Kannel delivery report types.
#include "sinks/sms/reply.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tocsin::sms {
namespace {

struct Case {
  std::string text;
  std::int64_t id;
  ReplyVerb verb;
};

TEST(SmsReply, TheFourFormsInAnyCase) {
  for (const Case& c : std::initializer_list<Case>{{"ACK 1234", 1234, ReplyVerb::acknowledge},
                                                   {"1234 A", 1234, ReplyVerb::acknowledge},
                                                   {"RES 1234", 1234, ReplyVerb::resolve},
                                                   {"1234 R", 1234, ReplyVerb::resolve},
                                                   {"ack 12", 12, ReplyVerb::acknowledge},
                                                   {"  Ack\t#12.\n", 12, ReplyVerb::acknowledge},
                                                   {"12 r", 12, ReplyVerb::resolve},
                                                   {"resolve 9!", 9, ReplyVerb::resolve},
                                                   {"Acknowledge 9", 9, ReplyVerb::acknowledge}}) {
    auto r = parse_reply(c.text);
    ASSERT_TRUE(std::holds_alternative<ReplyCommand>(r)) << c.text;
    EXPECT_EQ(std::get<ReplyCommand>(r).incident_id, c.id) << c.text;
    EXPECT_EQ(std::get<ReplyCommand>(r).verb, c.verb) << c.text;
  }
}

TEST(SmsReply, RefusalsHaveAReason) {
  auto refusal = [](std::string_view t) { return std::get<ReplyRefusal>(parse_reply(t)); };
  EXPECT_EQ(refusal(""), ReplyRefusal::empty);
  EXPECT_EQ(refusal(" \n "), ReplyRefusal::empty);
  EXPECT_EQ(refusal("hello"), ReplyRefusal::not_a_command);
  EXPECT_EQ(refusal("ACK"), ReplyRefusal::not_a_command);
  EXPECT_EQ(refusal("ACK 12 please"), ReplyRefusal::not_a_command);
  EXPECT_EQ(refusal("ACK twelve"), ReplyRefusal::not_a_command);
  EXPECT_EQ(refusal("DEL 12"), ReplyRefusal::not_a_command);
  EXPECT_EQ(refusal("12 12"), ReplyRefusal::not_a_command);
  EXPECT_EQ(refusal("ACK -12"), ReplyRefusal::not_a_command);
  EXPECT_EQ(refusal("ACK 0"), ReplyRefusal::bad_incident);
  EXPECT_EQ(refusal("ACK 99999999999999999999"), ReplyRefusal::bad_incident);
  EXPECT_EQ(refusal(std::string(max_reply_bytes + 1, 'A')), ReplyRefusal::too_long);
  EXPECT_EQ(to_string(ReplyRefusal::too_long), "too_long");
}

TEST(SmsReply, KannelDeliveryReportTypes) {
  EXPECT_EQ(delivery_status(1), "delivered");
  EXPECT_EQ(delivery_status(2), "failed");
  EXPECT_EQ(delivery_status(4), "buffered");
  EXPECT_EQ(delivery_status(8), "accepted");
  EXPECT_EQ(delivery_status(16), "rejected");
  EXPECT_EQ(delivery_status(3), std::nullopt);
  EXPECT_EQ(delivery_status(0), std::nullopt);
}

TEST(SmsReply, KannelForeignIdBecomesTheGatewayIdWithinLimits) {
  EXPECT_EQ(foreign_id("0a1b2c3d-4e5f"), "0a1b2c3d-4e5f");
  EXPECT_EQ(foreign_id(""), "") << "no id: nothing recorded";
  EXPECT_EQ(foreign_id("%F"), "") << "a gateway that does not fill the escape";
  EXPECT_EQ(foreign_id(std::string(max_foreign_id_bytes, 'f')), std::string(max_foreign_id_bytes, 'f'));
  EXPECT_EQ(foreign_id(std::string(max_foreign_id_bytes + 1, 'f')), std::nullopt);
  EXPECT_EQ(foreign_id("a b"), std::nullopt);
  EXPECT_EQ(foreign_id("a\nb"), std::nullopt);
  EXPECT_EQ(foreign_id("caf\xc3\xa9"), std::nullopt);
}

TEST(SmsReply, AFinalReportIsNotReplacedByALateIntermediateOne) {
  EXPECT_TRUE(replaces("", "accepted"));
  EXPECT_TRUE(replaces("accepted", "delivered"));
  EXPECT_FALSE(replaces("delivered", "accepted"));
  EXPECT_FALSE(replaces("failed", "buffered"));
  EXPECT_TRUE(replaces("delivered", "failed"));
}

}  // namespace
}  // namespace tocsin::sms

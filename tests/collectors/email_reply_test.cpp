// Replies to pages: token plus keyword on the first unquoted line is a command;
// forged tokens are refused; no keyword means an ordinary mail.
#include <gtest/gtest.h>

#include "collectors/email/reply.hpp"
#include "correlator/notify/reply_token.hpp"

namespace tocsin::email_in {
namespace {

const std::string secret = "s3cret";
std::string subject(std::int64_t id) { return "Re: [P2] #" + std::to_string(id) + " x [" + notify::reply_token(id, secret) + "]"; }

TEST(EmailReply, ResolveOnTheFirstLineResolvesTheTokensIncident) {
  const auto r = parse_reply(subject(12), "\r\n  Resolve, fixed the optic\r\n\r\n> Incident #12 opened\r\n", secret);
  ASSERT_TRUE(std::holds_alternative<ReplyCommand>(r));
  EXPECT_EQ(std::get<ReplyCommand>(r).incident_id, 12);
  EXPECT_EQ(std::get<ReplyCommand>(r).verb, ReplyVerb::resolve);
}

TEST(EmailReply, AckKeywordsAreCaseInsensitiveAndQuotedLinesAreSkipped) {
  for (const char* body : {"ACK\n", "acknowledge\n", "> resolve\n>\nAck on it\n"}) {
    const auto r = parse_reply(subject(7), body, secret);
    ASSERT_TRUE(std::holds_alternative<ReplyCommand>(r)) << body;
    EXPECT_EQ(std::get<ReplyCommand>(r).verb, ReplyVerb::acknowledge) << body;
  }
}

TEST(EmailReply, ForgedTokenIsRefusedAndMissingOneIsAnOrdinaryMail) {
  EXPECT_EQ(std::get<NotAReply>(parse_reply("Re: [TOC-12-deadbeef]", "resolve\n", secret)), NotAReply::bad_token);
  EXPECT_EQ(std::get<NotAReply>(parse_reply(subject(12), "resolve\n", "other")), NotAReply::bad_token);
  EXPECT_EQ(std::get<NotAReply>(parse_reply("Re: [P2] #12 x", "resolve\n", secret)), NotAReply::no_token);
  EXPECT_EQ(std::get<NotAReply>(parse_reply(subject(12), "resolved? not sure\n", secret)), NotAReply::no_keyword);
  EXPECT_EQ(std::get<NotAReply>(parse_reply(subject(12), "", secret)), NotAReply::no_keyword);
}

}  // namespace
}  // namespace tocsin::email_in

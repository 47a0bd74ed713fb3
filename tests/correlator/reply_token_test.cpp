// Reply tokens: a page's own token names its incident; forged, other-secret
// and edited tokens are refused.
#include <gtest/gtest.h>

#include "correlator/notify/reply_token.hpp"

namespace tocsin::notify {
namespace {

TEST(ReplyToken, NamesTheIncidentAndVerifiesInAReplySubject) {
  const std::string token = reply_token(12, "s3cret");
  ASSERT_EQ(token.rfind("TOC-12-", 0), 0u) << token;
  ASSERT_EQ(token.size(), 15u);
  EXPECT_EQ(verify_reply_token("Re: [P2] #12 link down [" + token + "]", "s3cret"), 12);
}

TEST(ReplyToken, ForgedOrOtherIncidentOrOtherSecretIsRefused) {
  const std::string token = reply_token(12, "s3cret");
  EXPECT_EQ(verify_reply_token("[" + token + "]", "other"), std::nullopt);
  std::string moved = token;
  moved.replace(4, 2, "13");
  EXPECT_EQ(verify_reply_token("[" + moved + "]", "s3cret"), std::nullopt);
  EXPECT_EQ(verify_reply_token("[TOC-12-00000000]", "s3cret"), std::nullopt);
  EXPECT_EQ(verify_reply_token("[TOC-12-abc]", "s3cret"), std::nullopt);
  EXPECT_EQ(verify_reply_token("no token here", "s3cret"), std::nullopt);
  EXPECT_EQ(verify_reply_token("[" + token + "]", ""), std::nullopt);
}

}  // namespace
}  // namespace tocsin::notify

// The SMS encoder: GSM-7 (with the extension table) or UCS-2 by content,
// segment counts at the exact boundaries, truncation and splitting.
#include "sinks/sms/encoder.hpp"

#include <gtest/gtest.h>

namespace tocsin::sms {
namespace {

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

TEST(SmsEncoder, PlainAsciiAndGsmLettersAreGsm7) {
  EXPECT_EQ(choose_coding("P1 #12: linkDown on core-sw1 Gi0/1. Reply ACK 12 or RES 12"), Coding::gsm7);
  EXPECT_EQ(choose_coding("Zürich: Störung à Genève, 5 £, ΔΩ"), Coding::gsm7);
  EXPECT_EQ(units("Zürich", Coding::gsm7), 6u);
}

TEST(SmsEncoder, ExtensionCharactersStayGsm7AndCountTwoSeptets) {
  const std::string text = "[core] {a|b} ~x^ \\ 5€";
  EXPECT_EQ(choose_coding(text), Coding::gsm7);
  // The 9 extension characters count two septets each.
  EXPECT_EQ(units(text, Coding::gsm7), text.size() - 2 /* € is 3 bytes */ + 9);
  EXPECT_EQ(units("€", Coding::gsm7), 2u);
}

TEST(SmsEncoder, ChineseAndCharactersOutsideGsmNeedUcs2) {
  EXPECT_EQ(choose_coding("P1 #7: 数据中心断电"), Coding::ucs2);
  EXPECT_EQ(choose_coding("backtick ` is not GSM"), Coding::ucs2);
  EXPECT_EQ(choose_coding("emoji 🔥"), Coding::ucs2);
  EXPECT_EQ(units("数据中心", Coding::ucs2), 4u);
  EXPECT_EQ(units("🔥", Coding::ucs2), 2u);  // a surrogate pair
}

TEST(SmsEncoder, Gsm7SegmentBoundaries) {
  EXPECT_EQ(count_segments(repeat("a", 160), Coding::gsm7), 1u);
  EXPECT_EQ(count_segments(repeat("a", 161), Coding::gsm7), 2u);
  EXPECT_EQ(count_segments(repeat("a", 306), Coding::gsm7), 2u);
  EXPECT_EQ(count_segments(repeat("a", 307), Coding::gsm7), 3u);
  EXPECT_EQ(count_segments(repeat("a", 459), Coding::gsm7), 3u);
  EXPECT_EQ(count_segments(repeat("a", 460), Coding::gsm7), 4u);
  // 80 extension characters are 160 septets: still one segment; one more is two.
  EXPECT_EQ(count_segments(repeat("{", 80), Coding::gsm7), 1u);
  EXPECT_EQ(count_segments(repeat("{", 80) + "a", Coding::gsm7), 2u);
  // An escape sequence never straddles segments: 152 septets + "€" needs a second one.
  EXPECT_EQ(count_segments(repeat("a", 152) + "€" + repeat("a", 152), Coding::gsm7), 3u);
  EXPECT_EQ(count_segments(repeat("a", 151) + "€" + repeat("a", 153), Coding::gsm7), 2u);
}

TEST(SmsEncoder, Ucs2SegmentBoundaries) {
  EXPECT_EQ(count_segments(repeat("数", 70), Coding::ucs2), 1u);
  EXPECT_EQ(count_segments(repeat("数", 71), Coding::ucs2), 2u);
  EXPECT_EQ(count_segments(repeat("数", 134), Coding::ucs2), 2u);
  EXPECT_EQ(count_segments(repeat("数", 135), Coding::ucs2), 3u);
  EXPECT_EQ(count_segments(repeat("🔥", 35), Coding::ucs2), 1u);
  EXPECT_EQ(count_segments(repeat("数", 66) + "🔥" + repeat("数", 67), Coding::ucs2), 3u);
}

TEST(SmsEncoder, ControlCharactersAreStrippedAndLineEndsBecomeSpaces) {
  EXPECT_EQ(clean_text("a\r\nb\tc\x01\x1b\x7f" "d"), "a  b cd");
  EXPECT_EQ(clean_text("x\xC2\x85y"), "xy");           // C1 NEL
  EXPECT_EQ(clean_text("bad \xff\xfe utf8"), "bad ?? utf8");
  EXPECT_EQ(clean_text("\x0c" "form feed"), "form feed");
}

TEST(SmsEncoder, ShortTextIsOnePartUnchanged) {
  auto sms = encode_sms("P1 #3: disk full on db1", {});
  ASSERT_EQ(sms.parts.size(), 1u);
  EXPECT_EQ(sms.parts[0], "P1 #3: disk full on db1");
  EXPECT_EQ(sms.segments, 1u);
  EXPECT_FALSE(sms.truncated);
}

TEST(SmsEncoder, TruncateKeepsOneMessageOfAtMostMaxSegments) {
  EncoderConfig c{2, Overflow::truncate};
  auto sms = encode_sms(repeat("a", 400), c);
  ASSERT_EQ(sms.parts.size(), 1u);
  EXPECT_TRUE(sms.truncated);
  EXPECT_EQ(sms.parts[0].size(), 306u);
  EXPECT_TRUE(sms.parts[0].ends_with("..."));
  EXPECT_EQ(sms.segments, 2u);

  auto exact = encode_sms(repeat("a", 306), c);
  EXPECT_FALSE(exact.truncated);
  EXPECT_EQ(exact.parts[0].size(), 306u);

  auto one = encode_sms(repeat("数", 71), {1, Overflow::truncate});
  EXPECT_TRUE(one.truncated);
  EXPECT_EQ(one.coding, Coding::ucs2);
  EXPECT_EQ(units(one.parts[0], Coding::ucs2), 70u);
  EXPECT_EQ(one.parts[0], repeat("数", 67) + "...");
}

TEST(SmsEncoder, SplitSendsSeparateOneSegmentParts) {
  EncoderConfig c{3, Overflow::split};
  auto sms = encode_sms(repeat("a", 200), c);
  ASSERT_EQ(sms.parts.size(), 2u);
  EXPECT_EQ(sms.parts[0].size(), 160u);
  EXPECT_EQ(sms.parts[1].size(), 40u);
  EXPECT_FALSE(sms.truncated);
  EXPECT_EQ(sms.segments, 2u);

  auto longer = encode_sms(repeat("数", 300), c);
  ASSERT_EQ(longer.parts.size(), 3u);
  EXPECT_EQ(longer.parts[0], repeat("数", 70));
  EXPECT_EQ(longer.parts[2], repeat("数", 67) + "...");
  EXPECT_TRUE(longer.truncated);
}

TEST(SmsEncoder, KannelCodingValues) {
  EXPECT_EQ(kannel_coding(Coding::gsm7), "0");
  EXPECT_EQ(kannel_coding(Coding::ucs2), "2");
}

}  // namespace
}  // namespace tocsin::sms

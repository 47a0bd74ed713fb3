// Specification of RFC 6587 stream framing for syslog over TCP and TLS: which
// frames a byte stream yields, however it is split into reads, and which
// rejection reason each malformed stream is counted under.
#include "collectors/syslog/framing.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace tocsin::syslog {
namespace {

using namespace std::string_literals;

const std::string kRfc5424 =
    "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed for lonvick on /dev/pts/8";
const std::string kBsd = "<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!";
const std::string kCisco =
    "<187>2024: Mar  1 10:00:00.123: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down";

std::string octet_counted(const std::string& msg) { return std::to_string(msg.size()) + " " + msg; }

struct Decoded {
  std::vector<std::string> frames;
  std::vector<FramingError> rejections;
  std::optional<FramingError> fatal;
  bool operator==(const Decoded&) const = default;
};

// Feeds the chunks the way a connection does: one read at a time, taking the
// frames and rejections after each read.
Decoded decode(const std::vector<std::string>& chunks, std::size_t max_frame = kDefaultMaxFrame,
               bool peer_closes = false) {
  StreamFramer framer(max_frame);
  Decoded out;
  auto take = [&] {
    for (auto f : framer.frames()) out.frames.emplace_back(f);
    for (auto r : framer.rejections()) out.rejections.push_back(r);
    framer.clear();
  };
  for (const auto& c : chunks) {
    framer.feed(c);
    take();
  }
  if (peer_closes) {
    framer.finish();
    take();
  }
  out.fatal = framer.fatal();
  return out;
}

Decoded decode(const std::string& stream, std::size_t max_frame = kDefaultMaxFrame, bool peer_closes = false) {
  return decode(std::vector<std::string>{stream}, max_frame, peer_closes);
}

std::vector<std::string> bytes_of(const std::string& s) {
  std::vector<std::string> out;
  for (char c : s) out.emplace_back(1, c);
  return out;
}

TEST(SyslogFraming, OctetCountingYieldsTheMessageWithoutTheLength) {
  auto d = decode(octet_counted(kRfc5424));
  EXPECT_EQ(d.frames, std::vector{kRfc5424});
  EXPECT_TRUE(d.rejections.empty());
  EXPECT_FALSE(d.fatal);
}

TEST(SyslogFraming, OctetCountedMessageMayContainLineFeeds) {
  std::string multiline = "<13>1 - host app - - - first line\nsecond line\n";
  EXPECT_EQ(decode(octet_counted(multiline)).frames, std::vector{multiline});
}

TEST(SyslogFraming, NonTransparentFramingEndsAtLineFeed) {
  EXPECT_EQ(decode(kRfc5424 + "\n" + kBsd + "\n").frames, (std::vector{kRfc5424, kBsd}));
}

TEST(SyslogFraming, CrLfAndNulAreAcceptedAsTrailers) {
  EXPECT_EQ(decode(kBsd + "\r\n" + kCisco + "\0"s + kRfc5424 + "\n").frames, (std::vector{kBsd, kCisco, kRfc5424}));
}

TEST(SyslogFraming, EmptyLinesBetweenFramesAreSkipped) {
  auto d = decode("\n\r\n" + kBsd + "\n\n\0"s + kCisco + "\n");
  EXPECT_EQ(d.frames, (std::vector{kBsd, kCisco}));
  EXPECT_TRUE(d.rejections.empty());
}

TEST(SyslogFraming, EachFrameChoosesItsOwnFraming) {
  auto d = decode(octet_counted(kRfc5424) + kBsd + "\n" + octet_counted(kCisco) + octet_counted(kBsd));
  EXPECT_EQ(d.frames, (std::vector{kRfc5424, kBsd, kCisco, kBsd}));
}

TEST(SyslogFraming, SplittingTheStreamAtAnyByteGivesTheSameFrames) {
  const std::string stream = octet_counted(kRfc5424) + kBsd + "\r\n" + octet_counted("<13>a\nb") + kCisco + "\n";
  const Decoded whole = decode(stream);
  ASSERT_EQ(whole.frames, (std::vector{kRfc5424, kBsd, "<13>a\nb"s, kCisco}));
  for (std::size_t cut = 0; cut <= stream.size(); ++cut)
    EXPECT_EQ(decode({stream.substr(0, cut), stream.substr(cut)}), whole) << "split at byte " << cut;
  EXPECT_EQ(decode(bytes_of(stream)), whole);
}

TEST(SyslogFraming, ByteAtATimeGivesTheSameRejectionsAsOneChunk) {
  const std::string stream = "<13>" + std::string(20, 'x') + "\n<13>ok\n12 <13>too long by far";
  EXPECT_EQ(decode(bytes_of(stream), 16), decode(stream, 16));
}

TEST(SyslogFraming, LineFrameExactlyAtTheLimitIsDeliveredWhole) {
  std::string msg = "<13>" + std::string(12, 'x');
  ASSERT_EQ(msg.size(), 16u);
  for (const std::string& trailer : {"\n"s, "\r\n"s, "\0"s}) {
    auto d = decode(msg + trailer, 16);
    EXPECT_EQ(d.frames, std::vector{msg});
    EXPECT_TRUE(d.rejections.empty());
  }
}

TEST(SyslogFraming, LineFrameOneOverTheLimitIsCutCountedAndItsRestDiscarded) {
  std::string msg = "<13>" + std::string(13, 'x');
  for (const auto& chunks : {std::vector{msg + "\n<13>next\n"}, bytes_of(msg + "\n<13>next\n")}) {
    auto d = decode(chunks, 16);
    EXPECT_EQ(d.frames, (std::vector{msg.substr(0, 16), "<13>next"s}));
    EXPECT_EQ(d.rejections, std::vector{FramingError::frame_too_long});
    EXPECT_FALSE(d.fatal);
  }
}

TEST(SyslogFraming, LongLineIsDiscardedUpToTheNextLineFeed) {
  auto d = decode({"<13>" + std::string(100, 'x'), std::string(100, 'y'), "z\n<13>next\n"}, 16);
  EXPECT_EQ(d.frames, (std::vector{"<13>" + std::string(12, 'x'), "<13>next"s}));
  EXPECT_EQ(d.rejections, std::vector{FramingError::frame_too_long});
}

TEST(SyslogFraming, OctetCountExactlyAtTheLimitIsDelivered) {
  std::string msg = "<13>" + std::string(12, 'x');
  EXPECT_EQ(decode("16 " + msg, 16).frames, std::vector{msg});
}

TEST(SyslogFraming, OctetCountOverTheLimitIsFatal) {
  auto d = decode("17 <13>" + std::string(13, 'x') + "<13>next\n", 16);
  EXPECT_TRUE(d.frames.empty());
  EXPECT_EQ(d.rejections, std::vector{FramingError::bad_octet_count});
  EXPECT_EQ(d.fatal, FramingError::bad_octet_count);
}

TEST(SyslogFraming, SingleDigitOctetCountOverTheLimitIsFatal) {
  auto d = decode("5 <13>x", 4);
  EXPECT_TRUE(d.frames.empty());
  EXPECT_EQ(d.fatal, FramingError::bad_octet_count);
}

TEST(SyslogFraming, MalformedOctetCountsAreFatal) {
  const std::vector<std::string> streams = {
      "12345678901 <13>x",  // eleven digits
      "12<13>hello world",  // no SP after MSG-LEN
      "12\n<13>hello\n",
      "012 <13>hello wor",  // MSG-LEN starts with a non-zero digit
      "0 ",
  };
  for (const auto& s : streams) {
    auto d = decode(s, 100'000'000'000);
    EXPECT_EQ(d.fatal, FramingError::bad_octet_count) << s;
    EXPECT_TRUE(d.frames.empty()) << s;
  }
}

TEST(SyslogFraming, FramesBeforeAFatalErrorAreKeptAndLaterBytesIgnored) {
  auto d = decode({kBsd + "\n" + "x1 <13>", kCisco + "\n"});
  EXPECT_EQ(d.frames, std::vector{kBsd});
  EXPECT_EQ(d.rejections, std::vector{FramingError::not_syslog});
}

TEST(SyslogFraming, TlsClientHelloOnThePlainPortIsNotSyslog) {
  const std::string client_hello = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"s;
  auto d = decode(client_hello);
  EXPECT_TRUE(d.frames.empty());
  EXPECT_EQ(d.fatal, FramingError::not_syslog);
}

TEST(SyslogFraming, LineWithoutPriorityIsNotSyslog) {
  EXPECT_EQ(decode("GET / HTTP/1.1\r\n").fatal, FramingError::not_syslog);
}

TEST(SyslogFraming, PeerClosingInsideAnOctetCountedFrameIsTruncated) {
  for (const std::string& partial : {"12"s, "12 <13>he"s}) {
    auto d = decode(partial, kDefaultMaxFrame, true);
    EXPECT_TRUE(d.frames.empty()) << partial;
    EXPECT_EQ(d.rejections, std::vector{FramingError::truncated}) << partial;
  }
}

TEST(SyslogFraming, PeerClosingAfterAnUnterminatedLineDeliversIt) {
  auto d = decode(kBsd + "\n" + kCisco, kDefaultMaxFrame, true);
  EXPECT_EQ(d.frames, (std::vector{kBsd, kCisco}));
  EXPECT_TRUE(d.rejections.empty());
}

TEST(SyslogFraming, PeerClosingBetweenFramesRejectsNothing) {
  auto d = decode(octet_counted(kBsd), kDefaultMaxFrame, true);
  EXPECT_EQ(d.frames, std::vector{kBsd});
  EXPECT_TRUE(d.rejections.empty());
}

TEST(SyslogFraming, ClearKeepsTheFrameInProgress) {
  StreamFramer framer;
  framer.feed(kBsd + "\n<13>par");
  EXPECT_EQ(framer.frames().size(), 1u);
  framer.clear();
  EXPECT_TRUE(framer.frames().empty());
  framer.feed("tial\n");
  ASSERT_EQ(framer.frames().size(), 1u);
  EXPECT_EQ(framer.frames()[0], "<13>partial");
}

TEST(SyslogFraming, ReasonsHaveStableMetricLabels) {
  EXPECT_EQ(to_string(FramingError::frame_too_long), "frame_too_long");
  EXPECT_EQ(to_string(FramingError::bad_octet_count), "bad_octet_count");
  EXPECT_EQ(to_string(FramingError::not_syslog), "not_syslog");
  EXPECT_EQ(to_string(FramingError::truncated), "truncated");
}

}  // namespace
}  // namespace tocsin::syslog

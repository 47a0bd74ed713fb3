// The e-mail encoder, checked the way a mail client reads its output: headers
// are unfolded, encoded-words and quoted-printable are decoded here with small
// independent decoders, and every line is held to RFC 5322 limits.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "sinks/email/encoder.hpp"
#include "correlator/notify/reply_token.hpp"

namespace tocsin::email {
namespace {

struct ParsedMessage {
  std::vector<std::pair<std::string, std::string>> headers;  // name, unfolded value
  std::string body;
  std::string header(const std::string& name) const {
    for (const auto& [n, v] : headers)
      if (n == name) return v;
    return "<absent>";
  }
  std::set<std::string> names() const {
    std::set<std::string> out;
    for (const auto& [n, v] : headers) out.insert(n);
    return out;
  }
};

std::vector<std::string> physical_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find("\r\n", start)) != std::string::npos; start = end + 2)
    lines.push_back(text.substr(start, end - start));
  return lines;
}

// RFC 5322 unfolding: a CRLF followed by white space is removed.
ParsedMessage parse(const std::string& message) {
  ParsedMessage parsed;
  const auto split = message.find("\r\n\r\n");
  parsed.body = message.substr(split + 4);
  for (const auto& line : physical_lines(message.substr(0, split + 2))) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      parsed.headers.back().second += line;
      continue;
    }
    const auto colon = line.find(':');
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    parsed.headers.emplace_back(line.substr(0, colon), value);
  }
  return parsed;
}

std::string base64_decode(const std::string& in) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int bits = 0, buffer = 0;
  for (char c : in) {
    if (c == '=') break;
    buffer = (buffer << 6) | static_cast<int>(alphabet.find(c));
    if ((bits += 6) >= 8) out += static_cast<char>((buffer >> (bits -= 8)) & 0xFF);
  }
  return out;
}

// RFC 2047 decoding of an unstructured value; white space between adjacent
// encoded-words is not part of the text.
std::string decode_encoded_words(const std::string& value, std::vector<std::string>* words = nullptr) {
  static const std::regex word(R"(=\?([^?]+)\?([Bb])\?([^?]*)\?=)");
  std::string out;
  std::size_t last = 0;
  bool previous_was_word = false;
  for (std::sregex_iterator it(value.begin(), value.end(), word), end; it != end; ++it) {
    const std::string between = value.substr(last, it->position() - last);
    if (!(previous_was_word && between.find_first_not_of(" \t") == std::string::npos)) out += between;
    out += base64_decode((*it)[3]);
    if (words) words->push_back(it->str());
    last = it->position() + it->length();
    previous_was_word = true;
  }
  return out + value.substr(last);
}

std::string qp_decode(const std::string& in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '=') {
      out += in[i];
    } else if (in.compare(i + 1, 2, "\r\n") == 0) {
      i += 2;
    } else {
      out += static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16));
      i += 2;
    }
  }
  return out;
}

// The parts of a multipart body, each parsed like a message (its headers and content).
std::vector<ParsedMessage> parts(const ParsedMessage& m) {
  static const std::regex boundary_re(R"re(boundary="([^"]+)")re");
  std::smatch match;
  const std::string type = m.header("Content-Type");
  std::vector<ParsedMessage> out;
  if (!std::regex_search(type, match, boundary_re)) return out;
  const std::string delimiter = "--" + match[1].str();
  std::size_t pos = m.body.find(delimiter + "\r\n");
  while (pos != std::string::npos) {
    const std::size_t start = pos + delimiter.size() + 2;
    const std::size_t next = m.body.find("\r\n" + delimiter, start);
    if (next == std::string::npos) break;
    out.push_back(parse(m.body.substr(start, next + 2 - start)));
    pos = m.body.compare(next + 2 + delimiter.size(), 2, "--") == 0 ? std::string::npos : next + 2;
  }
  return out;
}

ParsedMessage part(const ParsedMessage& m, const std::string& type) {
  for (auto& p : parts(m))
    if (p.header("Content-Type").starts_with(type)) return p;
  ADD_FAILURE() << "no " << type << " part";
  return {};
}

ParsedMessage text_part(const std::string& message) { return part(parse(message), "text/plain"); }

void expect_wire_format(const std::string& message) {
  ASSERT_GE(message.size(), 2u);
  EXPECT_EQ(message.substr(message.size() - 2), "\r\n");
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\r') {
      EXPECT_EQ(message[i + 1], '\n') << "bare CR at " << i;
    }
    if (message[i] == '\n') {
      EXPECT_EQ(message[i - 1], '\r') << "bare LF at " << i;
    }
  }
  for (const auto& line : physical_lines(message)) EXPECT_LE(line.size(), 998u) << line.substr(0, 60);
}

Notification page(std::string subject, std::string body = "Interface Gi0/1 is down.") {
  Notification n;
  n.id = 42;
  n.incident_id = 7;
  n.channel = "email";
  n.recipient = "oncall@example.net";
  n.subject = std::move(subject);
  n.body = std::move(body);
  return n;
}

SmtpConfig config() {
  SmtpConfig c;
  c.from = "Tocsin <tocsin@noc.example.org>";
  c.console_url = "https://tocsin.example.org";
  return c;
}

constexpr std::int64_t date_ms = 1'700'000'000'000;

const std::set<std::string> standard_headers = {"From",
                                                "To",
                                                "Subject",
                                                "Date",
                                                "Message-ID",
                                                "In-Reply-To",
                                                "References",
                                                "MIME-Version",
                                                "Content-Type",
                                                "Auto-Submitted",
                                                "X-Tocsin-Incident",
                                                "X-Tocsin-Notification"};

TEST(EmailEncoder, ChineseSubjectRoundTripsThroughShortEncodedWords) {
  const std::string subject = "【P1】核心交换机 core-sw1 端口 Gi0/1 链路中断，影响北京机房全部业务，请立即处理";
  const std::string message = encode_message(page(subject), config(), date_ms);
  expect_wire_format(message);

  std::vector<std::string> words;
  EXPECT_EQ(decode_encoded_words(parse(message).header("Subject"), &words), subject);
  ASSERT_GT(words.size(), 2u);
  for (const auto& w : words) {
    EXPECT_LE(w.size(), 75u) << w;
    EXPECT_EQ(w.rfind("=?UTF-8?B?", 0), 0u) << w;
    // Each word holds whole characters: it starts on a lead byte.
    EXPECT_NE(static_cast<unsigned char>(base64_decode(w.substr(10))[0]) & 0xC0, 0x80) << w;
  }
  for (const auto& line : physical_lines(message.substr(0, message.find("\r\n\r\n") + 2)))
    EXPECT_LE(line.size(), 76u) << line;
}

TEST(EmailEncoder, PlainAsciiSubjectIsWrittenAsIs) {
  const std::string message = encode_message(page("[P1] core-sw1 Gi0/1 down"), config(), date_ms);
  EXPECT_NE(message.find("\r\nSubject: [P1] core-sw1 Gi0/1 down\r\n"), std::string::npos) << message;
}

TEST(EmailEncoder, LongAsciiSubjectIsFoldedAtSpacesAndUnfoldsToTheOriginal) {
  std::string subject;
  for (int i = 0; i < 30; ++i) subject += "link-" + std::to_string(i) + " down ";
  subject.pop_back();
  const std::string message = encode_message(page(subject), config(), date_ms);

  EXPECT_EQ(parse(message).header("Subject"), subject);
  for (const auto& line : physical_lines(message.substr(0, message.find("\r\n\r\n") + 2)))
    EXPECT_LE(line.size(), 78u) << line;
}

TEST(EmailEncoder, SubjectThatLooksLikeAnEncodedWordIsEncodedItself) {
  const std::string subject = "literal =?UTF-8?B?SGk=?= text";
  const std::string message = encode_message(page(subject), config(), date_ms);
  EXPECT_EQ(decode_encoded_words(parse(message).header("Subject")), subject);
}

struct Injection {
  std::string subject;
  std::string recipient;
};

void PrintTo(const Injection& i, std::ostream* os) {
  *os << "subject=" << ::testing::PrintToString(i.subject) << " recipient=" << ::testing::PrintToString(i.recipient);
}

class EmailHeaderInjection : public ::testing::TestWithParam<Injection> {};

TEST_P(EmailHeaderInjection, CannotAddAHeaderOrStartTheBody) {
  Notification n = page(GetParam().subject);
  n.recipient = GetParam().recipient;
  const std::string message = encode_message(n, config(), date_ms);
  expect_wire_format(message);

  const ParsedMessage parsed = parse(message);
  EXPECT_EQ(parsed.names(), standard_headers) << message;
  const auto alternatives = parts(parsed);
  ASSERT_EQ(alternatives.size(), 2u) << message;
  for (const auto& p : alternatives) EXPECT_EQ(p.header("Bcc"), "<absent>") << message;
  EXPECT_EQ(alternatives[0].body.find("Bcc"), std::string::npos) << message;
  // The HTML part names the subject in its <title> only, on one line.
  const std::string html = qp_decode(alternatives[1].body);
  const auto title = html.find("<title>"), title_end = html.find("</title>");
  EXPECT_EQ(html.find_first_of("\r\n", title), title_end + 8) << html;
  EXPECT_EQ(html.find("Bcc", title_end), std::string::npos) << html;
}

INSTANTIATE_TEST_SUITE_P(Attempts, EmailHeaderInjection,
                         ::testing::Values(Injection{"Subject\r\nBcc: victim@example.com", "oncall@example.net"},
                                           Injection{"Subject\nBcc: victim@example.com", "oncall@example.net"},
                                           Injection{"Subject\rBcc: victim@example.com", "oncall@example.net"},
                                           Injection{"Subject\r\n\r\nBcc: in the body", "oncall@example.net"},
                                           Injection{"告警\r\nBcc: victim@example.com", "oncall@example.net"},
                                           Injection{"Subject\xe2\x80\xa8"
                                                     "Bcc: victim@example.com",
                                                     "oncall@example.net"},
                                           Injection{"ok", "oncall@example.net\r\nBcc: victim@example.com"},
                                           Injection{"ok", "oncall@example.net\nBcc: victim@example.com"}));

TEST(EmailHeaderSanitizer, ControlCharactersBecomeSingleSpaces) {
  EXPECT_EQ(sanitize_header_value("  a\tb\x01\x02"
                                  "c\x7f  d\r\n"),
            "a b c d");
  EXPECT_EQ(sanitize_header_value("a\xc2\x85"
                                  "b"),
            "a b");  // NEL, a C1 control
}

TEST(EmailHeaderSanitizer, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(sanitize_header_value("ok\xff\xc3"), "ok\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(sanitize_header_value("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");                  // overlong "/"
  EXPECT_EQ(sanitize_header_value("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
}

TEST(EmailHeaderSanitizer, LongValuesAreCutOnACharacterBoundary) {
  std::string value;
  for (int i = 0; i < 1000; ++i) value += "断";
  const std::string clean = sanitize_header_value(value);
  EXPECT_LE(clean.size(), max_header_value_bytes);
  EXPECT_EQ(clean.size() % 3, 0u);
  EXPECT_EQ(clean, value.substr(0, clean.size()));
}

TEST(EmailEncoder, WritesTheHeadersAMailClientNeeds) {
  const ParsedMessage m = parse(encode_message(page("[P2] disk full"), config(), date_ms));
  EXPECT_EQ(m.names(), standard_headers);
  EXPECT_EQ(m.header("From"), "Tocsin <tocsin@noc.example.org>");
  EXPECT_EQ(m.header("To"), "oncall@example.net");
  EXPECT_EQ(m.header("Date"), "Tue, 14 Nov 2023 22:13:20 +0000");
  EXPECT_EQ(m.header("Message-ID"), "<tocsin-n42-i7@noc.example.org>");
  EXPECT_EQ(m.header("In-Reply-To"), "<tocsin-incident-7@noc.example.org>");
  EXPECT_EQ(m.header("References"), "<tocsin-incident-7@noc.example.org>");
  EXPECT_EQ(m.header("MIME-Version"), "1.0");
  EXPECT_EQ(m.header("Content-Type"), "multipart/alternative; boundary=\"=_tocsin-n42-alternative\"");
  EXPECT_EQ(m.header("X-Tocsin-Incident"), "7");
  const auto alternatives = parts(m);
  ASSERT_EQ(alternatives.size(), 2u);
  EXPECT_EQ(alternatives[0].header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(alternatives[1].header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(alternatives[1].header("Content-Transfer-Encoding"), "quoted-printable");
}

TEST(EmailEncoder, PagesOfOneIncidentShareAThreadButNotAMessageId) {
  Notification first = page("[P1] down"), second = page("[P1] still down");
  second.id = 43;
  const ParsedMessage a = parse(encode_message(first, config(), date_ms));
  const ParsedMessage b = parse(encode_message(second, config(), date_ms));
  EXPECT_NE(a.header("Message-ID"), b.header("Message-ID"));
  EXPECT_EQ(a.header("References"), b.header("References"));
}

TEST(EmailEncoder, PossibleDuplicateIsFlaggedInHeaderAndText) {
  Notification n = page("[P1] down");
  EXPECT_EQ(parse(encode_message(n, config(), date_ms)).header("X-Tocsin-Possible-Duplicate"), "<absent>");
  n.possible_duplicate = true;
  const ParsedMessage m = parse(encode_message(n, config(), date_ms));
  EXPECT_EQ(m.header("X-Tocsin-Possible-Duplicate"), "yes");
  EXPECT_NE(part(m, "text/plain").body.find("may repeat"), std::string::npos);
  EXPECT_NE(qp_decode(part(m, "text/html").body).find("may repeat"), std::string::npos);
}

TEST(EmailEncoder, FormatsDatesInRfc5322) {
  EXPECT_EQ(format_date(0), "Thu, 1 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(format_date(951'782'400'999), "Tue, 29 Feb 2000 00:00:00 +0000");
  EXPECT_EQ(format_date(-1), "Wed, 31 Dec 1969 23:59:59 +0000");
}

TEST(EmailEncoder, AsciiBodyIsSevenBitWithCrlfAndAConsoleLink) {
  const ParsedMessage m = text_part(encode_message(page("s", "line one\nline two\r\n.dot"), config(), date_ms));
  EXPECT_EQ(m.header("Content-Transfer-Encoding"), "7bit");
  EXPECT_EQ(m.body,
            "line one\r\nline two\r\n.dot\r\n\r\n-- \r\nIncident 7: https://tocsin.example.org/api/v1/incidents/7\r\n");
}

TEST(EmailEncoder, Utf8BodyIsQuotedPrintableAndDecodesBack) {
  const std::string body = "设备 core-sw1 端口 Gi0/1 中断。\nRésumé: lien coupé = panne totale  \nfin";
  const std::string message = encode_message(page("s", body), config(), date_ms);
  expect_wire_format(message);
  const ParsedMessage m = text_part(message);
  EXPECT_EQ(m.header("Content-Transfer-Encoding"), "quoted-printable");
  const std::string expected =
      "设备 core-sw1 端口 Gi0/1 中断。\r\nRésumé: lien coupé = panne totale  \r\nfin\r\n\r\n-- \r\n"
      "Incident 7: https://tocsin.example.org/api/v1/incidents/7\r\n";
  EXPECT_EQ(qp_decode(m.body), expected);
  EXPECT_NE(m.body.find("totale =20\r\n"), std::string::npos) << "trailing space must be protected";
}

TEST(EmailEncoder, LongBodyLinesAreWrappedWithSoftBreaks) {
  std::string line;
  while (line.size() < 5000) line += "ifIndex=" + std::to_string(line.size()) + ";";
  const std::string message = encode_message(page("s", line + "\n" + "中断" + line), config(), date_ms);
  expect_wire_format(message);
  const ParsedMessage m = text_part(message);
  EXPECT_EQ(m.header("Content-Transfer-Encoding"), "quoted-printable");
  for (const auto& l : physical_lines(m.body)) EXPECT_LE(l.size(), 76u) << l;
  EXPECT_EQ(qp_decode(m.body).substr(0, line.size() + 2), line + "\r\n");
  EXPECT_NE(qp_decode(m.body).find("中断" + line + "\r\n"), std::string::npos);
}

TEST(EmailEncoder, QuotedPrintableNeverSplitsAnEscape) {
  const std::string text(300, '=');
  const std::string encoded = quoted_printable(text);
  for (const auto& l : physical_lines(encoded)) {
    EXPECT_LE(l.size(), 76u);
    EXPECT_TRUE(l.size() % 3 == 1 || l.size() % 3 == 0) << l;
  }
  EXPECT_EQ(qp_decode(encoded), text + "\r\n");
}

TEST(EmailEncoder, PagesOfOneIncidentReferenceTheSameRootAndOthersDoNot) {
  Notification opened = page("[P1] down"), escalated = page("[P1] ESCALATED"), other = page("[P3] other");
  escalated.id = 50;
  other.id = 51;
  other.incident_id = 8;
  const ParsedMessage a = parse(encode_message(opened, config(), date_ms));
  const ParsedMessage b = parse(encode_message(escalated, config(), date_ms));
  const ParsedMessage c = parse(encode_message(other, config(), date_ms));
  EXPECT_EQ(a.header("In-Reply-To"), incident_thread_id(7, config()));
  EXPECT_EQ(b.header("In-Reply-To"), a.header("In-Reply-To"));
  EXPECT_EQ(b.header("References"), a.header("References"));
  EXPECT_EQ(c.header("References"), "<tocsin-incident-8@noc.example.org>");
  EXPECT_EQ(b.header("Message-ID"), "<tocsin-n50-i7@noc.example.org>");
  // Deterministic: a resend (possible duplicate) keeps its Message-ID.
  escalated.possible_duplicate = true;
  EXPECT_EQ(parse(encode_message(escalated, config(), date_ms)).header("Message-ID"), b.header("Message-ID"));
}

TEST(EmailEncoder, HtmlPartEscapesAlertTextAndLinksTheIncident) {
  const std::string body = "<script>alert('x')</script> & \"quoted\"\n<b>not bold</b>\x01";
  const ParsedMessage m = parse(encode_message(page("[P1] <img src=x onerror=alert(1)>", body), config(), date_ms));
  const std::string html = qp_decode(part(m, "text/html").body);
  EXPECT_EQ(html.find("<script>"), std::string::npos) << html;
  EXPECT_EQ(html.find("<img"), std::string::npos) << html;
  EXPECT_EQ(html.find("<b>"), std::string::npos) << html;
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"), std::string::npos)
      << html;
  EXPECT_NE(html.find("<title>[P1] &lt;img src=x onerror=alert(1)&gt;</title>"), std::string::npos) << html;
  EXPECT_NE(html.find("<a href=\"https://tocsin.example.org/api/v1/incidents/7\">Incident 7</a>"), std::string::npos)
      << html;
  EXPECT_EQ(html.find('\x01'), std::string::npos);
}

TEST(EmailEncoder, NoLinkElementForAConsoleUrlThatIsNoWebAddress) {
  SmtpConfig c = config();
  c.console_url = "javascript:alert(1)//";
  const std::string html = qp_decode(part(parse(encode_message(page("s"), c, date_ms)), "text/html").body);
  EXPECT_EQ(html.find("<a "), std::string::npos) << html;
}

TEST(EmailEncoder, HtmlEscapeKeepsTextAndReplacesInvalidUtf8) {
  EXPECT_EQ(html_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(html_escape("中断\n\tok"), "中断\n\tok");
  EXPECT_EQ(html_escape("\xFF"), "\xEF\xBF\xBD");
  EXPECT_EQ(html_escape("a\rb\x7F"), "a b ");
}

TEST(EmailEncoder, BoundaryInsideAlertTextCannotEndThePart) {
  Notification n = page("s");
  n.body = "--" + mime_boundary(n) + "--\nContent-Type: text/html\n\n<h1>forged</h1>";
  const std::string message = encode_message(n, config(), date_ms);
  expect_wire_format(message);
  const auto alternatives = parts(parse(message));
  ASSERT_EQ(alternatives.size(), 2u);
  EXPECT_EQ(alternatives[0].header("Content-Transfer-Encoding"), "quoted-printable");
  EXPECT_NE(qp_decode(alternatives[0].body).find(n.body.substr(0, 20)), std::string::npos);
}

TEST(EmailEncoder, WithAReplySecretBothPartsSayHowToReply) {
  SmtpConfig c = config();
  c.reply_secret = "s3cret";
  const ParsedMessage m = parse(encode_message(page("s"), c, date_ms));
  EXPECT_NE(part(m, "text/plain").body.find("\"ack\" or \"resolve\" on the first line"), std::string::npos);
  EXPECT_NE(qp_decode(part(m, "text/html").body).find("&quot;ack&quot; or &quot;resolve&quot;"), std::string::npos);
  EXPECT_EQ(part(parse(encode_message(page("s"), config(), date_ms)), "text/plain").body.find("\"ack\""),
            std::string::npos);
}

TEST(EmailEncoder, RecipientAndReplyToCannotInjectHeaders) {
  Notification n = page("s");
  n.recipient = "oncall@example.net\r\nBcc: everyone@example.net";
  SmtpConfig c = config();
  c.reply_to = "noc@tocsin.test\nX-Evil: 1";
  const ParsedMessage m = parse(encode_message(n, c, date_ms));
  EXPECT_EQ(m.header("Bcc"), "<absent>");
  EXPECT_EQ(m.header("X-Evil"), "<absent>");
  EXPECT_EQ(m.header("To"), "oncall@example.net Bcc: everyone@example.net");
}

}  // namespace
}  // namespace tocsin::email

namespace tocsin::email {
namespace {

TEST(EmailReplyToken, SubjectCarriesTheSignedTokenAndReplyToIsSet) {
  Notification n;
  n.id = 3;
  n.incident_id = 12;
  n.recipient = "oncall@example.org";
  n.subject = "[P2] #12 interface_down on core1";
  n.body = "x";
  SmtpConfig c;
  c.reply_secret = "s3cret";
  c.reply_to = "noc@tocsin.localhost";
  const std::string m = encode_message(n, c, 0);
  EXPECT_NE(m.find("Subject: [P2] #12 interface_down on core1 [" + notify::reply_token(12, "s3cret") + "]\r\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("Reply-To: noc@tocsin.localhost\r\n"), std::string::npos) << m;
}

TEST(EmailReplyToken, NoSecretNoTokenAndNoReplyTo) {
  Notification n;
  n.incident_id = 12;
  n.recipient = "oncall@example.org";
  n.subject = "[P2] #12 x";
  const std::string m = encode_message(n, SmtpConfig{}, 0);
  EXPECT_EQ(m.find("[TOC-"), std::string::npos);
  EXPECT_EQ(m.find("\r\nReply-To:"), std::string::npos);
}

}  // namespace
}  // namespace tocsin::email

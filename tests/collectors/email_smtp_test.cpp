// SMTP command parser and session state machine of the e-mail collector: a
// table of real client lines (swaks, Postfix, Nagios' mailx) and the order
// rules of RFC 5321, including the DATA reader's end detection, dot
// unstuffing and the SMTP smuggling defences.

#include <gtest/gtest.h>

#include "collectors/email/session.hpp"
#include "collectors/email/smtp_command.hpp"

namespace tocsin::email_in {
namespace {

struct CommandCase {
  std::string line;
  bool ok;
  int code;  // refusal code when !ok
  std::string address;
};

class CommandTable : public ::testing::TestWithParam<CommandCase> {};

TEST_P(CommandTable, ParsesOrRefusesWithTheRightCode) {
  const auto& c = GetParam();
  auto parsed = parse_command(c.line);
  ASSERT_EQ(parsed.command.has_value(), c.ok) << c.line << " → " << parsed.refusal.text;
  if (c.ok)
    EXPECT_EQ(parsed.command->address, c.address);
  else
    EXPECT_EQ(parsed.refusal.code, c.code);
}

INSTANTIATE_TEST_SUITE_P(
    RealClientLines, CommandTable,
    ::testing::Values(CommandCase{"EHLO mon01.example.com", true, 0, ""},
                      CommandCase{"ehlo [127.0.0.1]", true, 0, ""},
                      CommandCase{"HELO", false, 501, ""},
                      CommandCase{"MAIL FROM:<nagios@mon01.example.com>", true, 0, "nagios@mon01.example.com"},
                      CommandCase{"MAIL FROM:<nagios@mon01.example.com> SIZE=2048 BODY=8BITMIME", true, 0,
                                  "nagios@mon01.example.com"},
                      CommandCase{"mail from: <zabbix@example.com>", true, 0, "zabbix@example.com"},
                      CommandCase{"MAIL FROM:<>", true, 0, ""},
                      CommandCase{"MAIL FROM:nagios@example.com", false, 501, ""},
                      CommandCase{"MAIL FROM:<nagios@example.com> SIZE=big", false, 501, ""},
                      CommandCase{"MAIL FROM:<nagios@example.com> SMTPUTF8", false, 555, ""},
                      CommandCase{"RCPT TO:<alerts@tocsin.example>", true, 0, "alerts@tocsin.example"},
                      CommandCase{"RCPT TO:<@relay.example:alerts@tocsin.example>", true, 0, "alerts@tocsin.example"},
                      CommandCase{"RCPT TO:<postmaster>", true, 0, "postmaster"},
                      CommandCase{"RCPT TO:<>", false, 501, ""},
                      CommandCase{"RCPT TO:<alerts@tocsin.example> NOTIFY=NEVER", false, 555, ""},
                      CommandCase{"DATA", true, 0, ""},
                      CommandCase{"DATA now", false, 501, ""},
                      CommandCase{"QUIT", true, 0, ""},
                      CommandCase{"NOOP anything", true, 0, ""},
                      CommandCase{"AUTH PLAIN AGFkbWluAHNlY3JldA==", false, 500, ""},
                      CommandCase{"MAIL FROM:<a@b>\x01", false, 500, ""},
                      CommandCase{"", false, 500, ""}));

TEST(SmtpReply, MultilineRepliesUseDashContinuation) {
  EXPECT_EQ(render({250, "one\ntwo\nthree"}), "250-one\r\n250-two\r\n250 three\r\n");
  EXPECT_EQ(render({221, "bye"}), "221 bye\r\n");
}

SessionConfig config(bool tls = false) {
  SessionConfig c;
  c.hostname = "tocsin.test";
  c.accepted_domains = {"tocsin.test"};
  c.limits.max_message = 1000;
  c.limits.max_recipients = 2;
  c.tls_available = tls;
  return c;
}

TEST(SmtpSession, EhloAdvertisesSizePipelining8bitmimeAndStarttlsWhenConfigured) {
  Session s(config(true));
  EXPECT_EQ(s.greeting().code, 220);
  auto step = s.on_line("EHLO client.test");
  EXPECT_EQ(step.reply.code, 250);
  for (auto ext : {"SIZE 1000", "8BITMIME", "PIPELINING", "STARTTLS"})
    EXPECT_NE(step.reply.text.find(ext), std::string::npos) << ext;
  Session plain(config(false));
  EXPECT_EQ(plain.on_line("EHLO client.test").reply.text.find("STARTTLS"), std::string::npos);
  EXPECT_EQ(plain.on_line("STARTTLS").reply.code, 502);
}

TEST(SmtpSession, FullTransactionThenReadyForTheNext) {
  Session s(config());
  EXPECT_EQ(s.on_line("EHLO client.test").reply.code, 250);
  EXPECT_EQ(s.on_line("MAIL FROM:<nagios@mon.test>").reply.code, 250);
  EXPECT_EQ(s.on_line("RCPT TO:<alerts@tocsin.test>").reply.code, 250);
  auto data = s.on_line("DATA");
  EXPECT_EQ(data.reply.code, 354);
  EXPECT_EQ(data.after, After::read_data);
  EXPECT_EQ(s.envelope().mail_from, "nagios@mon.test");
  EXPECT_EQ(s.envelope().recipients, std::vector<std::string>{"alerts@tocsin.test"});
  s.end_transaction();
  EXPECT_TRUE(s.envelope().recipients.empty());
  EXPECT_EQ(s.on_line("MAIL FROM:<zabbix@mon.test>").reply.code, 250);
  EXPECT_EQ(s.on_line("QUIT").after, After::close);
}

TEST(SmtpSession, CommandsOutOfOrderGet503AndAreCounted) {
  Session s(config());
  auto early = s.on_line("MAIL FROM:<a@mon.test>");
  EXPECT_EQ(early.reply.code, 503);
  EXPECT_EQ(early.rejected, "bad_sequence");
  s.on_line("HELO client.test");
  EXPECT_EQ(s.on_line("RCPT TO:<alerts@tocsin.test>").reply.code, 503);
  EXPECT_EQ(s.on_line("DATA").reply.code, 503);
  s.on_line("MAIL FROM:<a@mon.test>");
  EXPECT_EQ(s.on_line("MAIL FROM:<a@mon.test>").reply.code, 503);
  EXPECT_EQ(s.on_line("DATA").reply.code, 554);  // no valid recipient yet
  EXPECT_EQ(s.on_line("RSET").reply.code, 250);
  EXPECT_EQ(s.on_line("RCPT TO:<alerts@tocsin.test>").reply.code, 503);
}

TEST(SmtpSession, UnknownRecipientDomainGets550AndOversizeMailGets552) {
  Session s(config());
  s.on_line("EHLO client.test");
  auto big = s.on_line("MAIL FROM:<a@mon.test> SIZE=1001");
  EXPECT_EQ(big.reply.code, 552);
  EXPECT_EQ(big.rejected, "too_large");
  s.on_line("MAIL FROM:<a@mon.test> SIZE=1000");
  auto foreign = s.on_line("RCPT TO:<someone@elsewhere.test>");
  EXPECT_EQ(foreign.reply.code, 550);
  EXPECT_EQ(foreign.reply.text.substr(0, 5), "5.1.1");
  EXPECT_EQ(foreign.rejected, "unknown_domain");
  EXPECT_EQ(s.on_line("RCPT TO:<Alerts@TOCSIN.test>").reply.code, 250);
}

TEST(SmtpSession, TooManyRecipientsGet452) {
  Session s(config());
  s.on_line("EHLO c");
  s.on_line("MAIL FROM:<a@mon.test>");
  s.on_line("RCPT TO:<a@tocsin.test>");
  s.on_line("RCPT TO:<b@tocsin.test>");
  auto third = s.on_line("RCPT TO:<c@tocsin.test>");
  EXPECT_EQ(third.reply.code, 452);
  EXPECT_EQ(third.rejected, "too_many_recipients");
}

TEST(SmtpSession, StarttlsForgetsTheEarlierConversation) {
  Session s(config(true));
  EXPECT_EQ(s.on_line("STARTTLS").reply.code, 503);  // EHLO first
  s.on_line("EHLO c");
  auto step = s.on_line("STARTTLS");
  EXPECT_EQ(step.reply.code, 220);
  EXPECT_EQ(step.after, After::start_tls);
  s.on_tls_started();
  EXPECT_TRUE(s.envelope().tls);
  EXPECT_EQ(s.on_line("MAIL FROM:<a@mon.test>").reply.code, 503);  // EHLO again after TLS
  EXPECT_EQ(s.on_line("EHLO c").reply.text.find("STARTTLS"), std::string::npos);
}

TEST(SmtpSession, ManyRefusedCommandsCloseTheConnectionWith421) {
  Session s(config());
  Step step;
  for (int i = 0; i < 25 && step.after != After::close; ++i) step = s.on_line("BOGUS");
  EXPECT_EQ(step.reply.code, 421);
  EXPECT_EQ(step.after, After::close);
}

SmtpLimits data_limits() {
  SmtpLimits l;
  l.max_message = 200;
  l.max_data_line = 20;
  return l;
}

TEST(SmtpData, OnlyCrlfDotCrlfEndsTheDataAndDotsAreUnstuffed) {
  DataReader r(data_limits());
  std::string input = "Subject: x\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n";
  std::size_t used = r.feed(input.substr(0, 20));
  used += r.feed(input.substr(used));
  ASSERT_TRUE(r.complete());
  EXPECT_EQ(input.substr(used), "QUIT\r\n");
  EXPECT_EQ(r.problem(), DataProblem::none);
  EXPECT_EQ(r.message(), "Subject: x\r\n\r\n.leading dot\r\n");
}

TEST(SmtpData, BareLfDotIsNotAnEndAndTheMessageIsRefused) {
  DataReader r(data_limits());
  // The smuggling pattern: "\n.\n" or "\n.\r\n" must not end the data.
  r.feed("Subject: x\r\n\r\nhi\n.\r\nMAIL FROM:<evil@x>\r\n");
  EXPECT_FALSE(r.complete());
  r.feed("\r\n.\r\n");
  ASSERT_TRUE(r.complete());
  EXPECT_EQ(r.problem(), DataProblem::bare_lf);
  EXPECT_EQ(refusal(r.problem()).code / 100, 5);
}

TEST(SmtpData, BareCrIsRefused) {
  DataReader r(data_limits());
  r.feed("a\rb\r\n.\r\n");
  ASSERT_TRUE(r.complete());
  EXPECT_EQ(r.problem(), DataProblem::bare_cr);
}

TEST(SmtpData, LongLineAndOversizeMessageAreReadToTheEndThenRefused) {
  DataReader line(data_limits());
  line.feed(std::string(30, 'x') + "\r\n.\r\n");
  ASSERT_TRUE(line.complete());
  EXPECT_EQ(line.problem(), DataProblem::line_too_long);
  EXPECT_EQ(refusal(line.problem()).code, 500);

  DataReader big(data_limits());
  for (int i = 0; i < 50; ++i) big.feed("0123456789\r\n");
  big.feed(".\r\n");
  ASSERT_TRUE(big.complete());
  EXPECT_EQ(big.problem(), DataProblem::too_large);
  EXPECT_EQ(refusal(big.problem()).code, 552);
  EXPECT_TRUE(big.message().empty());
}

}  // namespace
}  // namespace tocsin::email_in

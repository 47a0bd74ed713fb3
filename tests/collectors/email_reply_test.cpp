// Replies to pages: token plus keyword on the first unquoted line is a command;
// text without a keyword is a comment; forged tokens, unknown senders and
// automatic replies are answered at once; the decoder hands commands to the
// pipeline and answers DATA only once the action is done.
#include <gtest/gtest.h>

#include "collectors/email/decoder.hpp"
#include "collectors/email/reply.hpp"
#include "correlator/notify/reply_token.hpp"
#include "correlator/oncall/roster.hpp"

namespace tocsin::email_in {
namespace {

const std::string secret = "s3cret";
std::string subject(std::int64_t id) { return "Re: [P2] #" + std::to_string(id) + " x [" + notify::reply_token(id, secret) + "]"; }

ReplyCommand command(const std::string& subj, const std::string& body) {
  auto r = parse_reply(subj, body, secret);
  EXPECT_TRUE(std::holds_alternative<ReplyCommand>(r)) << body;
  return std::holds_alternative<ReplyCommand>(r) ? std::get<ReplyCommand>(r) : ReplyCommand{};
}

TEST(EmailReply, ResolveOnTheFirstLineResolvesTheTokensIncidentWithTheRestAsReason) {
  const auto c = command(subject(12), "\r\n  Resolve, fixed the optic\r\n\r\n> Incident #12 opened\r\n");
  EXPECT_EQ(c.incident_id, 12);
  EXPECT_EQ(c.verb, ReplyVerb::resolve);
  EXPECT_EQ(c.text, "fixed the optic");
}

TEST(EmailReply, AckKeywordsAreCaseInsensitiveAndQuotedLinesAreSkipped) {
  for (const char* body : {"ACK\n", "acknowledge\n", "> resolve\n>\nAck on it\n",
                           "On Tue, 1 Dec 2026 at 10:00, Tocsin <tocsin@noc> wrote:\n> [P2] #7\n>\nack\n"}) {
    const auto c = command(subject(7), body);
    EXPECT_EQ(c.verb, ReplyVerb::acknowledge) << body;
  }
  EXPECT_EQ(command(subject(7), "ack\n").text, "");
  EXPECT_EQ(command(subject(7), "Ack on it\n").text, "on it");
}

TEST(EmailReply, TextWithoutKeywordIsACommentUpToTheQuotedOriginal) {
  auto c = command(subject(12), "Looking into it,\r\nthe fibre team is on site.\r\n\r\nBob\r\n");
  EXPECT_EQ(c.verb, ReplyVerb::comment);
  EXPECT_EQ(c.text, "Looking into it, the fibre team is on site.");
  c = command(subject(12), "resolved? not sure\nOn Tue, Tocsin wrote:\n> Incident #12\n");
  EXPECT_EQ(c.verb, ReplyVerb::comment);
  EXPECT_EQ(c.text, "resolved? not sure");
  // The unquoted original under Outlook's separator must not be read: it
  // holds "Acknowledge: tocsinctl ack 12".
  c = command(subject(12), "will check\n-----Original Message-----\nAcknowledge: tocsinctl ack 12\n");
  EXPECT_EQ(c.text, "will check");
  c = command(subject(12), "noted\n-- \nBob, NOC\n");
  EXPECT_EQ(c.text, "noted");
}

TEST(EmailReply, CommentsAreBoundedAndValidUtf8) {
  std::string body(3000, 'x');
  body += "\n";
  auto c = command(subject(3), body);
  EXPECT_LE(c.text.size(), max_reply_text_bytes);
  c = command(subject(3), "caf\xC3\xA9 \xFF\xFE ok\n");
  EXPECT_EQ(c.text, "caf\xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD ok");
  std::string many;
  for (int i = 0; i < 20; ++i) many += "line " + std::to_string(i) + "\n";
  c = command(subject(3), many);
  EXPECT_EQ(c.text, "line 0 line 1 line 2 line 3 line 4");
}

TEST(EmailReply, ForgedTokenIsRefusedMissingOneIsAnOrdinaryMailAndNoTextIsEmpty) {
  EXPECT_EQ(std::get<NotAReply>(parse_reply("Re: [TOC-12-deadbeef]", "resolve\n", secret)), NotAReply::bad_token);
  EXPECT_EQ(std::get<NotAReply>(parse_reply(subject(12), "resolve\n", "other")), NotAReply::bad_token);
  EXPECT_EQ(std::get<NotAReply>(parse_reply("Re: [P2] #12 x", "resolve\n", secret)), NotAReply::no_token);
  EXPECT_EQ(std::get<NotAReply>(parse_reply(subject(12), "", secret)), NotAReply::empty);
  EXPECT_EQ(std::get<NotAReply>(parse_reply(subject(12), "\n> quoted only\n", secret)), NotAReply::empty);
}

// ------------------------------------------------------------ routing

std::shared_ptr<const oncall::Directory> directory() {
  oncall::RosterData d;
  d.people.push_back({"alice", "Alice", {{"email", "Alice@Example.net"}}, ""});
  d.people.push_back({"bob", "Bob", {{"email", "bob@example.net"}}, ""});
  d.groups.push_back({"noc", "NOC", {"alice"}, "", ""});
  return std::make_shared<oncall::Snapshot>(std::move(d));
}

Mail mail(std::string from, std::string subj, std::string body) {
  Mail m;
  m.from = std::move(from);
  m.subject = std::move(subj);
  m.body = std::move(body);
  return m;
}

class ReplyRouting : public ::testing::Test {
 protected:
  ReplySettings settings{secret, directory()};
};

TEST_F(ReplyRouting, KnownSenderBecomesAnActionOfThatPersonToBeAuthorized) {
  auto r = route_reply(mail("alice@example.net", subject(12), "resolve replaced the optic\n"), "alice@example.net", settings);
  ASSERT_EQ(r.kind, ReplyRoute::Kind::act);
  EXPECT_EQ(r.action.incident_id, 12);
  EXPECT_EQ(r.action.kind, ActionKind::resolve);
  EXPECT_EQ(r.action.actor, "alice");
  EXPECT_EQ(r.action.channel, "email");
  EXPECT_TRUE(r.action.check_authority);
  EXPECT_EQ(r.action.comment, "by e-mail reply from alice@example.net: replaced the optic");
  r = route_reply(mail("alice@example.net", subject(12), "on my way\n"), "alice@example.net", settings);
  EXPECT_EQ(r.action.kind, ActionKind::comment);
  EXPECT_EQ(r.action.comment, "by e-mail reply from alice@example.net: on my way");
}

TEST_F(ReplyRouting, EnvelopeSenderIsTriedWhenFromNamesNobody) {
  auto r = route_reply(mail("noc-alias@example.net", subject(5), "ack\n"), "bob@example.net", settings);
  ASSERT_EQ(r.kind, ReplyRoute::Kind::act);
  EXPECT_EQ(r.action.actor, "bob");
  EXPECT_EQ(r.action.comment, "by e-mail reply from bob@example.net");
}

TEST_F(ReplyRouting, UnknownSenderForgedTokenAndEmptyReplyAreRefusedAtOnce) {
  auto r = route_reply(mail("mallory@evil.example", subject(12), "resolve\n"), "mallory@evil.example", settings);
  EXPECT_EQ(r.kind, ReplyRoute::Kind::answer);
  EXPECT_EQ(r.smtp.code, 550);
  EXPECT_EQ(r.result, "unknown_sender");
  r = route_reply(mail("alice@example.net", "Re: [TOC-12-00000000]", "resolve\n"), "alice@example.net", settings);
  EXPECT_EQ(r.smtp.code, 550);
  EXPECT_EQ(r.result, "bad_token");
  r = route_reply(mail("alice@example.net", subject(12), "> only quoted\n"), "alice@example.net", settings);
  EXPECT_EQ(r.smtp.code, 550);
  EXPECT_EQ(r.result, "empty");
  ReplySettings nobody{secret, nullptr};
  r = route_reply(mail("alice@example.net", subject(12), "ack\n"), "alice@example.net", nobody);
  EXPECT_EQ(r.result, "unknown_sender");
}

TEST_F(ReplyRouting, AutomaticRepliesAreAcceptedAndIgnored) {
  Mail m = mail("alice@example.net", "Automatic reply: " + subject(12), "I am out of the office\n");
  m.auto_submitted = "auto-replied";
  auto r = route_reply(m, "alice@example.net", settings);
  EXPECT_EQ(r.kind, ReplyRoute::Kind::answer);
  EXPECT_EQ(r.smtp.code, 250);
  EXPECT_EQ(r.result, "auto_reply");
  m.auto_submitted = "";
  m.precedence = "bulk";
  EXPECT_EQ(route_reply(m, "alice@example.net", settings).result, "auto_reply");
  m.precedence = "";
  EXPECT_EQ(route_reply(m, "", settings).result, "auto_reply");  // a bounce
  m.auto_submitted = "no";
  EXPECT_EQ(route_reply(m, "alice@example.net", settings).kind, ReplyRoute::Kind::act);
}

TEST_F(ReplyRouting, WithoutSecretOrTokenTheMailIsAnOrdinaryEvent) {
  EXPECT_EQ(route_reply(mail("alice@example.net", "disk full on db1", "ack\n"), "alice@example.net", settings).kind,
            ReplyRoute::Kind::not_a_reply);
  ReplySettings off{"", directory()};
  EXPECT_EQ(route_reply(mail("alice@example.net", subject(12), "ack\n"), "alice@example.net", off).kind,
            ReplyRoute::Kind::not_a_reply);
}

TEST(ReplyAnswer, CommittedActionsAre250AndRefusalsSayWhy) {
  IncidentAction a;
  a.incident_id = 12;
  a.kind = ActionKind::acknowledge;
  a.actor = "alice";
  auto [ok, label] = answer_action(a, {200, "", std::nullopt});
  EXPECT_EQ(ok.code, 250);
  EXPECT_EQ(ok.text, "2.0.0 incident 12 acknowledged by alice");
  EXPECT_EQ(label, "acknowledged");
  EXPECT_EQ(answer_action(a, {409, "incident 12 is already acknowledged", std::nullopt}).first.code, 250);
  EXPECT_EQ(answer_action(a, {409, "x", std::nullopt}).second, "no_change");
  auto [refused, why] = answer_action(a, {403, "alice may not act on incident 12", std::nullopt});
  EXPECT_EQ(refused.code, 550);
  EXPECT_EQ(refused.text, "5.7.1 alice may not act on incident 12");
  EXPECT_EQ(why, "not_allowed");
  EXPECT_EQ(answer_action(a, {404, "", std::nullopt}).second, "unknown_incident");
  EXPECT_EQ(answer_action(a, {503, "", std::nullopt}).first.code, 451);
}

// ------------------------------------------------------------ decoder wiring

class NoEvents final : public EventSink {
 public:
  std::size_t offer(std::vector<Event>&) override { return 0; }
  void submit(std::vector<Event> e, std::function<void()> durable) override {
    events += e.size();
    durable();
  }
  std::size_t events = 0;
};

class HeldActions final : public ActionSink {
 public:
  void act(IncidentAction action, ActionDone done) override {
    actions.push_back(std::move(action));
    pending.push_back(std::move(done));
  }
  std::vector<IncidentAction> actions;
  std::vector<ActionDone> pending;
};

std::string raw_mail(const std::string& from, const std::string& subj, const std::string& body) {
  return "From: " + from + "\r\nTo: noc@tocsin.test\r\nSubject: " + subj +
         "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body;
}

class ReplyDecoding : public ::testing::Test {
 protected:
  DecoderConfig config() {
    DecoderConfig c;
    c.replies = {secret, directory()};
    return c;
  }
  std::optional<Reply> submit(const std::string& message) {
    std::optional<Reply> answer;
    decoder.submit(envelope, "127.0.0.1", message, [&answer](Reply r) { answer = std::move(r); });
    return answer;
  }
  double replies(const std::string& result) { return stats.value("tocsin_email_replies_total", {{"result", result}}); }

  NoEvents events;
  HeldActions actions;
  StatsRegistry stats;
  FakeClock clock;
  Decoder decoder{config(), events, stats, clock, &actions};
  Envelope envelope{"mua", "alice@example.net", {"noc@tocsin.test"}, false};
};

TEST_F(ReplyDecoding, AReplyIsAnsweredOnlyAfterItsActionIsDone) {
  auto answer = submit(raw_mail("Alice <alice@example.net>", subject(12), "ack\r\n"));
  EXPECT_FALSE(answer) << "no reply before the commit";
  ASSERT_EQ(actions.actions.size(), 1U);
  EXPECT_EQ(actions.actions[0].kind, ActionKind::acknowledge);
  EXPECT_EQ(actions.actions[0].actor, "alice");
  EXPECT_EQ(events.events, 0U);
  std::optional<Reply> late;
  decoder.submit(envelope, "127.0.0.1", raw_mail("alice@example.net", subject(13), "resolve\r\n"),
                 [&late](Reply r) { late = std::move(r); });
  actions.pending[1]({200, "", std::nullopt});
  ASSERT_TRUE(late);
  EXPECT_EQ(late->code, 250);
  EXPECT_EQ(replies("resolved"), 1);
  actions.pending[0]({403, "alice may not act on incident 12", std::nullopt});
  EXPECT_EQ(replies("not_allowed"), 1);
}

TEST_F(ReplyDecoding, RefusalsAreCountedAndOrdinaryMailStaysAnEvent) {
  auto answer = submit(raw_mail("alice@example.net", "Re: [TOC-12-0badf00d]", "resolve\r\n"));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->code, 550);
  EXPECT_EQ(replies("bad_token"), 1);
  envelope.mail_from = "mallory@evil.example";  // neither From nor MAIL FROM names a person
  answer = submit(raw_mail("mallory@evil.example", subject(12), "resolve\r\n"));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->code, 550);
  EXPECT_EQ(replies("unknown_sender"), 1);
  EXPECT_TRUE(actions.actions.empty());
  answer = submit(raw_mail("nagios@mon01", "** PROBLEM Service Alert: web01/HTTP is CRITICAL **", "timeout\r\n"));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->code, 250);
  EXPECT_EQ(events.events, 1U);
}

}  // namespace
}  // namespace tocsin::email_in

// MIME-to-event of the e-mail collector: real notification mails (Nagios,
// Icinga 2, Zabbix, a Chinese-language Zabbix in GBK, Big5 from a Taiwanese
// system, Outlook-style multipart/alternative) decoded to UTF-8 and mapped by
// the default rules; MIME bombs refused and counted.

#include <gtest/gtest.h>

#include "collectors/email/decoder.hpp"
#include "collectors/email/mime.hpp"

namespace tocsin::email_in {
namespace {

// Nagios 4 notify-service-by-email (printf | /usr/bin/mail).
const std::string nagios_problem =
    "From: nagios@mon01.example.com\r\n"
    "To: alerts@tocsin.example\r\n"
    "Subject: ** PROBLEM Service Alert: web01/HTTP is CRITICAL **\r\n"
    "Message-Id: <20240301184611.1234@mon01.example.com>\r\n"
    "Content-Type: text/plain; charset=UTF-8\r\n"
    "\r\n"
    "***** Nagios *****\r\n\r\nNotification Type: PROBLEM\r\n\r\nService: HTTP\r\nHost: web01\r\n"
    "Address: 192.0.2.10\r\nState: CRITICAL\r\n\r\nDate/Time: Fri Mar 1 18:46:11 UTC 2024\r\n\r\n"
    "Additional Info:\r\n\r\nconnect to address 192.0.2.10 and port 80: Connection refused\r\n";

std::string nagios_recovery() {
  std::string m = nagios_problem;
  m.replace(m.find("PROBLEM Service"), 7, "RECOVERY");
  m.replace(m.find("CRITICAL **"), 8, "OK");
  return m;
}

// Icinga 2 mail-service-notification.sh, quoted-printable through mailutils.
const std::string icinga2_problem =
    "From: icinga@mon02.example.com\r\n"
    "To: alerts@tocsin.example\r\n"
    "Subject: [PROBLEM] ping4 on db-02 is WARNING!\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "***** Service Monitoring on mon02 *****\r\n\r\nping4 on db-02 is WARNING!\r\n\r\n"
    "Info:    PING WARNING - Packet loss =3D 16%, RTA =3D 120.31 ms\r\n";

// Zabbix 6 media type "Email", HTML disabled.
const std::string zabbix_problem =
    "From: zabbix@example.com\r\n"
    "To: alerts@tocsin.example\r\n"
    "Subject: Problem: High CPU utilization (over 90% for 5m)\r\n"
    "Content-Type: text/plain; charset=\"UTF-8\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "UHJvYmxlbSBzdGFydGVkIGF0IDEwOjAwOjAwIG9uIDIwMjQuMDMuMDEKUHJvYmxlbSBuYW1lOiBIaWdoIENQVSB1dGlsaXph\r\n"
    "dGlvbiAob3ZlciA5MCUgZm9yIDVtKQpIb3N0OiBhcHAwMwpTZXZlcml0eTogSGlnaApPcmlnaW5hbCBwcm9ibGVtIElEOiA0\r\n"
    "MjEK\r\n";

const std::string zabbix_resolved =
    "From: zabbix@example.com\r\n"
    "To: alerts@tocsin.example\r\n"
    "Subject: Resolved in 5m 0s: High CPU utilization (over 90% for 5m)\r\n"
    "Content-Type: text/plain; charset=UTF-8\r\n"
    "\r\n"
    "Problem has been resolved at 10:05:00 on 2024.03.01\r\nProblem name: High CPU utilization (over 90% for 5m)\r\n"
    "Problem duration: 5m 0s\r\nHost: app03\r\nSeverity: High\r\nOriginal problem ID: 421\r\n";

// A Chinese-language monitoring system: subject as a gb2312-labelled encoded
// word holding a GBK-only character (喆), body in GBK, base64.
const std::string gbk_report =
    "From: =?gb2312?B?1cWGtA==?= <zhangzhe@example.cn>\r\n"
    "To: alerts@tocsin.example\r\n"
    "Subject: =?gb2312?B?1cWGtLGouOY6ILf+zvHG9+W0u/o=?=\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=\"gb2312\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "1ve7+jogZGIwMQrOysziOiC0xcXMyrnTw8LKIDk1JQo=\r\n";

// The same kind of mail with raw 8-bit GBK headers and no charset at all.
const std::string unlabelled_gbk =
    "From: monitor@example.cn\r\n"
    "Subject: \xb8\xe6\xbe\xaf\xa3\xba\xca\xfd\xbe\xdd\xbf\xe2\xb7\xfe\xce\xf1\xc6\xf7\xb4\xc5\xc5\xcc\xbf\xd5"
    "\xbc\xe4\xb2\xbb\xd7\xe3\r\n"
    "\r\n"
    "\xd6\xf7\xbb\xfa\x3a\x20\x64\x62\x30\x31\r\n";

// Big5, multipart/alternative as Outlook sends it: the text part wins.
const std::string big5_alternative =
    "From: noc@example.tw\r\n"
    "Subject: =?big5?B?pviqQb65t+2+9w==?=\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/alternative; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=big5\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "\xbe\xf7\xa9\xd0\xb7\xc5\xab\xd7\xb9\x4c\xb0\xaa\r\n"
    "--b1\r\n"
    "Content-Type: text/html; charset=big5\r\n"
    "\r\n"
    "<html><body><p>ignored</p></body></html>\r\n"
    "--b1--\r\n";

const std::string html_only =
    "From: alerts@saas.example\r\n"
    "Subject: Disk almost full\r\n"
    "Content-Type: text/html; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "<html><head><style>p{color:red}</style></head><body><p>Temperatur =FCber 40=B0C</p>"
    "<p>Host&nbsp;&amp; rack: <b>r12</b></p></body></html>\r\n";

std::string nested_multiparts(int depth) {
  std::string m = "From: x@example.com\r\nSubject: bomb\r\n";
  for (int i = 0; i < depth; ++i)
    m += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\r\n\r\n--b" + std::to_string(i) + "\r\n";
  return m + "Content-Type: text/plain\r\n\r\nx\r\n";
}

std::string many_parts(int parts) {
  std::string m = "From: x@example.com\r\nSubject: bomb\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n";
  for (int i = 0; i < parts; ++i) m += "--b\r\n\r\npart\r\n";
  return m + "--b--\r\n";
}

TEST(MimeDecoding, SubjectsAndBodiesOfEveryCharsetAndEncodingBecomeUtf8) {
  MimeLimits limits;
  struct Case {
    std::string name, mail, subject, body_contains, from;
  };
  const std::vector<Case> cases{
      {"nagios", nagios_problem, "** PROBLEM Service Alert: web01/HTTP is CRITICAL **", "Connection refused",
       "nagios@mon01.example.com"},
      {"icinga2 quoted-printable", icinga2_problem, "[PROBLEM] ping4 on db-02 is WARNING!", "Packet loss = 16%",
       "icinga@mon02.example.com"},
      {"zabbix base64", zabbix_problem, "Problem: High CPU utilization (over 90% for 5m)", "Host: app03",
       "zabbix@example.com"},
      {"gbk encoded word and body", gbk_report, "张喆报告: 服务器宕机", "问题: 磁盘使用率 95%", "zhangzhe@example.cn"},
      {"unlabelled gbk", unlabelled_gbk, "告警：数据库服务器磁盘空间不足", "主机: db01", "monitor@example.cn"},
      {"big5 alternative", big5_alternative, "伺服器當機", "機房溫度過高", "noc@example.tw"},
      {"html only", html_only, "Disk almost full", "Temperatur über 40°C\n\nHost & rack: r12", "alerts@saas.example"},
  };
  for (const auto& c : cases) {
    auto parsed = parse_mail(c.mail, limits);
    ASSERT_EQ(parsed.problem, MimeProblem::none) << c.name;
    EXPECT_EQ(parsed.mail.subject, c.subject) << c.name;
    EXPECT_NE(parsed.mail.body.find(c.body_contains), std::string::npos) << c.name << ": " << parsed.mail.body;
    EXPECT_EQ(parsed.mail.from, c.from) << c.name;
  }
  EXPECT_EQ(parse_mail(gbk_report, limits).mail.from_name, "张喆");
  EXPECT_EQ(parse_mail(nagios_problem, limits).mail.message_id, "20240301184611.1234@mon01.example.com");
  EXPECT_EQ(parse_mail(big5_alternative, limits).mail.body.find("ignored"), std::string::npos);
}

TEST(MimeDecoding, MimeBombsAreRefused) {
  MimeLimits limits;
  limits.max_depth = 10;
  limits.max_parts = 100;
  EXPECT_EQ(parse_mail(nested_multiparts(5), limits).problem, MimeProblem::none);
  EXPECT_EQ(parse_mail(nested_multiparts(20), limits).problem, MimeProblem::too_deep);
  EXPECT_EQ(parse_mail(nested_multiparts(5000), limits).problem, MimeProblem::too_many_parts);
  EXPECT_EQ(parse_mail(many_parts(50), limits).problem, MimeProblem::none);
  EXPECT_EQ(parse_mail(many_parts(3000), limits).problem, MimeProblem::too_many_parts);
}

class CollectingSink final : public EventSink {
 public:
  std::size_t offer(std::vector<Event>& events) override { return 0; }
  void submit(std::vector<Event> events, std::function<void()> durable) override {
    for (auto& e : events) this->events.push_back(std::move(e));
    pending.push_back(std::move(durable));
  }
  std::vector<Event> events;
  std::vector<std::function<void()>> pending;
};

class MailMapping : public ::testing::Test {
 protected:
  Event decode(const std::string& mail) {
    Event e;
    auto refused = decoder.decode(envelope, "192.0.2.1", mail, e);
    EXPECT_FALSE(refused) << (refused ? refused->text : "");
    return e;
  }

  CollectingSink sink;
  StatsRegistry stats;
  FakeClock clock;
  Decoder decoder{DecoderConfig{}, sink, stats, clock};
  Envelope envelope{"mon01", "nagios@mon01.example.com", {"alerts@tocsin.example"}, false};
};

TEST_F(MailMapping, NagiosRecoveryClearsTheProblemOfTheSameService) {
  Event problem = decode(nagios_problem);
  EXPECT_EQ(problem.kind, EventKind::problem);
  EXPECT_EQ(problem.severity, Severity::critical);
  EXPECT_EQ(problem.resource, "web01");
  EXPECT_EQ(problem.summary, "HTTP on web01 is CRITICAL");
  EXPECT_EQ(problem.source, "email");
  Event recovery = decode(nagios_recovery());
  EXPECT_EQ(recovery.kind, EventKind::clear);
  EXPECT_EQ(fingerprint(recovery), fingerprint(problem));
}

TEST_F(MailMapping, ZabbixSeverityComesFromTheBodyAndResolvedClears) {
  Event problem = decode(zabbix_problem);
  EXPECT_EQ(problem.rule, "zabbix-problem-High");
  EXPECT_EQ(problem.severity, Severity::major);
  EXPECT_EQ(problem.resource, "app03");
  Event resolved = decode(zabbix_resolved);
  EXPECT_EQ(resolved.kind, EventKind::clear);
  EXPECT_EQ(fingerprint(resolved), fingerprint(problem));
}

TEST_F(MailMapping, Icinga2ServiceMailMapsToTheSameEventAsNagios) {
  Event e = decode(icinga2_problem);
  EXPECT_EQ(e.name, "service_problem");
  EXPECT_EQ(e.severity, Severity::warning);
  EXPECT_EQ(e.resource, "db-02");
  EXPECT_EQ(*e.attribute("service"), "ping4");
}

TEST_F(MailMapping, UnmatchedMailBecomesAServiceDeskProblemTitledBySubject) {
  Event e = decode(gbk_report);
  EXPECT_EQ(e.kind, EventKind::problem);
  EXPECT_EQ(e.name, "email_report");
  EXPECT_EQ(e.summary, "张喆报告: 服务器宕机");
  EXPECT_EQ(e.resource, "zhangzhe@example.cn");
  ASSERT_TRUE(e.attribute("group"));
  EXPECT_EQ(*e.attribute("group"), "service-desk");
  EXPECT_EQ(stats.value("tocsin_email_unmatched_total"), 1);
}

TEST_F(MailMapping, AcceptedOnlyAfterTheEventIsDurable) {
  std::optional<Reply> reply;
  decoder.submit(envelope, "192.0.2.1", nagios_problem, [&](Reply r) { reply = r; });
  EXPECT_FALSE(reply);
  ASSERT_EQ(sink.pending.size(), 1u);
  sink.pending[0]();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->code, 250);
}

TEST_F(MailMapping, MimeBombIsRefusedWith554AndCounted) {
  std::optional<Reply> reply;
  decoder.submit(envelope, "192.0.2.1", nested_multiparts(50), [&](Reply r) { reply = r; });
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->code, 554);
  EXPECT_TRUE(sink.events.empty());
  EXPECT_EQ(stats.value("tocsin_email_rejected_total", {{"reason", "mime_too_deep"}}), 1);
}

}  // namespace
}  // namespace tocsin::email_in

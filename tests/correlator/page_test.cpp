// What a person reads in a page: per channel and kind, the short code,
// priority, CI, group, link and runbook; SMS in one segment; safe headers.
#include <gtest/gtest.h>

#include "correlator/notify/page.hpp"

namespace tocsin::notify {
namespace {

Incident incident() {
  Incident i;
  i.id = 12;
  i.title = "Interface Gi0/1 down on core1";
  i.priority = "P2";
  i.severity = Severity::major;
  i.group = "network";
  i.assignee = "alice";
  i.criticality = "high";
  i.cmdb = CiFields::copy_of("core1", {}, "", "https://wiki/runbooks/link-down");
  return i;
}

PageContext context(const Incident& i, PageKind kind, std::string channel) {
  PageContext c;
  c.incident = &i;
  c.kind = kind;
  c.channel = std::move(channel);
  c.console_url = "http://noc.example:8080";
  return c;
}

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

TEST(PageEmail, OpenedNamesCodePriorityCiGroupAssigneeRunbookAndLink) {
  const Incident i = incident();
  const Page p = render(context(i, PageKind::opened, "email"));
  EXPECT_EQ(p.subject, "[P2] #12 Interface Gi0/1 down on core1");
  EXPECT_TRUE(has(p.body, "Incident #12 opened: Interface Gi0/1 down on core1")) << p.body;
  EXPECT_TRUE(has(p.body, "Priority:   P2")) << p.body;
  EXPECT_TRUE(has(p.body, "CI:         core1 (high)")) << p.body;
  EXPECT_TRUE(has(p.body, "Group:      network")) << p.body;
  EXPECT_TRUE(has(p.body, "Assignee:   alice")) << p.body;
  EXPECT_TRUE(has(p.body, "Runbook:    https://wiki/runbooks/link-down")) << p.body;
  EXPECT_TRUE(has(p.body, "http://noc.example:8080/api/v1/incidents/12")) << p.body;
}

TEST(PageEmail, WithTheAlertTheSubjectNamesAlertAndResourceAndTheBodyItsDetails) {
  const Incident i = incident();
  Alert a;
  a.name = "interface_down";
  a.resource = "core1";
  a.attributes = {{"interface", "Gi0/1"}};
  PageContext c = context(i, PageKind::opened, "email");
  c.alert = &a;
  const Page p = render(c);
  EXPECT_EQ(p.subject, "[P2] #12 interface_down on core1");
  EXPECT_TRUE(has(p.body, "Resource:   core1")) << p.body;
  EXPECT_TRUE(has(p.body, "  interface: Gi0/1")) << p.body;
}

TEST(PageEmail, EachKindSaysWhatHappened) {
  const Incident i = incident();
  EXPECT_TRUE(has(render(context(i, PageKind::escalated, "email")).subject, "#12 ESCALATED:"));
  EXPECT_TRUE(has(render(context(i, PageKind::acknowledged, "email")).subject, "#12 acknowledged:"));
  EXPECT_TRUE(has(render(context(i, PageKind::resolved, "email")).subject, "#12 resolved:"));
  EXPECT_TRUE(has(render(context(i, PageKind::sla_breach, "email")).subject, "#12 SLA breach:"));
  EXPECT_TRUE(has(render(context(i, PageKind::flapping, "email")).subject, "#12 flapping:"));
  PageContext c = context(i, PageKind::escalated, "email");
  c.step = 2;
  c.person = "Bob";
  c.detail = "not acknowledged within 15m";
  const Page p = render(c);
  EXPECT_TRUE(has(p.body, "Escalation step 2")) << p.body;
  EXPECT_TRUE(has(p.body, "For Bob")) << p.body;
  EXPECT_TRUE(has(p.body, "not acknowledged within 15m")) << p.body;
  EXPECT_FALSE(has(render(context(i, PageKind::resolved, "email")).body, "tocsinctl ack"));
}

TEST(PageEmail, SubjectHasNoLineBreaksAndIsBounded) {
  Incident i = incident();
  i.title = "evil\r\nBcc: victim@example.com " + std::string(500, 'x');
  const Page p = render(context(i, PageKind::opened, "email"));
  EXPECT_EQ(p.subject.find('\r'), std::string::npos);
  EXPECT_EQ(p.subject.find('\n'), std::string::npos);
  EXPECT_LE(p.subject.size(), 200u);
  EXPECT_TRUE(p.subject.ends_with("..."));
}

TEST(PageEmail, InvalidUtf8IsReplaced) {
  Incident i = incident();
  i.title = "bad \xC3\x28 byte and \xE2\x82\xAC kept";
  const Page p = render(context(i, PageKind::opened, "email"));
  EXPECT_TRUE(has(p.subject, "bad \xEF\xBF\xBD( byte and \xE2\x82\xAC kept")) << p.subject;
  EXPECT_TRUE(has(p.body, "bad \xEF\xBF\xBD( byte")) << p.body;
}

TEST(PageSms, OneSegmentWithTheReplyCommands) {
  const Incident i = incident();
  const Page p = render(context(i, PageKind::opened, "sms"));
  EXPECT_TRUE(p.subject.empty());
  EXPECT_EQ(p.body, "P2 #12: Interface Gi0/1 down on core1. Reply ACK 12 or RES 12");
  Incident long_one = incident();
  long_one.title = std::string(300, 'y');
  const Page cut = render(context(long_one, PageKind::escalated, "sms"));
  EXPECT_LE(cut.body.size(), 160u);
  EXPECT_TRUE(has(cut.body, "yyy.... Reply ACK 12")) << cut.body;
  EXPECT_TRUE(cut.body.ends_with("Reply ACK 12 or RES 12")) << cut.body;
}

TEST(PageSms, ResolvedNeedsNoReply) {
  const Incident i = incident();
  EXPECT_EQ(render(context(i, PageKind::resolved, "sms")).body, "P2 #12 resolved: Interface Gi0/1 down on core1");
}

TEST(SanitizeHeader, ControlCharactersBecomeSpacesAndCutsKeepCharactersWhole) {
  EXPECT_EQ(sanitize_header("a\rb\nc\td"), "a b c d");
  const std::string euros = "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC";  // 9 bytes
  const std::string cut = sanitize_header(euros, 8);
  EXPECT_EQ(cut, "\xE2\x82\xAC...");
}

}  // namespace
}  // namespace tocsin::notify

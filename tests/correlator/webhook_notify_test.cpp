// Webhook notifications of incident changes: one per target that wants the
// kind, JSON rendered at commit time; and the authority check of replies.
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "correlator/clock.hpp"
#include "correlator/correlator.hpp"
#include "correlator/notify/webhook.hpp"
#include "correlator/oncall/roster.hpp"

namespace tocsin {
namespace {

Event problem(std::string host) {
  Event e;
  e.source = "syslog";
  e.kind = EventKind::problem;
  e.name = e.alert_key = "interface_down";
  e.severity = Severity::major;
  e.resource = std::move(host);
  e.summary = "Interface Gi0/1 down";
  return e;
}

std::vector<Notification> webhooks(const ChangeSet& c) {
  std::vector<Notification> out;
  for (const auto& n : c.notifications)
    if (n.channel == "webhook") out.push_back(n);
  return out;
}

class WebhookNotify : public ::testing::Test {
 protected:
  WebhookNotify() : correlator(config(), stats) { correlator.restore({}, {}, {}); }
  static CorrelatorConfig config() {
    CorrelatorConfig c;
    c.default_group = "noc";
    c.console_url = "https://tocsin.example.net";
    c.webhooks.push_back({"http://127.0.0.1:9000/all", {}});
    c.webhooks.back().kinds = notify::WebhookTarget{}.kinds;
    c.webhooks.push_back({"http://127.0.0.1:9000/resolved", {notify::PageKind::resolved}});
    oncall::RosterData d;
    d.people.push_back({"alice", "Alice", {{"email", "alice@example.net"}}, ""});
    d.people.push_back({"bob", "Bob", {{"email", "bob@example.net"}}, ""});
    d.groups.push_back({"noc", "NOC", {"alice"}, "", ""});
    c.oncall = std::make_shared<oncall::Snapshot>(std::move(d));
    return c;
  }
  ChangeSet open() {
    ChangeSet changes;
    correlator.on_event(problem("core1"), clock.wall_ms(), changes);
    correlator.flush(changes);
    return changes;
  }
  ChangeSet act(ActionKind kind, std::int64_t id, std::string actor = "admin") {
    ChangeSet changes;
    IncidentAction a;
    a.incident_id = id;
    a.kind = kind;
    a.actor = std::move(actor);
    EXPECT_EQ(correlator.on_action(a, clock.wall_ms(), changes).status, 200);
    correlator.flush(changes);
    return changes;
  }

  FakeClock clock;
  StatsRegistry stats;
  Correlator correlator;
};

TEST_F(WebhookNotify, OpenAcknowledgeAndResolveArePostedToTheTargetsThatWantThem) {
  ChangeSet opened = open();
  auto posts = webhooks(opened);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].recipient, "http://127.0.0.1:9000/all");
  EXPECT_EQ(posts[0].kind, "opened");
  const std::int64_t id = opened.incidents[0].id;
  auto doc = boost::json::parse(posts[0].body).as_object();
  EXPECT_EQ(doc["kind"].as_string(), "opened");
  EXPECT_EQ(doc["incident_id"].as_int64(), id);
  EXPECT_EQ(doc["state"].as_string(), "open");
  EXPECT_EQ(doc["ci"].as_string(), "core1");
  EXPECT_EQ(doc["link"].as_string(), "https://tocsin.example.net/api/v1/incidents/" + std::to_string(id));
  EXPECT_TRUE(doc["acknowledged_at"].is_null());

  posts = webhooks(act(ActionKind::acknowledge, id, "alice"));
  ASSERT_EQ(posts.size(), 1u);
  doc = boost::json::parse(posts[0].body).as_object();
  EXPECT_EQ(doc["kind"].as_string(), "acknowledged");
  EXPECT_EQ(doc["state"].as_string(), "acknowledged");
  EXPECT_EQ(doc["actor"].as_string(), "alice");
  EXPECT_FALSE(doc["acknowledged_at"].is_null());

  posts = webhooks(act(ActionKind::resolve, id));
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].body, posts[1].body);
  EXPECT_EQ(boost::json::parse(posts[1].body).as_object()["state"].as_string(), "resolved");
}

TEST_F(WebhookNotify, AnEscalationStepIsPostedButTheOpeningStepIsTheOpenedPost) {
  CorrelatorConfig c = config();
  sla::Policy policy;
  policy.steps = {{0, {"group"}, {"email"}}, {60'000, {"group"}, {"email"}}};
  c.escalation.by_group["noc"] = policy;
  Correlator escalating(c, stats);
  escalating.restore({}, {}, {});
  ChangeSet opened;
  escalating.on_event(problem("core2"), clock.wall_ms(), opened);
  escalating.flush(opened);
  auto posts = webhooks(opened);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].kind, "opened");
  clock.advance_ms(61'000);
  ChangeSet later;
  escalating.on_tick(clock.wall_ms(), later);
  escalating.flush(later);
  posts = webhooks(later);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].kind, "escalated");
  auto doc = boost::json::parse(posts[0].body).as_object();
  EXPECT_EQ(doc["escalation_level"].as_int64(), 2);
  EXPECT_NE(std::string(doc["text"].as_string()).find("escalated to step 1"), std::string::npos) << posts[0].body;
}

TEST_F(WebhookNotify, PayloadStringsAreValidUtf8) {
  Incident i;
  i.id = 3;
  i.title = "bad \xFF byte";
  const auto doc = boost::json::parse(notify::webhook_payload(i, notify::PageKind::opened, "x", "", "", 0));
  EXPECT_EQ(doc.as_object().at("title").as_string(), "bad \xEF\xBF\xBD byte");
}

TEST_F(WebhookNotify, RepliesNeedStandingOnTheIncident) {
  const std::int64_t id = open().incidents[0].id;
  IncidentAction a;
  a.incident_id = id;
  a.kind = ActionKind::acknowledge;
  a.check_authority = true;
  a.actor = "alice";  // member of noc
  EXPECT_FALSE(correlator.authorize(a, {}, clock.wall_ms()));
  a.actor = "bob";
  auto refused = correlator.authorize(a, {}, clock.wall_ms());
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_NE(refused->error.find("bob may not act on incident"), std::string::npos);
  Notification paged;
  paged.channel = "email";
  paged.person = "bob";
  EXPECT_FALSE(correlator.authorize(a, [&] { return std::vector<Notification>{paged}; }, clock.wall_ms())) << "bob was paged for it";
  a.incident_id = 999;
  EXPECT_FALSE(correlator.authorize(a, {}, clock.wall_ms())) << "unknown incidents are on_action's to answer";
}

}  // namespace
}  // namespace tocsin

// The HTTP collector's ingest stage: a 200 only after the pipeline's commit,
// refusals answered at once with the field and counted by reason.

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "collectors/http/ingest.hpp"

namespace tocsin::http_ingest {
namespace {

// Holds submitted batches until the test commits them, like the pipeline's
// writer thread would.
class HeldSink final : public EventSink {
 public:
  std::size_t offer(std::vector<Event>& events) override { return 0; }
  void submit(std::vector<Event> events, std::function<void()> durable) override {
    for (auto& e : events) events_.push_back(std::move(e));
    pending_.push_back(std::move(durable));
  }
  void commit() {
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& f : pending) f();
  }
  const std::vector<Event>& events() const { return events_; }
  std::size_t batches() const { return pending_.size(); }

 private:
  std::vector<Event> events_;
  std::vector<std::function<void()>> pending_;
};

class IngestTest : public testing::Test {
 protected:
  std::optional<Reply> handle(Endpoint endpoint, std::string_view body) {
    std::optional<Reply> reply;
    replies_ = 0;
    ingest_.handle(endpoint, body, [this, &reply](Reply r) {
      ++replies_;
      reply = std::move(r);
    });
    return reply;
  }
  double rejected(std::string endpoint, std::string reason) {
    return stats_.value("tocsin_http_payloads_rejected_total", {{"endpoint", endpoint}, {"reason", reason}});
  }
  double events(std::string endpoint, std::string outcome) {
    return stats_.value("tocsin_http_events_total", {{"endpoint", endpoint}, {"outcome", outcome}});
  }

  HttpCollectorConfig config_;
  HeldSink sink_;
  StatsRegistry stats_;
  FakeClock clock_{1'709'287'200'000};
  Ingest ingest_{config_, sink_, stats_, clock_};
  int replies_ = 0;
};

TEST_F(IngestTest, RepliesOnlyAfterTheEventsAreCommitted) {
  std::optional<Reply> reply;
  ingest_.handle(Endpoint::events, R"([{"name":"a","resource":"r"},{"name":"b","resource":"r"}])",
                 [&](Reply r) { reply = std::move(r); });
  EXPECT_FALSE(reply) << "answered before the commit";
  EXPECT_EQ(sink_.events().size(), 2u);
  EXPECT_EQ(events("events", "received"), 2);
  EXPECT_EQ(events("events", "accepted"), 0);

  sink_.commit();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, R"({"accepted":2})");
  EXPECT_EQ(events("events", "accepted"), 2);
}

TEST_F(IngestTest, EventsAreStampedWithTheReceiveTime) {
  handle(Endpoint::events, R"({"name":"a","resource":"r"})");
  ASSERT_EQ(sink_.events().size(), 1u);
  EXPECT_EQ(sink_.events()[0].received_at_ms, 1'709'287'200'000);
}

TEST_F(IngestTest, BadBodyIsRefusedAtOnceNamingTheFieldAndCounted) {
  auto reply = handle(Endpoint::events, R"([{"name":"a","resource":"r"},{"name":"b","resource":"r","severity":7}])");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 400);
  EXPECT_EQ(reply->body, R"({"error":"[1].severity must be a string, not a number","field":"[1].severity"})");
  EXPECT_EQ(rejected("events", "wrong_type"), 1);
  EXPECT_EQ(rejected("events", "invalid_json"), 0);
  EXPECT_TRUE(sink_.events().empty()) << "a refused batch hands over nothing";
}

TEST_F(IngestTest, InvalidJsonNamesTheProblem) {
  auto reply = handle(Endpoint::alertmanager, "{\"alerts\": [}");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 400);
  EXPECT_NE(reply->body.find("invalid JSON at byte 12"), std::string::npos) << reply->body;
  EXPECT_EQ(rejected("alertmanager", "invalid_json"), 1);
}

TEST_F(IngestTest, AlertmanagerNotificationIsAcceptedAfterCommitAndTruncationCounted) {
  auto reply = handle(Endpoint::alertmanager,
                      R"({"alerts":[{"status":"firing","labels":{"alertname":"A","instance":"h"}}],"truncatedAlerts":3})");
  EXPECT_FALSE(reply);
  sink_.commit();
  EXPECT_EQ(events("alertmanager", "accepted"), 1);
  EXPECT_EQ(stats_.value("tocsin_http_alertmanager_truncated_alerts_total"), 3);
  EXPECT_EQ(sink_.events().at(0).resource, "h");
}

TEST_F(IngestTest, EmptyBatchIsAnsweredAtOnce) {
  auto reply = handle(Endpoint::events, "[]");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, R"({"accepted":0})");
  EXPECT_EQ(sink_.batches(), 0u);
}

TEST_F(IngestTest, AfterStopNothingIsHandedOverAndTheSenderIsToldToRetry) {
  ingest_.stop();
  auto reply = handle(Endpoint::events, R"({"name":"a","resource":"r"})");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 503);
  EXPECT_TRUE(sink_.events().empty());
}

TEST_F(IngestTest, DisabledByConfigurationAnswers404) {
  HttpCollectorConfig off;
  off.enabled = false;
  ingest_.reconfigure(off);
  auto reply = handle(Endpoint::events, R"({"name":"a","resource":"r"})");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 404);
}

TEST_F(IngestTest, ReconfiguredLimitsApplyToTheNextRequest) {
  HttpCollectorConfig tight;
  tight.limits.max_events = 1;
  ingest_.reconfigure(tight);
  auto reply = handle(Endpoint::events, R"([{"name":"a","resource":"r"},{"name":"b","resource":"r"}])");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 400);
  EXPECT_EQ(rejected("events", "too_many"), 1);
}

TEST_F(IngestTest, LongFieldNamesAreCutInTheReplyWithoutBreakingUtf8) {
  std::string key;
  for (int i = 0; i < 400; ++i) key += "é";  // 800 bytes of two-byte characters
  auto reply = handle(Endpoint::events, R"({"name":"a","resource":"r",")" + key + R"(":1})");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 400);
  EXPECT_LT(reply->body.size(), 1300u);
  EXPECT_NE(reply->body.find("éé…"), std::string::npos) << reply->body;
}

}  // namespace
}  // namespace tocsin::http_ingest

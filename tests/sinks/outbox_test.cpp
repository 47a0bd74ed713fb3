// Outbox scheduling: which notification is delivered when, and what is recorded
// for each outcome. The Store is an in-memory double of the outbox rows only
// (claim/mark semantics of the SQLite store) and time is a FakeClock.
#include "sinks/outbox.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <sstream>

namespace tocsin {
namespace {

using namespace std::chrono_literals;
using Outcome = DeliveryResult::Outcome;

// Outbox rows shared by the test and the worker's Store instance.
struct OutboxRows {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::int64_t, Notification> rows;
  std::map<std::int64_t, std::string> priority_of_incident;  // what incident() answers
  int claim_calls = 0;

  Notification get(std::int64_t id) {
    std::lock_guard lock(mutex);
    return rows.at(id);
  }
  void put(Notification n) {
    std::lock_guard lock(mutex);
    rows[n.id] = std::move(n);
  }
  // Waits (bounded) until `done` holds; false on timeout.
  template <typename Pred>
  bool wait_until(Pred done) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 10s, [&] { return done(rows); });
  }
};

class InMemoryOutboxStore final : public Store {
 public:
  explicit InMemoryOutboxStore(std::shared_ptr<OutboxRows> rows) : rows_(std::move(rows)) {}

  std::vector<Notification> claim_due(std::int64_t now_ms, int limit) override {
    std::lock_guard lock(rows_->mutex);
    ++rows_->claim_calls;
    std::vector<Notification*> due;
    for (auto& [id, n] : rows_->rows)
      if (n.state == NotificationState::pending && n.next_attempt_ms <= now_ms) due.push_back(&n);
    std::stable_sort(due.begin(), due.end(), [](auto* a, auto* b) { return a->next_attempt_ms < b->next_attempt_ms; });
    std::vector<Notification> claimed;
    for (auto* n : due) {
      if (static_cast<int>(claimed.size()) == limit) break;
      n->state = NotificationState::sending;
      ++n->attempts;
      claimed.push_back(*n);
    }
    rows_->changed.notify_all();
    return claimed;
  }
  std::vector<Notification> claim_due_for(const std::string& channel, const std::string& recipient,
                                          std::int64_t now_ms, int limit) override {
    std::lock_guard lock(rows_->mutex);
    std::vector<Notification> claimed;
    for (auto& [id, n] : rows_->rows) {
      if (static_cast<int>(claimed.size()) == limit) break;
      if (n.state != NotificationState::pending || n.next_attempt_ms > now_ms) continue;
      if (n.channel != channel || n.recipient != recipient) continue;
      n.state = NotificationState::sending;
      ++n.attempts;
      claimed.push_back(n);
    }
    rows_->changed.notify_all();
    return claimed;
  }
  void release(std::int64_t id, std::int64_t next_attempt_ms, const std::string& note) override {
    update(id, [&](Notification& n) {
      n.state = NotificationState::pending;
      n.attempts = std::max(n.attempts - 1, 0);
      n.next_attempt_ms = next_attempt_ms;
      n.last_error = note;
    });
  }
  void mark_sent(std::int64_t id, std::int64_t now_ms) override {
    update(id, [&](Notification& n) {
      n.state = NotificationState::sent;
      n.sent_at_ms = now_ms;
    });
  }
  void mark_retry(std::int64_t id, std::int64_t next_attempt_ms, const std::string& error) override {
    update(id, [&](Notification& n) {
      n.state = NotificationState::pending;
      n.next_attempt_ms = next_attempt_ms;
      n.last_error = error;
    });
  }
  void mark_failed(std::int64_t id, const std::string& error) override {
    update(id, [&](Notification& n) {
      n.state = NotificationState::failed;
      n.last_error = error;
    });
  }
  int recover_in_flight() override {
    std::lock_guard lock(rows_->mutex);
    int recovered = 0;
    for (auto& [id, n] : rows_->rows) {
      if (n.state != NotificationState::sending) continue;
      n.state = NotificationState::pending;
      n.possible_duplicate = true;
      ++recovered;
    }
    return recovered;
  }
  std::int64_t pending_notifications() override {
    std::lock_guard lock(rows_->mutex);
    return std::count_if(rows_->rows.begin(), rows_->rows.end(), [](const auto& row) {
      return row.second.state == NotificationState::pending || row.second.state == NotificationState::sending;
    });
  }

  // Not used by the outbox.
  void commit(const ChangeSet&) override {}
  IdState max_ids() override { return {}; }
  std::vector<Alert> firing_alerts() override { return {}; }
  std::vector<Incident> unresolved_incidents() override { return {}; }
  std::vector<Incident> incidents(const IncidentFilter&) override { return {}; }
  std::optional<IncidentDetail> incident(std::int64_t id) override {
    std::lock_guard lock(rows_->mutex);
    auto it = rows_->priority_of_incident.find(id);
    if (it == rows_->priority_of_incident.end()) return std::nullopt;
    IncidentDetail detail;
    detail.incident.id = id;
    detail.incident.priority = it->second;
    return detail;
  }
  std::vector<Alert> alerts(const AlertFilter&) override { return {}; }
  std::vector<EventRecord> events_of_alert(std::int64_t, std::int64_t) override { return {}; }
  std::vector<std::string> recent_attribute_values(const std::string&, const std::string&, std::int64_t) override {
    return {};
  }
  std::vector<Notification> notifications(std::int64_t) override { return {}; }

 private:
  template <typename Change>
  void update(std::int64_t id, Change change) {
    std::lock_guard lock(rows_->mutex);
    change(rows_->rows.at(id));
    rows_->changed.notify_all();
  }
  std::shared_ptr<OutboxRows> rows_;
};

// Answers with the scripted outcomes in order, then `delivered`; records what it was given.
class ScriptedSink final : public Sink {
 public:
  explicit ScriptedSink(std::string channel) : channel_(std::move(channel)) {}
  std::string_view channel() const override { return channel_; }
  DeliveryResult deliver(const Notification& n) override {
    if (on_deliver) on_deliver(n);
    std::lock_guard lock(mutex_);
    received_.push_back(n);
    if (script_.empty()) return {Outcome::delivered, "250 OK"};
    auto next = script_.front();
    script_.pop_front();
    if (next.detail == "throw") throw std::runtime_error("sink broke");
    return next;
  }
  void then(Outcome outcome, std::string detail) {
    std::lock_guard lock(mutex_);
    script_.push_back({outcome, std::move(detail)});
  }
  std::vector<Notification> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  std::function<void(const Notification&)> on_deliver;

 private:
  std::string channel_;
  mutable std::mutex mutex_;
  std::deque<DeliveryResult> script_;
  std::vector<Notification> received_;
};

class OutboxTest : public ::testing::Test {
 protected:
  OutboxTest() {
    auto sink = std::make_unique<ScriptedSink>("email");
    email_ = sink.get();
    sinks_.push_back(std::move(sink));
  }

  OutboxWorker& worker() {
    if (!worker_) {
      worker_ = std::make_unique<OutboxWorker>(
          config_, [rows = rows_] { return std::make_unique<InMemoryOutboxStore>(rows); }, std::move(sinks_), clock_,
          stats_);
    }
    return *worker_;
  }

  Notification& add(std::int64_t id, std::string channel = "email", std::int64_t due_in_ms = 0) {
    Notification n;
    n.id = id;
    n.incident_id = 100 + id;
    n.channel = std::move(channel);
    n.recipient = "oncall@example.net";
    n.subject = "[P1] core-sw1 interface Gi0/1 down";
    n.body = "Interface down";
    n.created_at_ms = clock_.wall_ms();
    n.next_attempt_ms = clock_.wall_ms() + due_in_ms;
    std::lock_guard lock(rows_->mutex);
    return rows_->rows[id] = n;
  }

  double counter(const std::string& name, const Labels& labels) { return stats_.value(name, labels); }

  OutboxConfig config_;
  FakeClock clock_;
  StatsRegistry stats_;
  std::shared_ptr<OutboxRows> rows_ = std::make_shared<OutboxRows>();
  std::vector<std::unique_ptr<Sink>> sinks_;
  ScriptedSink* email_ = nullptr;
  std::unique_ptr<OutboxWorker> worker_;
};

TEST(RetryDelay, DoublesFromInitialAndStopsAtTheCap) {
  OutboxConfig config;  // 5 s initial, 300 s cap
  EXPECT_EQ(retry_delay(config, 1), 5s);
  EXPECT_EQ(retry_delay(config, 2), 10s);
  EXPECT_EQ(retry_delay(config, 3), 20s);
  EXPECT_EQ(retry_delay(config, 6), 160s);
  EXPECT_EQ(retry_delay(config, 7), 300s);
  EXPECT_EQ(retry_delay(config, 1000), 300s);
}

TEST_F(OutboxTest, DeliveredNotificationIsMarkedSentAndCounted) {
  add(1);
  EXPECT_EQ(worker().run_once(), 1);

  const Notification n = rows_->get(1);
  EXPECT_EQ(n.state, NotificationState::sent);
  EXPECT_EQ(n.sent_at_ms, clock_.wall_ms());
  EXPECT_EQ(n.attempts, 1);
  ASSERT_EQ(email_->received().size(), 1u);
  EXPECT_EQ(email_->received()[0].recipient, "oncall@example.net");
  EXPECT_EQ(counter("tocsin_notifications_sent_total", {{"channel", "email"}}), 1);
  EXPECT_EQ(stats_.value("tocsin_outbox_pending"), 0);
}

TEST_F(OutboxTest, NothingIsDeliveredBeforeItsNextAttempt) {
  add(1, "email", 1000);
  EXPECT_EQ(worker().run_once(), 0);
  clock_.advance_ms(999);
  EXPECT_EQ(worker().run_once(), 0);
  EXPECT_TRUE(email_->received().empty());
  EXPECT_EQ(stats_.value("tocsin_outbox_pending"), 1);

  clock_.advance_ms(1);
  EXPECT_EQ(worker().run_once(), 1);
  EXPECT_EQ(rows_->get(1).state, NotificationState::sent);
}

TEST_F(OutboxTest, RetriesFollowTheCappedExponentialScheduleExactly) {
  const std::vector<std::int64_t> expected_delays_s = {5, 10, 20, 40, 80, 160, 300, 300, 300};
  for (std::size_t i = 0; i < expected_delays_s.size(); ++i) email_->then(Outcome::retry, "connection refused");
  add(1);

  for (std::size_t i = 0; i < expected_delays_s.size(); ++i) {
    ASSERT_EQ(worker().run_once(), 1) << "attempt " << i + 1;
    const Notification n = rows_->get(1);
    EXPECT_EQ(n.state, NotificationState::pending);
    EXPECT_EQ(n.attempts, static_cast<int>(i + 1));
    EXPECT_EQ(n.last_error, "connection refused");
    ASSERT_EQ(n.next_attempt_ms, clock_.wall_ms() + expected_delays_s[i] * 1000) << "attempt " << i + 1;

    clock_.advance_ms(expected_delays_s[i] * 1000 - 1);
    EXPECT_EQ(worker().run_once(), 0) << "delivered early after attempt " << i + 1;
    clock_.advance_ms(1);
  }
  EXPECT_EQ(worker().run_once(), 1);
  EXPECT_EQ(rows_->get(1).state, NotificationState::sent);
  EXPECT_EQ(email_->received().size(), expected_delays_s.size() + 1);
  EXPECT_EQ(counter("tocsin_notifications_retried_total", {{"channel", "email"}}), 9);
  EXPECT_EQ(counter("tocsin_notifications_sent_total", {{"channel", "email"}}), 1);
}

TEST_F(OutboxTest, RejectedNotificationIsMarkedFailedAndNeverRetried) {
  email_->then(Outcome::rejected, "550 5.1.1 <oncall@example.net>: User unknown");
  add(1);
  EXPECT_EQ(worker().run_once(), 1);

  const Notification n = rows_->get(1);
  EXPECT_EQ(n.state, NotificationState::failed);
  EXPECT_EQ(n.last_error, "550 5.1.1 <oncall@example.net>: User unknown");
  EXPECT_EQ(counter("tocsin_notifications_failed_total", {{"channel", "email"}, {"reason", "rejected"}}), 1);

  clock_.advance_ms(24 * 3600 * 1000);
  EXPECT_EQ(worker().run_once(), 0);
  EXPECT_EQ(email_->received().size(), 1u);
}

TEST_F(OutboxTest, ChannelWithoutSinkIsMarkedFailedWithAClearError) {
  add(1, "sms");
  EXPECT_EQ(worker().run_once(), 1);

  const Notification n = rows_->get(1);
  EXPECT_EQ(n.state, NotificationState::failed);
  EXPECT_EQ(n.last_error, "no sink configured for channel 'sms'");
  EXPECT_EQ(counter("tocsin_notifications_failed_total", {{"channel", "sms"}, {"reason", "no_sink"}}), 1);
  EXPECT_TRUE(email_->received().empty());
}

TEST_F(OutboxTest, SinkExceptionIsRetriedLikeATransientError) {
  email_->then(Outcome::retry, "throw");
  add(1);
  EXPECT_EQ(worker().run_once(), 1);

  const Notification n = rows_->get(1);
  EXPECT_EQ(n.state, NotificationState::pending);
  EXPECT_EQ(n.last_error, "sink error: sink broke");
  EXPECT_EQ(n.next_attempt_ms, clock_.wall_ms() + 5000);
}

TEST_F(OutboxTest, OnePassDeliversAtMostOneBatchOldestFirst) {
  config_.batch = 2;
  add(1, "email", 0);
  add(2, "email", -3000);
  add(3, "email", -2000);
  EXPECT_EQ(worker().run_once(), 2);
  EXPECT_EQ(stats_.value("tocsin_outbox_pending"), 1);
  EXPECT_EQ(worker().run_once(), 1);

  const auto received = email_->received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[0].id, 2);
  EXPECT_EQ(received[1].id, 3);
  EXPECT_EQ(received[2].id, 1);
}

TEST_F(OutboxTest, StopDuringAPassLeavesTheRestPendingAndUnflagged) {
  add(1);
  add(2);
  email_->on_deliver = [this](const Notification&) { worker().stop(); };
  EXPECT_EQ(worker().run_once(), 1);

  EXPECT_EQ(rows_->get(1).state, NotificationState::sent);
  const Notification untouched = rows_->get(2);
  EXPECT_EQ(untouched.state, NotificationState::pending);
  EXPECT_EQ(untouched.attempts, 0);
  EXPECT_FALSE(untouched.possible_duplicate);
}

TEST_F(OutboxTest, RetryIsLoggedWithTheSubjectSoThatQueuedPagesAreVisible) {
  auto logger = spdlog::get("outbox");
  if (!logger) logger = spdlog::stdout_color_mt("outbox");
  std::ostringstream log;
  auto capture = std::make_shared<spdlog::sinks::ostream_sink_mt>(log);
  logger->sinks().push_back(capture);

  email_->then(Outcome::retry, "Couldn't connect to server");
  add(1);
  worker().run_once();
  logger->sinks().pop_back();

  EXPECT_NE(log.str().find("notification queued, delivery failed, will retry"), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("subject=\"[P1] core-sw1 interface Gi0/1 down\""), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("error=\"Couldn't connect to server\""), std::string::npos) << log.str();
}

TEST_F(OutboxTest, StartResendsInFlightNotificationsFlaggedAsPossibleDuplicates) {
  Notification& n = add(1);
  n.state = NotificationState::sending;  // claimed when the previous process died
  n.attempts = 1;
  worker().start();

  ASSERT_TRUE(rows_->wait_until([](auto& rows) { return rows.at(1).state == NotificationState::sent; }));
  worker().stop();
  const auto received = email_->received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_TRUE(received[0].possible_duplicate);
  EXPECT_EQ(received[0].attempts, 2);
}

TEST_F(OutboxTest, WakeDeliversNewNotificationsWithoutWaitingForThePoll) {
  config_.poll_interval = std::chrono::hours(1);
  worker().start();
  // After its first (empty) claim the worker waits an hour unless woken.
  ASSERT_TRUE(rows_->wait_until([this](auto&) { return rows_->claim_calls >= 1; }));
  add(1);
  worker().wake();

  EXPECT_TRUE(rows_->wait_until([](auto& rows) { return rows.at(1).state == NotificationState::sent; }));
  worker().stop();
}

}  // namespace
}  // namespace tocsin

namespace tocsin {
namespace {

// Page-storm control: the rate limit, bundles and quiet hours, as the worker applies them.
class ThrottledOutboxTest : public OutboxTest {
 protected:
  void add_for(std::int64_t id, const std::string& recipient, const std::string& subject) {
    Notification& n = add(id);
    std::lock_guard lock(rows_->mutex);
    n.recipient = recipient;
    n.subject = subject;
  }
};

TEST_F(ThrottledOutboxTest, WhatWaitsForOneRecipientGoesOutAsOneBundle) {
  config_.throttle.max_bundle = 50;
  add_for(1, "alice@example.net", "[P1] #101 linkDown on core-sw1");
  add_for(2, "alice@example.net", "[P2] #102 linkDown on dist-sw1");
  add_for(3, "bob@example.net", "[P1] #103 linkDown on core-sw1");
  add_for(4, "alice@example.net", "[P3] #104 cpu on web01");
  worker().run_once();

  auto got = email_->received();
  ASSERT_EQ(got.size(), 2u);  // one message each to alice and bob
  EXPECT_EQ(got[0].recipient, "alice@example.net");
  EXPECT_EQ(got[0].kind, "bundle");
  EXPECT_EQ(got[0].subject, "[Tocsin] 3 incidents need attention");
  EXPECT_NE(got[0].body.find("[P1] #101 linkDown on core-sw1"), std::string::npos);
  EXPECT_NE(got[0].body.find("[P2] #102 linkDown on dist-sw1"), std::string::npos);
  EXPECT_NE(got[0].body.find("[P3] #104 cpu on web01"), std::string::npos);
  EXPECT_EQ(got[1].recipient, "bob@example.net");
  EXPECT_EQ(got[1].subject, "[P1] #103 linkDown on core-sw1");  // alone: sent as it is
  for (int id : {1, 2, 3, 4}) EXPECT_EQ(rows_->get(id).state, NotificationState::sent) << id;
  EXPECT_EQ(counter("tocsin_notifications_bundled_total", {{"channel", "email"}}), 3);
  EXPECT_EQ(counter("tocsin_notifications_sent_total", {{"channel", "email"}}), 4);
}

TEST_F(ThrottledOutboxTest, AFailedBundleIsRetriedForEveryNotificationInIt) {
  config_.throttle.max_bundle = 50;
  add_for(1, "alice@example.net", "[P1] #101 a");
  add_for(2, "alice@example.net", "[P1] #102 b");
  email_->then(Outcome::retry, "421 try later");
  worker().run_once();
  for (int id : {1, 2}) {
    EXPECT_EQ(rows_->get(id).state, NotificationState::pending) << id;
    EXPECT_EQ(rows_->get(id).last_error, "421 try later") << id;
    EXPECT_EQ(rows_->get(id).next_attempt_ms, clock_.wall_ms() + 5000) << id;
  }
}

TEST_F(ThrottledOutboxTest, OverTheRateLimitPagesWaitAndThenLeaveAsOneBundle) {
  config_.throttle.max_per_window = 2;
  config_.throttle.window = 60s;
  config_.throttle.max_bundle = 50;
  add_for(1, "alice@example.net", "[P1] #101 first");
  worker().run_once();
  clock_.advance_ms(1000);
  add_for(2, "alice@example.net", "[P1] #102 second");
  worker().run_once();
  ASSERT_EQ(email_->received().size(), 2u);

  // The storm: the limit is reached, the rest waits for the window to slide.
  clock_.advance_ms(1000);
  for (int id = 3; id <= 12; ++id) add_for(id, "alice@example.net", "[P2] #" + std::to_string(100 + id) + " storm");
  worker().run_once();
  EXPECT_EQ(email_->received().size(), 2u);
  const Notification held = rows_->get(3);
  EXPECT_EQ(held.state, NotificationState::pending);
  EXPECT_EQ(held.attempts, 0);  // holding is not a failed attempt
  EXPECT_EQ(held.next_attempt_ms, clock_.wall_ms() - 2000 + 60000);  // when the first send leaves the window
  EXPECT_NE(held.last_error.find("held by the rate limit"), std::string::npos);
  EXPECT_GE(counter("tocsin_notifications_held_total", {{"channel", "email"}, {"reason", "rate_limit"}}), 1);

  clock_.advance_ms(58000 - 1);
  worker().run_once();
  EXPECT_EQ(email_->received().size(), 2u);  // never early
  clock_.advance_ms(1);
  worker().run_once();
  auto got = email_->received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].subject, "[Tocsin] 10 incidents need attention");
  for (int id = 3; id <= 12; ++id) EXPECT_EQ(rows_->get(id).state, NotificationState::sent) << id;
}

TEST_F(ThrottledOutboxTest, LowPrioritiesWaitForTheEndOfQuietHoursHighOnesDoNot) {
  config_.throttle.quiet = {22 * 60, 7 * 60, "UTC", 4};
  clock_.advance_ms(1'764'712'800'000 - clock_.wall_ms());  // 2025-12-02T22:00:00Z
  add(1);  // incident 101
  add(2);  // incident 102
  rows_->priority_of_incident[101] = "P4";
  rows_->priority_of_incident[102] = "P1";
  worker().run_once();
  ASSERT_EQ(email_->received().size(), 1u);
  EXPECT_EQ(email_->received()[0].incident_id, 102);
  const Notification held = rows_->get(1);
  EXPECT_EQ(held.state, NotificationState::pending);
  EXPECT_EQ(held.next_attempt_ms, 1'764'745'200'000);  // 2025-12-03T07:00:00Z
  EXPECT_EQ(counter("tocsin_notifications_held_total", {{"channel", "email"}, {"reason", "quiet_hours"}}), 1);

  clock_.advance_ms(1'764'745'200'000 - 1 - clock_.wall_ms());
  worker().run_once();
  EXPECT_EQ(email_->received().size(), 1u);  // a millisecond early: still quiet
  clock_.advance_ms(1);
  worker().run_once();
  ASSERT_EQ(email_->received().size(), 2u);
  EXPECT_EQ(rows_->get(1).state, NotificationState::sent);
}

TEST_F(ThrottledOutboxTest, QuietHoursCountInThePagedPersonsOwnZone) {
  config_.throttle.quiet = {22 * 60, 7 * 60, "UTC", 4};
  clock_.advance_ms(1'764'684'000'000 - clock_.wall_ms());  // 2025-12-02T14:00:00Z, 23:00 in Tokyo
  for (int id : {1, 2, 3}) {
    Notification& n = add(id);
    std::lock_guard lock(rows_->mutex);
    n.person = id == 1 ? "kenji" : id == 2 ? "alice" : "";
    rows_->priority_of_incident[100 + id] = "P4";
  }
  worker().set_person_zone([](const std::string& person) { return person == "kenji" ? "Asia/Tokyo" : ""; });
  worker().run_once();
  // Alice has no zone and the configured address has no person: UTC, where it is 14:00.
  auto got = email_->received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].incident_id, 102);
  EXPECT_EQ(got[1].incident_id, 103);
  const Notification held = rows_->get(1);
  EXPECT_EQ(held.state, NotificationState::pending);
  EXPECT_EQ(held.next_attempt_ms, 1'764'712'800'000);  // 07:00 in Tokyo, 2025-12-02T22:00:00Z
}

TEST_F(ThrottledOutboxTest, QuietHoursInTheConfiguredZoneOnlyWhenPerPersonIsOff) {
  config_.throttle.quiet = {22 * 60, 7 * 60, "UTC", 4};
  config_.throttle.quiet.per_person = false;
  clock_.advance_ms(1'764'684'000'000 - clock_.wall_ms());  // 2025-12-02T14:00:00Z, 23:00 in Tokyo
  Notification& n = add(1);
  {
    std::lock_guard lock(rows_->mutex);
    n.person = "kenji";
    rows_->priority_of_incident[101] = "P4";
  }
  worker().set_person_zone([](const std::string&) { return std::string("Asia/Tokyo"); });
  worker().run_once();
  ASSERT_EQ(email_->received().size(), 1u);
}

TEST_F(ThrottledOutboxTest, AReloadedRateLimitAppliesFromTheNextPassAndKeepsWhatWasCounted) {
  config_.throttle.max_per_window = 5;
  config_.throttle.window = 60s;
  add_for(1, "alice@example.net", "[P1] #101 first");
  worker().run_once();
  ASSERT_EQ(email_->received().size(), 1u);

  ThrottleConfig tighter = config_.throttle;
  tighter.max_per_window = 1;
  worker().reconfigure(tighter);
  clock_.advance_ms(1000);
  add_for(2, "alice@example.net", "[P1] #102 second");
  worker().run_once();
  EXPECT_EQ(email_->received().size(), 1u);  // the first send counts against the new limit
  EXPECT_EQ(rows_->get(2).next_attempt_ms, clock_.wall_ms() - 1000 + 60000);
}

TEST_F(ThrottledOutboxTest, AFailedAttemptDoesNotUseUpTheRateLimit) {
  config_.throttle.max_per_window = 1;
  config_.throttle.window = 60s;
  add_for(1, "alice@example.net", "[P1] #101 first");
  email_->then(Outcome::retry, "421 try later");
  worker().run_once();
  EXPECT_EQ(rows_->get(1).state, NotificationState::pending);
  clock_.advance_ms(5000);  // the retry is due; nothing reached alice yet
  worker().run_once();
  EXPECT_EQ(rows_->get(1).state, NotificationState::sent);
  EXPECT_EQ(counter("tocsin_notifications_held_total", {{"channel", "email"}, {"reason", "rate_limit"}}), 0);
}

TEST_F(ThrottledOutboxTest, WebhookPostsAreNeitherHeldNorBundled) {
  auto hook = std::make_unique<ScriptedSink>("webhook");
  ScriptedSink* webhook = hook.get();
  sinks_.push_back(std::move(hook));
  config_.throttle.max_bundle = 50;
  config_.throttle.max_per_window = 1;
  for (int id = 1; id <= 3; ++id) {
    Notification& n = add(id, "webhook");
    std::lock_guard lock(rows_->mutex);
    n.recipient = "http://127.0.0.1:9000/hook";
    n.body = "{\"incident\":" + std::to_string(id) + "}";
  }
  worker().run_once();
  auto got = webhook->received();
  ASSERT_EQ(got.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(got[static_cast<std::size_t>(i)].body, "{\"incident\":" + std::to_string(i + 1) + "}");
}

}  // namespace
}  // namespace tocsin

// Quiet hours, the per-recipient limiter and bundle texts (sinks/throttle.hpp).
#include "sinks/throttle.hpp"

#include <gtest/gtest.h>

namespace tocsin {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t hour_ms = 3'600'000;
constexpr std::int64_t dec2_utc = 1'764'633'600'000;  // 2025-12-02T00:00:00Z

QuietHours overnight(std::string zone = "UTC") { return {22 * 60, 7 * 60, std::move(zone), 4}; }

TEST(QuietHours, OvernightPeriodStartsInclusiveAndEndsExclusive) {
  auto q = overnight();
  EXPECT_FALSE(quiet_until(q, dec2_utc + 22 * hour_ms - 1));
  EXPECT_EQ(quiet_until(q, dec2_utc + 22 * hour_ms), dec2_utc + 31 * hour_ms);
  EXPECT_EQ(quiet_until(q, dec2_utc + 30 * hour_ms), dec2_utc + 31 * hour_ms);  // 06:00 next day
  EXPECT_EQ(quiet_until(q, dec2_utc + 3 * hour_ms), dec2_utc + 7 * hour_ms);    // 03:00 same day
  EXPECT_FALSE(quiet_until(q, dec2_utc + 7 * hour_ms));
}

TEST(QuietHours, DaytimePeriodDoesNotWrap) {
  QuietHours q{12 * 60, 14 * 60, "UTC", 5};
  EXPECT_FALSE(quiet_until(q, dec2_utc + 11 * hour_ms));
  EXPECT_EQ(quiet_until(q, dec2_utc + 13 * hour_ms), dec2_utc + 14 * hour_ms);
  EXPECT_FALSE(quiet_until(q, dec2_utc + 14 * hour_ms));
}

TEST(QuietHours, TimesAreLocalToTheZone) {
  // Paris is UTC+1 in December: 22:00 local is 21:00Z, 07:00 local is 06:00Z.
  auto q = overnight("Europe/Paris");
  EXPECT_FALSE(quiet_until(q, dec2_utc + 21 * hour_ms - 1));
  EXPECT_EQ(quiet_until(q, dec2_utc + 21 * hour_ms), dec2_utc + 30 * hour_ms);
}

TEST(QuietHours, TheNightOfTheSpringChangeIsAnHourShorter) {
  // 2026-03-29: Paris moves from UTC+1 to UTC+2 at 02:00 local.
  constexpr std::int64_t mar28_utc = 1'774'656'000'000;  // 2026-03-28T00:00:00Z
  auto q = overnight("Europe/Paris");
  // 23:00 local on the 28th (22:00Z) until 07:00 local on the 29th (05:00Z).
  EXPECT_EQ(quiet_until(q, mar28_utc + 22 * hour_ms), mar28_utc + 29 * hour_ms);
}

TEST(QuietHours, OnlyTheConfiguredPrioritiesAndLowerAreHeld) {
  auto q = overnight();
  EXPECT_FALSE(held_by_quiet_hours(q, "P1"));
  EXPECT_FALSE(held_by_quiet_hours(q, "P3"));
  EXPECT_TRUE(held_by_quiet_hours(q, "P4"));
  EXPECT_TRUE(held_by_quiet_hours(q, "P5"));
  EXPECT_FALSE(held_by_quiet_hours(q, ""));
  EXPECT_FALSE(held_by_quiet_hours(QuietHours{}, "P5"));  // none configured
}

TEST(RecipientLimiter, AllowsMaxPerSlidingWindowPerRecipient) {
  ThrottleConfig config;
  config.max_per_window = 2;
  config.window = 60s;
  RecipientLimiter limiter(config);
  EXPECT_EQ(limiter.next_slot("sms\n+33600000001", 0), 0);
  limiter.record("sms\n+33600000001", 0);
  limiter.record("sms\n+33600000001", 10'000);
  EXPECT_EQ(limiter.next_slot("sms\n+33600000001", 20'000), 60'000);
  EXPECT_EQ(limiter.next_slot("sms\n+33600000002", 20'000), 20'000);  // another person is not held
  EXPECT_EQ(limiter.next_slot("sms\n+33600000001", 60'000), 60'000);
  limiter.record("sms\n+33600000001", 60'000);
  EXPECT_EQ(limiter.next_slot("sms\n+33600000001", 60'001), 70'000);
}

TEST(RecipientLimiter, ForgetsRecipientsIdleForAWindow) {
  ThrottleConfig config;
  config.max_per_window = 1;
  config.window = 1s;
  RecipientLimiter limiter(config);
  for (int i = 0; i < 100; ++i) limiter.record("email\nuser" + std::to_string(i), 0);
  EXPECT_EQ(limiter.tracked(), 100u);
  EXPECT_EQ(limiter.next_slot("email\nnew", 5'000), 5'000);
  EXPECT_EQ(limiter.tracked(), 0u);
}

TEST(RecipientLimiter, NoLimitConfiguredNeverHolds) {
  RecipientLimiter limiter(ThrottleConfig{});
  for (int i = 0; i < 1000; ++i) limiter.record("k", 0);
  EXPECT_EQ(limiter.next_slot("k", 0), 0);
}

Notification sms(std::int64_t id, const std::string& title) {
  Notification n;
  n.id = id;
  n.incident_id = id;
  n.channel = "sms";
  n.body = "P1 #" + std::to_string(id) + ": " + title + ". Reply ACK " + std::to_string(id) + " or RES " +
           std::to_string(id);
  return n;
}

TEST(Bundle, SmsListsTheShortLinesWithoutTheirReplyCommands) {
  auto text = render_bundle({sms(41, "linkDown on core-sw1"), sms(42, "linkDown on dist-sw1")}, "sms");
  EXPECT_EQ(text.body, "Tocsin: 2 pages. P1 #41: linkDown on core-sw1 | P1 #42: linkDown on dist-sw1. "
                       "Reply ACK <id> or RES <id>");
  EXPECT_EQ(text.body.substr(text.body.size() - 26), "Reply ACK <id> or RES <id>");
}

TEST(Bundle, LongSmsBundleSaysHowManyMoreAndStaysWithinTheLimit) {
  std::vector<Notification> items;
  for (int i = 0; i < 200; ++i) items.push_back(sms(1000 + i, "linkDown on access-switch-" + std::to_string(i)));
  auto text = render_bundle(items, "sms", 306);
  EXPECT_LE(text.body.size(), 306u);
  EXPECT_NE(text.body.find("Tocsin: 200 pages."), std::string::npos);
  EXPECT_NE(text.body.find(" more. Reply ACK <id> or RES <id>"), std::string::npos);
  EXPECT_NE(text.body.find("P1 #1000: linkDown on access-switch-0"), std::string::npos);
}

TEST(Bundle, EmailListsEverySubject) {
  Notification a, b;
  a.subject = "[P1] #1 linkDown on core-sw1";
  b.subject = "[P2] #2 cpu on web01";
  auto text = render_bundle({a, b}, "email");
  EXPECT_EQ(text.subject, "[Tocsin] 2 incidents need attention");
  EXPECT_NE(text.body.find("  [P1] #1 linkDown on core-sw1\n  [P2] #2 cpu on web01\n"), std::string::npos);
}

}  // namespace
}  // namespace tocsin

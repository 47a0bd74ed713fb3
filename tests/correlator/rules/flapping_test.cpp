// Flap detection: N state changes within T make an alert flap; it settles
// after a quiet period.
#include "correlator/rules/flapping.hpp"

#include <gtest/gtest.h>

#include "correlator/clock.hpp"

namespace tocsin::rules {
namespace {

FlappingConfig four_in_ten_minutes() {
  FlappingConfig c;
  c.enabled = true;
  c.changes = 4;
  c.window_ms = 10 * 60'000;
  c.quiet_ms = 5 * 60'000;
  return c;
}

// Alternates raise and clear `n` times, one minute apart; returns the results.
std::vector<bool> bounce(FlapDetector& d, FakeClock& clock, int n, const FlappingConfig& c) {
  std::vector<bool> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(d.change("fp", i % 2 == 0 ? EventKind::problem : EventKind::clear, c, clock.wall_ms()));
    clock.advance_ms(60'000);
  }
  return out;
}

TEST(FlapDetector, FlapsExactlyAtTheNthChange) {
  FakeClock clock;
  FlapDetector d;
  EXPECT_EQ(bounce(d, clock, 4, four_in_ten_minutes()), (std::vector<bool>{false, false, false, true}));
  EXPECT_TRUE(d.flapping("fp"));
}

TEST(FlapDetector, OneChangeBelowTheThresholdDoesNotFlap) {
  FakeClock clock;
  FlapDetector d;
  EXPECT_EQ(bounce(d, clock, 3, four_in_ten_minutes()), (std::vector<bool>{false, false, false}));
  EXPECT_FALSE(d.flapping("fp"));
}

TEST(FlapDetector, ChangesOutsideTheWindowDoNotCount) {
  FakeClock clock;
  FlapDetector d;
  auto c = four_in_ten_minutes();
  d.change("fp", EventKind::problem, c, clock.wall_ms());
  clock.advance_ms(4 * 60'000);
  d.change("fp", EventKind::clear, c, clock.wall_ms());
  d.change("fp", EventKind::problem, c, clock.wall_ms());
  clock.advance_ms(6 * 60'000);  // the first change is exactly 10m old: out
  EXPECT_FALSE(d.change("fp", EventKind::clear, c, clock.wall_ms()));
  EXPECT_TRUE(d.change("fp", EventKind::problem, c, clock.wall_ms()));
}

TEST(FlapDetector, DisabledNeverFlaps) {
  FakeClock clock;
  FlapDetector d;
  auto c = four_in_ten_minutes();
  c.enabled = false;
  for (bool flapped : bounce(d, clock, 20, c)) EXPECT_FALSE(flapped);
  EXPECT_EQ(d.tracked(), 0u);
}

TEST(FlapDetector, SettlesAfterExactlyTheQuietPeriodOnTheLastEventKind) {
  FakeClock clock;
  FlapDetector d;
  bounce(d, clock, 4, four_in_ten_minutes());  // last change (a clear) at t = 3m
  const std::int64_t last_change = clock.wall_ms() - 60'000;
  EXPECT_TRUE(d.settle(last_change + 5 * 60'000 - 1).empty()) << "1 ms before the quiet period ends";
  auto settled = d.settle(last_change + 5 * 60'000);
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0].fingerprint, "fp");
  EXPECT_TRUE(settled[0].cleared);
  EXPECT_FALSE(d.flapping("fp"));
}

TEST(FlapDetector, AProblemDuringTheQuietPeriodStartsItOverAndSettlesFiring) {
  FakeClock clock;
  FlapDetector d;
  bounce(d, clock, 4, four_in_ten_minutes());  // flapping, last event a clear
  clock.advance_ms(3 * 60'000);
  d.event_while_flapping("fp", EventKind::problem, clock.wall_ms());
  const std::int64_t problem_at = clock.wall_ms();
  EXPECT_TRUE(d.settle(problem_at + 5 * 60'000 - 1).empty());
  auto settled = d.settle(problem_at + 5 * 60'000);
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_FALSE(settled[0].cleared);
}

TEST(FlapDetector, RepeatsOfTheSameKindAreNotStateChanges) {
  FakeClock clock;
  FlapDetector d;
  bounce(d, clock, 4, four_in_ten_minutes());  // last change a clear
  const std::int64_t last_change = clock.wall_ms() - 60'000;
  d.event_while_flapping("fp", EventKind::clear, clock.wall_ms() + 60'000);
  EXPECT_EQ(d.settle(last_change + 5 * 60'000).size(), 1u) << "a repeated clear does not extend the quiet period";
}

TEST(FlapDetector, ARestoredFlappingAlertSettlesFiringAQuietPeriodAfterTheFirstTick) {
  FlapDetector d;
  d.restore_flapping("fp", four_in_ten_minutes());
  EXPECT_TRUE(d.flapping("fp"));
  EXPECT_TRUE(d.settle(1'000'000).empty());
  auto settled = d.settle(1'000'000 + 5 * 60'000);
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_FALSE(settled[0].cleared);
}

TEST(FlapDetector, RuleOptionsOverrideTheDefaultsKeyByKey) {
  RuleOptions o;
  o.flapping_changes = 7;
  o.flapping_enabled = false;
  auto c = flapping_for(four_in_ten_minutes(), o);
  EXPECT_FALSE(c.enabled);
  EXPECT_EQ(c.changes, 7u);
  EXPECT_EQ(c.window_ms, 10 * 60'000);
  EXPECT_EQ(c.quiet_ms, 5 * 60'000);
}

}  // namespace
}  // namespace tocsin::rules

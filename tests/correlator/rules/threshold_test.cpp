// Threshold rule: the alert is raised only at the Nth problem of one
// fingerprint inside a sliding window.
#include "correlator/rules/threshold.hpp"

#include <gtest/gtest.h>

#include "correlator/clock.hpp"

namespace tocsin::rules {
namespace {

RuleOptions three_in_five_minutes() {
  RuleOptions o;
  o.threshold_count = 3;
  o.threshold_window_ms = 5 * 60'000;
  return o;
}

TEST(ThresholdGate, WithoutAThresholdNothingIsHeld) {
  ThresholdGate gate;
  EXPECT_FALSE(gate.hold("fp", RuleOptions{}, 1000));
  RuleOptions one = three_in_five_minutes();
  one.threshold_count = 1;
  EXPECT_FALSE(gate.hold("fp", one, 1000));
  EXPECT_EQ(gate.tracked(), 0u);
}

TEST(ThresholdGate, HoldsNMinusOneAndRaisesExactlyAtN) {
  FakeClock clock;
  ThresholdGate gate;
  EXPECT_TRUE(gate.hold("fp", three_in_five_minutes(), clock.wall_ms()));
  clock.advance_ms(1000);
  EXPECT_TRUE(gate.hold("fp", three_in_five_minutes(), clock.wall_ms())) << "N-1 = 2 events are held";
  clock.advance_ms(1000);
  EXPECT_FALSE(gate.hold("fp", three_in_five_minutes(), clock.wall_ms())) << "the 3rd raises";
  EXPECT_EQ(gate.tracked(), 0u) << "reaching N forgets the count";
}

TEST(ThresholdGate, AnEventExactlyAWindowOldNoLongerCounts) {
  FakeClock clock;
  ThresholdGate gate;
  const auto o = three_in_five_minutes();
  gate.hold("fp", o, clock.wall_ms());  // t0
  clock.advance_ms(60'000);
  gate.hold("fp", o, clock.wall_ms());  // t0 + 1m
  clock.advance_ms(4 * 60'000);         // t0 + 5m: the first has just left the window
  EXPECT_TRUE(gate.hold("fp", o, clock.wall_ms()));
  clock.advance_ms(1);
  EXPECT_FALSE(gate.hold("fp", o, clock.wall_ms())) << "t0+1m, t0+5m and t0+5m+1ms are within 5m";
}

TEST(ThresholdGate, OneMillisecondInsideTheWindowStillCounts) {
  FakeClock clock;
  ThresholdGate gate;
  const auto o = three_in_five_minutes();
  gate.hold("fp", o, clock.wall_ms());
  gate.hold("fp", o, clock.wall_ms());
  clock.advance_ms(5 * 60'000 - 1);
  EXPECT_FALSE(gate.hold("fp", o, clock.wall_ms()));
}

TEST(ThresholdGate, TheWindowSlides) {
  FakeClock clock;
  ThresholdGate gate;
  const auto o = three_in_five_minutes();
  // One event every 3 minutes (t = 0, 3m, ... 27m) never has three inside 5 minutes...
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(gate.hold("fp", o, clock.wall_ms())) << "event " << i;
    clock.advance_ms(3 * 60'000);
  }
  // ...but one a minute after the last (t = 28m) has 24m and 27m with it.
  clock.advance_ms(-3 * 60'000 + 60'000);
  EXPECT_FALSE(gate.hold("fp", o, clock.wall_ms()));
}

TEST(ThresholdGate, FingerprintsCountSeparately) {
  ThresholdGate gate;
  const auto o = three_in_five_minutes();
  EXPECT_TRUE(gate.hold("a", o, 1000));
  EXPECT_TRUE(gate.hold("b", o, 1000));
  EXPECT_TRUE(gate.hold("a", o, 1001));
  EXPECT_TRUE(gate.hold("b", o, 1001));
  EXPECT_FALSE(gate.hold("a", o, 1002));
}

TEST(ThresholdGate, AClearStartsTheCountOver) {
  ThresholdGate gate;
  const auto o = three_in_five_minutes();
  gate.hold("fp", o, 1000);
  gate.hold("fp", o, 1001);
  gate.reset("fp");
  EXPECT_TRUE(gate.hold("fp", o, 1002));
}

TEST(ThresholdGate, PruneForgetsFingerprintsWhoseWindowHasPassed) {
  ThresholdGate gate;
  const auto o = three_in_five_minutes();
  gate.hold("old", o, 0);
  gate.hold("recent", o, 4 * 60'000);
  gate.prune(5 * 60'000);
  EXPECT_EQ(gate.tracked(), 1u);
}

}  // namespace
}  // namespace tocsin::rules

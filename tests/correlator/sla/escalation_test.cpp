// Escalation policies: step timing, repeats, stop on acknowledge, and who each
// kind of target pages on which channel.
#include <gtest/gtest.h>

#include "correlator/sla/escalation.hpp"
#include "tests/correlator/sla/fake_directory.hpp"

namespace tocsin::sla {
namespace {

constexpr std::int64_t minute = 60'000;
constexpr std::int64_t t0 = 1'800'000'000'000;

Policy two_steps() {
  Policy p;
  p.steps = {{0, {"primary"}, {"sms"}}, {15 * minute, {"secondary"}, {"sms", "email"}}};
  return p;
}

std::vector<std::string> describe(const Resolution& r) {
  std::vector<std::string> out;
  for (const auto& p : r.pages) out.push_back(p.person + " " + p.channel + " " + p.address);
  return out;
}

TEST(EscalationTest, FirstStepIsDueAtOpenAndTheSecondAfterItsDelay) {
  Policy p = two_steps();
  auto first = next_step(p, IncidentState::open, 0, t0, t0);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->level, 0);
  EXPECT_EQ(first->due_ms, t0);
  EXPECT_FALSE(next_step(p, IncidentState::open, 1, t0, t0 + 15 * minute - 1));
  auto second = next_step(p, IncidentState::open, 1, t0, t0 + 15 * minute);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->level, 1);
  EXPECT_EQ(second->skipped, 0);
}

TEST(EscalationTest, PolicyWithoutRepeatStopsAfterItsLastStep) {
  Policy p = two_steps();
  EXPECT_FALSE(next_step(p, IncidentState::open, 2, t0, t0 + 1000 * minute));
  EXPECT_FALSE(due_at(p, 2, t0));
}

TEST(EscalationTest, AcknowledgedOrResolvedIncidentDoesNotEscalate) {
  Policy p = two_steps();
  EXPECT_FALSE(next_step(p, IncidentState::acknowledged, 1, t0, t0 + 60 * minute));
  EXPECT_FALSE(next_step(p, IncidentState::resolved, 1, t0, t0 + 60 * minute));
  EXPECT_FALSE(next_step(p, IncidentState::closed, 0, t0, t0));
}

TEST(EscalationTest, RepeatRunsThePolicyAgainAfterRepeatAfterAndIsBounded) {
  Policy p = two_steps();
  p.repeat = 2;
  p.repeat_after_ms = 30 * minute;
  EXPECT_EQ(total_levels(p), 6);
  // Round 2 starts 30 min after the last step (15 min): at 45 min.
  EXPECT_EQ(due_at(p, 2, t0), t0 + 45 * minute);
  EXPECT_EQ(due_at(p, 3, t0), t0 + 60 * minute);
  EXPECT_EQ(due_at(p, 5, t0), t0 + 105 * minute);
  EXPECT_FALSE(due_at(p, 6, t0));
  EXPECT_EQ(step_index(p, 3), 1);
  p.repeat = 1000;  // bounded
  EXPECT_EQ(total_levels(p), 2 * (1 + max_repeat));
}

TEST(EscalationTest, AfterADowntimeOnlyTheLatestDueLevelFires) {
  Policy p = two_steps();
  auto due = next_step(p, IncidentState::open, 0, t0, t0 + 120 * minute);
  ASSERT_TRUE(due);
  EXPECT_EQ(due->level, 1);
  EXPECT_EQ(due->skipped, 1);
  EXPECT_EQ(due->due_ms, t0 + 15 * minute);
}

TEST(EscalationTest, PrimaryIsPagedOnTheListedChannel) {
  auto d = testing::network_ops_directory();
  Resolution r = resolve({0, {"primary"}, {"sms"}}, "network-ops", &d, t0);
  EXPECT_EQ(describe(r), (std::vector<std::string>{"alice sms +33600000001"}));
  EXPECT_TRUE(r.notes.empty());
}

TEST(EscalationTest, EachPersonIsPagedOnEveryListedChannelInOrder) {
  auto d = testing::network_ops_directory();
  Resolution r = resolve({0, {"secondary"}, {"sms", "email"}}, "network-ops", &d, t0);
  EXPECT_EQ(describe(r), (std::vector<std::string>{"bob sms +33600000002", "bob email bob@example.net"}));
}

TEST(EscalationTest, UserLeadManagerAndGroupTargetsNameTheirPeople) {
  auto d = testing::network_ops_directory();
  EXPECT_EQ(describe(resolve({0, {"user:dave"}, {"sms"}}, "network-ops", &d, t0)),
            (std::vector<std::string>{"dave sms +33600000004"}));
  EXPECT_EQ(describe(resolve({0, {"lead"}, {"email"}}, "network-ops", &d, t0)),
            (std::vector<std::string>{"carol email carol@example.net"}));
  EXPECT_EQ(describe(resolve({0, {"manager"}, {"email"}}, "network-ops", &d, t0)),
            (std::vector<std::string>{"dave email dave@example.net"}));
  EXPECT_EQ(describe(resolve({0, {"group"}, {"email"}}, "network-ops", &d, t0)),
            (std::vector<std::string>{"alice email alice@example.net", "bob email bob@example.net",
                                      "carol email carol@example.net"}));
}

TEST(EscalationTest, NoChannelsMeansThePersonsPreferredContact) {
  auto d = testing::network_ops_directory();
  EXPECT_EQ(describe(resolve({0, {"secondary"}, {}}, "network-ops", &d, t0)),
            (std::vector<std::string>{"bob email bob@example.net"}));
}

TEST(EscalationTest, APersonNamedTwiceInAStepIsPagedOnce) {
  auto d = testing::network_ops_directory();
  Resolution r = resolve({0, {"primary", "user:alice", "group"}, {"sms"}}, "network-ops", &d, t0);
  EXPECT_EQ(describe(r), (std::vector<std::string>{"alice sms +33600000001", "bob sms +33600000002"}));
  EXPECT_EQ(r.notes.size(), 1u);  // carol has no SMS
}

TEST(EscalationTest, NobodyOnCallFallsBackToTheGroupLead) {
  auto d = testing::network_ops_directory();
  d.primary["network-ops"] = {};
  Resolution r = resolve({0, {"primary"}, {"email"}}, "network-ops", &d, t0);
  EXPECT_EQ(describe(r), (std::vector<std::string>{"carol email carol@example.net"}));
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("nobody for primary"), std::string::npos);
}

TEST(EscalationTest, NobodyOnCallAndNoLeadPagesNobodyAndSaysSo) {
  auto d = testing::network_ops_directory();
  d.primary["network-ops"] = {};
  d.leads.clear();
  Resolution r = resolve({0, {"primary"}, {"sms"}}, "network-ops", &d, t0);
  EXPECT_TRUE(r.pages.empty());
  EXPECT_EQ(r.notes.size(), 1u);
  EXPECT_TRUE(resolve({0, {"primary"}, {"sms"}}, "network-ops", nullptr, t0).pages.empty());
}

TEST(EscalationTest, UnknownUserFallsBackToTheLead) {
  auto d = testing::network_ops_directory();
  EXPECT_EQ(describe(resolve({0, {"user:mallory"}, {"email"}}, "network-ops", &d, t0)),
            (std::vector<std::string>{"carol email carol@example.net"}));
}

TEST(EscalationTest, ValidateRejectsUnknownTargetsChannelsAndUnboundedRepeat) {
  Policy p = two_steps();
  EXPECT_EQ(validate(p), "");
  p.steps[0].targets = {"boss"};
  EXPECT_NE(validate(p).find("unknown target"), std::string::npos);
  p = two_steps();
  p.steps[0].channels = {"pager"};
  EXPECT_NE(validate(p).find("unknown channel"), std::string::npos);
  p = two_steps();
  p.repeat = 11;
  EXPECT_NE(validate(p), "");
  EXPECT_NE(validate(Policy{}), "");
}

}  // namespace
}  // namespace tocsin::sla

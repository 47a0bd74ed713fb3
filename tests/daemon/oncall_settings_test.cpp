// The oncall section: a roster loads into a Snapshot, and every mistake is
// reported as file:line: key: message.
#include "daemon/oncall_settings.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tocsin {
namespace {

using ::testing::ElementsAre;

const config::Section& root() {
  static const config::Section s{"(top level)", "", {{"oncall", config::Type::map, "", ""}}};
  return s;
}

struct Loaded {
  std::shared_ptr<const oncall::Snapshot> snapshot;
  config::Errors errors;
};

Loaded load(const std::string& text) {
  Loaded out;
  config::Node n(YAML::Load(text), root(), "tocsin.yaml", "", out.errors);
  out.snapshot = load_oncall_settings(n);
  return out;
}

const std::string good = R"(oncall:
  users:
    - id: alice
      name: Alice Martin
      time_zone: Europe/Paris
      contacts: [{sms: "+33 6 12 34 56 78"}, {email: alice@example.net}]
    - id: bob
      contacts: [{email: bob@example.net}]
  groups:
    - {id: network-ops, members: [alice, bob], lead: alice, manager: bob}
  rosters:
    - group: network-ops
      rotations:
        - {participants: [alice, bob], shift: 1d, handover: "09:00", time_zone: Europe/Paris, start: 2026-01-05}
        - {layer: secondary, participants: [bob], shift: 12h, handover: "08:00", time_zone: Europe/Paris,
           start: 2026-01-05, window: "20:00-08:00"}
      overrides:
        - {person: bob, from: "2026-01-10T00:00:00+01:00", to: "2026-01-11T00:00:00+01:00"}
)";

TEST(OncallSettings, ARosterLoadsIntoTheDirectory) {
  auto l = load(good);
  ASSERT_TRUE(l.errors.empty()) << l.errors.joined();
  ASSERT_TRUE(l.snapshot);
  const auto& s = *l.snapshot;
  EXPECT_EQ(s.person("alice")->name, "Alice Martin");
  EXPECT_EQ(s.person("bob")->name, "bob");
  EXPECT_EQ(s.person_by_address("sms", "+33612345678")->id, "alice");
  EXPECT_EQ(s.lead("network-ops"), "alice");
  std::int64_t tuesday_ten = *oncall::parse_instant("2026-01-06T10:00:00+01:00");
  EXPECT_THAT(s.on_call("network-ops", oncall::Layer::primary, tuesday_ten), ElementsAre("bob"));
  EXPECT_TRUE(s.on_call("network-ops", oncall::Layer::secondary, tuesday_ten).empty()) << "outside the window";
  EXPECT_THAT(s.on_call("network-ops", oncall::Layer::primary, *oncall::parse_instant("2026-01-10T12:00:00+01:00")),
              ElementsAre("bob"));
}

TEST(OncallSettings, AbsentSectionGivesNoDirectoryAndNoError) {
  auto l = load("{}\n");
  EXPECT_TRUE(l.errors.empty());
  EXPECT_FALSE(l.snapshot);
}

TEST(OncallSettings, MistakesAreReportedWithFileLineAndKey) {
  auto l = load(R"(oncall:
  users:
    - {id: alice, contacts: [{sms: "06 12 34 56 78"}]}
    - {id: alice, time_zone: Europe/Atlantis}
  groups:
    - {id: dba, members: [alice, zoe]}
  rosters:
    - group: dba
      rotations:
        - {participants: [alice, yann], shift: 1 week, handover: "9h", time_zone: Mars/Olympus, start: 2026-13-01}
      overrides:
        - {person: alice, from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z"}
    - group: web-team
)");
  EXPECT_FALSE(l.snapshot);
  EXPECT_THAT(l.errors.messages(),
              ElementsAre(
                  "tocsin.yaml:3: oncall.users[0].contacts[0].sms: expected a number in international form such as "
                  "+33612345678",
                  "tocsin.yaml:4: oncall.users[1].time_zone: unknown time zone 'Europe/Atlantis': use an IANA name "
                  "such as Europe/Paris or America/New_York",
                  "tocsin.yaml:4: oncall.users[1].id: duplicate user id 'alice'",
                  "tocsin.yaml:6: oncall.groups[0].members: unknown person 'zoe': not in oncall.users[]",
                  "tocsin.yaml:10: oncall.rosters[0].rotations[0].participants: unknown person 'yann': not in "
                  "oncall.users[]",
                  "tocsin.yaml:10: oncall.rosters[0].rotations[0].shift: expected a duration such as 500ms, 30s, 5m, "
                  "2h or 1d",
                  "tocsin.yaml:10: oncall.rosters[0].rotations[0].shift: expected a whole number of minutes, at least "
                  "1m (7d, 1d, 12h, 90m)",
                  "tocsin.yaml:10: oncall.rosters[0].rotations[0].handover: expected a local time of day HH:MM such "
                  "as 09:00",
                  "tocsin.yaml:10: oncall.rosters[0].rotations[0].time_zone: unknown time zone 'Mars/Olympus': use an "
                  "IANA name such as Europe/Paris or America/New_York",
                  "tocsin.yaml:10: oncall.rosters[0].rotations[0].start: expected a date YYYY-MM-DD such as 2026-01-05",
                  "tocsin.yaml:12: oncall.rosters[0].overrides[0].to: must be after from",
                  "tocsin.yaml:13: oncall.rosters[1].group: unknown group 'web-team': not in oncall.groups[]"));
}

}  // namespace
}  // namespace tocsin

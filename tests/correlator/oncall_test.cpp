// On-call rosters: rotations, day and night shifts, DST, follow-the-sun,
// overrides, address lookup, calendars and roster warnings.
#include "correlator/oncall/roster.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tocsin::oncall {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::int64_t at(std::string_view rfc3339) {
  auto t = parse_instant(rfc3339);
  EXPECT_TRUE(t) << rfc3339;
  return t.value_or(0);
}

Person person(std::string id, std::string phone = "", std::string mail = "") {
  Person p{id, id, {}, "Europe/Paris"};
  if (!phone.empty()) p.contacts.push_back({"sms", phone});
  if (!mail.empty()) p.contacts.push_back({"email", mail});
  return p;
}

Rotation rotation(std::vector<std::string> who, std::int64_t shift_minutes, std::string zone, std::string_view handover,
                  std::string_view start, Layer layer = Layer::primary) {
  Rotation r;
  r.layer = layer;
  r.participants = std::move(who);
  r.shift_minutes = shift_minutes;
  r.time_zone = std::move(zone);
  r.handover_minute = *parse_time_of_day(handover);
  r.start_day = *parse_day(start);
  return r;
}

Rotation windowed(Rotation r, std::string_view from, std::string_view to) {
  r.window_from = parse_time_of_day(from, true);
  r.window_to = parse_time_of_day(to, true);
  return r;
}

Snapshot snapshot(std::vector<Rotation> rotations, std::vector<Override> overrides = {}) {
  RosterData d;
  for (const char* id : {"alice", "bob", "carol", "dave", "wei", "john"})
    d.people.push_back(person(id, "+3361234567" + std::to_string(d.people.size()), std::string(id) + "@example.net"));
  d.groups.push_back({"network-ops", "Network operations", {"alice", "bob", "carol", "dave"}, "carol", "dave"});
  d.rosters.push_back({"network-ops", std::move(rotations), std::move(overrides)});
  return Snapshot(std::move(d));
}

constexpr std::int64_t day = 24 * 60;
constexpr std::int64_t week = 7 * day;

std::vector<std::string> primary(const Snapshot& s, std::string_view when) {
  return s.on_call("network-ops", Layer::primary, at(when));
}
using One = std::vector<std::string>;

TEST(OncallRotation, WeeklyRotationHandsOverOnMondayAtNineLocal) {
  auto s = snapshot({rotation({"alice", "bob", "carol"}, week, "Europe/Paris", "09:00", "2026-01-05")});
  EXPECT_THAT(primary(s, "2026-01-05T08:59:59+01:00"), IsEmpty()) << "nobody before the roster starts";
  EXPECT_EQ(primary(s, "2026-01-05T09:00:00+01:00"), One{"alice"});
  EXPECT_EQ(primary(s, "2026-01-12T08:59:00+01:00"), One{"alice"});
  EXPECT_EQ(primary(s, "2026-01-12T09:00:00+01:00"), One{"bob"});
  EXPECT_EQ(primary(s, "2026-01-19T09:00:00+01:00"), One{"carol"});
  EXPECT_EQ(primary(s, "2026-01-26T09:00:00+01:00"), One{"alice"}) << "the rotation starts over";
}

TEST(OncallRotation, DayAndNightShiftsFollowTheirOwnRotations) {
  auto s = snapshot({windowed(rotation({"alice", "bob"}, day, "Europe/Paris", "08:00", "2026-06-01"), "08:00", "20:00"),
                     windowed(rotation({"carol", "dave"}, week, "Europe/Paris", "20:00", "2026-06-01"), "20:00",
                              "08:00")});
  EXPECT_EQ(primary(s, "2026-06-01T10:00:00+02:00"), One{"alice"});
  EXPECT_EQ(primary(s, "2026-06-01T19:59:00+02:00"), One{"alice"});
  EXPECT_EQ(primary(s, "2026-06-01T20:00:00+02:00"), One{"carol"});
  EXPECT_EQ(primary(s, "2026-06-02T03:00:00+02:00"), One{"carol"}) << "the night belongs to the evening it began";
  EXPECT_EQ(primary(s, "2026-06-02T08:00:00+02:00"), One{"bob"});
  EXPECT_EQ(primary(s, "2026-06-08T07:59:00+02:00"), One{"carol"});
  EXPECT_EQ(primary(s, "2026-06-08T20:00:00+02:00"), One{"dave"});
}

TEST(OncallRotation, DailyHandoverStaysAtNineLocalAcrossTheMarchDstChange) {
  // Europe/Paris moves from +01:00 to +02:00 on 2026-03-29 at 02:00.
  auto s = snapshot({rotation({"alice", "bob"}, day, "Europe/Paris", "09:00", "2026-03-27")});
  EXPECT_EQ(primary(s, "2026-03-28T09:00:00+01:00"), One{"bob"});
  EXPECT_EQ(primary(s, "2026-03-29T08:59:00+02:00"), One{"bob"});
  EXPECT_EQ(primary(s, "2026-03-29T07:30:00Z"), One{"alice"}) << "09:30 local: a 24 h step would still say bob";
  EXPECT_EQ(primary(s, "2026-03-30T09:00:00+02:00"), One{"bob"});
}

TEST(OncallRotation, WeeklyHandoverStaysAtNineLocalAcrossTheOctoberDstChange) {
  // Europe/Paris moves from +02:00 back to +01:00 on 2026-10-25 at 03:00.
  auto s = snapshot({rotation({"alice", "bob"}, week, "Europe/Paris", "09:00", "2026-10-19")});
  EXPECT_EQ(primary(s, "2026-10-26T07:30:00Z"), One{"alice"}) << "08:30 local: a 168 h step would say bob";
  EXPECT_EQ(primary(s, "2026-10-26T08:00:00Z"), One{"bob"});
  auto cal = s.calendar("network-ops", at("2026-10-19T09:00:00+02:00"), 14);
  ASSERT_EQ(cal.size(), 2u);
  EXPECT_EQ(cal[0].end_ms - cal[0].start_ms, (7 * 24 + 1) * 3'600'000LL) << "the week with the change lasts 169 h";
  EXPECT_EQ(cal[1].start_ms, at("2026-10-26T09:00:00+01:00"));
}

std::vector<Rotation> follow_the_sun() {
  return {windowed(rotation({"wei"}, week, "Asia/Shanghai", "08:00", "2026-01-05"), "08:00", "16:00"),
          windowed(rotation({"alice"}, week, "Europe/Paris", "09:00", "2026-01-05"), "09:00", "17:00"),
          windowed(rotation({"john"}, week, "America/New_York", "11:00", "2026-01-04"), "11:00", "19:00")};
}

TEST(OncallRotation, FollowTheSunPassesDutyBetweenShanghaiParisAndNewYork) {
  auto s = snapshot(follow_the_sun());
  EXPECT_EQ(primary(s, "2026-01-13T03:00:00Z"), One{"wei"});
  EXPECT_EQ(primary(s, "2026-01-13T08:00:00Z"), One{"alice"});
  EXPECT_EQ(primary(s, "2026-01-13T16:00:00Z"), One{"john"});
  EXPECT_EQ(primary(s, "2026-01-13T23:59:00Z"), One{"john"});
  EXPECT_EQ(primary(s, "2026-01-14T00:00:00Z"), One{"wei"});
  std::vector<Warning> gaps;
  for (auto& w : s.warnings(at("2026-01-12T00:00:00Z")))
    if (w.kind == "gap") gaps.push_back(w);
  EXPECT_THAT(gaps, IsEmpty()) << "in winter the three zones cover the whole day";
}

TEST(OncallRotation, FollowTheSunLeavesAnHourUncoveredWhenEuropeAndAmericaKeepSummerTime) {
  auto s = snapshot(follow_the_sun());
  // July: Paris +02:00, New York -04:00, Shanghai +08:00 (no DST).
  EXPECT_EQ(primary(s, "2026-07-14T07:30:00Z"), (One{"wei", "alice"})) << "Shanghai and Paris overlap";
  EXPECT_THAT(primary(s, "2026-07-14T23:30:00Z"), IsEmpty());
  std::vector<Warning> gaps;
  for (auto& w : s.warnings(at("2026-07-13T00:00:00Z")))
    if (w.kind == "gap") gaps.push_back(w);
  ASSERT_EQ(gaps.size(), 14u);
  EXPECT_EQ(gaps[0].from_ms, at("2026-07-13T23:00:00Z"));
  EXPECT_EQ(gaps[0].to_ms, at("2026-07-14T00:00:00Z"));
  EXPECT_EQ(gaps[0].group, "network-ops");
}

TEST(OncallOverride, ReplacesTheLayerFromItsStartInclusiveToItsEndExclusive) {
  std::int64_t from = at("2026-02-02T18:00:00+01:00");
  std::int64_t to = at("2026-02-03T09:00:00+01:00");
  auto s = snapshot({rotation({"alice", "bob"}, week, "Europe/Paris", "09:00", "2026-01-05"),
                     rotation({"dave"}, week, "Europe/Paris", "09:00", "2026-01-05", Layer::secondary)},
                    {{Layer::primary, "carol", from, to}});
  EXPECT_EQ(s.on_call("network-ops", Layer::primary, from - 1), One{"alice"});
  EXPECT_EQ(s.on_call("network-ops", Layer::primary, from), One{"carol"});
  EXPECT_EQ(s.on_call("network-ops", Layer::primary, to - 1), One{"carol"});
  EXPECT_EQ(s.on_call("network-ops", Layer::primary, to), One{"alice"});
  EXPECT_EQ(s.on_call("network-ops", Layer::secondary, from), One{"dave"}) << "the other layer is untouched";
}

TEST(OncallOverride, TheLastListedOfOverlappingOverridesWins) {
  auto s = snapshot({rotation({"alice"}, week, "UTC", "00:00", "2026-01-05")},
                    {{Layer::primary, "bob", at("2026-02-01T00:00:00Z"), at("2026-02-10T00:00:00Z")},
                     {Layer::primary, "carol", at("2026-02-03T00:00:00Z"), at("2026-02-04T00:00:00Z")}});
  EXPECT_EQ(primary(s, "2026-02-02T12:00:00Z"), One{"bob"});
  EXPECT_EQ(primary(s, "2026-02-03T12:00:00Z"), One{"carol"});
  EXPECT_EQ(primary(s, "2026-02-04T12:00:00Z"), One{"bob"});
}

TEST(OncallOverride, CalendarShowsTheOverrideCuttingTheWeek) {
  auto s = snapshot({rotation({"alice"}, week, "UTC", "00:00", "2026-01-05")},
                    {{Layer::primary, "bob", at("2026-02-03T00:00:00Z"), at("2026-02-04T00:00:00Z")}});
  auto cal = s.calendar("network-ops", at("2026-02-02T00:00:00Z"), 3);
  ASSERT_EQ(cal.size(), 3u);
  EXPECT_EQ(cal[0].person, "alice");
  EXPECT_EQ(cal[1].person, "bob");
  EXPECT_EQ(cal[1].start_ms, at("2026-02-03T00:00:00Z"));
  EXPECT_EQ(cal[1].end_ms, at("2026-02-04T00:00:00Z"));
  EXPECT_EQ(cal[2].person, "alice");
  EXPECT_EQ(cal[2].end_ms, at("2026-02-05T00:00:00Z")) << "cut at the end of the range";
}

TEST(OncallCalendar, DayAndNightShiftsAlternateWithBothLayers) {
  auto s = snapshot({windowed(rotation({"alice", "bob"}, day, "Europe/Paris", "08:00", "2026-06-01"), "08:00", "20:00"),
                     windowed(rotation({"carol"}, week, "Europe/Paris", "20:00", "2026-06-01"), "20:00", "08:00"),
                     rotation({"dave"}, week, "Europe/Paris", "08:00", "2026-06-01", Layer::secondary)});
  auto cal = s.calendar("network-ops", at("2026-06-01T08:00:00+02:00"), 2);
  std::vector<std::string> seen;
  for (const auto& shift : cal) seen.push_back(std::string(to_string(shift.layer)) + ":" + shift.person);
  EXPECT_THAT(seen, ElementsAre("primary:alice", "secondary:dave", "primary:carol", "primary:bob", "primary:carol"));
  EXPECT_EQ(cal[2].start_ms, at("2026-06-01T20:00:00+02:00"));
  EXPECT_EQ(cal[2].end_ms, at("2026-06-02T08:00:00+02:00"));
}

// Singapore keeps +08:00 all year; Paris moves to +02:00 on 2026-03-29.
std::vector<Rotation> paris_and_singapore() {
  return {windowed(rotation({"wei"}, week, "Asia/Singapore", "07:00", "2026-01-05"), "07:00", "19:00"),
          windowed(rotation({"alice", "bob"}, week, "Europe/Paris", "12:00", "2026-01-05"), "12:00", "01:00")};
}

TEST(OncallRotation, FollowTheSunBetweenParisAndSingaporeMovesAnHourWhenParisChangesTime) {
  auto s = snapshot(paris_and_singapore());
  // Winter: Singapore 23:00-11:00Z, Paris 11:00-00:00Z.
  EXPECT_EQ(primary(s, "2026-03-26T10:30:00Z"), One{"wei"});
  EXPECT_EQ(primary(s, "2026-03-26T11:30:00Z"), One{"bob"});
  EXPECT_EQ(primary(s, "2026-03-26T23:30:00Z"), (One{"wei", "bob"})) << "an hour of overlap at night";
  // Summer: Paris 10:00-23:00Z, Singapore unchanged.
  EXPECT_EQ(primary(s, "2026-03-30T10:30:00Z"), (One{"wei", "alice"})) << "the overlap moves to the morning";
  EXPECT_EQ(primary(s, "2026-03-30T23:30:00Z"), One{"wei"});
  EXPECT_EQ(primary(s, "2026-03-30T22:30:00Z"), One{"alice"}) << "a new week: alice";
  std::vector<Warning> gaps;
  for (auto& w : s.warnings(at("2026-03-20T00:00:00Z")))
    if (w.kind == "gap") gaps.push_back(w);
  EXPECT_THAT(gaps, IsEmpty()) << "covered before, across and after the change";
}

TEST(OncallRotation, TheNightShiftOfTheMarchDstNightLastsElevenHoursAndOctobersThirteen) {
  auto s = snapshot({windowed(rotation({"carol"}, week, "Europe/Paris", "20:00", "2026-03-23"), "20:00", "08:00")});
  auto march = s.calendar("network-ops", at("2026-03-28T12:00:00+01:00"), 1);
  ASSERT_EQ(march.size(), 1u);
  EXPECT_EQ(march[0].start_ms, at("2026-03-28T20:00:00+01:00"));
  EXPECT_EQ(march[0].end_ms, at("2026-03-29T08:00:00+02:00"));
  EXPECT_EQ(march[0].end_ms - march[0].start_ms, 11 * 3'600'000LL);
  auto october = s.calendar("network-ops", at("2026-10-24T12:00:00+02:00"), 1);
  ASSERT_EQ(october.size(), 1u);
  EXPECT_EQ(october[0].end_ms - october[0].start_ms, 13 * 3'600'000LL);
  EXPECT_EQ(primary(s, "2026-10-25T02:30:00+02:00"), One{"carol"}) << "first 02:30";
  EXPECT_EQ(primary(s, "2026-10-25T02:30:00+01:00"), One{"carol"}) << "second 02:30";
}

TEST(OncallOverride, StoredOverridesAreAppendedAndWinOverConfiguredOnes) {
  std::int64_t from = at("2026-02-02T00:00:00Z"), to = at("2026-02-03T00:00:00Z");
  auto base = snapshot({rotation({"alice"}, week, "UTC", "00:00", "2026-01-05")}, {{Layer::primary, "bob", from, to}});
  StoredOverride mine{9, "network-ops", Layer::primary, "carol", from, from + 3'600'000, "swap", "operator", 0};
  StoredOverride lost{10, "web-team", Layer::primary, "dave", from, to, "", "operator", 0};
  auto merged = with_overrides(base, {mine, lost});
  EXPECT_EQ(merged->on_call("network-ops", Layer::primary, from), One{"carol"});
  EXPECT_EQ(merged->on_call("network-ops", Layer::primary, from + 3'600'000), One{"bob"});
  const Override* o = merged->override_at("network-ops", Layer::primary, from);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->id, 9);
  EXPECT_EQ(o->reason, "swap");
  EXPECT_EQ(merged->override_at("network-ops", Layer::secondary, from), nullptr);
  EXPECT_EQ(base.on_call("network-ops", Layer::primary, from), One{"bob"}) << "the base is unchanged";
  EXPECT_EQ(merged->rosters().size(), 1u) << "web-team is no group: its override is left out";
}

TEST(OncallOverride, AGroupWithoutRosterGetsOneForItsOverride) {
  RosterData d;
  d.people.push_back(person("alice", "+33612345678"));
  d.groups.push_back({"dba", "DBA", {"alice"}, "", ""});
  Snapshot base(std::move(d));
  StoredOverride o{1, "dba", Layer::primary, "alice", at("2026-02-02T00:00:00Z"), at("2026-02-03T00:00:00Z"), "", "", 0};
  auto merged = with_overrides(base, {o});
  EXPECT_EQ(merged->on_call("dba", Layer::primary, at("2026-02-02T12:00:00Z")), One{"alice"});
  EXPECT_THAT(merged->on_call("dba", Layer::primary, at("2026-02-03T12:00:00Z")), IsEmpty());
}

TEST(OncallCalendar, ShiftsAtGiveTheWholeTurnRunningAtAnInstant) {
  auto s = snapshot({rotation({"alice", "bob"}, week, "Europe/Paris", "09:00", "2026-03-23")});
  auto running = s.shifts_at("network-ops", Layer::primary, at("2026-03-31T12:00:00+02:00"));
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].person, "bob");
  EXPECT_EQ(running[0].start_ms, at("2026-03-30T09:00:00+02:00"));
  EXPECT_EQ(running[0].end_ms, at("2026-04-06T09:00:00+02:00"));
  EXPECT_THAT(s.shifts_at("network-ops", Layer::secondary, at("2026-03-31T12:00:00+02:00")), IsEmpty());
  auto alone = snapshot({rotation({"alice"}, week, "Europe/Paris", "09:00", "2026-01-05")});
  auto endless = alone.shifts_at("network-ops", Layer::primary, at("2026-03-31T12:00:00+02:00"));
  ASSERT_EQ(endless.size(), 1u);
  EXPECT_EQ(endless[0].start_ms, 0) << "alice's turns run on beyond the 35 days looked at";
  EXPECT_EQ(endless[0].end_ms, 0);
}

TEST(OncallDirectory, FindsAPersonByANumberWrittenWithSpacesDashesOrInternationalPrefix) {
  RosterData d;
  d.people.push_back(person("alice", "+33 6 12 34 56 78", "Alice.Martin@Example.net"));
  Snapshot s(std::move(d));
  ASSERT_NE(s.person_by_address("sms", "+33612345678"), nullptr);
  EXPECT_EQ(s.person_by_address("sms", "+33 6-12-34-56-78")->id, "alice");
  EXPECT_EQ(s.person_by_address("sms", "0033 6 12 34 56 78")->id, "alice");
  EXPECT_EQ(s.person_by_address("email", "alice.martin@example.NET")->id, "alice");
  EXPECT_EQ(s.person_by_address("sms", "+33612345679"), nullptr);
  EXPECT_EQ(s.person_by_address("sms", "call me"), nullptr);
  EXPECT_EQ(normalize_phone("+33 (0)6"), "+3306");
  EXPECT_EQ(normalize_phone("06 12"), "0612");
  EXPECT_EQ(normalize_phone("+3+3"), "");
}

TEST(OncallDirectory, GroupsGiveMembersLeadAndManager) {
  auto s = snapshot({});
  EXPECT_THAT(s.members("network-ops"), ElementsAre("alice", "bob", "carol", "dave"));
  EXPECT_EQ(s.lead("network-ops"), "carol");
  EXPECT_EQ(s.manager("network-ops"), "dave");
  EXPECT_EQ(s.lead("dba"), "");
  EXPECT_THAT(s.on_call("dba", Layer::primary, 0), IsEmpty());
}

TEST(OncallWarnings, ListNightGapsUnknownPeopleAndPeopleWithoutContact) {
  RosterData d;
  d.people.push_back(person("alice", "+33612345678"));
  d.people.push_back(person("bob"));
  d.groups.push_back({"dba", "DBA", {"alice", "bob", "zoe"}, "alice", ""});
  d.rosters.push_back(
      {"dba", {windowed(rotation({"alice", "yann"}, day, "UTC", "08:00", "2026-01-01"), "08:00", "20:00")}, {}});
  Snapshot s(std::move(d));
  auto w = s.warnings(at("2026-01-05T08:00:00Z"));
  int gaps = 0;
  std::vector<std::string> others;
  for (const auto& x : w) {
    if (x.kind == "gap") {
      if (gaps++ == 0) {
        EXPECT_EQ(x.from_ms, at("2026-01-05T20:00:00Z"));
        EXPECT_EQ(x.to_ms, at("2026-01-06T08:00:00Z"));
      }
    } else {
      others.push_back(x.kind + ":" + x.person);
    }
  }
  EXPECT_EQ(gaps, 14) << "one per night";
  EXPECT_THAT(others, ElementsAre("unknown_person:zoe", "unknown_person:yann", "no_contact:bob"));
}

TEST(OncallParsing, RejectsMalformedTimesDaysAndZones) {
  EXPECT_EQ(parse_time_of_day("09:00"), 540);
  EXPECT_FALSE(parse_time_of_day("9:00"));
  EXPECT_FALSE(parse_time_of_day("24:00"));
  EXPECT_EQ(parse_time_of_day("24:00", true), 1440);
  EXPECT_EQ(parse_day("1970-01-02"), 1);
  EXPECT_FALSE(parse_day("2026-02-30"));
  EXPECT_EQ(parse_instant("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(parse_instant("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_FALSE(parse_instant("1970-01-01 00:00"));
  EXPECT_TRUE(known_zone("Europe/Paris"));
  EXPECT_FALSE(known_zone("Europe/Atlantis"));
}

}  // namespace
}  // namespace tocsin::oncall

// The on-call API's pure parts: override and duty-note bodies are validated
// with a clear message per field, the on-call answer lists who is on duty
// per layer with contacts, shift and override, the calendar lists shifts per
// layer, and the directory merges stored overrides and publishes each change.
#include "daemon/oncall_api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace tocsin::api {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

std::int64_t at(std::string_view t) { return oncall::parse_instant(t).value(); }

std::shared_ptr<const oncall::Snapshot> directory() {
  oncall::RosterData d;
  d.people.push_back({"alice", "Alice Martin", {{"sms", "+33612345670"}, {"email", "alice@example.net"}}, "Europe/Paris"});
  d.people.push_back({"bob", "Bob Durand", {{"email", "bob@example.net"}}, "Europe/Paris"});
  d.people.push_back({"carol", "Carol", {}, ""});
  d.groups.push_back({"noc", "NOC", {"alice", "bob", "carol"}, "bob", "carol"});
  d.groups.push_back({"dba", "Databases", {"bob"}, "", ""});
  oncall::Rotation r;
  r.participants = {"alice", "bob"};
  r.shift_minutes = 7 * 24 * 60;
  r.time_zone = "Europe/Paris";
  r.handover_minute = 9 * 60;
  r.start_day = *oncall::parse_day("2026-01-05");
  d.rosters.push_back({"noc", {r}, {}});
  return std::make_shared<const oncall::Snapshot>(std::move(d));
}

const std::int64_t now = at("2026-01-07T10:00:00+01:00");

FieldError error_of(const std::string& body) {
  auto r = parse_override(body, directory().get(), now, OncallLimits{});
  EXPECT_TRUE(std::holds_alternative<FieldError>(r)) << body;
  return std::holds_alternative<FieldError>(r) ? std::get<FieldError>(r) : FieldError{};
}

TEST(OncallOverrideBody, AValidBodyBecomesAStoredOverride) {
  auto r = parse_override(R"({"group":"noc","layer":"secondary","person":"carol",
      "start":"2026-01-07T18:00:00+01:00","end":"2026-01-08T09:00:00Z","reason":"swap with bob"})",
                          directory().get(), now, OncallLimits{});
  ASSERT_TRUE(std::holds_alternative<oncall::StoredOverride>(r));
  auto o = std::get<oncall::StoredOverride>(r);
  EXPECT_EQ(o.group, "noc");
  EXPECT_EQ(o.layer, oncall::Layer::secondary);
  EXPECT_EQ(o.person, "carol");
  EXPECT_EQ(o.from_ms, at("2026-01-07T17:00:00Z"));
  EXPECT_EQ(o.to_ms, at("2026-01-08T09:00:00Z"));
  EXPECT_EQ(o.reason, "swap with bob");
}

TEST(OncallOverrideBody, EachMistakeNamesItsFieldAndWhatWouldBeRight) {
  const std::string tail = R"(,"start":"2026-01-07T18:00:00Z","end":"2026-01-08T09:00:00Z","reason":"r"})";
  struct Case {
    std::string body, field, message;
  } cases[] = {
      {"not json", "", "invalid JSON body"},
      {"[1]", "", "body must be a JSON object"},
      {R"({"person":"carol")" + tail, "group", "group is required"},
      {R"({"group":"web","person":"carol")" + tail, "group", "unknown group 'web': not in oncall.groups[]"},
      {R"({"group":"noc","person":"zoe")" + tail, "person", "unknown person 'zoe': not in oncall.users[]"},
      {R"({"group":"noc","person":"carol","layer":"tertiary")" + tail, "layer", "layer must be primary or secondary"},
      {R"({"group":"noc","person":"carol","colour":"red")" + tail, "colour", "unknown field 'colour'"},
      {R"({"group":"noc","person":7)" + tail, "person", "person must be a string"},
      {R"({"group":"noc","person":"carol","start":"tomorrow","end":"2026-01-08T09:00:00Z","reason":"r"})", "start",
       "start must be an RFC 3339 time"},
      {R"({"group":"noc","person":"carol","start":"2026-01-08T09:00:00Z","end":"2026-01-08T09:00:00Z","reason":"r"})",
       "end", "end must be after start"},
      {R"({"group":"noc","person":"carol","start":"2026-01-01T09:00:00Z","end":"2026-01-02T09:00:00Z","reason":"r"})",
       "end", "end must be in the future"},
      {R"({"group":"noc","person":"carol","start":"2026-01-08T09:00:00Z","end":"2028-01-08T09:00:00Z","reason":"r"})",
       "end", "an override lasts at most 366 days"},
      {R"({"group":"noc","person":"carol","start":"2026-01-08T09:00:00Z","end":"2026-01-09T09:00:00Z"})", "reason",
       "reason is required"},
      {R"({"group":"noc","person":"carol","start":"2026-01-08T09:00:00Z","end":"2026-01-09T09:00:00Z","reason":")" +
           std::string(501, 'x') + "\"}",
       "reason", "reason is longer than 500 bytes"},
  };
  for (const auto& c : cases) {
    FieldError e = error_of(c.body);
    EXPECT_EQ(e.field, c.field) << c.body;
    EXPECT_THAT(e.message, HasSubstr(c.message)) << c.body;
  }
}

TEST(OncallOverrideBody, WithoutADirectoryEveryOverrideIsRefused) {
  auto r = parse_override(R"({"group":"noc"})", nullptr, now, OncallLimits{});
  ASSERT_TRUE(std::holds_alternative<FieldError>(r));
  EXPECT_THAT(std::get<FieldError>(r).message, HasSubstr("no on-call directory is configured"));
}

TEST(OncallDutyNoteBody, NeedsAKnownGroupAndABoundedUtf8Text) {
  OncallLimits limits;
  auto ok = parse_duty_note(R"({"group":"noc","text":"r1 flapping: carrier ticket 4711"})", directory().get(), limits);
  ASSERT_TRUE(std::holds_alternative<oncall::DutyNote>(ok));
  EXPECT_EQ(std::get<oncall::DutyNote>(ok).text, "r1 flapping: carrier ticket 4711");
  auto field = [&](const std::string& body) {
    auto r = parse_duty_note(body, directory().get(), limits);
    return std::holds_alternative<FieldError>(r) ? std::get<FieldError>(r).field + ": " + std::get<FieldError>(r).message
                                                 : std::string("accepted");
  };
  EXPECT_EQ(field(R"({"group":"web","text":"x"})"), "group: unknown group 'web': not in oncall.groups[]");
  EXPECT_EQ(field(R"({"group":"noc","text":"  \n"})"), "text: text is required");
  EXPECT_EQ(field(R"({"group":"noc","text":")" + std::string(4097, 'x') + "\"}"),
            "text: text is longer than 4096 bytes");
  EXPECT_THAT(field("{\"group\":\"noc\",\"text\":\"\xff\"}"), HasSubstr("invalid JSON body")) << "bytes that are not UTF-8";
}

TEST(OncallAnswer, ListsWhoIsOnDutyPerLayerWithContactsShiftAndOverride) {
  oncall::StoredOverride o;
  o.id = 4;
  o.group = "noc";
  o.person = "bob";
  o.from_ms = at("2026-01-07T12:00:00+01:00");
  o.to_ms = at("2026-01-07T18:00:00+01:00");
  o.reason = "alice at the dentist";
  auto d = oncall::with_overrides(*directory(), {o});

  json::value v = on_call_json(*d, "noc", now);
  const auto& g = v.at("groups").at(0);
  EXPECT_EQ(g.at("group"), "noc");
  EXPECT_EQ(g.at("lead").at("id"), "bob");
  const auto& primary = g.at("layers").at(0);
  EXPECT_EQ(primary.at("layer"), "primary");
  const auto& alice = primary.at("on_duty").at(0);
  EXPECT_EQ(alice.at("id"), "alice");
  EXPECT_EQ(alice.at("name"), "Alice Martin");
  EXPECT_EQ(alice.at("contacts").at(0).at("channel"), "sms");
  EXPECT_EQ(alice.at("contacts").at(0).at("address"), "+33612345670");
  EXPECT_EQ(alice.at("shift_start"), "2026-01-05T08:00:00.000Z");
  EXPECT_EQ(alice.at("shift_end"), "2026-01-07T11:00:00.000Z") << "cut by the override";
  EXPECT_TRUE(primary.at("override").is_null());
  EXPECT_TRUE(g.at("layers").at(1).at("on_duty").as_array().empty()) << "no secondary rotation";

  json::value during = on_call_json(*d, "noc", at("2026-01-07T13:00:00+01:00"));
  const auto& layer = during.at("groups").at(0).at("layers").at(0);
  EXPECT_EQ(layer.at("on_duty").at(0).at("id"), "bob");
  EXPECT_EQ(layer.at("override").at("id"), 4);
  EXPECT_EQ(layer.at("override").at("reason"), "alice at the dentist");
  EXPECT_EQ(layer.at("on_duty").at(0).at("shift_end"), "2026-01-07T17:00:00.000Z");

  bool carol_warned = false;
  for (const auto& w : v.at("warnings").as_array())
    carol_warned |= w.at("kind") == "no_contact" && w.at("person") == "carol";
  EXPECT_TRUE(carol_warned) << json::serialize(v.at("warnings"));
}

TEST(OncallAnswer, WithoutAGroupEveryGroupIsListedAndAGroupWithoutRosterHasNobodyOnDuty) {
  json::value v = on_call_json(*directory(), "", now);
  ASSERT_EQ(v.at("groups").as_array().size(), 2u);
  EXPECT_EQ(v.at("groups").at(1).at("group"), "dba");
  EXPECT_TRUE(v.at("groups").at(1).at("layers").at(0).at("on_duty").as_array().empty());
}

TEST(OncallCalendarAnswer, ListsShiftsPerLayerOverTheDaysAsked) {
  json::value v = calendar_json(*directory(), "noc", at("2026-01-05T09:00:00+01:00"), 14);
  EXPECT_EQ(v.at("days"), 14);
  EXPECT_EQ(v.at("to"), "2026-01-19T08:00:00.000Z");
  const auto& shifts = v.at("groups").at(0).at("layers").at(0).at("shifts").as_array();
  ASSERT_EQ(shifts.size(), 2u);
  EXPECT_EQ(shifts[0].at("person"), "alice");
  EXPECT_EQ(shifts[1].at("person"), "bob");
  EXPECT_EQ(shifts[1].at("start"), "2026-01-12T08:00:00.000Z");
  EXPECT_EQ(shifts[1].at("override"), false);
}

TEST(OncallDirectoryState, MergesStoredOverridesAndPublishesEachChangeInOrder) {
  OncallDirectory d(directory());
  std::vector<std::string> seen;
  d.on_change([&](OncallDirectory::Snapshot s) { seen.push_back(s->on_call("noc", oncall::Layer::primary, now).at(0)); });
  EXPECT_EQ(d.current()->on_call("noc", oncall::Layer::primary, now).at(0), "alice");
  oncall::StoredOverride o;
  o.id = 1;
  o.group = "noc";
  o.person = "carol";
  o.from_ms = now - 1;
  o.to_ms = now + 1;
  d.set_overrides({o});
  EXPECT_EQ(d.current()->on_call("noc", oncall::Layer::primary, now).at(0), "carol");
  std::string applied;
  d.rebase(directory(), [&](OncallDirectory::Snapshot s) { applied = s->on_call("noc", oncall::Layer::primary, now).at(0); });
  EXPECT_EQ(applied, "carol") << "a reload keeps the stored overrides";
  d.set_overrides({});
  EXPECT_EQ(seen, (std::vector<std::string>{"carol", "alice"}));
  OncallDirectory none(nullptr, {o});
  EXPECT_EQ(none.current(), nullptr);
}

TEST(OncallDirectoryState, OverridesThatHaveEndedAreLeftOutOfTheNextSnapshot) {
  FakeClock clock;
  clock.advance_ms(now - clock.wall_ms());
  oncall::StoredOverride ended, running;
  ended.id = 1;
  ended.group = running.group = "noc";
  ended.person = running.person = "carol";
  ended.from_ms = now - 7200'000;
  ended.to_ms = now - 3600'000;
  running.id = 2;
  running.from_ms = now - 1;
  running.to_ms = now + 3600'000;
  OncallDirectory d(directory(), {ended, running}, {}, &clock);
  auto stored_in = [](const OncallDirectory::Snapshot& s) {
    std::vector<std::int64_t> ids;
    for (const auto& r : s->rosters())
      for (const auto& o : r.overrides)
        if (o.id != 0) ids.push_back(o.id);
    return ids;
  };
  EXPECT_EQ(stored_in(d.current()), (std::vector<std::int64_t>{2}));
  EXPECT_EQ(d.stored().size(), 2u) << "the history stays stored";
  clock.advance_ms(3600'000);
  d.set_overrides(d.stored());
  EXPECT_TRUE(stored_in(d.current()).empty());
  EXPECT_EQ(d.current()->on_call("noc", oncall::Layer::primary, clock.wall_ms()).at(0), "alice");
}

}  // namespace
}  // namespace tocsin::api

// Schema tables and loading of the oncall section.
#include "daemon/oncall_settings.hpp"

#include <set>

namespace tocsin {

using config::Section;
using config::Type;

const Section& oncall_section() {
  static const Section s{
      "oncall",
      "Who is on call: users with their contact methods, groups (the owner groups of the CMDB) and a roster per "
      "group. A new incident is assigned to the first person on primary duty of its group. Loaded at start and on "
      "SIGHUP; a reload with an invalid roster keeps the running one. See correlator/oncall/README.md.",
      {{"users", Type::list, "", "People who can be paged (see oncall.users[])."},
       {"groups", Type::list, "", "Groups with members, a lead and a manager (see oncall.groups[])."},
       {"rosters", Type::list, "", "One roster per group: rotations by layer and overrides (see oncall.rosters[])."}}};
  return s;
}

const Section& oncall_user_section() {
  static const Section s{
      "oncall.users[]",
      "One person.",
      {{"id", Type::string, "", "Stable key named by groups and rosters, e.g. alice.", {}, true},
       {"name", Type::string, "", "Display name; the id when empty."},
       {"time_zone", Type::string, "", "IANA time zone of the person, e.g. Europe/Paris; empty: UTC."},
       {"contacts", Type::list, "",
        "Contact methods in the person's preferred order (see oncall.users[].contacts[])."}}};
  return s;
}

const Section& oncall_contact_section() {
  static const Section s{
      "oncall.users[].contacts[]",
      "One contact method: exactly one of the keys.",
      {{"sms", Type::string, "", "Mobile number in international form, e.g. \"+33 6 12 34 56 78\" (spaces, dashes, "
                                 "dots ignored; a leading 00 counts as +)."},
       {"email", Type::string, "", "E-mail address."}}};
  return s;
}

const Section& oncall_group_section() {
  static const Section s{
      "oncall.groups[]",
      "One group.",
      {{"id", Type::string, "", "Group name as incidents carry it (the CMDB's owner_group).", {}, true},
       {"name", Type::string, "", "Display name; the id when empty."},
       {"members", Type::string_list, "", "User ids."},
       {"lead", Type::string, "", "User id of the team lead (an escalation target)."},
       {"manager", Type::string, "", "User id of the manager (an escalation target)."}}};
  return s;
}

const Section& oncall_roster_section() {
  static const Section s{
      "oncall.rosters[]",
      "The roster of one group: who is on duty in each layer.",
      {{"group", Type::string, "", "A group of oncall.groups[].", {}, true},
       {"rotations", Type::list, "",
        "Rotations; several in one layer cover different hours (day and night shifts, follow-the-sun) and "
        "everyone on duty at once is paged (see oncall.rosters[].rotations[])."},
       {"overrides", Type::list, "", "Replacements of a layer for a time (see oncall.rosters[].overrides[])."}}};
  return s;
}

const Section& oncall_rotation_section() {
  static const Section s{
      "oncall.rosters[].rotations[]",
      "Participants take turns of `shift` starting on `start` at `handover`, counted in the wall clock of "
      "`time_zone` (a daily hand-over at 09:00 stays at 09:00 local across DST changes).",
      {{"layer", Type::choice, "primary", "The layer this rotation fills.", {"primary", "secondary"}},
       {"participants", Type::string_list, "", "User ids, in turn order.", {}, true},
       {"shift", Type::duration, "7d", "Length of one turn: 7d, 1d, 12h or any whole number of minutes."},
       {"handover", Type::string, "09:00", "Local time of day of the first hand-over (HH:MM)."},
       {"time_zone", Type::string, "UTC", "IANA time zone the rotation counts in, e.g. Europe/Paris."},
       {"start", Type::string, "", "Local date of the first turn (YYYY-MM-DD).", {}, true},
       {"window", Type::string, "",
        "Hours of the day the rotation is on duty, HH:MM-HH:MM local (20:00-08:00 crosses midnight); "
        "empty: all day."}}};
  return s;
}

const Section& oncall_override_section() {
  static const Section s{
      "oncall.rosters[].overrides[]",
      "Person `person` replaces the whole layer from `from` (inclusive) to `to` (exclusive); when overrides "
      "overlap the last listed wins.",
      {{"layer", Type::choice, "primary", "The layer replaced.", {"primary", "secondary"}},
       {"person", Type::string, "", "User id.", {}, true},
       {"from", Type::string, "", "RFC 3339 time with an offset, e.g. 2026-12-24T18:00:00+01:00.", {}, true},
       {"to", Type::string, "", "RFC 3339 time with an offset, after `from`.", {}, true}}};
  return s;
}

namespace {

using Ids = std::set<std::string, std::less<>>;

void check_zone(const config::Node& n, std::string_view key, const std::string& zone) {
  if (!zone.empty() && !oncall::known_zone(zone))
    n.error(key, "unknown time zone '" + zone + "': use an IANA name such as Europe/Paris or America/New_York");
}

void check_person(const config::Node& n, std::string_view key, const std::string& id, const Ids& users) {
  if (!id.empty() && !users.contains(id)) n.error(key, "unknown person '" + id + "': not in oncall.users[]");
}

oncall::Person load_user(const config::Node& u) {
  oncall::Person p{u.string("id"), u.string("name"), {}, u.string("time_zone")};
  if (p.name.empty()) p.name = p.id;
  check_zone(u, "time_zone", p.time_zone);
  for (const auto& c : u.list("contacts", oncall_contact_section())) {
    bool sms = c.present("sms"), email = c.present("email");
    if (sms == email) {
      c.error("give exactly one of sms or email");
    } else if (sms) {
      std::string number = c.string("sms");
      if (oncall::normalize_phone(number).rfind('+', 0) != 0)
        c.error("sms", "expected a number in international form such as +33612345678");
      p.contacts.push_back({"sms", number});
    } else {
      std::string mail = c.string("email");
      if (mail.find('@') == std::string::npos) c.error("email", "expected an e-mail address such as alice@example.net");
      p.contacts.push_back({"email", mail});
    }
  }
  return p;
}

oncall::Rotation load_rotation(const config::Node& n, const Ids& users) {
  oncall::Rotation r;
  r.layer = *oncall::parse_layer(n.choice("layer"));
  r.participants = n.string_list("participants");
  if (r.participants.empty()) n.error("participants", "a rotation needs at least one participant");
  for (const auto& p : r.participants) check_person(n, "participants", p, users);
  auto shift = n.duration("shift");
  if (shift.count() < 60'000 || shift.count() % 60'000 != 0)
    n.error("shift", "expected a whole number of minutes, at least 1m (7d, 1d, 12h, 90m)");
  r.shift_minutes = std::max<std::int64_t>(1, shift.count() / 60'000);
  auto handover = oncall::parse_time_of_day(n.string("handover"));
  if (!handover) n.error("handover", "expected a local time of day HH:MM such as 09:00");
  r.handover_minute = handover.value_or(0);
  r.time_zone = n.string("time_zone");
  check_zone(n, "time_zone", r.time_zone);
  auto start = oncall::parse_day(n.string("start"));
  if (!start && n.present("start")) n.error("start", "expected a date YYYY-MM-DD such as 2026-01-05");
  r.start_day = start.value_or(0);
  std::string window = n.string("window");
  if (!window.empty()) {
    auto dash = window.find('-');
    auto from = oncall::parse_time_of_day(window.substr(0, dash));
    auto to = dash == std::string::npos ? std::nullopt : oncall::parse_time_of_day(window.substr(dash + 1), true);
    if (!from || !to || *from == *to)
      n.error("window", "expected HH:MM-HH:MM with two different times, such as 08:00-20:00 or 20:00-08:00");
    r.window_from = from;
    r.window_to = to;
  }
  return r;
}

oncall::Override load_override(const config::Node& n, const Ids& users) {
  oncall::Override o;
  o.layer = *oncall::parse_layer(n.choice("layer"));
  o.person = n.string("person");
  check_person(n, "person", o.person, users);
  auto from = oncall::parse_instant(n.string("from"));
  auto to = oncall::parse_instant(n.string("to"));
  if (!from && n.present("from")) n.error("from", "expected an RFC 3339 time such as 2026-12-24T18:00:00+01:00");
  if (!to && n.present("to")) n.error("to", "expected an RFC 3339 time such as 2026-12-26T09:00:00+01:00");
  if (from && to && *to <= *from) n.error("to", "must be after from");
  o.from_ms = from.value_or(0);
  o.to_ms = to.value_or(0);
  return o;
}

}  // namespace

std::shared_ptr<const oncall::Snapshot> load_oncall_settings(const config::Node& root) {
  if (!root.present("oncall")) {
    root.map("oncall", oncall_section());  // declared, nothing to read
    return nullptr;
  }
  auto section = root.map("oncall", oncall_section());
  std::size_t before = section.errors().messages().size();
  oncall::RosterData data;
  Ids users, groups, rostered;
  for (const auto& u : section.list("users", oncall_user_section())) {
    data.people.push_back(load_user(u));
    if (!users.insert(data.people.back().id).second) u.error("id", "duplicate user id '" + data.people.back().id + "'");
  }
  for (const auto& g : section.list("groups", oncall_group_section())) {
    oncall::Group group{g.string("id"), g.string("name"), g.string_list("members"), g.string("lead"), g.string("manager")};
    if (group.name.empty()) group.name = group.id;
    if (!groups.insert(group.id).second) g.error("id", "duplicate group id '" + group.id + "'");
    for (const auto& m : group.members) check_person(g, "members", m, users);
    check_person(g, "lead", group.lead, users);
    check_person(g, "manager", group.manager, users);
    data.groups.push_back(std::move(group));
  }
  for (const auto& r : section.list("rosters", oncall_roster_section())) {
    oncall::Roster roster{r.string("group"), {}, {}};
    if (!groups.contains(roster.group)) r.error("group", "unknown group '" + roster.group + "': not in oncall.groups[]");
    if (!rostered.insert(roster.group).second) r.error("group", "a second roster for group '" + roster.group + "'");
    for (const auto& n : r.list("rotations", oncall_rotation_section())) roster.rotations.push_back(load_rotation(n, users));
    for (const auto& n : r.list("overrides", oncall_override_section())) roster.overrides.push_back(load_override(n, users));
    data.rosters.push_back(std::move(roster));
  }
  if (section.errors().messages().size() != before) return nullptr;
  return std::make_shared<const oncall::Snapshot>(std::move(data));
}

}  // namespace tocsin

#pragma once
// On-call rosters: people, groups and the rotations that say who is on duty.
// Pure logic over an immutable Snapshot (built once from the configuration,
// swapped whole on reload); every question takes the wall time it is asked
// for. Rotations count in the wall clock of their IANA time zone, so a daily
// hand-over at 09:00 Europe/Paris stays at 09:00 local across DST changes.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "correlator/oncall/directory.hpp"
#include "correlator/oncall/records.hpp"

namespace date {
class time_zone;
}

namespace tocsin::oncall {

struct Group {
  std::string id;  // the group incidents are assigned to (CMDB owner_group)
  std::string name;
  std::vector<std::string> members;
  std::string lead;
  std::string manager;
};

// One rotation of one layer: participants take turns of `shift_minutes` of
// wall-clock time in `time_zone`, the first turn starting at `start_day`
// (days since 1970-01-01 in that zone) at `handover_minute` (minutes after
// local midnight). With a window the rotation is on duty only between
// `window_from` and `window_to` (local minutes; from > to crosses midnight,
// e.g. a night shift 20:00–08:00); without one it is on duty all day.
struct Rotation {
  Layer layer = Layer::primary;
  std::vector<std::string> participants;
  std::int64_t shift_minutes = 7 * 24 * 60;
  std::string time_zone = "UTC";
  int handover_minute = 0;
  std::int64_t start_day = 0;
  std::optional<int> window_from;
  std::optional<int> window_to;
};

// Person `person` replaces the whole layer from `from_ms` (inclusive) to
// `to_ms` (exclusive). When overrides overlap, the one listed last wins.
struct Override {
  Layer layer = Layer::primary;
  std::string person;
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;
  std::int64_t id = 0;  // 0: from the configuration; else the StoredOverride's id
  std::string reason;
};

struct Roster {
  std::string group;
  std::vector<Rotation> rotations;
  std::vector<Override> overrides;
};

// One turn of duty in a calendar: [start_ms, end_ms).
struct Shift {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  Layer layer = Layer::primary;
  std::string person;
};

struct Warning {
  std::string kind;  // "gap", "no_contact", "unknown_person"
  std::string group;   // empty for a person without contact
  std::string person;  // empty for a gap
  std::int64_t from_ms = 0;  // gaps only
  std::int64_t to_ms = 0;
  std::string message;
};

struct RosterData {
  std::vector<Person> people;
  std::vector<Group> groups;
  std::vector<Roster> rosters;
};

std::string_view to_string(Layer layer);
std::optional<Layer> parse_layer(std::string_view text);

// "+33 6 12-34.56 78" → "+33612345678"; a leading "00" counts as "+".
// Empty when the text holds no digit or a character other than digits,
// spaces, dashes, dots, parentheses and one leading plus.
std::string normalize_phone(std::string_view text);
// True when the IANA zone is known to the time-zone database.
bool known_zone(std::string_view name);
// "09:00" → 540; nullopt unless HH:MM with HH < 24 (or "24:00" when allow_24).
std::optional<int> parse_time_of_day(std::string_view text, bool allow_24 = false);
// "2026-03-29" → days since 1970-01-01.
std::optional<std::int64_t> parse_day(std::string_view text);
// RFC 3339 with an offset or Z ("2026-12-24T18:00:00+01:00") → ms since the epoch.
std::optional<std::int64_t> parse_instant(std::string_view text);

// Who is on duty for one rotation at `at_ms`; empty when the rotation is off
// duty (outside its window, before its start or without participants).
std::string on_duty(const Rotation& rotation, std::int64_t at_ms);

// People and groups created, replaced or deleted through the API, by id, laid
// over the configuration's: an entry replaces the configured one of the same
// id (in its place) or is added after them; nullopt hides it.
struct Overlay {
  std::map<std::string, std::optional<Person>, std::less<>> people;
  std::map<std::string, std::optional<Group>, std::less<>> groups;
  bool empty() const { return people.empty() && groups.empty(); }
};

RosterData with_overlay(RosterData base, const Overlay& overlay);

// What makes a directory inconsistent, as the configuration loader refuses
// it: a person with an unknown time zone or a bad contact, a group naming an
// undefined person (members, lead, manager), a roster of an unknown group or
// naming an undefined person. `kind` is "person", "group" or "roster", `id`
// the person's or group's id, `field` the key at fault ("members",
// "contacts[0].sms", "rotations[1].participants").
struct Problem {
  std::string kind;
  std::string id;
  std::string field;
  std::string message;
  bool operator==(const Problem&) const = default;
};
std::vector<Problem> check(const RosterData& data);
// The problem with one contact method, empty when it is fine (the channel
// is "sms" or "email").
std::string contact_problem(const Contact& contact);

class Snapshot;

// `base` with the stored overrides appended to the rosters of their groups
// (after the configured ones, so they win where they overlap); overrides of a
// group without a roster make one. Overrides of unknown groups are left out.
std::shared_ptr<const Snapshot> with_overrides(const Snapshot& base, const std::vector<StoredOverride>& overrides);

class Snapshot final : public Directory {
 public:
  // Unknown zones fall back to UTC and are listed by warnings(); the
  // configuration loader rejects them before building.
  explicit Snapshot(RosterData data);
  ~Snapshot() override;

  const Person* person(std::string_view id) const override;
  const Person* person_by_address(std::string_view channel, std::string_view address) const override;
  std::vector<std::string> on_call(std::string_view group, Layer layer, std::int64_t at_ms) const override;
  std::string lead(std::string_view group) const override;
  std::string manager(std::string_view group) const override;
  std::vector<std::string> members(std::string_view group) const override;

  const Group* group(std::string_view id) const;
  const std::vector<Person>& people() const { return data_.people; }
  const std::vector<Group>& groups() const { return data_.groups; }
  const std::vector<Roster>& rosters() const { return data_.rosters; }

  // Turns of duty of both layers of `group` from `from_ms` for `days` days,
  // by start time then layer; consecutive turns of the same person are merged
  // and turns are cut at the ends of the range. Nobody on duty: no entry.
  std::vector<Shift> calendar(std::string_view group, std::int64_t from_ms, int days) const;
  // The turns of duty of `layer` running at `at_ms`, one per person on duty,
  // each with its extent, looked for up to 35 days either side of `at_ms`:
  // start_ms (end_ms) is 0 when the turn runs on beyond that.
  std::vector<Shift> shifts_at(std::string_view group, Layer layer, std::int64_t at_ms) const;
  // The override in force for the layer at `at_ms`; nullptr when none is.
  const Override* override_at(std::string_view group, Layer layer, std::int64_t at_ms) const;
  // Intervals in the next 14 days where a group with a roster has nobody on
  // primary, members and participants with no contact method, and people
  // named by groups or rosters who are not defined.
  std::vector<Warning> warnings(std::int64_t now_ms) const;

 private:
  const Roster* roster(std::string_view group) const;

  RosterData data_;
  std::map<std::string, std::size_t, std::less<>> people_;
  std::map<std::string, std::size_t, std::less<>> groups_;
  std::map<std::string, std::size_t, std::less<>> rosters_;
  std::map<std::string, std::size_t, std::less<>> by_phone_;
  std::map<std::string, std::size_t, std::less<>> by_email_;
};

}  // namespace tocsin::oncall

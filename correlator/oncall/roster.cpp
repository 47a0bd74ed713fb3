// Rotations in local wall-clock time, overrides, calendars and roster warnings.
#include "correlator/oncall/roster.hpp"

#include "correlator/time_zone.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>
#include <sstream>
#include <tuple>

namespace tocsin::oncall {

namespace {

constexpr std::int64_t minute_ms = 60'000;
constexpr std::int64_t day_minutes = 24 * 60;

const date::time_zone* zone_of(std::string_view name) { return find_zone(name); }

// Minutes of local wall-clock time since 1970-01-01 00:00 local.
std::int64_t local_minute(const date::time_zone* zone, std::int64_t at_ms) {
  date::sys_time<std::chrono::milliseconds> t{std::chrono::milliseconds(at_ms)};
  if (!zone) return floor_div(at_ms, minute_ms);
  auto local = zone->to_local(t);
  return floor_div(local.time_since_epoch().count(), minute_ms);
}

// The instants at which local minute `m` occurs (two in a repeated hour).
void instants_of(const date::time_zone* zone, std::int64_t m, std::vector<std::int64_t>& out) {
  if (!zone) {
    out.push_back(m * minute_ms);
    return;
  }
  date::local_time<std::chrono::minutes> local{std::chrono::minutes(m)};
  for (auto choice : {date::choose::earliest, date::choose::latest}) {
    auto sys = zone->to_sys(local, choice);
    out.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(sys.time_since_epoch()).count());
  }
}

bool in_window(const Rotation& r, std::int64_t tod) {
  if (!r.window_from || !r.window_to || *r.window_from == *r.window_to) return true;
  if (*r.window_from < *r.window_to) return tod >= *r.window_from && tod < *r.window_to;
  return tod >= *r.window_from || tod < *r.window_to;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The instants in [from_ms, to_ms) where a rotation may change hands.
void rotation_boundaries(const Rotation& r, std::int64_t from_ms, std::int64_t to_ms, std::vector<std::int64_t>& out) {
  const date::time_zone* zone = zone_of(r.time_zone);
  std::int64_t lf = local_minute(zone, from_ms) - 2 * day_minutes;
  std::int64_t lt = local_minute(zone, to_ms) + 2 * day_minutes;
  std::int64_t base = r.start_day * day_minutes + r.handover_minute;
  std::int64_t shift = std::max<std::int64_t>(r.shift_minutes, 1);
  std::int64_t k = std::max<std::int64_t>(0, floor_div(lf - base, shift));
  for (int n = 0; n < 100'000 && base + k * shift <= lt; ++k, ++n) instants_of(zone, base + k * shift, out);
  if (r.window_from && r.window_to) {
    for (std::int64_t day = floor_div(lf, day_minutes); day <= floor_div(lt, day_minutes); ++day) {
      instants_of(zone, day * day_minutes + *r.window_from, out);
      instants_of(zone, day * day_minutes + *r.window_to, out);
    }
  }
}

}  // namespace

std::string_view to_string(Layer layer) { return layer == Layer::primary ? "primary" : "secondary"; }

std::optional<Layer> parse_layer(std::string_view text) {
  if (text == "primary") return Layer::primary;
  if (text == "secondary") return Layer::secondary;
  return std::nullopt;
}

std::string normalize_phone(std::string_view text) {
  std::string digits;
  bool plus = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')' && c != '\t') {
      return {};
    }
  }
  if (digits.empty()) return {};
  if (!plus && digits.size() > 2 && digits.compare(0, 2, "00") == 0) digits.erase(0, 2);
  else if (!plus) return digits;
  return "+" + digits;
}

bool known_zone(std::string_view name) { return zone_of(name) != nullptr; }

std::optional<int> parse_time_of_day(std::string_view text, bool allow_24) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (std::size_t i : {0, 1, 3, 4})
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  int h = (text[0] - '0') * 10 + (text[1] - '0');
  int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (m > 59) return std::nullopt;
  if (h == 24 && m == 0 && allow_24) return 24 * 60;
  if (h > 23) return std::nullopt;
  return h * 60 + m;
}

std::optional<std::int64_t> parse_day(std::string_view text) {
  std::istringstream in{std::string(text)};
  date::year_month_day ymd{};
  in >> date::parse("%F", ymd);
  if (in.fail() || in.peek() != std::char_traits<char>::eof() || !ymd.ok()) return std::nullopt;
  return date::sys_days(ymd).time_since_epoch().count();
}

std::optional<std::int64_t> parse_instant(std::string_view text) {
  std::string s(text);
  if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) {
    s.pop_back();
    s += "+00:00";
  }
  std::istringstream in{s};
  date::sys_time<std::chrono::milliseconds> t;
  in >> date::parse("%FT%T%Ez", t);
  if (in.fail() || in.peek() != std::char_traits<char>::eof()) return std::nullopt;
  return t.time_since_epoch().count();
}

std::string on_duty(const Rotation& r, std::int64_t at_ms) {
  if (r.participants.empty() || r.shift_minutes <= 0) return {};
  std::int64_t local = local_minute(zone_of(r.time_zone), at_ms);
  if (!in_window(r, local - floor_div(local, day_minutes) * day_minutes)) return {};
  std::int64_t base = r.start_day * day_minutes + r.handover_minute;
  if (local < base) return {};
  std::int64_t turn = (local - base) / r.shift_minutes;
  return r.participants[static_cast<std::size_t>(turn % static_cast<std::int64_t>(r.participants.size()))];
}

Snapshot::Snapshot(RosterData data) : data_(std::move(data)) {
  for (std::size_t i = 0; i < data_.people.size(); ++i) {
    people_.emplace(data_.people[i].id, i);
    for (const auto& c : data_.people[i].contacts) {
      if (c.channel == "sms") {
        std::string n = normalize_phone(c.address);
        if (!n.empty()) by_phone_.emplace(n, i);
      } else if (c.channel == "email") {
        by_email_.emplace(lower(c.address), i);
      }
    }
  }
  for (std::size_t i = 0; i < data_.groups.size(); ++i) groups_.emplace(data_.groups[i].id, i);
  for (std::size_t i = 0; i < data_.rosters.size(); ++i) rosters_.emplace(data_.rosters[i].group, i);
}

Snapshot::~Snapshot() = default;

const Person* Snapshot::person(std::string_view id) const {
  auto it = people_.find(id);
  return it == people_.end() ? nullptr : &data_.people[it->second];
}

const Person* Snapshot::person_by_address(std::string_view channel, std::string_view address) const {
  bool mail = channel == "email" || (channel != "sms" && address.find('@') != std::string_view::npos);
  const auto& index = mail ? by_email_ : by_phone_;
  std::string key = mail ? lower(address) : normalize_phone(address);
  if (key.empty()) return nullptr;
  auto it = index.find(key);
  return it == index.end() ? nullptr : &data_.people[it->second];
}

const Group* Snapshot::group(std::string_view id) const {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : &data_.groups[it->second];
}

const Roster* Snapshot::roster(std::string_view group) const {
  auto it = rosters_.find(group);
  return it == rosters_.end() ? nullptr : &data_.rosters[it->second];
}

std::vector<std::string> Snapshot::on_call(std::string_view group, Layer layer, std::int64_t at_ms) const {
  const Roster* r = roster(group);
  if (!r) return {};
  if (const Override* o = override_at(group, layer, at_ms)) return {o->person};
  std::vector<std::string> out;
  for (const auto& rotation : r->rotations) {
    if (rotation.layer != layer) continue;
    std::string p = on_duty(rotation, at_ms);
    if (!p.empty() && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(std::move(p));
  }
  return out;
}

std::string Snapshot::lead(std::string_view group) const {
  const Group* g = this->group(group);
  return g ? g->lead : std::string();
}

std::string Snapshot::manager(std::string_view group) const {
  const Group* g = this->group(group);
  return g ? g->manager : std::string();
}

std::vector<std::string> Snapshot::members(std::string_view group) const {
  const Group* g = this->group(group);
  return g ? g->members : std::vector<std::string>{};
}

const Override* Snapshot::override_at(std::string_view group, Layer layer, std::int64_t at_ms) const {
  const Roster* r = roster(group);
  if (!r) return nullptr;
  for (auto it = r->overrides.rbegin(); it != r->overrides.rend(); ++it)
    if (it->layer == layer && at_ms >= it->from_ms && at_ms < it->to_ms) return &*it;
  return nullptr;
}

std::vector<Shift> Snapshot::shifts_at(std::string_view group, Layer layer, std::int64_t at_ms) const {
  constexpr std::int64_t reach_ms = 35 * day_minutes * minute_ms;
  std::vector<Shift> out;
  for (auto& s : calendar(group, at_ms - reach_ms, 2 * 35)) {
    if (s.layer != layer || s.start_ms > at_ms || at_ms >= s.end_ms) continue;
    if (s.start_ms == at_ms - reach_ms) s.start_ms = 0;  // began before the reach: unknown
    if (s.end_ms == at_ms + reach_ms) s.end_ms = 0;
    out.push_back(std::move(s));
  }
  return out;
}

std::shared_ptr<const Snapshot> with_overrides(const Snapshot& base, const std::vector<StoredOverride>& overrides) {
  RosterData data{base.people(), base.groups(), base.rosters()};
  for (const auto& o : overrides) {
    if (!base.group(o.group)) continue;
    auto r = std::find_if(data.rosters.begin(), data.rosters.end(), [&](const Roster& x) { return x.group == o.group; });
    if (r == data.rosters.end()) r = data.rosters.insert(data.rosters.end(), Roster{o.group, {}, {}});
    r->overrides.push_back({o.layer, o.person, o.from_ms, o.to_ms, o.id, o.reason});
  }
  return std::make_shared<const Snapshot>(std::move(data));
}

RosterData with_overlay(RosterData data, const Overlay& overlay) {
  auto lay = [](auto& items, const auto& changes) {
    std::set<std::string, std::less<>> seen;
    std::erase_if(items, [&](auto& item) {
      auto it = changes.find(item.id);
      if (it == changes.end()) return false;
      seen.insert(item.id);
      if (!it->second) return true;
      item = *it->second;
      return false;
    });
    for (const auto& [id, change] : changes)
      if (change && !seen.contains(id)) items.push_back(*change);
  };
  lay(data.people, overlay.people);
  lay(data.groups, overlay.groups);
  return data;
}

std::string contact_problem(const Contact& c) {
  if (c.channel == "sms") {
    if (normalize_phone(c.address).rfind('+', 0) != 0)
      return "expected a number in international form such as +33612345678";
    return {};
  }
  if (c.channel == "email") {
    auto at = c.address.find('@');
    if (at == std::string::npos) return "expected an e-mail address such as alice@example.net";
    return {};
  }
  return "unknown contact channel '" + c.channel + "': use sms or email";
}

std::vector<Problem> check(const RosterData& data) {
  std::vector<Problem> out;
  std::set<std::string, std::less<>> people, groups;
  for (const auto& p : data.people) {
    if (!people.insert(p.id).second) out.push_back({"person", p.id, "id", "duplicate user id '" + p.id + "'"});
    if (!p.time_zone.empty() && !known_zone(p.time_zone))
      out.push_back({"person", p.id, "time_zone",
                     "unknown time zone '" + p.time_zone +
                         "': use an IANA name such as Europe/Paris or America/New_York"});
    for (std::size_t i = 0; i < p.contacts.size(); ++i)
      if (auto why = contact_problem(p.contacts[i]); !why.empty())
        out.push_back({"person", p.id, "contacts[" + std::to_string(i) + "]." + p.contacts[i].channel, why});
  }
  auto named = [&](const std::string& kind, const std::string& id, const std::string& field,
                   const std::string& person) {
    if (!person.empty() && !people.contains(person))
      out.push_back({kind, id, field, "unknown person '" + person + "': not in oncall.users[]"});
  };
  for (const auto& g : data.groups) {
    if (!groups.insert(g.id).second) out.push_back({"group", g.id, "id", "duplicate group id '" + g.id + "'"});
    for (const auto& m : g.members) named("group", g.id, "members", m);
    named("group", g.id, "lead", g.lead);
    named("group", g.id, "manager", g.manager);
  }
  for (const auto& r : data.rosters) {
    if (!groups.contains(r.group))
      out.push_back({"roster", r.group, "group", "unknown group '" + r.group + "': not in oncall.groups[]"});
    for (std::size_t i = 0; i < r.rotations.size(); ++i)
      for (const auto& p : r.rotations[i].participants)
        named("roster", r.group, "rotations[" + std::to_string(i) + "].participants", p);
    for (std::size_t i = 0; i < r.overrides.size(); ++i)
      if (r.overrides[i].id == 0)
        named("roster", r.group, "overrides[" + std::to_string(i) + "].person", r.overrides[i].person);
  }
  return out;
}

std::vector<Shift> Snapshot::calendar(std::string_view group, std::int64_t from_ms, int days) const {
  const Roster* r = roster(group);
  if (!r || days <= 0) return {};
  std::int64_t to_ms = from_ms + static_cast<std::int64_t>(days) * day_minutes * minute_ms;
  std::vector<std::int64_t> points{from_ms, to_ms};
  for (const auto& rotation : r->rotations) rotation_boundaries(rotation, from_ms, to_ms, points);
  for (const auto& o : r->overrides) points.insert(points.end(), {o.from_ms, o.to_ms});
  std::erase_if(points, [&](std::int64_t p) { return p < from_ms || p > to_ms; });
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());

  std::vector<Shift> shifts;
  std::map<std::pair<Layer, std::string>, std::size_t> open;  // shifts still running at the current point
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    for (Layer layer : {Layer::primary, Layer::secondary}) {
      for (auto& p : on_call(group, layer, points[i])) {
        auto key = std::make_pair(layer, p);
        auto it = open.find(key);
        if (it != open.end() && shifts[it->second].end_ms == points[i]) {
          shifts[it->second].end_ms = points[i + 1];
        } else {
          open[key] = shifts.size();
          shifts.push_back({points[i], points[i + 1], layer, std::move(p)});
        }
      }
    }
  }
  std::stable_sort(shifts.begin(), shifts.end(), [](const Shift& a, const Shift& b) {
    return std::tie(a.start_ms, a.layer) < std::tie(b.start_ms, b.layer);
  });
  return shifts;
}

std::vector<Warning> Snapshot::warnings(std::int64_t now_ms) const {
  std::vector<Warning> out;
  constexpr int horizon_days = 14;
  for (const auto& r : data_.rosters) {
    std::vector<Shift> primary = calendar(r.group, now_ms, horizon_days);
    std::erase_if(primary, [](const Shift& s) { return s.layer != Layer::primary; });
    std::int64_t covered = now_ms;
    std::int64_t end = now_ms + horizon_days * day_minutes * minute_ms;
    auto gap = [&](std::int64_t from, std::int64_t to) {
      out.push_back({"gap", r.group, "", from, to, "nobody is on primary duty for group " + r.group});
    };
    for (const auto& s : primary) {
      if (s.start_ms > covered) gap(covered, s.start_ms);
      covered = std::max(covered, s.end_ms);
    }
    if (covered < end) gap(covered, end);
  }
  std::set<std::string> reported;
  auto named = [&](const std::string& id, const std::string& group, const std::string& where) {
    if (id.empty() || person(id) || !reported.insert(group + "\n" + id).second) return;
    out.push_back({"unknown_person", group, id, 0, 0, where + " names " + id + ", who is not a defined user"});
  };
  for (const auto& g : data_.groups) {
    for (const auto& m : g.members) named(m, g.id, "group " + g.id);
    named(g.lead, g.id, "group " + g.id + " (lead)");
    named(g.manager, g.id, "group " + g.id + " (manager)");
  }
  for (const auto& r : data_.rosters) {
    for (const auto& rotation : r.rotations) {
      for (const auto& p : rotation.participants) named(p, r.group, "the roster of " + r.group);
      if (!known_zone(rotation.time_zone))
        out.push_back({"unknown_zone", r.group, "", 0, 0,
                       "the roster of " + r.group + " uses unknown time zone " + rotation.time_zone + " (read as UTC)"});
    }
    for (const auto& o : r.overrides) named(o.person, r.group, "an override of " + r.group);
  }
  for (const auto& p : data_.people)
    if (p.contacts.empty())
      out.push_back({"no_contact", "", p.id, 0, 0, p.id + " has no contact method and cannot be paged"});
  return out;
}

}  // namespace tocsin::oncall

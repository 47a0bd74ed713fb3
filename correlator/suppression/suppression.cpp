// Occurrences of maintenance windows in local time, silence matchers, and the
// check the correlator makes when an alert starts firing and on every tick.
#include "correlator/suppression/suppression.hpp"

#include "correlator/time_zone.hpp"
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>

namespace tocsin::suppression {

namespace {

constexpr std::string_view schedule_names[] = {"once", "daily", "weekly"};
constexpr std::string_view op_names[] = {"=", "!=", "=~", "!~"};
constexpr std::string_view silence_state_names[] = {"pending", "active", "expired"};
constexpr std::string_view plain_fields[] = {"resource", "ci", "name", "source", "severity"};

const date::time_zone* zone_of(const std::string& name) { return find_zone(name); }

using Ms = std::chrono::milliseconds;

// The start instant of the occurrence that begins on local day `day`.
std::int64_t start_on(const date::time_zone* zone, date::local_days day, int at_minute) {
  date::local_time<Ms> local{day.time_since_epoch() + std::chrono::minutes(at_minute)};
  auto sys = zone->to_sys(local, date::choose::earliest);
  return std::chrono::duration_cast<Ms>(sys.time_since_epoch()).count();
}

bool starts_on(const MaintenanceWindow& w, date::local_days day) {
  if (w.schedule != Schedule::weekly) return true;
  unsigned wd = date::weekday(day).c_encoding();
  return (w.days >> wd) & 1U;
}

date::local_days local_day(const date::time_zone* zone, std::int64_t at_ms) {
  auto local = zone->to_local(date::sys_time<Ms>{Ms(at_ms)});
  return date::floor<date::days>(local);
}

// The alert's value of a matcher's field; empty when it has none.
std::string_view field_value(const Alert& a, std::string_view field) {
  if (field == "resource") return a.resource;
  if (field == "ci") return a.ci;
  if (field == "name") return a.name;
  if (field == "source") return a.source;
  if (field == "severity") return to_string(a.severity);
  if (field.starts_with("attr.")) {
    std::string_view key = field.substr(5);
    for (const auto& [k, v] : a.attributes)
      if (k == key) return v;
  }
  return {};
}

bool known_field(std::string_view field) {
  if (std::find(std::begin(plain_fields), std::end(plain_fields), field) != std::end(plain_fields)) return true;
  return field.starts_with("attr.") && field.size() > 5;
}

}  // namespace

std::string_view to_string(Schedule s) { return schedule_names[static_cast<std::size_t>(s)]; }

std::optional<Schedule> parse_schedule(std::string_view s) {
  for (std::size_t i = 0; i < std::size(schedule_names); ++i)
    if (schedule_names[i] == s) return static_cast<Schedule>(i);
  return std::nullopt;
}

std::optional<int> parse_weekday(std::string_view s) {
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int i = 0; i < 7; ++i)
    if (weekday_names[i] == lower) return i;
  return std::nullopt;
}

std::optional<int> parse_time_of_day(std::string_view s) {
  auto digit = [&](std::size_t i) { return s[i] >= '0' && s[i] <= '9'; };
  if (s.size() != 5 || s[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) return std::nullopt;
  int h = (s[0] - '0') * 10 + (s[1] - '0');
  int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::string format_time_of_day(int minutes) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (minutes / 60) % 100, minutes % 60);
  return buf;
}

std::optional<Interval> occurrence_at(const MaintenanceWindow& w, std::int64_t now_ms) {
  if (w.schedule == Schedule::once) {
    if (w.start_ms <= now_ms && now_ms < w.end_ms) return Interval{w.start_ms, w.end_ms};
    return std::nullopt;
  }
  const date::time_zone* zone = zone_of(w.time_zone);
  if (!zone || w.duration_ms <= 0) return std::nullopt;
  date::local_days today = local_day(zone, now_ms);
  // Occurrences that began up to `duration` (plus a day for the local offset) ago.
  std::int64_t back = w.duration_ms / day_ms + 1;
  for (std::int64_t k = 0; k <= back; ++k) {
    date::local_days day = today - date::days(k);
    if (!starts_on(w, day)) continue;
    std::int64_t start = start_on(zone, day, w.at_minute);
    if (start <= now_ms && now_ms < start + w.duration_ms) return Interval{start, start + w.duration_ms};
  }
  return std::nullopt;
}

std::optional<Interval> next_occurrence(const MaintenanceWindow& w, std::int64_t now_ms) {
  if (w.schedule == Schedule::once) {
    if (w.start_ms > now_ms) return Interval{w.start_ms, w.end_ms};
    return std::nullopt;
  }
  const date::time_zone* zone = zone_of(w.time_zone);
  if (!zone || w.duration_ms <= 0) return std::nullopt;
  date::local_days today = local_day(zone, now_ms);
  for (int k = -1; k <= 8; ++k) {
    date::local_days day = today + date::days(k);
    if (!starts_on(w, day)) continue;
    std::int64_t start = start_on(zone, day, w.at_minute);
    if (start > now_ms) return Interval{start, start + w.duration_ms};
  }
  return std::nullopt;
}

std::optional<Problem> validate(const MaintenanceWindow& w) {
  if (w.cis.empty()) return Problem{"cis", "at least one CI is required"};
  for (const auto& ci : w.cis)
    if (ci.empty() || ci.size() > max_value_bytes)
      return Problem{"cis", "each CI is a non-empty id of at most " + std::to_string(max_value_bytes) + " bytes"};
  if (w.comment.size() > max_text_bytes)
    return Problem{"comment", "comment is longer than " + std::to_string(max_text_bytes) + " bytes"};
  if (w.schedule == Schedule::once) {
    if (w.start_ms <= 0) return Problem{"start", "start is required for a one-off window"};
    if (w.end_ms <= w.start_ms) return Problem{"end", "end must be after start"};
    return std::nullopt;
  }
  if (!zone_of(w.time_zone)) return Problem{"time_zone", "unknown time zone '" + w.time_zone + "'; use an IANA name such as Europe/Paris"};
  if (w.at_minute < 0 || w.at_minute >= 24 * 60) return Problem{"at", "at must be a local time HH:MM"};
  std::int64_t longest = w.schedule == Schedule::daily ? day_ms : 7 * day_ms;
  if (w.duration_ms <= 0 || w.duration_ms > longest)
    return Problem{"duration", std::string("duration must be more than 0 and at most ") +
                                   (w.schedule == Schedule::daily ? "24h for a daily window" : "7d for a weekly window")};
  if (w.schedule == Schedule::weekly && (w.days & 0x7f) == 0)
    return Problem{"days", "a weekly window needs days, e.g. [sat, sun]"};
  return std::nullopt;
}

std::string_view to_string(MatchOp op) { return op_names[static_cast<std::size_t>(op)]; }

std::optional<MatchOp> parse_match_op(std::string_view s) {
  for (std::size_t i = 0; i < std::size(op_names); ++i)
    if (op_names[i] == s) return static_cast<MatchOp>(i);
  return std::nullopt;
}

std::string_view to_string(SilenceState s) { return silence_state_names[static_cast<std::size_t>(s)]; }

std::optional<SilenceState> parse_silence_state(std::string_view s) {
  for (std::size_t i = 0; i < std::size(silence_state_names); ++i)
    if (silence_state_names[i] == s) return static_cast<SilenceState>(i);
  return std::nullopt;
}

SilenceState state_at(const Silence& s, std::int64_t now_ms) {
  if (now_ms < s.start_ms) return SilenceState::pending;
  if (now_ms < s.end_ms) return SilenceState::active;
  return SilenceState::expired;
}

std::optional<Problem> compile(Silence& s) {
  if (s.matchers.empty()) return Problem{"matchers", "at least one matcher is required"};
  if (s.matchers.size() > max_matchers)
    return Problem{"matchers", "at most " + std::to_string(max_matchers) + " matchers"};
  bool positive = false;
  for (std::size_t i = 0; i < s.matchers.size(); ++i) {
    Matcher& m = s.matchers[i];
    std::string where = "matchers[" + std::to_string(i) + "]";
    if (!known_field(m.field))
      return Problem{where + ".field", "field must be one of resource, ci, name, source, severity, attr.<name>"};
    if (m.value.size() > max_value_bytes)
      return Problem{where + ".value", "value is longer than " + std::to_string(max_value_bytes) + " bytes"};
    if (m.op == MatchOp::regex || m.op == MatchOp::not_regex) {
      re2::RE2::Options options;
      options.set_log_errors(false);
      options.set_max_mem(1 << 20);
      auto re = std::make_shared<re2::RE2>(m.value, options);
      if (!re->ok()) return Problem{where + ".value", "invalid regular expression: " + re->error()};
      m.re = std::move(re);
    } else {
      m.re.reset();
    }
    if ((m.op == MatchOp::equal || m.op == MatchOp::regex) && !m.value.empty()) positive = true;
  }
  // Only negations (or empty values) would silence nearly everything.
  if (!positive) return Problem{"matchers", "at least one matcher must be = or =~ with a non-empty value"};
  if (s.author.size() > max_value_bytes) return Problem{"author", "author is too long"};
  if (s.comment.size() > max_text_bytes)
    return Problem{"comment", "comment is longer than " + std::to_string(max_text_bytes) + " bytes"};
  return std::nullopt;
}

std::optional<Problem> validate_new(const Silence& s, std::int64_t now_ms) {
  if (s.comment.empty()) return Problem{"comment", "comment is required: say why the alerts are silenced"};
  if (s.end_ms <= s.start_ms) return Problem{"end", "end must be after start"};
  if (s.end_ms <= now_ms) return Problem{"end", "end is in the past"};
  return std::nullopt;
}

bool matches(const Silence& s, const Alert& alert) {
  for (const Matcher& m : s.matchers) {
    std::string_view value = field_value(alert, m.field);
    bool hit = false;
    switch (m.op) {
      case MatchOp::equal: hit = value == m.value; break;
      case MatchOp::not_equal: hit = value != m.value; break;
      case MatchOp::regex: hit = m.re && re2::RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *m.re); break;
      case MatchOp::not_regex:
        hit = m.re && !re2::RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *m.re);
        break;
    }
    if (!hit) return false;
  }
  return true;
}

std::string maintenance_ref(const std::string& id) { return "maintenance:" + id; }
std::string silence_ref(std::int64_t id) { return "silence:" + std::to_string(id); }

void Suppressions::set_cmdb(std::shared_ptr<const cmdb::Cmdb> db) {
  if (db == cmdb_) return;
  cmdb_ = std::move(db);
  rebuild_scopes();
}

void Suppressions::set_config_windows(std::vector<MaintenanceWindow> windows) {
  std::erase_if(windows_, [](const MaintenanceWindow& w) { return w.from_config; });
  for (auto& w : windows) w.from_config = true;
  windows.insert(windows.end(), std::make_move_iterator(windows_.begin()), std::make_move_iterator(windows_.end()));
  windows_ = std::move(windows);
  rebuild_scopes();
}

void Suppressions::add_window(MaintenanceWindow w) {
  // Only the new window's scope: restoring n stored windows stays linear.
  scopes_.push_back(build_scope(w));
  windows_.push_back(std::move(w));
}

bool Suppressions::remove_window(const std::string& id) {
  auto n = std::erase_if(windows_, [&](const MaintenanceWindow& w) { return !w.from_config && w.id == id; });
  if (n > 0) rebuild_scopes();
  return n > 0;
}

const MaintenanceWindow* Suppressions::find_window(const std::string& id) const {
  for (const auto& w : windows_)
    if (w.id == id) return &w;
  return nullptr;
}

void Suppressions::add_silence(Silence s) {
  std::erase_if(silences_, [&](const Silence& o) { return o.id == s.id; });
  silences_.push_back(std::move(s));
}

Silence* Suppressions::find_silence(std::int64_t id) {
  for (auto& s : silences_)
    if (s.id == id) return &s;
  return nullptr;
}

void Suppressions::forget_expired(std::int64_t before_ms) {
  std::erase_if(silences_, [&](const Silence& s) { return s.end_ms < before_ms; });
}

// The names a window covers, computed once per window and CMDB snapshot:
// the listed CIs and, with include_dependents, every CI below them.
Suppressions::Scope Suppressions::build_scope(const MaintenanceWindow& w) const {
  Scope scope;
  std::vector<std::uint32_t> queue;
  for (const auto& id : w.cis) {
    scope.names.insert(id);
    if (!w.include_dependents || !cmdb_) continue;
    if (const cmdb::Ci* ci = cmdb_->find_id(id)) queue.push_back(cmdb_->index_of(*ci));
  }
  std::unordered_set<std::uint32_t> seen(queue.begin(), queue.end());
  while (!queue.empty()) {
    std::uint32_t at = queue.back();
    queue.pop_back();
    for (std::uint32_t below : cmdb_->downstream(at)) {
      if (!seen.insert(below).second) continue;
      scope.names.insert(cmdb_->cis()[below].id);
      queue.push_back(below);
    }
  }
  return scope;
}

void Suppressions::rebuild_scopes() {
  scopes_.clear();
  for (const auto& w : windows_) scopes_.push_back(build_scope(w));
}

bool Suppressions::in_scope(const Scope& scope, const Alert& alert) const {
  return (!alert.ci.empty() && scope.names.contains(alert.ci)) || scope.names.contains(alert.resource);
}

std::string Suppressions::check(const Alert& alert, std::int64_t now_ms) const {
  for (std::size_t i = 0; i < windows_.size(); ++i)
    if (in_scope(scopes_[i], alert) && occurrence_at(windows_[i], now_ms)) return maintenance_ref(windows_[i].id);
  for (const auto& s : silences_)
    if (state_at(s, now_ms) == SilenceState::active && matches(s, alert)) return silence_ref(s.id);
  return {};
}

}  // namespace tocsin::suppression

// Record ↔ JSON for the HTTP API and tocsinctl.
#include "daemon/json.hpp"

#include <boost/json.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>

#include "correlator/clock.hpp"

namespace tocsin::api {
namespace json = boost::json;

namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

// Length of the continuation and the allowed range of its first byte for a
// lead byte, following the well-formed table of Unicode 15, section 3.9.
struct Lead {
  int continuation = -1;  // -1: not a lead byte
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
};

Lead classify(unsigned char c) {
  if (c >= 0xC2 && c <= 0xDF) return {1};
  if (c == 0xE0) return {2, 0xA0, 0xBF};
  if (c == 0xED) return {2, 0x80, 0x9F};
  if (c >= 0xE1 && c <= 0xEF) return {2};
  if (c == 0xF0) return {3, 0x90, 0xBF};
  if (c >= 0xF1 && c <= 0xF3) return {3};
  if (c == 0xF4) return {3, 0x80, 0x8F};
  return {};
}

// Bytes of the sequence starting at `i` that form (a prefix of) a valid
// character, and whether the whole character is there.
std::pair<std::size_t, bool> scan(std::string_view s, std::size_t i) {
  Lead lead = classify(static_cast<unsigned char>(s[i]));
  if (lead.continuation < 0) return {1, false};
  std::size_t j = i + 1;
  for (int k = 0; k < lead.continuation; ++k, ++j) {
    unsigned char low = k == 0 ? lead.low : 0x80;
    unsigned char high = k == 0 ? lead.high : 0xBF;
    if (j >= s.size()) return {j - i, false};
    auto b = static_cast<unsigned char>(s[j]);
    if (b < low || b > high) return {j - i, false};
  }
  return {j - i, true};
}

json::string text(std::string_view s) { return json::string(valid_utf8(s)); }

json::value time_value(std::int64_t ms) {
  if (ms <= 0) return nullptr;
  return json::string(format_time(ms));
}

const json::value* field(const json::object& o, std::string_view key) { return o.if_contains(key); }

// Into a std::string, a Text or a Label.
template <typename String>
bool read_string(const json::object& o, std::string_view key, String& out) {
  const json::value* v = field(o, key);
  if (!v || !v->is_string()) return false;
  out = String(std::string_view(v->get_string()));
  return true;
}

template <typename Int>
bool read_int(const json::object& o, std::string_view key, Int& out) {
  const json::value* v = field(o, key);
  if (!v) return false;
  if (v->is_int64()) {
    out = static_cast<Int>(v->get_int64());
    return true;
  }
  if (v->is_uint64()) {
    out = static_cast<Int>(v->get_uint64());
    return true;
  }
  return false;
}

bool read_time(const json::object& o, std::string_view key, std::int64_t& out) {
  const json::value* v = field(o, key);
  if (!v) return false;
  if (v->is_null()) {
    out = 0;
    return true;
  }
  if (!v->is_string()) return false;
  auto t = parse_time(v->get_string());
  if (!t) return false;
  out = *t;
  return true;
}

bool read_bool(const json::object& o, std::string_view key, bool& out) {
  const json::value* v = field(o, key);
  if (!v || !v->is_bool()) return false;
  out = v->get_bool();
  return true;
}

template <typename Enum, typename Parse>
bool read_enum(const json::object& o, std::string_view key, Enum& out, Parse parse) {
  std::string s;
  if (!read_string(o, key, s)) return false;
  auto e = parse(s);
  if (!e) return false;
  out = *e;
  return true;
}

bool read_sla(const json::object& o, Sla& sla) {
  const json::value* v = field(o, "sla");
  if (!v || !v->is_object()) return false;
  const json::object& s = v->get_object();
  return read_time(s, "ack_due", sla.ack_due_ms) && read_time(s, "resolve_due", sla.resolve_due_ms) &&
         read_bool(s, "ack_breached", sla.ack_breached) && read_bool(s, "resolve_breached", sla.resolve_breached);
}

bool read_attributes(const json::object& o, LabelAttributes& out) {
  const json::value* v = field(o, "attributes");
  if (!v || !v->is_object()) return false;
  for (const auto& kv : v->get_object()) {
    if (!kv.value().is_string()) return false;
    out.emplace_back(std::string_view(kv.key()), std::string_view(kv.value().get_string()));
  }
  return true;
}

int two_digits(std::string_view s, std::size_t at) {
  if (at + 2 > s.size()) return -1;
  int v = 0;
  auto [p, ec] = std::from_chars(s.data() + at, s.data() + at + 2, v);
  return ec == std::errc{} && p == s.data() + at + 2 ? v : -1;
}

}  // namespace

std::string format_time(std::int64_t ms) { return format_rfc3339(ms); }

std::optional<std::int64_t> parse_time(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.mmm]Z
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
      s.back() != 'Z')
    return std::nullopt;
  int year = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + 4, year);
  int month = two_digits(s, 5), day = two_digits(s, 8);
  int hour = two_digits(s, 11), minute = two_digits(s, 14), second = two_digits(s, 17);
  if (ec != std::errc{} || p != s.data() + 4 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 60)
    return std::nullopt;
  int millis = 0;
  if (s.size() == 24 && s[19] == '.') {
    auto [q, ec2] = std::from_chars(s.data() + 20, s.data() + 23, millis);
    if (ec2 != std::errc{} || q != s.data() + 23) return std::nullopt;
  } else if (s.size() != 20) {
    return std::nullopt;
  }
  using namespace std::chrono;
  year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                      std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  auto t = sys_days{date} + hours{hour} + minutes{minute} + seconds{second} + milliseconds{millis};
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      out += s[i++];
      continue;
    }
    auto [length, complete] = scan(s, i);
    if (complete)
      out.append(s.substr(i, length));
    else
      out += replacement_character;
    i += length;
  }
  return out;
}

json::array strings(const std::vector<std::string>& list) {
  json::array out;
  for (const auto& s : list) out.push_back(text(s));
  return out;
}

// Root cause, symptoms, impacted CIs and business services of an incident,
// from its alerts: root-cause alerts are those that are not symptoms.
void add_topology(const IncidentDetail& d, json::object& o) {
  json::array roots, symptoms;
  std::vector<std::string> cis, services;
  auto add_unique = [](std::vector<std::string>& list, std::string_view s) {
    if (!s.empty() && std::find(list.begin(), list.end(), s) == list.end()) list.emplace_back(s);
  };
  add_unique(cis, d.incident.ci);
  for (const auto& s : d.incident.cmdb.services()) add_unique(services, s);
  for (const auto& a : d.alerts) {
    if (a.incident_id != d.incident.id) continue;
    json::object brief{{"alert_id", a.id}, {"name", text(a.name)}, {"resource", text(a.resource)},
                       {"ci", text(a.ci)}, {"state", to_string(a.state)}};
    (a.symptom ? symptoms : roots).push_back(std::move(brief));
    add_unique(cis, a.ci.empty() ? a.resource : a.ci);
    for (const auto& s : a.cmdb.services()) add_unique(services, s);
  }
  o["root_cause"] = json::object{{"ci", text(d.incident.ci)},
                                 {"ci_name", text(d.incident.cmdb.name())},
                                 {"alert_id", d.incident.root_alert_id},
                                 {"alerts", std::move(roots)}};
  o["symptoms"] = std::move(symptoms);
  o["impacted_cis"] = strings(cis);
  o["business_services"] = strings(services);
}

json::value to_json(const Incident& i) {
  return json::object{
      {"id", i.id},
      {"title", text(i.title)},
      {"state", to_string(i.state)},
      {"priority", text(i.priority)},
      {"severity", to_string(i.severity)},
      {"ci", text(i.ci)},
      {"service", text(i.service)},
      {"group", text(i.group)},
      {"assignee", text(i.assignee)},
      {"alert_count", i.alert_count},
      {"event_count", i.event_count},
      {"opened_at", time_value(i.opened_at_ms)},
      {"acknowledged_at", time_value(i.acknowledged_at_ms)},
      {"resolved_at", time_value(i.resolved_at_ms)},
      {"closed_at", time_value(i.closed_at_ms)},
      {"reopened_at", time_value(i.reopened_at_ms)},
      {"sla",
       json::object{{"ack_due", time_value(i.sla.ack_due_ms)},
                    {"resolve_due", time_value(i.sla.resolve_due_ms)},
                    {"ack_breached", i.sla.ack_breached},
                    {"resolve_breached", i.sla.resolve_breached}}},
      {"escalation_level", i.escalation_level},
      {"ci_name", text(i.cmdb.name())},
      {"criticality", text(i.criticality)},
      {"services", strings(i.cmdb.services())},
      {"location", text(i.cmdb.location())},
      {"runbook", text(i.cmdb.runbook())},
      {"root_alert_id", i.root_alert_id},
      {"symptom_count", i.symptom_count},
      {"merged_into", i.merged_into > 0 ? json::value(i.merged_into) : json::value(nullptr)},
      {"page_held_until", time_value(i.hold_until_ms)},
      {"resolves_at", time_value(i.resolve_after_ms)},
      // Only while the timed steps run: acknowledging stops them.
      {"next_escalation_at", time_value(i.state == IncidentState::open ? i.next_escalation_ms : 0)},
      {"resolution_code", text(i.resolution_code)},
      {"previous_group", text(i.previous_group)},
      {"priority_set_by", text(i.priority_set_by)},
      {"recurrence_count", i.recurrence_count},
  };
}

json::value to_json(const Alert& a) {
  json::object attributes;
  for (const auto& [key, value] : a.attributes) attributes[valid_utf8(key)] = text(value);
  return json::object{
      {"id", a.id},
      {"fingerprint", text(a.fingerprint)},
      {"name", text(a.name)},
      {"resource", text(a.resource)},
      {"severity", to_string(a.severity)},
      {"state", to_string(a.state)},
      {"summary", text(a.summary)},
      {"attributes", std::move(attributes)},
      {"first_seen", time_value(a.first_seen_ms)},
      {"last_seen", time_value(a.last_seen_ms)},
      {"resolved_at", time_value(a.resolved_at_ms)},
      {"count", a.count},
      {"incident_id", a.incident_id},
      {"ci", text(a.ci)},
      {"ci_name", text(a.cmdb.name())},
      {"group", text(a.group)},
      {"criticality", text(a.criticality)},
      {"services", strings(a.cmdb.services())},
      {"location", text(a.cmdb.location())},
      {"runbook", text(a.cmdb.runbook())},
      {"symptom", a.symptom},
      {"source", text(a.source)},
      // While suppressed, and kept on an alert that cleared while suppressed.
      {"suppressed_by", a.suppressed_by.empty() ? json::value(nullptr) : json::value(text(a.suppressed_by))},
  };
}

json::value to_json(const ProblemCandidate& p) {
  const Incident& last = p.last;
  return json::object{
      {"ci", text(p.ci)},
      {"ci_name", text(last.cmdb.name())},
      {"incident_count", p.incident_count},
      {"first_incident_at", time_value(p.first_opened_ms)},
      {"last_incident",
       json::object{{"id", last.id},
                    {"title", text(last.title)},
                    {"state", to_string(last.state)},
                    {"priority", text(last.priority)},
                    {"opened_at", time_value(last.opened_at_ms)}}},
      {"group", text(last.group)},
      {"criticality", text(last.criticality)},
      {"services", strings(last.cmdb.services())},
  };
}

json::value to_json(const CiHistoryEntry& h) {
  boost::system::error_code ec;
  json::value changes = json::parse(h.changes_json, ec);
  if (ec) changes = json::object{};
  return json::object{
      {"id", h.id},
      {"ci", text(h.ci)},
      {"at", time_value(h.at_ms)},
      {"actor", text(h.actor)},
      {"source", text(h.source)},
      {"action", text(h.action)},
      {"changes", std::move(changes)},
  };
}

json::value to_json(const CmdbGap& g) {
  return json::object{
      {"resource", text(g.resource)},
      {"source", text(g.source)},
      {"count", g.count},
      {"first_seen", time_value(g.first_seen_ms)},
      {"last_seen", time_value(g.last_seen_ms)},
  };
}

json::value to_json(const TimelineEntry& e) {
  return json::object{
      {"at", time_value(e.at_ms)},
      {"actor", text(e.actor)},
      {"action", text(e.action)},
      {"text", text(e.text)},
  };
}

json::value to_json(const IncidentDetail& d) {
  json::value v = to_json(d.incident);
  json::array alerts, timeline;
  for (const auto& a : d.alerts) alerts.push_back(to_json(a));
  for (const auto& e : d.timeline) timeline.push_back(to_json(e));
  v.as_object()["alerts"] = std::move(alerts);
  v.as_object()["timeline"] = std::move(timeline);
  add_topology(d, v.as_object());
  return v;
}

json::value to_json(const Notification& n) {
  return json::object{{"id", n.id},
                      {"channel", text(n.channel)},
                      {"recipient", text(n.recipient)},
                      {"person", text(n.person)},
                      {"kind", text(n.kind)},
                      {"step", n.step},
                      {"state", to_string(n.state)},
                      {"attempts", n.attempts},
                      {"created_at", time_value(n.created_at_ms)},
                      {"sent_at", time_value(n.sent_at_ms)},
                      {"last_error", text(n.last_error)},
                      {"possible_duplicate", n.possible_duplicate},
                      {"gateway_id", text(n.gateway_id)},
                      {"delivery_status", text(n.delivery_status)}};
}

std::optional<Incident> incident_from_json(const json::value& v) {
  if (!v.is_object()) return std::nullopt;
  const json::object& o = v.get_object();
  Incident i;
  bool ok = read_int(o, "id", i.id) && read_string(o, "title", i.title) &&
            read_enum(o, "state", i.state, parse_incident_state) && read_string(o, "priority", i.priority) &&
            read_enum(o, "severity", i.severity, parse_severity) && read_string(o, "ci", i.ci) &&
            read_string(o, "service", i.service) && read_string(o, "group", i.group) &&
            read_string(o, "assignee", i.assignee) && read_int(o, "alert_count", i.alert_count) &&
            read_int(o, "event_count", i.event_count) && read_time(o, "opened_at", i.opened_at_ms) &&
            read_time(o, "acknowledged_at", i.acknowledged_at_ms) && read_time(o, "resolved_at", i.resolved_at_ms) &&
            read_time(o, "closed_at", i.closed_at_ms) && read_sla(o, i.sla) &&
            read_int(o, "escalation_level", i.escalation_level);
  if (!ok) return std::nullopt;
  read_int(o, "recurrence_count", i.recurrence_count);  // absent from older servers
  read_time(o, "reopened_at", i.reopened_at_ms);
  return i;
}

std::optional<Alert> alert_from_json(const json::value& v) {
  if (!v.is_object()) return std::nullopt;
  const json::object& o = v.get_object();
  Alert a;
  bool ok = read_int(o, "id", a.id) && read_string(o, "fingerprint", a.fingerprint) &&
            read_string(o, "name", a.name) && read_string(o, "resource", a.resource) &&
            read_enum(o, "severity", a.severity, parse_severity) &&
            read_enum(o, "state", a.state, parse_alert_state) && read_string(o, "summary", a.summary) &&
            read_attributes(o, a.attributes) && read_time(o, "first_seen", a.first_seen_ms) &&
            read_time(o, "last_seen", a.last_seen_ms) && read_time(o, "resolved_at", a.resolved_at_ms) &&
            read_int(o, "count", a.count) && read_int(o, "incident_id", a.incident_id);
  if (!ok) return std::nullopt;
  // Optional: servers before suppression did not send them.
  read_string(o, "source", a.source);
  read_string(o, "suppressed_by", a.suppressed_by);
  return a;
}

std::optional<TimelineEntry> timeline_entry_from_json(const json::value& v) {
  if (!v.is_object()) return std::nullopt;
  const json::object& o = v.get_object();
  TimelineEntry e;
  bool ok = read_time(o, "at", e.at_ms) && read_string(o, "actor", e.actor) && read_string(o, "action", e.action) &&
            read_string(o, "text", e.text);
  if (!ok) return std::nullopt;
  return e;
}

}  // namespace tocsin::api

// Silences and maintenance windows ↔ JSON.
#include "daemon/suppression_json.hpp"

#include <boost/json.hpp>

#include "config/schema.hpp"
#include "correlator/suppression/suppression.hpp"
#include "daemon/json.hpp"

namespace tocsin::api {
namespace json = boost::json;

namespace {

constexpr std::size_t max_cis = 1000;

BodyError invalid(std::string field, std::string message) {
  return {BodyRejection::invalid_value, {std::move(field), std::move(message)}};
}

std::optional<BodyError> parse_object(std::string_view body, json::object& out) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return BodyError{BodyRejection::invalid_json, {"", "invalid JSON body: " + ec.message()}};
  if (!v.is_object()) return BodyError{BodyRejection::invalid_json, {"", "body must be a JSON object"}};
  out = std::move(v.get_object());
  return std::nullopt;
}

std::optional<BodyError> only_fields(const json::object& o, std::initializer_list<std::string_view> known) {
  for (const auto& kv : o)
    if (std::find(known.begin(), known.end(), kv.key()) == known.end())
      return BodyError{BodyRejection::unknown_field,
                       {std::string(valid_utf8(kv.key())), "unknown field '" + valid_utf8(kv.key()) + "'"}};
  return std::nullopt;
}

std::optional<BodyError> read_text(const json::object& o, std::string_view key, std::string& out,
                                   std::size_t max = suppression::max_text_bytes) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) return invalid(std::string(key), std::string(key) + " must be a string");
  if (v->get_string().size() > max)
    return invalid(std::string(key), std::string(key) + " is longer than " + std::to_string(max) + " bytes");
  out = std::string(v->get_string());
  return std::nullopt;
}

std::optional<BodyError> read_time(const json::object& o, std::string_view key, std::int64_t& out) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  auto t = v->is_string() ? parse_time(v->get_string()) : std::nullopt;
  if (!t) return invalid(std::string(key), std::string(key) + " must be an RFC 3339 UTC time, e.g. 2026-12-05T22:00:00Z");
  out = *t;
  return std::nullopt;
}

std::optional<BodyError> read_duration(const json::object& o, std::string_view key, std::int64_t& out) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  auto d = v->is_string() ? config::parse_duration(v->get_string()) : std::nullopt;
  if (!d || d->count() <= 0)
    return invalid(std::string(key), std::string(key) + " must be a positive duration such as 90m, 2h or 1d");
  out = d->count();
  return std::nullopt;
}

std::optional<BodyError> read_strings(const json::object& o, std::string_view key, std::vector<std::string>& out,
                                      std::size_t max_items) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  std::string field(key);
  if (!v->is_array()) return invalid(field, field + " must be an array of strings");
  if (v->get_array().size() > max_items)
    return invalid(field, field + " has more than " + std::to_string(max_items) + " entries");
  for (const auto& item : v->get_array()) {
    if (!item.is_string() || item.get_string().size() > suppression::max_value_bytes)
      return invalid(field, field + " must be an array of strings of at most " +
                                std::to_string(suppression::max_value_bytes) + " bytes");
    out.emplace_back(item.get_string());
  }
  return std::nullopt;
}

std::optional<BodyError> read_matchers(const json::object& o, std::vector<suppression::Matcher>& out) {
  const json::value* v = o.if_contains("matchers");
  if (!v || !v->is_array() || v->get_array().empty())
    return invalid("matchers", "matchers must be a non-empty array of {field, op, value}");
  if (v->get_array().size() > suppression::max_matchers)
    return invalid("matchers", "at most " + std::to_string(suppression::max_matchers) + " matchers");
  for (std::size_t i = 0; i < v->get_array().size(); ++i) {
    const json::value& item = v->get_array()[i];
    std::string where = "matchers[" + std::to_string(i) + "]";
    if (!item.is_object()) return invalid(where, where + " must be an object {field, op, value}");
    const json::object& m = item.get_object();
    if (auto e = only_fields(m, {"field", "op", "value"})) {
      e->problem.field = where + "." + e->problem.field;
      return e;
    }
    suppression::Matcher matcher;
    std::string op = "=";
    bool has_value = m.contains("value");
    if (auto e = read_text(m, "field", matcher.field, suppression::max_value_bytes)) return invalid(where + ".field", e->problem.message);
    if (auto e = read_text(m, "op", op, 2)) return invalid(where + ".op", "op must be one of =, !=, =~, !~");
    if (auto e = read_text(m, "value", matcher.value, suppression::max_value_bytes))
      return invalid(where + ".value", e->problem.message);
    if (matcher.field.empty()) return invalid(where + ".field", "field is required");
    if (!has_value) return invalid(where + ".value", "value is required");
    auto parsed = suppression::parse_match_op(op);
    if (!parsed) return invalid(where + ".op", "op must be one of =, !=, =~, !~");
    matcher.op = *parsed;
    out.push_back(std::move(matcher));
  }
  return std::nullopt;
}

json::value time_or_null(std::int64_t ms) {
  if (ms <= 0) return nullptr;
  return json::string(format_time(ms));
}

json::value interval(const std::optional<suppression::Interval>& i) {
  if (!i) return nullptr;
  return json::object{{"start", format_time(i->start_ms)}, {"end", format_time(i->end_ms)}};
}

}  // namespace

std::string_view to_string(BodyRejection r) {
  switch (r) {
    case BodyRejection::invalid_json: return "invalid_json";
    case BodyRejection::unknown_field: return "unknown_field";
    case BodyRejection::invalid_value: return "invalid_value";
  }
  return "invalid_value";
}

std::optional<BodyError> silence_from_json(std::string_view body, suppression::Silence& s, std::int64_t& duration) {
  json::object o;
  if (auto e = parse_object(body, o)) return e;
  if (auto e = only_fields(o, {"matchers", "start", "end", "duration", "comment"})) return e;
  if (auto e = read_matchers(o, s.matchers)) return e;
  if (auto e = read_time(o, "start", s.start_ms)) return e;
  if (auto e = read_time(o, "end", s.end_ms)) return e;
  duration = 0;
  if (auto e = read_duration(o, "duration", duration)) return e;
  if (auto e = read_text(o, "comment", s.comment)) return e;
  if (o.contains("end") == o.contains("duration")) return invalid("end", "give either end or duration");
  return std::nullopt;
}

std::optional<BodyError> window_from_json(std::string_view body, suppression::MaintenanceWindow& w) {
  json::object o;
  if (auto e = parse_object(body, o)) return e;
  if (auto e = only_fields(o, {"cis", "include_dependents", "schedule", "start", "end", "at", "duration", "days",
                               "time_zone", "comment"}))
    return e;
  if (!o.contains("cis")) return invalid("cis", "cis is required: the CI ids the window covers");
  if (auto e = read_strings(o, "cis", w.cis, max_cis)) return e;
  if (const json::value* v = o.if_contains("include_dependents")) {
    if (!v->is_bool()) return invalid("include_dependents", "include_dependents must be true or false");
    w.include_dependents = v->get_bool();
  }
  std::string schedule = "once";
  if (auto e = read_text(o, "schedule", schedule, 16)) return e;
  auto parsed = suppression::parse_schedule(schedule);
  if (!parsed) return invalid("schedule", "schedule must be one of once, daily, weekly");
  w.schedule = *parsed;
  if (auto e = read_text(o, "comment", w.comment)) return e;
  if (auto e = read_text(o, "time_zone", w.time_zone, 64)) return e;
  if (w.schedule == suppression::Schedule::once) {
    for (std::string_view key : {"at", "duration", "days", "time_zone"})
      if (o.contains(key)) return invalid(std::string(key), std::string(key) + " is for daily and weekly windows");
    if (!o.contains("start")) return invalid("start", "start is required for a one-off window");
    if (!o.contains("end")) return invalid("end", "end is required for a one-off window");
    if (auto e = read_time(o, "start", w.start_ms)) return e;
    if (auto e = read_time(o, "end", w.end_ms)) return e;
    return std::nullopt;
  }
  for (std::string_view key : {"start", "end"})
    if (o.contains(key)) return invalid(std::string(key), std::string(key) + " is for one-off windows; use at and duration");
  std::string at;
  if (auto e = read_text(o, "at", at, 8)) return e;
  auto minute = suppression::parse_time_of_day(at);
  if (!minute) return invalid("at", "at must be a local time HH:MM such as 22:00");
  w.at_minute = *minute;
  if (!o.contains("duration")) return invalid("duration", "duration is required, e.g. 4h");
  if (auto e = read_duration(o, "duration", w.duration_ms)) return e;
  std::vector<std::string> days;
  if (auto e = read_strings(o, "days", days, 7)) return e;
  if (w.schedule == suppression::Schedule::daily && !days.empty())
    return invalid("days", "days is for weekly windows");
  for (const auto& d : days) {
    auto day = suppression::parse_weekday(d);
    if (!day) return invalid("days", "'" + valid_utf8(d) + "' is not a day; use sun, mon, tue, wed, thu, fri, sat");
    w.days = static_cast<std::uint8_t>(w.days | (1U << *day));
  }
  return std::nullopt;
}

json::value to_json(const suppression::Silence& s, std::int64_t now_ms) {
  json::array matchers;
  for (const auto& m : s.matchers)
    matchers.push_back(json::object{{"field", valid_utf8(m.field)},
                                    {"op", suppression::to_string(m.op)},
                                    {"value", valid_utf8(m.value)}});
  return json::object{
      {"id", s.id},
      {"state", suppression::to_string(suppression::state_at(s, now_ms))},
      {"matchers", std::move(matchers)},
      {"start", time_or_null(s.start_ms)},
      {"end", time_or_null(s.end_ms)},
      {"author", valid_utf8(s.author)},
      {"comment", valid_utf8(s.comment)},
      {"created_at", time_or_null(s.created_at_ms)},
      {"suppresses", suppression::silence_ref(s.id)},
  };
}

json::value to_json(const suppression::MaintenanceWindow& w, std::int64_t now_ms) {
  json::array cis, days;
  for (const auto& c : w.cis) cis.push_back(json::string(valid_utf8(c)));
  for (int d = 0; d < 7; ++d)
    if ((w.days >> d) & 1U) days.push_back(json::string(suppression::weekday_names[d]));
  bool once = w.schedule == suppression::Schedule::once;
  auto current = suppression::occurrence_at(w, now_ms);
  return json::object{
      {"id", valid_utf8(w.id)},
      {"source", w.from_config ? "config" : "api"},
      {"schedule", suppression::to_string(w.schedule)},
      {"cis", std::move(cis)},
      {"include_dependents", w.include_dependents},
      {"start", once ? time_or_null(w.start_ms) : json::value(nullptr)},
      {"end", once ? time_or_null(w.end_ms) : json::value(nullptr)},
      {"at", once ? json::value(nullptr) : json::value(json::string(suppression::format_time_of_day(w.at_minute)))},
      {"duration_ms", once ? json::value(nullptr) : json::value(w.duration_ms)},
      {"days", std::move(days)},
      {"time_zone", once ? json::value(nullptr) : json::value(json::string(valid_utf8(w.time_zone)))},
      {"active", current.has_value()},
      {"current", interval(current)},
      {"next", interval(suppression::next_occurrence(w, now_ms))},
      {"author", valid_utf8(w.author)},
      {"comment", valid_utf8(w.comment)},
      {"created_at", time_or_null(w.created_at_ms)},
      {"suppresses", suppression::maintenance_ref(w.id)},
  };
}

}  // namespace tocsin::api

// Topic + payload → Events: the data path of every MQTT message, without I/O.
#include "collectors/mqtt/parser.hpp"

#include <boost/json.hpp>

#include <deque>
#include <variant>

#include "collectors/http/parser.hpp"

namespace tocsin::mqtt {

namespace json = boost::json;

namespace {

constexpr std::size_t max_topic_segments = 32;
constexpr std::size_t unmatched_summary_max = 200;

// Owned strings behind the views a Fields holds; a deque never moves them.
using Record = std::deque<std::pair<std::string, std::string>>;

struct Failure {
  RejectReason reason;
  std::string detail;
};

std::string scalar_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_null()) return "";
  return json::serialize(v);
}

std::optional<Failure> flatten(const json::value& v, const std::string& prefix, Record& out,
                               const PayloadLimits& limits) {
  if (!v.is_object()) {
    if (out.size() >= limits.max_fields) return Failure{RejectReason::too_many, "more than max_fields fields"};
    out.emplace_back(prefix, scalar_text(v));
    return std::nullopt;
  }
  for (const auto& item : v.get_object()) {
    std::string key = prefix.empty() ? std::string(item.key()) : prefix + "." + std::string(item.key());
    if (auto failure = flatten(item.value(), key, out, limits)) return failure;
  }
  return std::nullopt;
}

std::optional<json::value> parse_json(std::string_view payload, const PayloadLimits& limits, std::string& error) {
  json::parse_options options;
  options.max_depth = limits.max_depth;
  boost::system::error_code ec;
  json::value v = json::parse(payload, ec, {}, options);
  if (ec) {
    error = ec.message();
    return std::nullopt;
  }
  return v;
}

bool looks_like_json(std::string_view payload) {
  auto start = payload.find_first_not_of(" \t\r\n");
  return start != std::string_view::npos && (payload[start] == '{' || payload[start] == '[');
}

void add_topic_fields(std::string_view topic, const TopicPattern& pattern, Fields& fields,
                      std::deque<std::string>& names) {
  fields.add("topic", topic);
  std::size_t start = 0;
  for (std::size_t i = 1; i <= max_topic_segments && start <= topic.size(); ++i) {
    auto end = topic.find('/', start);
    if (end == std::string_view::npos) end = topic.size();
    names.push_back("topic_" + std::to_string(i));
    fields.add(names.back(), topic.substr(start, end - start));
    start = end + 1;
  }
  for (const auto& [name, value] : pattern.names(topic)) {
    names.push_back(name);
    fields.add(names.back(), value);
  }
}

// Fields a rule may rely on even when the payload names them otherwise.
void add_fallbacks(Fields& fields, std::string_view topic) {
  if (!fields.get("resource")) {
    std::string_view resource = topic;
    for (auto alias : {"host", "hostname", "device", "instance"})
      if (auto v = fields.get(alias); v && !v->empty()) {
        resource = *v;
        break;
      }
    fields.add("resource", resource);
  }
  if (!fields.get("summary")) {
    for (auto alias : {"message", "description", "text", "name"})
      if (auto v = fields.get(alias); v && !v->empty()) {
        fields.add("summary", *v);
        break;
      }
  }
}

std::optional<Event> map_record(const Record& record, std::string_view topic, std::string_view raw,
                                const Mapping& mapping, ParseResult& result) {
  Fields fields;
  std::deque<std::string> names;
  for (const auto& [k, v] : record) fields.add(k, v);
  add_topic_fields(topic, mapping.topic_pattern, fields, names);
  add_fallbacks(fields, topic);

  Event e;
  e.source = "mqtt";
  e.raw = std::string(raw);
  e.attributes.emplace_back("topic", std::string(topic));
  for (const auto& [name, value] : mapping.topic_pattern.names(topic))
    e.attributes.emplace_back(name, std::string(value));
  if (mapping.rules.apply(fields, e)) return e;

  ++result.unmatched;
  if (mapping.unmatched == Unmatched::discard) return std::nullopt;
  e.name = "mqtt_message";
  e.alert_key = e.name;
  e.kind = mapping.unmatched == Unmatched::alert ? EventKind::problem : EventKind::info;
  e.severity = mapping.unmatched == Unmatched::alert ? Severity::warning : Severity::info;
  e.resource = std::string(*fields.get("resource"));
  const std::string_view* summary = fields.get("summary");
  e.summary = std::string((summary ? *summary : raw).substr(0, unmatched_summary_max));
  return e;
}

std::variant<std::vector<Record>, Failure> records_of(const json::value& v, const PayloadLimits& limits) {
  std::vector<Record> records;
  auto add = [&](const json::value& item, const std::string& where) -> std::optional<Failure> {
    if (!item.is_object()) return Failure{RejectReason::wrong_type, where + ": expected a JSON object"};
    records.emplace_back();
    return flatten(item, "", records.back(), limits);
  };
  if (v.is_array()) {
    const auto& array = v.get_array();
    if (array.size() > limits.max_records)
      return Failure{RejectReason::too_many, std::to_string(array.size()) + " alerts, more than max_records"};
    for (std::size_t i = 0; i < array.size(); ++i)
      if (auto failure = add(array[i], "[" + std::to_string(i) + "]")) return *failure;
    return records;
  }
  if (auto failure = add(v, "payload")) return *failure;
  return records;
}

ParseResult reject(RejectReason reason, std::string detail) {
  ParseResult r;
  r.rejection = reason;
  r.detail = std::move(detail);
  return r;
}

ParseResult parse_tocsin(std::string_view topic, std::string_view payload, const Mapping& mapping) {
  http_ingest::Limits limits;
  limits.max_events = mapping.limits.max_records;
  auto parsed = http_ingest::parse_events(payload, limits);
  if (parsed.rejection) {
    auto reason = parsed.rejection->reason == http_ingest::RejectReason::invalid_json ? RejectReason::invalid_json
                  : parsed.rejection->reason == http_ingest::RejectReason::too_many ? RejectReason::too_many
                                                                                     : RejectReason::invalid_event;
    return reject(reason, parsed.rejection->field + ": " + parsed.rejection->message);
  }
  ParseResult r;
  r.events = std::move(parsed.events);
  for (auto& e : r.events) {
    e.source = "mqtt";
    e.attributes.emplace_back("topic", std::string(topic));
  }
  return r;
}

ParseResult map_records(const std::vector<Record>& records, std::string_view topic, std::string_view payload,
                        const Mapping& mapping) {
  ParseResult r;
  for (const auto& record : records)
    if (auto e = map_record(record, topic, payload, mapping, r)) r.events.push_back(std::move(*e));
  return r;
}

}  // namespace

std::string_view to_string(RejectReason reason) {
  switch (reason) {
    case RejectReason::too_large: return "too_large";
    case RejectReason::invalid_json: return "invalid_json";
    case RejectReason::wrong_type: return "wrong_type";
    case RejectReason::too_many: return "too_many";
    case RejectReason::invalid_event: return "invalid_event";
    case RejectReason::bad_topic: return "bad_topic";
  }
  return "unknown";
}

TopicPattern::TopicPattern(std::string_view pattern) {
  std::size_t index = 0, start = 0;
  std::string previous;
  while (start <= pattern.size()) {
    auto end = pattern.find('/', start);
    if (end == std::string_view::npos) end = pattern.size();
    std::string_view segment = pattern.substr(start, end - start);
    bool literal_before = !previous.empty() && previous != "+" && previous.front() != '{';
    if (segment == "+" && literal_before) named_.emplace_back(index, previous);
    if (segment.size() > 2 && segment.front() == '{' && segment.back() == '}')
      named_.emplace_back(index, std::string(segment.substr(1, segment.size() - 2)));
    previous = std::string(segment);
    ++index;
    start = end + 1;
  }
}

std::vector<std::pair<std::string, std::string_view>> TopicPattern::names(std::string_view topic) const {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= topic.size() && segments.size() < max_topic_segments) {
    auto end = topic.find('/', start);
    if (end == std::string_view::npos) end = topic.size();
    segments.push_back(topic.substr(start, end - start));
    start = end + 1;
  }
  std::vector<std::pair<std::string, std::string_view>> out;
  for (const auto& [index, name] : named_)
    if (index < segments.size()) out.emplace_back(name, segments[index]);
  return out;
}

std::unique_ptr<Mapping> compile(const PayloadConfig& config, std::vector<std::string>& errors) {
  auto specs = config.rules;
  if (config.default_rules) {
    auto defaults = default_rules();
    specs.insert(specs.end(), defaults.begin(), defaults.end());
  }
  auto m = std::make_unique<Mapping>();
  m->format = config.format;
  m->topic_pattern = TopicPattern(config.topic_pattern);
  m->rules = RuleSet::compile(specs, errors);
  m->unmatched = config.unmatched;
  m->limits = config.limits;
  return m;
}

ParseResult parse(std::string_view topic, std::string_view payload, const Mapping& mapping) {
  if (topic.empty()) return reject(RejectReason::bad_topic, "empty topic");
  if (payload.size() > mapping.limits.max_payload)
    return reject(RejectReason::too_large, std::to_string(payload.size()) + " bytes, more than max_payload");
  if (mapping.format == Format::tocsin) return parse_tocsin(topic, payload, mapping);

  bool as_json = mapping.format == Format::json || (mapping.format == Format::automatic && looks_like_json(payload));
  if (!as_json) return map_records({Record{{"message", std::string(payload)}}}, topic, payload, mapping);

  std::string error;
  auto value = parse_json(payload, mapping.limits, error);
  if (!value) {
    if (mapping.format == Format::json) return reject(RejectReason::invalid_json, error);
    return map_records({Record{{"message", std::string(payload)}}}, topic, payload, mapping);
  }
  auto records = records_of(*value, mapping.limits);
  if (auto* failure = std::get_if<Failure>(&records)) return reject(failure->reason, failure->detail);
  return map_records(std::get<std::vector<Record>>(records), topic, payload, mapping);
}

}  // namespace tocsin::mqtt

// Generic JSON and Alertmanager webhook bodies → Events. Every byte is
// hostile: types, lengths and counts are checked before anything is kept, and
// the first problem found is reported with the path of the field to blame.
#include "collectors/http/parser.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace tocsin::http_ingest {

namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 7> reason_names{"invalid_json", "wrong_type", "missing_field", "unknown_field",
                                                       "bad_value",    "too_large",  "too_many"};
constexpr std::string_view generic_keys[] = {"name",    "resource",   "severity",    "kind", "clears",
                                             "summary", "attributes", "fingerprint", "time"};
constexpr std::string_view fingerprint_attribute = "alertmanager.fingerprint";
// Deep enough for every shape accepted here; deeper input is refused early.
constexpr std::size_t max_depth = 16;

// The path of a field ("alerts[3].labels.severity"), spelled out only when a
// rejection names it: a valid body builds no path text at all.
class Path {
 public:
  Path() = default;  // the body itself
  Path(const Path& parent, std::string_view key) : parent_(&parent), key_(key) {}
  Path(const Path& parent, std::size_t index) : parent_(&parent), index_(index), is_index_(true) {}

  std::string str() const {
    std::string text = parent_ ? parent_->str() : std::string();
    if (is_index_) return text + "[" + std::to_string(index_) + "]";
    if (!parent_) return text;
    return text.empty() ? std::string(key_) : text + "." + std::string(key_);
  }

 private:
  const Path* parent_ = nullptr;
  std::string_view key_;
  std::size_t index_ = 0;
  bool is_index_ = false;
};

std::string type_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "unknown";
}

// Collects the first problem; every read after it is a no-op, so a reader
// function can check once at its end.
class Reader {
 public:
  explicit Reader(const Limits& limits) : limits_(limits) {}
  const Limits& limits() const { return limits_; }
  bool failed() const { return error_.has_value(); }
  std::optional<Rejection>& error() { return error_; }

  bool fail(RejectReason reason, std::string field, std::string message) {
    if (!error_) error_ = Rejection{reason, std::move(field), std::move(message)};
    return false;
  }

  bool wrong_type(const json::value& v, const std::string& field, std::string_view wanted) {
    return fail(RejectReason::wrong_type, field,
                field + " must be " + std::string(wanted) + ", not " + type_name(v));
  }

  // A string member; absent reads as "".
  std::string_view string(const json::object& o, std::string_view key, const Path& path, std::size_t max) {
    const json::value* v = o.if_contains(key);
    if (!v || failed()) return {};
    return checked_string(*v, Path(path, key), max);
  }

  std::string_view required(const json::object& o, std::string_view key, const Path& path, std::size_t max) {
    std::string_view s = string(o, key, path, max);
    if (s.empty() && !failed()) {
      std::string field = Path(path, key).str();
      fail(RejectReason::missing_field, field, field + " is required");
    }
    return s;
  }

  std::string_view checked_string(const json::value& v, const Path& path, std::size_t max) {
    if (failed()) return {};
    if (!v.is_string()) {
      wrong_type(v, path.str(), "a string");
      return {};
    }
    std::string_view s = v.get_string();
    if (s.size() > max) {
      std::string field = path.str();
      fail(RejectReason::too_large, field, field + " is longer than " + std::to_string(max) + " bytes");
      return {};
    }
    return s;
  }

  // An object member; absent or failed → nullptr.
  const json::object* object(const json::object& o, std::string_view key, const Path& path) {
    const json::value* v = o.if_contains(key);
    if (!v || failed()) return nullptr;
    if (!v->is_object()) {
      wrong_type(*v, Path(path, key).str(), "an object");
      return nullptr;
    }
    return &v->get_object();
  }

 private:
  const Limits& limits_;
  std::optional<Rejection> error_;
};

// The document of a body lives in memory kept by the listener thread that
// parses it: a batch of events needs no allocation of its own until it
// outgrows that (then the rest comes from the heap and goes with the call).
class Document {
 public:
  // The value is made in the same memory as the parser's result, so taking
  // that result moves it instead of copying it.
  Document() : memory_(thread_buffer().data(), thread_buffer().size()), value_(&memory_) {}

  std::optional<Rejection> parse(std::string_view body) {
    json::parser& parser = thread_parser();
    parser.reset(&memory_);
    boost::system::error_code ec;
    std::size_t used = parser.write(body.data(), body.size(), ec);
    if (ec) {
      parser.reset();
      return Rejection{RejectReason::invalid_json, "",
                       "invalid JSON at byte " + std::to_string(used) + ": " + ec.message()};
    }
    value_ = parser.release();
    return std::nullopt;
  }
  const json::value& value() const { return value_; }

 private:
  static constexpr std::size_t buffer_bytes = 64 * 1024;

  static std::vector<unsigned char>& thread_buffer() {
    thread_local std::vector<unsigned char> buffer(buffer_bytes);
    return buffer;
  }
  static json::parser& thread_parser() {
    thread_local json::parser parser(json::storage_ptr(), [] {
      json::parse_options options;
      options.max_depth = max_depth;
      return options;
    }());
    return parser;
  }

  json::monotonic_resource memory_;  // before value_: the value is released into it
  json::value value_;
};

std::string number_text(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  std::array<char, 32> buffer;
  auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), v.get_double());
  return std::string(buffer.data(), ec == std::errc{} ? end : buffer.data());
}

// ---- the bytes of each event ----------------------------------------------
//
// An Event keeps the bytes it came from (`raw`): each element of a batch is
// cut out of the body as sent. The body has been parsed whole already, so the
// scan below only needs to find where values end; a shape it does not expect
// (a key spelled with escapes, a key given twice) makes it give up, and the
// element is written out from the document instead.

std::size_t skip_space(std::string_view s, std::size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  return i;
}

// The end of the string that starts at `i`: the first quote not escaped by an
// odd number of backslashes, found with memchr (strings are most of the bytes).
std::size_t skip_string(std::string_view s, std::size_t i) {
  for (std::size_t from = i + 1; from < s.size();) {
    const void* quote = std::memchr(s.data() + from, '"', s.size() - from);
    if (!quote) break;
    const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(quote) - s.data());
    std::size_t backslashes = 0;
    while (at - backslashes > i + 1 && s[at - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return at + 1;
    from = at + 1;
  }
  return s.size();
}

// Bytes that open or close a nested value or a string.
constexpr std::array<bool, 256> structural = [] {
  std::array<bool, 256> table{};
  for (unsigned char c : std::string_view("\"{}[]")) table[c] = true;
  return table;
}();

std::size_t skip_value(std::string_view s, std::size_t i) {
  if (i >= s.size()) return i;
  if (s[i] == '"') return skip_string(s, i);
  if (s[i] != '{' && s[i] != '[') {
    while (i < s.size() && s[i] != ',' && s[i] != ']' && s[i] != '}' && s[i] != ' ' && s[i] != '\t' &&
           s[i] != '\n' && s[i] != '\r')
      ++i;
    return i;
  }
  std::size_t depth = 0;
  do {
    while (i < s.size() && !structural[static_cast<unsigned char>(s[i])]) ++i;
    if (i >= s.size()) break;
    if (s[i] == '"') {
      i = skip_string(s, i);
      continue;
    }
    if (s[i] == '{' || s[i] == '[') ++depth;
    else --depth;
    ++i;
  } while (depth > 0);
  return i;
}

// The elements of the array at `i` in `s`.
std::vector<std::string_view> array_elements(std::string_view s, std::size_t i) {
  std::vector<std::string_view> elements;
  i = skip_space(s, i);
  if (i >= s.size() || s[i] != '[') return elements;
  for (i = skip_space(s, i + 1); i < s.size() && s[i] != ']';) {
    std::size_t end = skip_value(s, i);
    elements.push_back(s.substr(i, end - i));
    i = skip_space(s, end);
    if (i < s.size() && s[i] == ',') i = skip_space(s, i + 1);
  }
  return elements;
}

// Where the value of the top-level member `key` starts; npos when the body is
// not an object holding it exactly once under that spelling.
std::size_t member_value(std::string_view s, std::string_view key) {
  std::size_t i = skip_space(s, 0), found = std::string_view::npos;
  if (i >= s.size() || s[i] != '{') return found;
  for (i = skip_space(s, i + 1); i < s.size() && s[i] == '"';) {
    const std::size_t end = skip_string(s, i);
    const std::string_view name = s.substr(i + 1, end - i - 2);
    if (name.find('\\') != std::string_view::npos) return std::string_view::npos;
    i = skip_space(s, end);
    if (i >= s.size() || s[i] != ':') return std::string_view::npos;
    i = skip_space(s, i + 1);
    if (name == key) {
      if (found != std::string_view::npos) return std::string_view::npos;
      found = i;
    }
    i = skip_space(s, skip_value(s, i));
    if (i < s.size() && s[i] == ',') i = skip_space(s, i + 1);
  }
  return found;
}

// The bytes of each of `items`, cut from `body` where the scan agrees with the
// document, else written from the document.
class RawItems {
 public:
  RawItems(const json::array& items, std::vector<std::string_view> spans) : items_(items) {
    if (spans.size() == items.size()) spans_ = std::move(spans);
  }
  std::string operator[](std::size_t i) const {
    return spans_.empty() ? json::serialize(items_[i]) : std::string(spans_[i]);
  }

 private:
  const json::array& items_;
  std::vector<std::string_view> spans_;
};

// ---- generic JSON ----------------------------------------------------------

bool read_attribute(Reader& r, std::string_view key, const json::value& v, const Path& path, Event& e) {
  if (key.empty()) return r.fail(RejectReason::bad_value, path.str(), "attribute names must not be empty");
  if (key.size() > r.limits().max_name)
    return r.fail(RejectReason::too_large, path.str(),
                  "attribute names must be at most " + std::to_string(r.limits().max_name) + " bytes");
  const Path field(path, key);
  std::string text;
  if (v.is_string()) {
    text = r.checked_string(v, field, r.limits().max_value);
  } else if (v.is_number()) {
    text = number_text(v);
  } else if (v.is_bool()) {
    text = v.get_bool() ? "true" : "false";
  } else {
    return r.wrong_type(v, field.str(), "a string, a number or a boolean");
  }
  if (r.failed()) return false;
  e.attributes.emplace_back(std::string(key), std::move(text));
  return true;
}

bool read_attributes(Reader& r, const json::object& o, const Path& path, Event& e) {
  const json::object* attributes = r.object(o, "attributes", path);
  if (!attributes) return !r.failed();
  const Path field(path, "attributes");
  if (attributes->size() > r.limits().max_attributes) {
    std::string name = field.str();
    return r.fail(RejectReason::too_large, name,
                  name + " has more than " + std::to_string(r.limits().max_attributes) + " entries");
  }
  e.attributes.reserve(e.attributes.size() + attributes->size());
  for (const auto& kv : *attributes)
    if (!read_attribute(r, kv.key(), kv.value(), field, e)) return false;
  return true;
}

bool read_fingerprint(Reader& r, const json::object& o, const Path& path, Event& e) {
  const json::value* v = o.if_contains("fingerprint");
  if (!v) return true;
  const Path field(path, "fingerprint");
  if (!v->is_array()) return r.wrong_type(*v, field.str(), "an array of attribute names");
  const json::array& names = v->get_array();
  if (names.size() > r.limits().max_fingerprint) {
    std::string name = field.str();
    return r.fail(RejectReason::too_large, name,
                  name + " names more than " + std::to_string(r.limits().max_fingerprint) + " attributes");
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    const Path name_field(field, i);
    std::string_view name = r.checked_string(names[i], name_field, r.limits().max_name);
    if (r.failed()) return false;
    if (!e.attribute(name)) {
      std::string text = name_field.str();
      return r.fail(RejectReason::bad_value, text,
                    text + " names the attribute '" + std::string(name) + "', which the event does not carry");
    }
    e.fingerprint_keys.emplace_back(name);
  }
  return true;
}

bool check_known_keys(Reader& r, const json::object& o, const Path& path) {
  for (const auto& kv : o) {
    std::string_view key = kv.key();
    if (std::find(std::begin(generic_keys), std::end(generic_keys), key) == std::end(generic_keys))
      return r.fail(RejectReason::unknown_field, Path(path, key).str(), "unknown field '" + std::string(key) + "'");
  }
  return true;
}

std::optional<Severity> read_severity(Reader& r, const json::object& o, const Path& path) {
  std::string_view text = r.string(o, "severity", path, r.limits().max_name);
  if (text.empty() || r.failed()) return std::nullopt;
  auto severity = parse_severity(text);
  if (!severity) {
    std::string field = Path(path, "severity").str();
    r.fail(RejectReason::bad_value, field, field + " must be one of critical, major, minor, warning, info, clear");
  }
  return severity;
}

std::optional<EventKind> read_kind(Reader& r, const json::object& o, const Path& path) {
  std::string_view text = r.string(o, "kind", path, r.limits().max_name);
  if (text.empty() || r.failed()) return std::nullopt;
  auto kind = parse_event_kind(text);
  if (!kind) {
    std::string field = Path(path, "kind").str();
    r.fail(RejectReason::bad_value, field, field + " must be one of problem, clear, info");
  }
  return kind;
}

// severity clear and `clears` both mean kind clear; an explicit kind that
// says otherwise is a contradiction, refused rather than guessed.
bool resolve_kind(Reader& r, const json::object& o, const Path& path, Event& e) {
  auto severity = read_severity(r, o, path);
  auto kind = read_kind(r, o, path);
  std::string_view clears = r.string(o, "clears", path, r.limits().max_name);
  if (r.failed()) return false;
  bool implies_clear = severity == Severity::clear || !clears.empty();
  if (kind && *kind != EventKind::clear && implies_clear) {
    std::string field = Path(path, "kind").str();
    return r.fail(RejectReason::bad_value, field,
                  field + " " + std::string(to_string(*kind)) +
                      " contradicts severity clear or clears; leave kind out or make it clear");
  }
  e.kind = kind.value_or(implies_clear ? EventKind::clear : EventKind::problem);
  if (e.kind == EventKind::clear)
    e.severity = Severity::clear;
  else
    e.severity = severity.value_or(e.kind == EventKind::info ? Severity::info : Severity::warning);
  e.alert_key = e.kind == EventKind::clear && !clears.empty() ? std::string(clears) : e.name;
  return true;
}

bool read_time(Reader& r, const json::object& o, const Path& path, Event& e) {
  std::string_view time = r.string(o, "time", path, r.limits().max_name);
  if (time.empty() || r.failed()) return !r.failed();
  if (!parse_rfc3339(time)) {
    std::string field = Path(path, "time").str();
    return r.fail(RejectReason::bad_value, field,
                  field + " must be an RFC 3339 time such as 2024-03-01T10:00:00Z");
  }
  e.attributes.emplace_back("time", std::string(time));
  return true;
}

bool read_generic_event(Reader& r, const json::value& v, const Path& path, Event& e) {
  if (!v.is_object()) {
    std::string field = path.str();
    return r.wrong_type(v, field.empty() ? "body" : field, "an event object");
  }
  const json::object& o = v.get_object();
  if (!check_known_keys(r, o, path)) return false;
  e.source = "http";
  e.rule = "generic-json";
  e.name = r.required(o, "name", path, r.limits().max_name);
  e.resource = r.required(o, "resource", path, r.limits().max_name);
  e.summary = r.string(o, "summary", path, r.limits().max_value);
  if (r.failed() || !resolve_kind(r, o, path, e) || !read_time(r, o, path, e)) return false;
  if (!read_attributes(r, o, path, e) || !read_fingerprint(r, o, path, e)) return false;
  return true;
}

// ---- Alertmanager ----------------------------------------------------------

using StringMap = std::vector<std::pair<std::string_view, std::string_view>>;

bool read_string_map(Reader& r, const json::object& o, std::string_view key, const Path& path, StringMap& out) {
  const json::object* map = r.object(o, key, path);
  if (!map) return !r.failed();
  const Path field(path, key);
  if (map->size() > r.limits().max_attributes) {
    std::string name = field.str();
    return r.fail(RejectReason::too_large, name,
                  name + " has more than " + std::to_string(r.limits().max_attributes) + " entries");
  }
  for (const auto& kv : *map) {
    const Path item(field, kv.key());
    if (kv.key().size() > r.limits().max_name)
      return r.fail(RejectReason::too_large, item.str(),
                    "names must be at most " + std::to_string(r.limits().max_name) + " bytes");
    std::string_view value = r.checked_string(kv.value(), item, r.limits().max_value);
    if (r.failed()) return false;
    out.emplace_back(kv.key(), value);
  }
  return true;
}

std::string_view find(const StringMap& map, std::string_view key) {
  for (const auto& [k, v] : map)
    if (k == key) return v;
  return {};
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

Severity map_severity(const AlertmanagerConfig& config, std::string_view label) {
  for (const auto& [name, severity] : config.severity_map)
    if (same_ignoring_case(name, label)) return severity;
  return config.default_severity;
}

std::string_view resource_of(const AlertmanagerConfig& config, const StringMap& labels) {
  for (const auto& name : config.resource_labels)
    if (auto v = find(labels, name); !v.empty()) return v;
  return config.fallback_resource;
}

bool read_alert_time(Reader& r, const json::object& o, std::string_view key, const Path& path,
                     std::string_view& out) {
  out = r.string(o, key, path, r.limits().max_name);
  if (out.empty() || r.failed()) return !r.failed();
  if (!parse_rfc3339(out)) {
    std::string field = Path(path, key).str();
    return r.fail(RejectReason::bad_value, field, field + " must be an RFC 3339 time");
  }
  return true;
}

bool read_alert_status(Reader& r, const json::object& o, const Path& path, Event& e) {
  std::string_view status = r.required(o, "status", path, r.limits().max_name);
  if (r.failed()) return false;
  if (status != "firing" && status != "resolved") {
    std::string field = Path(path, "status").str();
    return r.fail(RejectReason::bad_value, field, field + " must be firing or resolved");
  }
  e.kind = status == "firing" ? EventKind::problem : EventKind::clear;
  return true;
}

// Labels name the alert and the resource; Alertmanager's fingerprint (a hash
// of the labels) makes the firing and the resolved notification one alert.
void fill_alert(const AlertmanagerConfig& config, const StringMap& labels, const StringMap& annotations, Event& e) {
  e.source = "http";
  e.rule = "alertmanager";
  e.name = find(labels, "alertname");
  e.alert_key = e.name;
  e.resource = resource_of(config, labels);
  e.severity = e.kind == EventKind::clear ? Severity::clear : map_severity(config, find(labels, "severity"));
  std::string_view summary = find(annotations, "summary");
  e.summary = summary.empty() ? find(annotations, "description") : summary;
  // Room for the labels, the annotations and the three alertmanager.* fields.
  e.attributes.reserve(labels.size() + annotations.size() + 4);
  for (const auto& [k, v] : labels) e.attributes.emplace_back(std::string(k), std::string(v));
  for (const auto& [k, v] : annotations) e.attributes.emplace_back("annotations." + std::string(k), std::string(v));
}

void add_attribute(Event& e, std::string name, std::string_view value) {
  if (!value.empty()) e.attributes.emplace_back(std::move(name), std::string(value));
}

// Without Alertmanager's fingerprint (hand-written payloads), the labels
// themselves identify the alert.
void set_identity(Event& e, std::string_view am_fingerprint, const StringMap& labels) {
  if (!am_fingerprint.empty()) {
    e.attributes.emplace_back(std::string(fingerprint_attribute), std::string(am_fingerprint));
    e.fingerprint_keys.emplace_back(fingerprint_attribute);
    return;
  }
  for (const auto& [k, v] : labels) e.fingerprint_keys.emplace_back(k);
  std::sort(e.fingerprint_keys.begin(), e.fingerprint_keys.end());
}

bool read_alert(Reader& r, const AlertmanagerConfig& config, const json::value& v, const Path& path, Event& e) {
  if (!v.is_object()) return r.wrong_type(v, path.str(), "an alert object");
  const json::object& o = v.get_object();
  StringMap labels, annotations;
  std::string_view starts_at, ends_at;
  if (!read_alert_status(r, o, path, e) || !read_string_map(r, o, "labels", path, labels) ||
      !read_string_map(r, o, "annotations", path, annotations) || !read_alert_time(r, o, "startsAt", path, starts_at) ||
      !read_alert_time(r, o, "endsAt", path, ends_at))
    return false;
  std::string_view generator = r.string(o, "generatorURL", path, r.limits().max_value);
  std::string_view am_fingerprint = r.string(o, "fingerprint", path, r.limits().max_name);
  if (r.failed()) return false;
  if (!o.if_contains("labels")) {
    std::string field = Path(path, "labels").str();
    return r.fail(RejectReason::missing_field, field, field + " is required");
  }
  if (find(labels, "alertname").empty()) {
    std::string field = Path(Path(path, "labels"), "alertname").str();
    return r.fail(RejectReason::missing_field, field, field + " is required");
  }
  if (labels.size() + annotations.size() > r.limits().max_attributes)
    return r.fail(RejectReason::too_large, path.str(),
                  "labels and annotations together exceed " + std::to_string(r.limits().max_attributes));
  fill_alert(config, labels, annotations, e);
  add_attribute(e, "alertmanager.starts_at", starts_at);
  if (e.kind == EventKind::clear) add_attribute(e, "alertmanager.ends_at", ends_at);
  add_attribute(e, "alertmanager.generator_url", generator);
  set_identity(e, am_fingerprint, labels);
  return true;
}

// The notification's own fields are only checked for type: alerts carry
// everything an Event needs.
bool check_notification(Reader& r, const json::object& o, std::uint64_t& truncated) {
  const Path body;
  for (std::string_view key : {"receiver", "status", "externalURL", "version", "groupKey"})
    r.string(o, key, body, r.limits().max_value);
  for (std::string_view key : {"groupLabels", "commonLabels", "commonAnnotations"}) r.object(o, key, body);
  if (r.failed()) return false;
  if (const json::value* t = o.if_contains("truncatedAlerts")) {
    if (t->is_uint64() || (t->is_int64() && t->get_int64() >= 0))
      truncated = t->is_uint64() ? t->get_uint64() : static_cast<std::uint64_t>(t->get_int64());
    else
      return r.wrong_type(*t, "truncatedAlerts", "a non-negative integer");
  }
  return true;
}

bool read_notification(Reader& r, const AlertmanagerConfig& config, std::string_view body, const json::value& v,
                       ParseResult& out) {
  if (!v.is_object()) return r.wrong_type(v, "body", "an Alertmanager notification object");
  const json::object& o = v.get_object();
  if (!check_notification(r, o, out.truncated_alerts)) return false;
  const json::value* alerts = o.if_contains("alerts");
  if (!alerts) return r.fail(RejectReason::missing_field, "alerts", "alerts is required");
  if (!alerts->is_array()) return r.wrong_type(*alerts, "alerts", "an array");
  const json::array& items = alerts->get_array();
  if (items.size() > r.limits().max_events)
    return r.fail(RejectReason::too_many, "alerts",
                  "more than " + std::to_string(r.limits().max_events) + " alerts in one notification");
  out.events.resize(items.size());
  const Path body_path;
  const Path field(body_path, "alerts");
  for (std::size_t i = 0; i < items.size(); ++i)
    if (!read_alert(r, config, items[i], Path(field, i), out.events[i])) return false;
  const std::size_t at = member_value(body, "alerts");
  const RawItems raw(items, at == std::string_view::npos ? std::vector<std::string_view>{} : array_elements(body, at));
  for (std::size_t i = 0; i < items.size(); ++i) out.events[i].raw = raw[i];
  return true;
}

bool read_generic(Reader& r, std::string_view body, const json::value& v, ParseResult& out) {
  if (!v.is_array()) {
    out.events.resize(1);
    if (!read_generic_event(r, v, Path(), out.events[0])) return false;
    const std::size_t start = skip_space(body, 0);
    out.events[0].raw = body.substr(start, skip_value(body, start) - start);
    return true;
  }
  const json::array& items = v.get_array();
  if (items.size() > r.limits().max_events)
    return r.fail(RejectReason::too_many, "body",
                  "more than " + std::to_string(r.limits().max_events) + " events in one batch");
  out.events.resize(items.size());
  const Path batch;
  for (std::size_t i = 0; i < items.size(); ++i)
    if (!read_generic_event(r, items[i], Path(batch, i), out.events[i])) return false;
  const RawItems raw(items, array_elements(body, 0));
  for (std::size_t i = 0; i < items.size(); ++i) out.events[i].raw = raw[i];
  return true;
}

template <typename Read>
ParseResult parse_with(std::string_view body, const Limits& limits, Read read) {
  ParseResult result;
  Document document;
  if (auto error = document.parse(body)) {
    result.rejection = std::move(error);
    return result;
  }
  Reader reader(limits);
  if (!read(reader, body, document.value(), result)) {
    result.events.clear();
    result.rejection = std::move(reader.error());
  }
  return result;
}

// ---- RFC 3339 --------------------------------------------------------------

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

int days_in_month(int y, int m) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

// Fraction digits after the seconds; returns the milliseconds and moves `pos`.
std::optional<int> fraction_ms(std::string_view s, std::size_t& pos) {
  if (pos >= s.size() || s[pos] != '.') return 0;
  std::size_t start = ++pos;
  int ms = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    if (pos - start < 3) ms = ms * 10 + (s[pos] - '0');
    ++pos;
  }
  std::size_t n = pos - start;
  if (n == 0 || n > 9) return std::nullopt;
  for (std::size_t i = n; i < 3; ++i) ms *= 10;
  return ms;
}

std::optional<int> offset_minutes(std::string_view s, std::size_t pos) {
  if (pos + 1 == s.size() && (s[pos] == 'Z' || s[pos] == 'z')) return 0;
  int h = 0, m = 0;
  if (pos + 6 != s.size() || (s[pos] != '+' && s[pos] != '-') || s[pos + 3] != ':' || !digits(s, pos + 1, 2, h) ||
      !digits(s, pos + 4, 2, m) || h > 23 || m > 59)
    return std::nullopt;
  return (s[pos] == '-' ? -1 : 1) * (h * 60 + m);
}

}  // namespace

std::string_view to_string(RejectReason reason) { return reason_names[static_cast<std::size_t>(reason)]; }

ParseResult parse_events(std::string_view body, const Limits& limits) {
  return parse_with(body, limits, [](Reader& r, std::string_view bytes, const json::value& v, ParseResult& out) {
    return read_generic(r, bytes, v, out);
  });
}

ParseResult parse_alertmanager(std::string_view body, const AlertmanagerConfig& config, const Limits& limits) {
  return parse_with(body, limits, [&config](Reader& r, std::string_view bytes, const json::value& v, ParseResult& out) {
    return read_notification(r, config, bytes, v, out);
  });
}

std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (s.size() < 20 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::size_t pos = 19;
  auto ms = fraction_ms(s, pos);
  if (!ms) return std::nullopt;
  auto offset = offset_minutes(s, pos);
  if (!offset) return std::nullopt;
  std::int64_t seconds = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                         h * 3600 + mi * 60 + sec - static_cast<std::int64_t>(*offset) * 60;
  return seconds * 1000 + *ms;
}

}  // namespace tocsin::http_ingest

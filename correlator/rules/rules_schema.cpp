// Schema tables and loaders of the threshold, flapping and heartbeat rules.
#include "correlator/rules/rules_schema.hpp"

#include <re2/re2.h>

#include <set>

namespace tocsin::rules {

using config::Section;
using config::Type;

namespace {
constexpr std::int64_t max_count = 10'000;  // events kept per fingerprint at most
constexpr std::int64_t max_window_ms = 7LL * 24 * 3600 * 1000;

std::int64_t positive_duration(const config::Node& n, std::string_view key, std::int64_t max_ms) {
  std::int64_t ms = n.duration(key).count();
  if (n.present(key) && ms <= 0) n.error(key, "must be longer than 0, e.g. 5m");
  if (ms > max_ms) n.error(key, "must not be longer than 7d");
  return ms;
}
}  // namespace

const Section& rule_threshold_section() {
  static const Section s{
      "<collector>.rules[].threshold",
      "Raise the alert only when `count` problem events of one fingerprint arrive within a sliding `window`. "
      "Events below the threshold are recorded (no alert, counted as held); a clear starts the count over. An "
      "event exactly `window` old no longer counts.",
      {{"count", Type::integer, "", "Problem events needed to raise the alert (1 = at once).", {}, true},
       {"window", Type::duration, "", "The sliding window, e.g. 5m.", {}, true}}};
  return s;
}

const Section& rule_flapping_section() {
  static const Section s{
      "<collector>.rules[].flapping",
      "Flap detection of this rule's alerts; each key left out takes its value from correlation.flapping.",
      {{"enabled", Type::boolean, "", "Detect flapping for this rule."},
       {"changes", Type::integer, "", "State changes within `window` that make the alert flap (at least 2)."},
       {"window", Type::duration, "", "Window over which state changes are counted."},
       {"quiet", Type::duration, "", "Time without a state change after which a flapping alert settles."}}};
  return s;
}

const Section& flapping_section() {
  static const Section s{
      "correlation.flapping",
      "Flap detection. A state change is an alert raised or cleared; `changes` of them within `window` put the "
      "alert in state flapping: its incident stays open and is paged once (\"flapping\"), clears no longer "
      "resolve it and repeats open nothing new. After `quiet` without a state change it settles: resolved when "
      "the last event was a clear, firing otherwise. Mapping rules may override each key.",
      {{"enabled", Type::boolean, "true", "Detect flapping."},
       {"changes", Type::integer, "5", "State changes within `window` that make an alert flap (at least 2)."},
       {"window", Type::duration, "10m", "Window over which state changes are counted."},
       {"quiet", Type::duration, "10m", "Time without a state change after which a flapping alert settles."}}};
  return s;
}

const Section& heartbeat_section() {
  static const Section s{
      "heartbeats[]",
      "A source expected to report at least every `interval`. When no matching event arrives for `interval`, an "
      "alert `heartbeat_missed` is raised on the resource (or CI, or source, or the heartbeat's name) and opens "
      "an incident like any other; the next matching event clears it. At start-up and reload the clocks start "
      "afresh: time while tocsind was down never counts as silence.",
      {{"name", Type::string, "", "Unique name; the alert's `heartbeat` attribute.", {}, true},
       {"resource", Type::string, "", "Matches events whose resource equals this."},
       {"source", Type::string, "", "Matches events from this collector (syslog, snmp, mqtt, email, http) or "
                                    "sender address."},
       {"ci", Type::string, "", "Matches events whose resource or `ci` attribute equals this."},
       {"event", Type::string, "", "RE2 pattern the event name must match whole; any event when empty."},
       {"interval", Type::duration, "", "Longest silence allowed, e.g. 5m.", {}, true},
       {"severity", Type::choice, "major", "Severity of the heartbeat_missed alert.",
        {"critical", "major", "minor", "warning", "info"}}}};
  return s;
}

RuleOptions parse_rule_options(const config::Node& rule) {
  RuleOptions o;
  if (rule.present("threshold")) {
    auto t = rule.map("threshold", rule_threshold_section());
    o.threshold_count = static_cast<std::uint32_t>(t.integer("count", 1, max_count));
    o.threshold_window_ms = positive_duration(t, "window", max_window_ms);
  }
  if (rule.present("flapping")) {
    auto f = rule.map("flapping", rule_flapping_section());
    if (f.present("enabled")) o.flapping_enabled = f.boolean("enabled");
    if (f.present("changes")) o.flapping_changes = static_cast<std::uint32_t>(f.integer("changes", 2, max_count));
    o.flapping_window_ms = positive_duration(f, "window", max_window_ms);
    o.flapping_quiet_ms = positive_duration(f, "quiet", max_window_ms);
  }
  return o;
}

FlappingConfig load_flapping(const config::Node& correlation) {
  auto f = correlation.map("flapping", flapping_section());
  FlappingConfig c;
  c.enabled = f.boolean("enabled");
  c.changes = static_cast<std::uint32_t>(f.integer("changes", 2, max_count));
  c.window_ms = positive_duration(f, "window", max_window_ms);
  c.quiet_ms = positive_duration(f, "quiet", max_window_ms);
  return c;
}

std::vector<HeartbeatConfig> load_heartbeats(const config::Node& root) {
  std::vector<HeartbeatConfig> out;
  std::set<std::string> names;
  for (const auto& n : root.list("heartbeats", heartbeat_section())) {
    HeartbeatConfig h;
    h.name = n.string("name");
    h.resource = n.string("resource");
    h.source = n.string("source");
    h.ci = n.string("ci");
    h.event = n.string("event");
    h.interval_ms = positive_duration(n, "interval", max_window_ms);
    h.severity = parse_severity(n.choice("severity")).value_or(Severity::major);
    if (!names.insert(h.name).second) n.error("name", "'" + h.name + "' names another heartbeat too");
    if (h.resource.empty() && h.source.empty() && h.ci.empty())
      n.error("a heartbeat needs at least one of resource, source or ci");
    if (!h.event.empty()) {
      re2::RE2::Options options;
      options.set_log_errors(false);
      re2::RE2 re(h.event, options);
      if (!re.ok()) n.error("event", "bad pattern: " + re.error());
    }
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace tocsin::rules

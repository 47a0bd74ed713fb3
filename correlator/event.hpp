#pragma once
// The Event: one normalized input (one syslog line, one trap, one MQTT message,
// one mail). Collectors produce it through mapping rules; the correlator folds
// it into an Alert and an Incident.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin {

// Urgency of an event, ordered from least to most urgent. `clear` marks events
// that end a problem; it never raises an alert on its own.
enum class Severity : std::uint8_t { clear = 0, info, warning, minor, major, critical };

// problem: raises or repeats an alert; clear: resolves the alert with the same
// alert key; info: recorded only.
enum class EventKind : std::uint8_t { problem = 0, clear, info };

std::string_view to_string(Severity s);
std::string_view to_string(EventKind k);
std::optional<Severity> parse_severity(std::string_view s);
std::optional<EventKind> parse_event_kind(std::string_view s);

using Attributes = std::vector<std::pair<std::string, std::string>>;

// Correlation options of the mapping rule that produced an event (see
// correlator/rules/): carried on the event so that the correlator needs no
// table of rules. Zero or unset means the global default.
struct RuleOptions {
  std::uint32_t threshold_count = 0;     // raise at the Nth problem within the window; 0 or 1: at once
  std::int64_t threshold_window_ms = 0;
  std::optional<bool> flapping_enabled;  // unset: correlation.flapping.enabled
  std::uint32_t flapping_changes = 0;
  std::int64_t flapping_window_ms = 0;
  std::int64_t flapping_quiet_ms = 0;
};

struct Event {
  std::string source;          // collector: "syslog", "snmp", "mqtt", "email", "http"
  std::string source_address;  // sender address as text, empty when unknown
  std::int64_t received_at_ms = 0;  // wall clock, ms since the epoch
  std::string name;            // what happened, e.g. "interface_down"
  std::string alert_key;       // the alert this event raises or clears (problem: name)
  Severity severity = Severity::info;
  EventKind kind = EventKind::info;
  std::string resource;        // the device, host or service the event is about
  std::string summary;         // one line a person reads
  Attributes attributes;       // parsed fields, kept for display and matching
  std::vector<std::string> fingerprint_keys;  // attributes that identify the object
  std::string rule;            // name of the mapping rule that produced the event
  std::string raw;             // the original payload, bytes kept intact
  RuleOptions options;         // threshold and flapping options of the rule (not stored)

  const std::string* attribute(std::string_view key) const;
};

// Same fingerprint = same alert. Built from resource, alert key and the values
// of the fingerprint attributes; stable across restarts and nodes.
std::string fingerprint(const Event& e);

// The 64-bit value a fingerprint stands for, to key working state by: the
// 16 hex digits fingerprint() spells, read as a number (exact), or a hash of
// any other form (a stored fingerprint of an older format).
std::uint64_t fingerprint_key(std::string_view fingerprint);

}  // namespace tocsin

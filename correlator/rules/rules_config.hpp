#pragma once
// Settings of the correlation rules beyond dedup: flap detection defaults and
// heartbeats. Plain data; the schema that fills it is in rules_schema.hpp.

#include <cstdint>
#include <string>
#include <vector>

#include "correlator/event.hpp"

namespace tocsin::rules {

struct FlappingConfig {
  bool enabled = true;
  std::uint32_t changes = 5;            // state changes within `window_ms` that make an alert flap
  std::int64_t window_ms = 10 * 60'000;
  std::int64_t quiet_ms = 10 * 60'000;  // without a state change this long, a flapping alert settles
};

// A source expected to report at least every `interval_ms`. An event matches
// when every matcher that is set matches; at least one of resource, source
// and ci is set.
struct HeartbeatConfig {
  std::string name;
  std::string resource;  // equals the event's resource
  std::string source;    // equals the event's collector (syslog, snmp, ...) or sender address
  std::string ci;        // equals the event's resource or its `ci` attribute
  std::string event;     // RE2 pattern, full match on the event name; empty = any event
  std::int64_t interval_ms = 0;
  Severity severity = Severity::major;
};

struct RulesConfig {
  FlappingConfig flapping;
  std::vector<HeartbeatConfig> heartbeats;
};

}  // namespace tocsin::rules

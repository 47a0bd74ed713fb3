#pragma once
// Heartbeats: a source, resource or CI expected to report at least every T.
// When nothing matching arrives for T, a `heartbeat_missed` problem event is
// raised (and becomes an alert and an incident like any other); the next
// matching event brings a clear for it. Clocks start when the heartbeat is
// first seen by a tick or an event after start-up or reload: the downtime of
// the daemon itself never counts as silence.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "correlator/event.hpp"
#include "correlator/rules/rules_config.hpp"

namespace re2 {
class RE2;
}

namespace tocsin::rules {

inline constexpr std::string_view heartbeat_event_name = "heartbeat_missed";
inline constexpr std::string_view heartbeat_source = "heartbeat";

class Heartbeats {
 public:
  Heartbeats();
  ~Heartbeats();
  Heartbeats(Heartbeats&&) noexcept;
  Heartbeats& operator=(Heartbeats&&) noexcept;

  // Takes a new list; heartbeats keeping their name keep their clock and
  // missed state, new ones start at their first tick.
  void configure(const std::vector<HeartbeatConfig>& heartbeats);

  // A heartbeat whose alert is firing (restored from the store): the next
  // matching event clears it.
  void mark_missed(const std::string& name);

  // Notes an arriving event. Returns the clear events of heartbeats that were
  // missed and are now back.
  std::vector<Event> arrived(const Event& event, std::int64_t now_ms);

  // The problem events of heartbeats silent for their interval at `now_ms`
  // (a heartbeat last heard exactly T ago is missed).
  std::vector<Event> due(std::int64_t now_ms);

  std::size_t size() const { return beats_.size(); }

 private:
  struct Beat {
    HeartbeatConfig config;
    std::unique_ptr<re2::RE2> event;  // null: any event name
    std::int64_t last_ms = 0;         // last arrival, or the start of the clock; 0 = not started
    bool missed = false;
  };
  bool matches(const Beat& beat, const Event& event) const;
  std::vector<Beat> beats_;
};

// The event a heartbeat raises (kind problem) or clears (kind clear).
Event heartbeat_event(const HeartbeatConfig& heartbeat, EventKind kind, std::int64_t now_ms);

}  // namespace tocsin::rules

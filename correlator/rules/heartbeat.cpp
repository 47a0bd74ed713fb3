// Silence detection per configured heartbeat.
#include "correlator/rules/heartbeat.hpp"

#include <re2/re2.h>

#include <algorithm>

#include "correlator/clock.hpp"

namespace tocsin::rules {

Heartbeats::Heartbeats() = default;
Heartbeats::~Heartbeats() = default;
Heartbeats::Heartbeats(Heartbeats&&) noexcept = default;
Heartbeats& Heartbeats::operator=(Heartbeats&&) noexcept = default;

void Heartbeats::configure(const std::vector<HeartbeatConfig>& heartbeats) {
  std::vector<Beat> next;
  for (const auto& c : heartbeats) {
    Beat b;
    b.config = c;
    if (!c.event.empty()) {
      re2::RE2::Options options;
      options.set_log_errors(false);
      b.event = std::make_unique<re2::RE2>(c.event, options);
      if (!b.event->ok()) continue;  // the schema reports bad patterns at load time
    }
    auto old = std::find_if(beats_.begin(), beats_.end(), [&](const Beat& o) { return o.config.name == c.name; });
    if (old != beats_.end()) {
      b.last_ms = old->last_ms;
      b.missed = old->missed;
    }
    next.push_back(std::move(b));
  }
  beats_ = std::move(next);
}

void Heartbeats::mark_missed(const std::string& name) {
  for (auto& b : beats_)
    if (b.config.name == name) b.missed = true;
}

bool Heartbeats::matches(const Beat& beat, const Event& event) const {
  const HeartbeatConfig& c = beat.config;
  if (!c.resource.empty() && event.resource != c.resource) return false;
  if (!c.source.empty() && event.source != c.source && event.source_address != c.source) return false;
  if (!c.ci.empty() && event.resource != c.ci) {
    const std::string* ci = event.attribute("ci");
    if (!ci || *ci != c.ci) return false;
  }
  if (beat.event && !re2::RE2::FullMatch(event.name, *beat.event)) return false;
  return true;
}

std::vector<Event> Heartbeats::arrived(const Event& event, std::int64_t now_ms) {
  std::vector<Event> clears;
  if (event.source == heartbeat_source) return clears;
  for (auto& b : beats_) {
    if (!matches(b, event)) continue;
    b.last_ms = now_ms;
    if (b.missed) {
      b.missed = false;
      clears.push_back(heartbeat_event(b.config, EventKind::clear, now_ms));
    }
  }
  return clears;
}

std::vector<Event> Heartbeats::due(std::int64_t now_ms) {
  std::vector<Event> missed;
  for (auto& b : beats_) {
    if (b.last_ms == 0) b.last_ms = now_ms;
    if (b.missed || now_ms - b.last_ms < b.config.interval_ms) continue;
    b.missed = true;
    missed.push_back(heartbeat_event(b.config, EventKind::problem, now_ms));
  }
  return missed;
}

Event heartbeat_event(const HeartbeatConfig& heartbeat, EventKind kind, std::int64_t now_ms) {
  Event e;
  e.source = std::string(heartbeat_source);
  e.received_at_ms = now_ms;
  e.name = std::string(heartbeat_event_name);
  e.alert_key = e.name;
  e.kind = kind;
  e.severity = kind == EventKind::clear ? Severity::clear : heartbeat.severity;
  e.resource = !heartbeat.resource.empty() ? heartbeat.resource
               : !heartbeat.ci.empty()     ? heartbeat.ci
               : !heartbeat.source.empty() ? heartbeat.source
                                           : heartbeat.name;
  e.rule = heartbeat.name;
  std::string every = std::to_string(heartbeat.interval_ms / 1000) + "s";
  e.summary = kind == EventKind::clear ? "heartbeat " + heartbeat.name + " is back"
                                       : "no event from " + e.resource + " for " + every + " (heartbeat " +
                                             heartbeat.name + ")";
  e.attributes = {{"heartbeat", heartbeat.name}, {"interval", every}};
  e.fingerprint_keys = {"heartbeat"};
  return e;
}

}  // namespace tocsin::rules

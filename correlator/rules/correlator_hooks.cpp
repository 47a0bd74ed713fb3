// How the Correlator applies the threshold, flapping and heartbeat rules: the
// decisions come from ThresholdGate, FlapDetector and Heartbeats; this file
// turns them into alert and incident changes, timeline entries and pages.
#include "correlator/clock.hpp"
#include "correlator/correlator.hpp"

namespace tocsin {

namespace {
std::string duration_text(std::int64_t ms) {
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}
}  // namespace

bool Correlator::rules_hold(const Event& event, const std::string& fp, std::int64_t now_ms) {
  if (event.options.threshold_count <= 1) return false;
  if (rules_.threshold.hold(fp, event.options, now_ms)) {
    rules_.threshold_held.inc();
    return true;
  }
  rules_.threshold_reached.inc();
  return false;
}

bool Correlator::rules_flap_on_raise(const Event& event, Alert& alert, Incident& incident, std::int64_t now_ms,
                                     ChangeSet& changes) {
  // A track still flapping here belongs to an alert resolved by hand: start over.
  if (rules_.flaps.flapping(alert.fingerprint)) rules_.flaps.forget(alert.fingerprint);
  auto settings = rules::flapping_for(rules_.config.flapping, event.options);
  if (!rules_.flaps.change(alert.fingerprint, EventKind::problem, settings, now_ms)) return false;
  start_flapping(alert, incident, settings, now_ms, changes);
  return true;
}

void Correlator::rules_on_repeat(const Alert& alert, std::int64_t now_ms) {
  if (alert.state == AlertState::flapping)
    rules_.flaps.event_while_flapping(alert.fingerprint, EventKind::problem, now_ms);
}

bool Correlator::rules_keep_on_clear(Alert& alert, const Event& event, std::int64_t now_ms, ChangeSet& changes) {
  auto incident = incidents_.find(alert.incident_id);
  if (alert.state == AlertState::flapping) {
    rules_.flaps.event_while_flapping(alert.fingerprint, EventKind::clear, now_ms);
  } else {
    auto settings = rules::flapping_for(rules_.config.flapping, event.options);
    if (!rules_.flaps.change(alert.fingerprint, EventKind::clear, settings, now_ms)) return false;
    if (incident == incidents_.end()) return false;
    start_flapping(alert, incident->second, settings, now_ms, changes);
  }
  // Held open: the clear counts on the alert and incident like a repeat.
  alert.last_seen_ms = event.received_at_ms;
  repeated_alerts_.push_back(&alert);
  if (incident != incidents_.end()) {
    incident->second.event_count += 1;
    incident->second.updated_at_ms = now_ms;
    repeated_incidents_.push_back(incident->first);
  }
  return true;
}

void Correlator::rules_on_orphan_clear(const std::string& fp) { rules_.threshold.reset(fp); }

std::vector<Event> Correlator::rules_arrived(const Event& event, std::int64_t now_ms) {
  auto clears = rules_.heartbeats.arrived(event, now_ms);
  rules_.heartbeats_recovered.inc(clears.size());
  return clears;
}

void Correlator::start_flapping(Alert& alert, Incident& incident, const rules::FlappingConfig& settings,
                                std::int64_t now_ms, ChangeSet& changes) {
  alert.state = AlertState::flapping;
  dirty_alerts_.insert(&alert);
  dirty_incidents_.insert(incident.id);
  rules_.flapping_started.inc();
  std::string what = alert.name + " on " + alert.resource;
  changes.timeline.push_back({0, incident.id, now_ms, "tocsin", "flapping",
                              what + " is flapping: " + std::to_string(settings.changes) + " state changes within " +
                                  duration_text(settings.window_ms) + "; clears are held until it has been quiet for " +
                                  duration_text(settings.quiet_ms)});
  if (config_.email_recipients.empty()) return;
  std::string subject = "[" + incident.priority + "] #" + std::to_string(incident.id) + " flapping: " + what;
  std::string body = "Incident #" + std::to_string(incident.id) + " (" + incident.title + ") is flapping.\n\n";
  body += what + " changed state " + std::to_string(settings.changes) + " times within " +
          duration_text(settings.window_ms) + ".\n";
  body += "The incident stays open and you will not be paged for each bounce. It settles after " +
          duration_text(settings.quiet_ms) + " without a state change: resolved if the last event was a clear.\n\n";
  body += "Priority:   " + incident.priority + "\n";
  body += "Resource:   " + alert.resource + "\n";
  body += "Alert:      " + alert.name + "\n";
  body += "Group:      " + incident.group + "\n";
  body += "Since:      " + format_rfc3339(now_ms) + "\n";
  body += "\nAcknowledge: tocsinctl ack " + std::to_string(incident.id) + "\n";
  for (const auto& to : config_.email_recipients) {
    Notification n;
    n.incident_id = incident.id;
    n.channel = "email";
    n.recipient = to;
    n.subject = subject;
    n.body = body;
    n.created_at_ms = n.next_attempt_ms = now_ms;
    changes.notifications.push_back(std::move(n));
  }
  changes.timeline.push_back({0, incident.id, now_ms, "tocsin", "notified",
                              "flapping page queued for " + std::to_string(config_.email_recipients.size()) +
                                  " e-mail recipient(s)"});
}

void Correlator::rules_tick(std::int64_t now_ms, ChangeSet& changes) {
  for (const auto& settled : rules_.flaps.settle(now_ms)) {
    auto it = firing_.find(firing_key(settled.fingerprint));
    if (it == firing_.end() || it->second->state != AlertState::flapping) continue;
    FiringAlert& alert = *it->second;
    std::string what = alert.name + " on " + alert.resource;
    if (alert.incident_id != 0)
      changes.timeline.push_back({0, alert.incident_id, now_ms, "tocsin", "flapping ended",
                                  what + " has been quiet; its last event was " +
                                      (settled.cleared ? "a clear" : "a problem")});
    if (!settled.cleared) {
      rules_.flapping_settled_firing.inc();
      alert.state = AlertState::firing;
      dirty_alerts_.insert(&alert);
      continue;
    }
    rules_.flapping_settled_resolved.inc();
    // Resolved like any clear, so that the incident engine resolves the
    // incident (and its symptoms) when this was its last root alert.
    Event quiet;
    quiet.kind = EventKind::clear;
    quiet.name = "flapping ended";
    quiet.resource = alert.resource;
    quiet.received_at_ms = now_ms;
    clear_alert(alert, quiet, now_ms, changes);
    erase_firing(it);
  }
  for (auto& missed : rules_.heartbeats.due(now_ms)) {
    rules_.heartbeats_missed.inc();
    on_event(std::move(missed), now_ms, changes);
  }
  rules_.threshold.prune(now_ms);
}

void Correlator::rules_restore() {
  for (const auto& [key, held] : firing_) {
    const Alert& alert = *held;
    if (alert.state == AlertState::flapping) rules_.flaps.restore_flapping(alert.fingerprint, rules_.config.flapping);
    if (alert.name == rules::heartbeat_event_name)
      for (const auto& [k, v] : alert.attributes)
        if (k == "heartbeat") rules_.heartbeats.mark_missed(v.str());
  }
}

}  // namespace tocsin

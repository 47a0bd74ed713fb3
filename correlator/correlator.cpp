// Dedup by fingerprint, clear pairing, one incident per alert, and the
// notification intents an opened incident causes.
#include "correlator/correlator.hpp"

#include "correlator/clock.hpp"

namespace tocsin {

std::string priority_for(Severity severity) {
  switch (severity) {
    case Severity::critical: return "P1";
    case Severity::major: return "P2";
    case Severity::minor: return "P3";
    case Severity::warning: return "P4";
    default: return "P5";
  }
}

Correlator::Correlator(CorrelatorConfig config, StatsRegistry& stats)
    : config_(std::move(config)),
      events_problem_(stats.counter("tocsin_correlator_events_total", "Events folded by the correlator",
                                    {{"kind", "problem"}})),
      events_clear_(stats.counter("tocsin_correlator_events_total", "", {{"kind", "clear"}})),
      events_info_(stats.counter("tocsin_correlator_events_total", "", {{"kind", "info"}})),
      clears_without_alert_(stats.counter("tocsin_correlator_clears_without_alert_total",
                                          "Clear events that matched no firing alert (recorded, no effect)")),
      alerts_opened_(stats.counter("tocsin_alerts_opened_total", "Alerts raised")),
      incidents_opened_(stats.counter("tocsin_incidents_opened_total", "Incidents opened")),
      incidents_resolved_(stats.counter("tocsin_incidents_resolved_total", "Incidents resolved")),
      rules_(stats, config_.rules) {}

void Correlator::restore(const IdState& ids, std::vector<Alert> firing, std::vector<Incident> unresolved) {
  ids_ = ids;
  firing_.clear();
  incidents_.clear();
  for (auto& a : firing) firing_.emplace(a.fingerprint, std::move(a));
  for (auto& i : unresolved) incidents_.emplace(i.id, std::move(i));
  rules_restore();
}

void Correlator::on_event(Event event, std::int64_t now_ms, ChangeSet& changes) {
  EventRecord record;
  record.id = ++ids_.event;
  if (event.received_at_ms == 0) event.received_at_ms = now_ms;
  std::vector<Event> heartbeat_clears = rules_arrived(event, now_ms);

  if (event.kind == EventKind::info) {
    events_info_.inc();
  } else {
    record.fingerprint = fingerprint(event);
    auto it = firing_.find(record.fingerprint);
    if (event.kind == EventKind::problem) {
      events_problem_.inc();
      if (it == firing_.end()) {
        if (!rules_hold(event, record.fingerprint, now_ms))
          open_alert(event, record.fingerprint, now_ms, record, changes);
      } else {
        repeat_alert(it->second, event, now_ms);
        record.alert_id = it->second.id;
        rules_on_repeat(it->second, now_ms);
      }
    } else {
      events_clear_.inc();
      if (it == firing_.end()) {
        clears_without_alert_.inc();
        rules_on_orphan_clear(record.fingerprint);
      } else {
        record.alert_id = it->second.id;
        if (!rules_keep_on_clear(it->second, event, now_ms, changes)) {
          clear_alert(it->second, event, now_ms, changes);
          firing_.erase(it);
        }
      }
    }
  }
  record.event = std::move(event);
  changes.events.push_back(std::move(record));
  for (auto& clear : heartbeat_clears) on_event(std::move(clear), now_ms, changes);
}

void Correlator::open_alert(const Event& event, const std::string& fp, std::int64_t now_ms, EventRecord& record,
                            ChangeSet& changes) {
  Alert alert;
  alert.id = ++ids_.alert;
  alert.fingerprint = fp;
  alert.name = event.alert_key.empty() ? event.name : event.alert_key;
  alert.resource = event.resource;
  alert.severity = event.severity;
  alert.summary = event.summary;
  alert.attributes = event.attributes;
  alert.first_seen_ms = alert.last_seen_ms = event.received_at_ms;
  alert.count = 1;

  Incident incident;
  incident.id = ++ids_.incident;
  incident.title = event.summary.empty() ? alert.name + " on " + alert.resource : event.summary;
  incident.severity = event.severity;
  incident.priority = priority_for(event.severity);
  incident.ci = event.resource;
  incident.group = config_.default_group;
  incident.alert_count = 1;
  incident.event_count = 1;
  incident.opened_at_ms = incident.updated_at_ms = now_ms;
  alert.incident_id = incident.id;
  record.alert_id = alert.id;

  changes.timeline.push_back({0, incident.id, now_ms, "tocsin", "opened",
                              alert.name + " on " + alert.resource + " (" + std::string(to_string(alert.severity)) +
                                  ", rule " + (event.rule.empty() ? "none" : event.rule) + ")"});
  if (!rules_flap_on_raise(event, alert, incident, now_ms, changes)) page(incident, alert, now_ms, changes);
  alerts_opened_.inc();
  incidents_opened_.inc();
  dirty_alerts_.insert(fp);
  dirty_incidents_.insert(incident.id);
  incidents_.emplace(incident.id, std::move(incident));
  firing_.emplace(fp, std::move(alert));
}

void Correlator::repeat_alert(Alert& alert, const Event& event, std::int64_t now_ms) {
  alert.count += 1;
  alert.last_seen_ms = event.received_at_ms;
  if (event.severity > alert.severity) alert.severity = event.severity;
  repeated_alerts_.insert(alert.fingerprint);
  if (auto it = incidents_.find(alert.incident_id); it != incidents_.end()) {
    Incident& incident = it->second;
    incident.event_count += 1;
    incident.updated_at_ms = now_ms;
    if (alert.severity > incident.severity) incident.severity = alert.severity;
    repeated_incidents_.insert(incident.id);
  }
}

void Correlator::clear_alert(Alert& alert, const Event& event, std::int64_t now_ms, ChangeSet& changes) {
  alert.state = AlertState::resolved;
  alert.resolved_at_ms = event.received_at_ms;
  alert.last_seen_ms = event.received_at_ms;
  dirty_alerts_.erase(alert.fingerprint);
  resolved_alerts_.push_back(alert);
  auto it = incidents_.find(alert.incident_id);
  if (it == incidents_.end()) return;
  Incident& incident = it->second;
  incident.event_count += 1;
  resolve_incident(incident, "tocsin", "cleared by " + event.name + " on " + event.resource, now_ms, changes);
  incidents_.erase(it);
}

void Correlator::resolve_incident(Incident& incident, const std::string& actor, const std::string& why,
                                  std::int64_t now_ms, ChangeSet& changes) {
  incident.state = IncidentState::resolved;
  incident.resolved_at_ms = incident.updated_at_ms = now_ms;
  changes.timeline.push_back({0, incident.id, now_ms, actor, "resolved", why});
  dirty_incidents_.erase(incident.id);
  changes.incidents.push_back(incident);
  incidents_resolved_.inc();
}

ActionResult Correlator::on_action(const IncidentAction& action, std::int64_t now_ms, ChangeSet& changes) {
  auto it = incidents_.find(action.incident_id);
  if (it == incidents_.end())
    return {404, "incident " + std::to_string(action.incident_id) + " is not open", std::nullopt};
  Incident& incident = it->second;
  std::string note = action.comment.empty() ? "" : ": " + action.comment;
  if (action.kind == ActionKind::acknowledge) {
    if (incident.state == IncidentState::acknowledged)
      return {409, "incident " + std::to_string(incident.id) + " is already acknowledged", incident};
    incident.state = IncidentState::acknowledged;
    incident.acknowledged_at_ms = incident.updated_at_ms = now_ms;
    changes.timeline.push_back({0, incident.id, now_ms, action.actor, "acknowledged", "acknowledged" + note});
    dirty_incidents_.insert(incident.id);
    return {200, "", incident};
  }
  // Resolving by hand resolves the incident's alerts too: if the fault comes
  // back, it opens a new incident rather than silently rejoining this one.
  for (auto a = firing_.begin(); a != firing_.end();) {
    if (a->second.incident_id != incident.id) {
      ++a;
      continue;
    }
    a->second.state = AlertState::resolved;
    a->second.resolved_at_ms = now_ms;
    dirty_alerts_.erase(a->first);
    resolved_alerts_.push_back(a->second);
    a = firing_.erase(a);
  }
  resolve_incident(incident, action.actor, "resolved by hand" + note, now_ms, changes);
  ActionResult result{200, "", incident};
  incidents_.erase(it);
  return result;
}

void Correlator::on_tick(std::int64_t now_ms, ChangeSet& changes) {
  rules_tick(now_ms, changes);
}

void Correlator::flush(ChangeSet& changes) {
  for (const auto& fp : dirty_alerts_)
    if (auto it = firing_.find(fp); it != firing_.end()) changes.alerts.push_back(it->second);
  for (auto& a : resolved_alerts_) changes.alerts.push_back(std::move(a));
  for (auto id : dirty_incidents_)
    if (auto it = incidents_.find(id); it != incidents_.end()) changes.incidents.push_back(it->second);
  // Rows written whole above (or resolved, hence gone from the working set)
  // already carry their counters.
  for (const auto& fp : repeated_alerts_) {
    auto it = firing_.find(fp);
    if (it == firing_.end() || dirty_alerts_.contains(fp)) continue;
    const Alert& a = it->second;
    changes.alert_repeats.push_back({a.id, a.count, a.last_seen_ms, a.severity});
  }
  for (auto id : repeated_incidents_) {
    auto it = incidents_.find(id);
    if (it == incidents_.end() || dirty_incidents_.contains(id)) continue;
    const Incident& i = it->second;
    changes.incident_repeats.push_back({i.id, i.event_count, i.severity, i.updated_at_ms});
  }
  dirty_alerts_.clear();
  dirty_incidents_.clear();
  repeated_alerts_.clear();
  repeated_incidents_.clear();
  resolved_alerts_.clear();
}

void Correlator::page(const Incident& incident, const Alert& alert, std::int64_t now_ms, ChangeSet& changes) {
  if (config_.email_recipients.empty()) return;
  std::string subject = "[" + incident.priority + "] #" + std::to_string(incident.id) + " " + alert.name + " on " +
                        alert.resource;
  std::string body = "Incident #" + std::to_string(incident.id) + " opened: " + incident.title + "\n\n";
  body += "Priority:   " + incident.priority + "\n";
  body += "Severity:   " + std::string(to_string(incident.severity)) + "\n";
  body += "Resource:   " + alert.resource + "\n";
  body += "Alert:      " + alert.name + "\n";
  body += "Group:      " + incident.group + "\n";
  body += "First seen: " + format_rfc3339(alert.first_seen_ms) + "\n";
  if (!alert.attributes.empty()) {
    body += "\nDetails:\n";
    for (const auto& [k, v] : alert.attributes) body += "  " + k + ": " + v + "\n";
  }
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
                              "page queued for " + std::to_string(config_.email_recipients.size()) +
                                  " e-mail recipient(s)"});
}

}  // namespace tocsin

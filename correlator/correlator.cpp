// Dedup by fingerprint, clear pairing, one incident per alert, and the
// notification intents an opened incident causes.
#include "correlator/correlator.hpp"

#include "correlator/oncall/authority.hpp"

#include <algorithm>

#include "correlator/clock.hpp"
#include "correlator/notify/page.hpp"

namespace tocsin {

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
      symptoms_joined_(stats.counter("tocsin_correlator_symptoms_total",
                                     "Alerts that joined an upstream CI's incident as symptoms instead of paging")),
      alerts_grouped_(stats.counter("tocsin_correlator_grouped_alerts_total",
                                    "Alerts that joined an incident on the same grouping key")),
      incidents_merged_(stats.counter("tocsin_correlator_merged_incidents_total",
                                      "Incidents adopted by a later root cause on an upstream CI")),
      unknown_resources_(stats.counter("tocsin_correlator_unknown_resource_events_total",
                                       "Problem events whose resource matched no CI (CMDB gaps)")),
      incidents_auto_closed_(stats.counter("tocsin_incidents_auto_closed_total",
                                           "Resolved incidents closed by auto-close")),
      incidents_recurring_(stats.counter("tocsin_incidents_recurring_total",
                                         "Incidents opened on a CI that had at least recurrence_note_at incidents "
                                         "within the recurrence window")),
      rules_(stats, config_.rules) {
  sla_init(stats);
  recurrence_.configure(config_.recurrence);
  suppression_init(stats);
  oncall_init(stats);
}

void Correlator::restore_recurrence(const std::vector<std::pair<std::string, std::int64_t>>& openings) {
  recurrence_.restore(openings);
}

std::size_t Correlator::auto_close_resolved(std::vector<Incident> resolved,
                                            const std::unordered_set<std::int64_t>& skip, std::int64_t now_ms,
                                            ChangeSet& changes) {
  std::size_t closed = 0;
  for (auto& incident : resolved) {
    if (skip.contains(incident.id) || incidents_.contains(incident.id)) continue;
    if (!auto_close_due(incident, now_ms, config_.auto_close)) continue;
    auto_close(std::move(incident), now_ms, config_.auto_close, changes);
    ++closed;
  }
  incidents_auto_closed_.inc(closed);
  return closed;
}

void Correlator::restore(const IdState& ids, std::vector<Alert> firing, std::vector<Incident> unresolved) {
  ids_ = ids;
  dirty_alerts_.clear();
  repeated_alerts_.clear();
  erased_alerts_.clear();
  firing_.clear();
  incidents_.clear();
  for (auto& a : firing) {
    const std::uint64_t key = firing_key(a.fingerprint);
    firing_.emplace(key, std::make_unique<FiringAlert>(std::move(a)));
  }
  for (auto& i : unresolved) incidents_.emplace(i.id, OpenIncident(std::move(i)));
  rebase_ci_fields();
  rebuild_work();
  suppression_restore();
  rules_restore();
  sla_restore();
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
    const std::uint64_t key = firing_key(record.fingerprint);
    auto it = firing_.find(key);
    if (event.kind == EventKind::problem) {
      events_problem_.inc();
      if (it == firing_.end()) {
        if (!rules_hold(event, record.fingerprint, now_ms))
          open_alert(event, record.fingerprint, now_ms, record, changes);
      } else {
        repeat_alert(*it->second, event, now_ms);
        record.alert_id = it->second->id;
        rules_on_repeat(*it->second, now_ms);
      }
    } else {
      events_clear_.inc();
      if (it == firing_.end()) {
        clears_without_alert_.inc();
        rules_on_orphan_clear(record.fingerprint);
      } else {
        record.alert_id = it->second->id;
        if (!rules_keep_on_clear(*it->second, event, now_ms, changes)) {
          clear_alert(*it->second, event, now_ms, changes);
          // Found again: resolving the incident may have changed firing_.
          erase_firing(firing_.find(key));
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
  alert.attributes = label_attributes(event.attributes);
  alert.source = event.source;
  alert.first_seen_ms = alert.last_seen_ms = event.received_at_ms;
  alert.count = 1;
  Enrichment e = enrich(config_.cmdb.get(), event.resource);
  apply_enrichment(e, config_.cmdb, alert);
  alert.group = assign_group(config_.assignment, config_.default_group, e.ci, event);
  if (!e) {
    unknown_resources_.inc();
    gaps_.record(event.resource, event.source, now_ms);
  }
  record.alert_id = alert.id;
  alerts_opened_.inc();
  FiringAlert& firing = *firing_.emplace(firing_key(fp), std::make_unique<FiringAlert>(std::move(alert))).first->second;
  dirty_alerts_.insert(&firing);
  if (suppress_on_open(firing, now_ms)) return;
  place_alert(firing, e, event, now_ms, changes);
  // The Nth state change within the flapping window: the incident stays open
  // and gets one "flapping" page instead of the page it just queued.
  if (auto it = incidents_.find(firing.incident_id); it != incidents_.end()) {
    std::size_t queued = changes.notifications.size();
    if (rules_flap_on_raise(event, firing, it->second, now_ms, changes)) {
      auto& n = changes.notifications;
      std::vector<Notification> flapping(std::make_move_iterator(n.begin() + static_cast<std::ptrdiff_t>(queued)),
                                         std::make_move_iterator(n.end()));
      n.resize(queued);
      std::erase_if(n, [&](const Notification& x) { return x.incident_id == firing.incident_id && x.created_at_ms == now_ms; });
      for (auto& f : flapping) n.push_back(std::move(f));
    }
  }
}

void Correlator::repeat_alert(FiringAlert& alert, const Event& event, std::int64_t now_ms) {
  alert.count += 1;
  alert.last_seen_ms = event.received_at_ms;
  if (event.severity > alert.severity) alert.severity = event.severity;
  repeated_alerts_.push_back(&alert);
  if (alert.ci.empty() && config_.cmdb) {
    unknown_resources_.inc();
    gaps_.record(alert.resource, event.source, now_ms);
  }
  Incident* held = alert.incident;
  // An alert outside its incident's work (restored beside an incident
  // reopened later) is looked up.
  if (held == nullptr && alert.incident_id != 0)
    if (auto it = incidents_.find(alert.incident_id); it != incidents_.end()) held = &it->second;
  if (held != nullptr) {
    Incident& incident = *held;
    incident.event_count += 1;
    incident.updated_at_ms = now_ms;
    if (!alert.symptom && alert.severity > incident.severity) incident.severity = alert.severity;
    repeated_incidents_.push_back(incident.id);
  }
}

void Correlator::clear_alert(FiringAlert& alert, const Event& event, std::int64_t now_ms, ChangeSet& changes) {
  // Resolved quietly: it has no incident. `suppressed_by` stays as its history.
  if (alert.state == AlertState::suppressed) suppressed_alert_cleared(alert);
  alert.state = AlertState::resolved;
  alert.resolved_at_ms = event.received_at_ms;
  alert.last_seen_ms = event.received_at_ms;
  dirty_alerts_.erase(&alert);
  resolved_alerts_.push_back(alert);
  auto it = incidents_.find(alert.incident_id);
  if (it == incidents_.end()) return;
  Incident& incident = it->second;
  incident.event_count += 1;
  alert_cleared(incident, alert, event, now_ms, changes);
}

void Correlator::resolve_incident(Incident& incident, const std::string& actor, const std::string& why,
                                  std::int64_t now_ms, ChangeSet& changes) {
  incident.state = IncidentState::resolved;
  incident.resolved_at_ms = incident.updated_at_ms = now_ms;
  changes.timeline.push_back({0, incident.id, now_ms, actor, "resolved", why});
  post_webhooks(incident, notify::PageKind::resolved, actor, why, now_ms, changes);
  dirty_incidents_.erase(incident.id);
  changes.incidents.push_back(incident);
  incidents_resolved_.inc();
}

ActionResult Correlator::on_action(const IncidentAction& action, std::int64_t now_ms, ChangeSet& changes) {
  auto it = incidents_.find(action.incident_id);
  if (it == incidents_.end()) {
    if (action.stored) return act_on_stored(action, now_ms, changes);
    return {404, "incident " + std::to_string(action.incident_id) + " is not open", std::nullopt};
  }
  Incident& incident = it->second;
  std::string note = action.comment.empty() ? "" : ": " + action.comment;
  if (action.kind == ActionKind::escalate) return sla_escalate(incident, action, now_ms, changes);
  if (action.kind != ActionKind::acknowledge && action.kind != ActionKind::resolve &&
      action.kind != ActionKind::escalate)
    return act_on_open(incident, action, now_ms, changes);
  if (action.kind != ActionKind::acknowledge && action.kind != ActionKind::resolve)
    return {501, std::string(to_string(action.kind)) + " is not supported yet", std::nullopt};
  if (action.kind == ActionKind::acknowledge) {
    if (incident.state == IncidentState::acknowledged)
      return {409, "incident " + std::to_string(incident.id) + " is already acknowledged", incident};
    incident.state = IncidentState::acknowledged;
    incident.acknowledged_at_ms = incident.updated_at_ms = now_ms;
    changes.timeline.push_back({0, incident.id, now_ms, action.actor, "acknowledged", "acknowledged" + note});
    dirty_incidents_.insert(incident.id);
    post_webhooks(incident, notify::PageKind::acknowledged, action.actor, "acknowledged" + note, now_ms, changes);
    return {200, "", incident};
  }
  // Resolving by hand resolves the incident's alerts too: if the fault comes
  // back, it opens a new incident rather than silently rejoining this one.
  for (auto a = firing_.begin(); a != firing_.end();) {
    if (a->second->incident_id != incident.id) {
      ++a;
      continue;
    }
    a->second->state = AlertState::resolved;
    a->second->resolved_at_ms = now_ms;
    resolved_alerts_.push_back(*a->second);
    erase_firing(a++);
  }
  incident.resolution_code = action.resolution_code;
  std::string code = action.resolution_code.empty() ? "" : " (" + action.resolution_code + ")";
  resolve_incident(incident, action.actor, "resolved by hand" + code + note, now_ms, changes);
  ActionResult result{200, "", incident};
  forget_incident(incident.id);
  incidents_.erase(it);
  return result;
}

std::optional<ActionResult> Correlator::authorize(const IncidentAction& action, const oncall::PagesOf& pages,
                                                  std::int64_t now_ms) const {
  auto it = incidents_.find(action.incident_id);
  const Incident* incident = it != incidents_.end() ? &it->second : action.stored ? &*action.stored : nullptr;
  if (incident == nullptr) return std::nullopt;
  const std::string name = "incident " + std::to_string(incident->id);
  if (!config_.oncall) return ActionResult{403, "no on-call directory: nobody may act on " + name + " by reply", std::nullopt};
  if (oncall::standing(*config_.oncall, action.actor, *incident, pages, now_ms) != oncall::Standing::none)
    return std::nullopt;
  return ActionResult{403,
                      action.actor + " may not act on " + name + ": not its assignee, not on call for, lead, manager "
                                     "or member of group " + incident->group + ", and not paged for it",
                      std::nullopt};
}

void Correlator::on_tick(std::int64_t now_ms, ChangeSet& changes) {
  if (now_ms >= next_recurrence_prune_ms_) {
    recurrence_.prune(now_ms);
    next_recurrence_prune_ms_ = now_ms + 60'000;
  }
  run_engine_timers(now_ms, changes);
  suppression_tick(now_ms, changes);
  rules_tick(now_ms, changes);
  sla_tick(now_ms, changes);
}

std::uint64_t Correlator::firing_key(std::string_view fp) { return fingerprint_key(fp); }

void Correlator::erase_firing(FiringIt it) {
  dirty_alerts_.erase(it->second.get());
  if (!repeated_alerts_.empty()) erased_alerts_.push_back(it->second.get());
  firing_.erase(it);
}

void Correlator::flush(ChangeSet& changes) {
  // Oldest first: the same rows in the same order for the same events.
  std::vector<const Alert*> dirty(dirty_alerts_.begin(), dirty_alerts_.end());
  std::sort(dirty.begin(), dirty.end(), [](const Alert* a, const Alert* b) { return a->id < b->id; });
  for (const Alert* a : dirty) changes.alerts.push_back(*a);
  for (auto& a : resolved_alerts_) changes.alerts.push_back(std::move(a));
  for (auto id : dirty_incidents_)
    if (auto it = incidents_.find(id); it != incidents_.end()) changes.incidents.push_back(it->second);
  // Rows written whole above (or resolved, hence gone from the working set)
  // already carry their counters.
  std::sort(repeated_alerts_.begin(), repeated_alerts_.end());
  repeated_alerts_.erase(std::unique(repeated_alerts_.begin(), repeated_alerts_.end()), repeated_alerts_.end());
  std::sort(erased_alerts_.begin(), erased_alerts_.end());
  for (const Alert* a : repeated_alerts_)
    if (!dirty_alerts_.contains(a) && !std::binary_search(erased_alerts_.begin(), erased_alerts_.end(), a))
      changes.alert_repeats.push_back({a->id, a->count, a->last_seen_ms, a->severity});
  std::sort(repeated_incidents_.begin(), repeated_incidents_.end());
  repeated_incidents_.erase(std::unique(repeated_incidents_.begin(), repeated_incidents_.end()),
                            repeated_incidents_.end());
  for (auto id : repeated_incidents_) {
    auto it = incidents_.find(id);
    if (it == incidents_.end() || dirty_incidents_.contains(id)) continue;
    const Incident& i = it->second;
    changes.incident_repeats.push_back({i.id, i.event_count, i.severity, i.updated_at_ms});
  }
  dirty_alerts_.clear();
  dirty_incidents_.clear();
  repeated_alerts_.clear();
  erased_alerts_.clear();
  repeated_incidents_.clear();
  resolved_alerts_.clear();
  gaps_.flush(changes);
}

void Correlator::post_webhooks(const Incident& incident, notify::PageKind kind, const std::string& actor,
                               std::string_view text, std::int64_t now_ms, ChangeSet& changes) {
  if (config_.webhooks.empty() || incident.merged_into != 0) return;
  std::string body;
  for (const auto& target : config_.webhooks) {
    if (std::find(target.kinds.begin(), target.kinds.end(), kind) == target.kinds.end()) continue;
    if (body.empty()) body = notify::webhook_payload(incident, kind, actor, text, config_.console_url, now_ms);
    Notification n;
    n.incident_id = incident.id;
    n.channel = "webhook";
    n.recipient = target.url;
    n.subject = std::string(notify::to_string(kind)) + " #" + std::to_string(incident.id);
    n.body = body;
    n.created_at_ms = now_ms;
    // An opening held for a root cause is held here too (and cancelled with the page).
    n.next_attempt_ms = kind == notify::PageKind::opened ? std::max(now_ms, incident.hold_until_ms) : now_ms;
    n.kind = std::string(notify::to_string(kind));
    n.step = incident.escalation_level;
    changes.notifications.push_back(std::move(n));
  }
}

void Correlator::page(const Incident& incident, const Alert& alert, std::int64_t now_ms, ChangeSet& changes) {
  post_webhooks(incident, notify::PageKind::opened, "tocsin", incident.title, now_ms, changes);
  if (sla_page_opened(incident.id, now_ms, changes)) return;
  if (config_.email_recipients.empty()) return;
  notify::PageContext context;
  context.incident = &incident;
  context.kind = notify::PageKind::opened;
  context.channel = "email";
  context.console_url = config_.console_url;
  context.alert = &alert;
  notify::Page rendered = notify::render(context);
  const std::size_t last = config_.email_recipients.size() - 1;
  for (std::size_t i = 0; i <= last; ++i) {
    Notification n;
    n.incident_id = incident.id;
    n.channel = "email";
    n.recipient = config_.email_recipients[i];
    // The last recipient takes the rendered text instead of a copy.
    n.subject = i == last ? std::move(rendered.subject) : rendered.subject;
    n.body = i == last ? std::move(rendered.body) : rendered.body;
    n.created_at_ms = now_ms;
    // Held while a root cause on an upstream CI may still adopt the incident.
    n.next_attempt_ms = std::max(now_ms, incident.hold_until_ms);
    changes.notifications.push_back(std::move(n));
  }
  changes.timeline.push_back({0, incident.id, now_ms, "tocsin", "notified",
                              "page queued for " + std::to_string(config_.email_recipients.size()) +
                                  " e-mail recipient(s)"});
}

}  // namespace tocsin

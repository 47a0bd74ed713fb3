// The incident engine: where a new alert goes (an incident on the same
// grouping key, an upstream CI's incident as a symptom, or a new incident),
// how a late root cause adopts the held incidents of its downstream CIs, and
// when an incident resolves. Semantics in correlator/README.md.
#include <algorithm>

#include "correlator/clock.hpp"
#include "correlator/correlator.hpp"

namespace tocsin {

namespace {
std::string describe(const Alert& a) {
  return a.name + " on " + (a.cmdb.name().empty() ? a.resource : a.cmdb.name());
}
}  // namespace

void Correlator::set_config(CorrelatorConfig config) {
  bool new_cmdb = config.cmdb != config_.cmdb;
  config_ = std::move(config);
  rules_.configure(config_.rules);
  recurrence_.configure(config_.recurrence);
  suppression_configure();
  if (!new_cmdb) return;
  rebase_ci_fields();
  rebuild_work();
}

void Correlator::set_cmdb(std::shared_ptr<const cmdb::Cmdb> cmdb) {
  if (cmdb == config_.cmdb) return;
  config_.cmdb = std::move(cmdb);
  // Maintenance windows on a CI match through the same snapshot.
  suppressions_.set_cmdb(config_.cmdb);
  rebase_ci_fields();
  rebuild_work();
}

void Correlator::rebase_ci_fields() {
  // One new record per old one: an alert and its incident keep sharing theirs.
  std::unordered_map<const cmdb::Ci*, CiFields> rebased;
  auto rebase = [&](CiFields& fields, std::string_view ci) {
    if (!fields.record()) return;
    auto [it, added] = rebased.try_emplace(fields.record().get());
    if (added) {
      const cmdb::Ci* now = config_.cmdb ? config_.cmdb->find_id(ci) : nullptr;
      it->second = now != nullptr && fields.same_values(*now)
                       ? CiFields(std::shared_ptr<const cmdb::Ci>(config_.cmdb, now))
                       : CiFields::copy_of(fields.name(), fields.services(), fields.location(), fields.runbook());
    }
    fields = it->second;
  };
  for (auto& [key, alert] : firing_) rebase(alert->cmdb, alert->ci);
  for (auto& [id, incident] : incidents_) rebase(incident.cmdb, incident.ci);
}

void Correlator::place_alert(FiringAlert& alert, const Enrichment& e, const Event& event, std::int64_t now_ms,
                             ChangeSet& changes) {
  std::string key = group_key(config_.grouping, alert);
  if (!key.empty()) {
    if (auto g = by_group_key_.find(key); g != by_group_key_.end()) {
      auto it = incidents_.find(g->second);
      // A root alert firing again during the auto-resolve hold rejoins its
      // incident whatever the window.
      if (it != incidents_.end() && (now_ms < it->second.opened_at_ms + config_.grouping.window_ms ||
                                     it->second.resolve_after_ms > 0)) {
        alerts_grouped_.inc();
        join(it->second, alert, false, now_ms, changes);
        return;
      }
    }
  }
  if (e && config_.cmdb && config_.topology.enabled) {
    std::int64_t root = find_upstream(*config_.cmdb, e.ci_index, [this](std::uint32_t ci) -> std::int64_t {
      auto it = by_root_ci_.find(ci);
      return it == by_root_ci_.end() ? 0 : it->second;
    });
    if (auto it = incidents_.find(root); root != 0 && it != incidents_.end()) {
      symptoms_joined_.inc();
      join(it->second, alert, true, now_ms, changes);
      return;
    }
  }
  OpenIncident& incident = open_incident(alert, e, event, now_ms, changes);
  IncidentWork& work = incident.work;
  work.alerts.push_back(&alert);
  alert.incident = &incident;
  work.firing_roots = 1;
  work.group_key = key;
  if (!key.empty()) by_group_key_[key] = incident.id;
  if (e) {
    work.ci_index = e.ci_index;
    by_root_ci_[e.ci_index] = incident.id;
    if (config_.topology.enabled) adopt_held(incident, e.ci_index, now_ms, changes);
    if (config_.topology.enabled && config_.topology.hold_ms > 0 && !config_.cmdb->upstream(e.ci_index).empty()) {
      incident.hold_until_ms = now_ms + config_.topology.hold_ms;
      held_.emplace(incident.hold_until_ms, incident.id);
      if (!config_.email_recipients.empty())
        changes.timeline.push_back({0, incident.id, now_ms, "tocsin", "held",
                                    "page held until " + format_rfc3339(incident.hold_until_ms) +
                                        ": a root cause on an upstream CI may still arrive"});
    }
  }
  page(incident, alert, now_ms, changes);
}

Correlator::OpenIncident& Correlator::open_incident(FiringAlert& alert, const Enrichment& e, const Event& event,
                                                    std::int64_t now_ms, ChangeSet& changes) {
  Incident incident;
  incident.id = ++ids_.incident;
  if (event.summary.empty()) incident.title = describe(alert);
  else if (alert.summary == event.summary) incident.title = alert.summary;  // one block for both
  else incident.title = event.summary;
  incident.severity = event.severity;
  incident.priority = priority_of(config_.priority, config_.cmdb.get(), e.ci, event);
  incident.ci = alert.ci.empty() ? alert.resource : alert.ci;
  incident.criticality = alert.criticality;
  incident.cmdb = alert.cmdb;
  if (!alert.cmdb.services().empty()) incident.service = alert.cmdb.services().front();
  incident.group = alert.group;
  incident.alert_count = 1;
  incident.event_count = 1;
  incident.root_alert_id = alert.id;
  incident.opened_at_ms = incident.updated_at_ms = now_ms;
  alert.incident_id = incident.id;
  incident.recurrence_count = recurrence_.count(incident.ci, now_ms);
  recurrence_.record(incident.ci, now_ms);
  sla_on_open(incident);
  changes.timeline.push_back({0, incident.id, now_ms, "tocsin", "opened",
                              describe(alert) + " (" + std::string(to_string(alert.severity)) + ", rule " +
                                  (event.rule.empty() ? "none" : event.rule) + ", priority " + incident.priority +
                                  ", group " + incident.group + ")"});
  const RecurrenceConfig& rc = recurrence_.config();
  if (rc.note_at > 0 && incident.recurrence_count >= rc.note_at) {
    incidents_recurring_.inc();
    changes.timeline.push_back({0, incident.id, now_ms, "tocsin", "recurring",
                                (incident.cmdb.name().empty() ? incident.ci : incident.cmdb.name()) + " had " +
                                    std::to_string(incident.recurrence_count) + " incident(s) in the last " +
                                    format_duration(rc.window_ms) + " before this one: problem candidate"});
  }
  assign_opened(incident, assign(config_.assignment, config_.default_group, e.ci, event).assignee, now_ms, changes);
  incidents_opened_.inc();
  dirty_incidents_.insert(incident.id);
  return incidents_.emplace(incident.id, OpenIncident(std::move(incident))).first->second;
}

void Correlator::join(Incident& incident, FiringAlert& alert, bool symptom, std::int64_t now_ms, ChangeSet& changes) {
  alert.incident_id = incident.id;
  alert.incident = &incident;
  alert.symptom = symptom;
  incident.alert_count += 1;
  incident.event_count += alert.count;
  incident.updated_at_ms = now_ms;
  IncidentWork& work = work_of(incident.id);
  work.alerts.push_back(&alert);
  if (symptom) {
    incident.symptom_count += 1;
  } else {
    work.firing_roots += 1;
    if (alert.severity > incident.severity) incident.severity = alert.severity;
    changes.timeline.push_back({0, incident.id, now_ms, "tocsin", "alert", describe(alert) + " joined"});
    if (incident.resolve_after_ms > 0) {
      resolve_due_.erase({incident.resolve_after_ms, incident.id});
      incident.resolve_after_ms = 0;
      changes.timeline.push_back(
          {0, incident.id, now_ms, "tocsin", "alert", describe(alert) + " fired again: auto-resolve cancelled"});
    }
  }
  dirty_alerts_.insert(&alert);
  dirty_incidents_.insert(incident.id);
}

// Incidents still holding their page, on CIs below `ci_index`, become
// symptoms of `root`.
void Correlator::adopt_held(Incident& root, std::uint32_t ci_index, std::int64_t now_ms, ChangeSet& changes) {
  while (!held_.empty() && held_.begin()->first <= now_ms) held_.erase(held_.begin());
  // Most CIs (hosts) have nothing below them: the common case costs nothing.
  if (held_.empty() || config_.cmdb->downstream(ci_index).empty()) return;
  std::vector<std::int64_t> adopt;
  for (const auto& [until, id] : held_) {
    auto w = incidents_.find(id);
    if (id == root.id || w == incidents_.end() || w->second.work.ci_index == no_ci) continue;
    if (depends_on(*config_.cmdb, w->second.work.ci_index, ci_index)) adopt.push_back(id);
  }
  for (std::int64_t id : adopt)
    if (auto it = incidents_.find(id); it != incidents_.end()) merge(it->second, root, now_ms, changes);
}

void Correlator::merge(Incident& from, Incident& root, std::int64_t now_ms, ChangeSet& changes) {
  auto moved = std::move(work_of(from.id).alerts);
  work_of(from.id).alerts.clear();
  IncidentWork& into = work_of(root.id);
  for (FiringAlert* a : moved) {
    a->incident_id = root.id;
    a->incident = &root;
    a->symptom = true;
    dirty_alerts_.insert(a);
    into.alerts.push_back(a);
  }
  // Alerts of `from` that already cleared stay with it, as its history.
  root.alert_count += static_cast<std::int64_t>(moved.size());
  root.symptom_count += static_cast<std::int64_t>(moved.size());
  root.event_count += from.event_count;
  root.updated_at_ms = now_ms;
  changes.timeline.push_back({0, root.id, now_ms, "tocsin", "adopted",
                              "incident #" + std::to_string(from.id) + " (" + from.title + ") with " +
                                  std::to_string(moved.size()) + " alert(s) as symptoms"});
  changes.timeline.push_back({0, from.id, now_ms, "tocsin", "merged",
                              "merged into #" + std::to_string(root.id) + ": symptom of " +
                                  (root.cmdb.name().empty() ? root.ci.str() : root.cmdb.name()) + "; held page cancelled"});
  changes.cancelled_pages.push_back(from.id);
  from.merged_into = root.id;
  recurrence_.forget(from.ci, from.opened_at_ms);
  from.state = IncidentState::resolved;
  from.resolved_at_ms = from.updated_at_ms = now_ms;
  dirty_incidents_.insert(root.id);
  dirty_incidents_.erase(from.id);
  changes.incidents.push_back(from);
  incidents_merged_.inc();
  forget_incident(from.id);
  incidents_.erase(from.id);
}

void Correlator::alert_cleared(Incident& incident, FiringAlert& alert, const Event& event, std::int64_t now_ms,
                               ChangeSet& changes) {
  IncidentWork& work = work_of(incident.id);
  work.alerts.erase(std::remove(work.alerts.begin(), work.alerts.end(), &alert), work.alerts.end());
  alert.incident = nullptr;
  if (alert.symptom) {
    dirty_incidents_.insert(incident.id);
    return;
  }
  work.firing_roots = std::max(0, work.firing_roots - 1);
  std::string why = "cleared by " + event.name + " on " + event.resource;
  if (work.firing_roots > 0) {
    changes.timeline.push_back({0, incident.id, now_ms, "tocsin", "alert",
                                describe(alert) + " " + why + "; " + std::to_string(work.firing_roots) +
                                    " root alert(s) still firing"});
    dirty_incidents_.insert(incident.id);
    return;
  }
  if (config_.auto_resolve_hold_ms > 0) {
    incident.resolve_after_ms = now_ms + config_.auto_resolve_hold_ms;
    resolve_due_.emplace(incident.resolve_after_ms, incident.id);
    changes.timeline.push_back({0, incident.id, now_ms, "tocsin", "alert",
                                describe(alert) + " " + why + "; resolves at " +
                                    format_rfc3339(incident.resolve_after_ms) + " unless it fires again"});
    dirty_incidents_.insert(incident.id);
    return;
  }
  finish_incident(incident, why, now_ms, changes);
}

// Resolves the incident and the symptom alerts still firing with it.
void Correlator::finish_incident(Incident& incident, const std::string& why, std::int64_t now_ms,
                                 ChangeSet& changes) {
  std::int64_t id = incident.id;
  std::size_t symptoms = 0;
  if (auto w = incidents_.find(id); w != incidents_.end()) {
    for (Alert* a : w->second.work.alerts) {
      a->state = AlertState::resolved;
      a->resolved_at_ms = now_ms;
      resolved_alerts_.push_back(*a);
      ++symptoms;
      if (auto f = firing_.find(firing_key(a->fingerprint)); f != firing_.end()) erase_firing(f);
    }
  }
  std::string text = why;
  if (symptoms > 0)
    text += "; " + std::to_string(symptoms) + " symptom alert(s) resolved with their root cause";
  resolve_due_.erase({incident.resolve_after_ms, id});
  incident.resolve_after_ms = 0;
  resolve_incident(incident, "tocsin", text, now_ms, changes);
  forget_incident(id);
  incidents_.erase(id);
}

void Correlator::forget_incident(std::int64_t id) {
  auto i = incidents_.find(id);
  if (i == incidents_.end()) return;
  IncidentWork& w = i->second.work;
  if (auto r = by_root_ci_.find(w.ci_index); r != by_root_ci_.end() && r->second == id) by_root_ci_.erase(r);
  if (auto g = by_group_key_.find(w.group_key); g != by_group_key_.end() && g->second == id) by_group_key_.erase(g);
  held_.erase({i->second.hold_until_ms, id});
  resolve_due_.erase({i->second.resolve_after_ms, id});
  w = {};
}

// The engine's indexes from the alerts and incidents (start-up, CMDB reload).
void Correlator::rebuild_work() {
  by_root_ci_.clear();
  by_group_key_.clear();
  held_.clear();
  resolve_due_.clear();
  const cmdb::Cmdb* db = config_.cmdb.get();
  for (auto& [id, incident] : incidents_) {
    IncidentWork& w = incident.work;
    w = {};
    if (const cmdb::Ci* ci = db ? db->find_id(incident.ci) : nullptr) {
      w.ci_index = db->index_of(*ci);
      by_root_ci_[w.ci_index] = id;
    }
    if (incident.hold_until_ms > 0) held_.emplace(incident.hold_until_ms, id);
    if (incident.resolve_after_ms > 0) resolve_due_.emplace(incident.resolve_after_ms, id);
  }
  for (auto& [key, held] : firing_) {
    FiringAlert& alert = *held;
    alert.incident = nullptr;
    auto it = incidents_.find(alert.incident_id);
    if (it == incidents_.end()) continue;
    IncidentWork& w = it->second.work;
    w.alerts.push_back(&alert);
    alert.incident = &it->second;
    if (alert.symptom) continue;
    w.firing_roots += 1;
    if (alert.id == it->second.root_alert_id) {
      w.group_key = group_key(config_.grouping, alert);
      if (!w.group_key.empty()) by_group_key_[w.group_key.str()] = alert.incident_id;
    }
  }
}

void Correlator::run_engine_timers(std::int64_t now_ms, ChangeSet& changes) {
  while (!held_.empty() && held_.begin()->first <= now_ms) held_.erase(held_.begin());
  while (!resolve_due_.empty() && resolve_due_.begin()->first <= now_ms) {
    std::int64_t id = resolve_due_.begin()->second;
    resolve_due_.erase(resolve_due_.begin());
    auto it = incidents_.find(id);
    if (it == incidents_.end()) continue;
    finish_incident(it->second, "all root alerts stayed clear through the auto-resolve hold", now_ms, changes);
  }
}

}  // namespace tocsin

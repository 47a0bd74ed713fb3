// The incident lifecycle after it opens: close, reopen, assign, forward,
// return, comment and manual priority. Each change is one timeline entry with
// the actor, the time and the reason. Acknowledge and resolve live in
// correlator.cpp; escalation has its own file.
#include <string>

#include "correlator/correlator.hpp"

namespace tocsin {

namespace {

std::string name_of(const Incident& i) { return "incident " + std::to_string(i.id); }

std::string reason_suffix(const IncidentAction& a) { return a.comment.empty() ? "" : ": " + a.comment; }

ActionResult conflict(const Incident& i, const std::string& why) { return {409, name_of(i) + " " + why, i}; }

ActionResult done(const Incident& i) { return {200, "", i}; }

}  // namespace

ActionResult Correlator::act_on_open(Incident& incident, const IncidentAction& action, std::int64_t now_ms,
                                     ChangeSet& changes) {
  auto record = [&](std::string what, std::string text) {
    changes.timeline.push_back({0, incident.id, now_ms, action.actor, std::move(what), std::move(text)});
    incident.updated_at_ms = now_ms;
    dirty_incidents_.insert(incident.id);
  };
  switch (action.kind) {
    case ActionKind::close:
      return conflict(incident, "is not resolved: only a resolved incident can be closed");
    case ActionKind::reopen:
      return conflict(incident, "is not resolved or closed");
    case ActionKind::comment:
      record("comment", action.comment);
      return done(incident);
    case ActionKind::assign: {
      std::string text;
      if (!action.group.empty() && action.group != incident.group) {
        text = "group " + incident.group + " → " + action.group;
        incident.group = action.group;
        if (action.assignee.empty()) incident.assignee.clear();
      }
      if (!action.assignee.empty()) {
        if (!text.empty()) text += ", ";
        text += "assignee " + (incident.assignee.empty() ? std::string("nobody") : incident.assignee) + " → " +
                action.assignee;
        incident.assignee = action.assignee;
      }
      if (text.empty()) return conflict(incident, "already has that owner");
      record("assigned", text + reason_suffix(action));
      return done(incident);
    }
    case ActionKind::forward: {
      if (action.group == incident.group) return conflict(incident, "already belongs to " + action.group);
      std::string text = "forwarded from " + incident.group + " to " + action.group + reason_suffix(action);
      incident.previous_group = incident.group;
      incident.group = action.group;
      incident.assignee.clear();
      if (auto who = assign_on_call(incident, "", now_ms)) text += "; " + *who;
      record("forwarded", text);
      return done(incident);
    }
    case ActionKind::return_: {
      if (incident.previous_group.empty()) return conflict(incident, "was not forwarded: no group to return it to");
      std::string text = "returned from " + incident.group + " to " + incident.previous_group + reason_suffix(action);
      incident.group = incident.previous_group;
      incident.previous_group.clear();
      incident.assignee.clear();
      if (auto who = assign_on_call(incident, "", now_ms)) text += "; " + *who;
      record("returned", text);
      return done(incident);
    }
    case ActionKind::set_priority: {
      if (action.priority == incident.priority) return conflict(incident, "already has priority " + action.priority);
      std::string text = "priority " + incident.priority + " → " + action.priority + reason_suffix(action);
      incident.priority = action.priority;
      incident.priority_set_by = action.actor;
      record("priority", text);
      sla_on_priority(incident, now_ms, changes);
      return done(incident);
    }
    default:
      return {501, std::string(to_string(action.kind)) + " is not supported yet", std::nullopt};
  }
}

// A resolved or closed incident, as the pipeline read it from the store.
ActionResult Correlator::act_on_stored(const IncidentAction& action, std::int64_t now_ms, ChangeSet& changes) {
  Incident incident = *action.stored;
  auto record = [&](std::string what, std::string text) {
    changes.timeline.push_back({0, incident.id, now_ms, action.actor, std::move(what), std::move(text)});
  };
  const bool closed = incident.state == IncidentState::closed;
  switch (action.kind) {
    case ActionKind::comment:
      record("comment", action.comment);
      return done(incident);
    case ActionKind::close:
      if (closed) return conflict(incident, "is already closed");
      incident.state = IncidentState::closed;
      incident.closed_at_ms = incident.updated_at_ms = now_ms;
      record("closed", "closed" + reason_suffix(action));
      changes.incidents.push_back(incident);
      return done(incident);
    case ActionKind::reopen: {
      record("reopened", std::string("reopened from ") + (closed ? "closed" : "resolved") + reason_suffix(action));
      incident.state = IncidentState::open;
      incident.acknowledged_at_ms = incident.resolved_at_ms = incident.closed_at_ms = 0;
      incident.resolution_code.clear();
      incident.merged_into = 0;
      incident.hold_until_ms = incident.resolve_after_ms = 0;
      incident.updated_at_ms = now_ms;
      // Back in the working set without firing alerts: it stays open until a
      // person resolves it again.
      OpenIncident& kept = incidents_.insert_or_assign(incident.id, OpenIncident(std::move(incident))).first->second;
      const cmdb::Cmdb* db = config_.cmdb.get();
      if (const cmdb::Ci* ci = db ? db->find_id(kept.ci) : nullptr) {
        kept.work.ci_index = db->index_of(*ci);
        by_root_ci_.try_emplace(kept.work.ci_index, kept.id);
      }
      dirty_incidents_.insert(kept.id);
      sla_on_reopen(kept, now_ms, changes);
      return done(kept);
    }
    default:
      return conflict(incident, std::string("is ") + std::string(to_string(incident.state)));
  }
}

}  // namespace tocsin

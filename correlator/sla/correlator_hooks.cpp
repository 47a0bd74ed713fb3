// The correlator's SLA clocks and escalation steps: due times are computed at
// open, stored on the incident (sla.*, escalation_level, next_escalation_ms)
// and kept in ordered timer sets that on_tick drains. A timer fires only when
// its due time has passed, advances the stored state in the same ChangeSet as
// its pages, and is rebuilt from the stored incidents after a restart.
#include <algorithm>

#include "correlator/clock.hpp"
#include "correlator/correlator.hpp"
#include "correlator/notify/page.hpp"

namespace tocsin {

namespace {

// A step firing more than this after its due time was missed (tocsind down,
// store stalled) and says so in the timeline.
constexpr std::int64_t late_after_ms = 60'000;

// Escalation pages people of the on-call directory: without one, a group's
// policy is inactive and the configured e-mail recipients are paged.
const sla::Policy* active_policy(const CorrelatorConfig& config, std::string_view group) {
  return config.oncall ? sla::policy_for(config.escalation, group) : nullptr;
}

std::string due_summary(const Incident& incident) {
  if (incident.sla.ack_due_ms == 0 && incident.sla.resolve_due_ms == 0) return "no SLA target for " + incident.priority;
  auto at = [](std::int64_t ms) { return ms > 0 ? "due at " + format_rfc3339(ms) : std::string("no target"); };
  return "acknowledge " + at(incident.sla.ack_due_ms) + ", resolve " + at(incident.sla.resolve_due_ms);
}

// The breaches already recorded, e.g. "acknowledge and resolve"; empty when none.
std::string breaches_of(const Sla& sla) {
  if (sla.ack_breached && sla.resolve_breached) return "acknowledge and resolve";
  return sla.ack_breached ? "acknowledge" : sla.resolve_breached ? "resolve" : "";
}

}  // namespace

void Correlator::sla_init(StatsRegistry& stats) {
  sla_counters_.ack_breaches = &stats.counter("tocsin_sla_breaches_total",
                                              "Incidents that missed an SLA target", {{"target", "acknowledge"}});
  sla_counters_.resolve_breaches = &stats.counter("tocsin_sla_breaches_total", "", {{"target", "resolve"}});
  sla_counters_.steps_on_time = &stats.counter("tocsin_escalation_steps_total",
                                               "Escalation steps fired", {{"timing", "on_time"}});
  sla_counters_.steps_late = &stats.counter("tocsin_escalation_steps_total", "", {{"timing", "late"}});
  sla_counters_.steps_manual = &stats.counter("tocsin_escalation_steps_total", "", {{"timing", "manual"}});
}

void Correlator::sla_on_open(Incident& incident) {
  set_due_times(incident);
  if (const sla::Policy* policy = active_policy(config_, incident.group))
    schedule_escalation(incident, *policy);
}

// The due times of the incident's priority counted from its clock start, and
// the timers of the targets neither met nor already missed.
void Correlator::set_due_times(Incident& incident) {
  ack_target_due_.erase({incident.sla.ack_due_ms, incident.id});
  resolve_target_due_.erase({incident.sla.resolve_due_ms, incident.id});
  sla::DueTimes due = sla::due_times(config_.sla, incident.priority, incident.service, sla::clock_start(incident));
  incident.sla.ack_due_ms = due.ack_due_ms;
  incident.sla.resolve_due_ms = due.resolve_due_ms;
  if (due.ack_due_ms > 0 && !incident.sla.ack_breached && incident.acknowledged_at_ms == 0)
    ack_target_due_.emplace(due.ack_due_ms, incident.id);
  if (due.resolve_due_ms > 0 && !incident.sla.resolve_breached && incident.resolved_at_ms == 0)
    resolve_target_due_.emplace(due.resolve_due_ms, incident.id);
}

// A reopened incident (back in the working set, open): the SLA clocks count
// again from now and the escalation starts over at step 0 of the group's
// policy. Breaches recorded before stay in the timeline; the flags now speak
// of the new clocks.
void Correlator::sla_on_reopen(Incident& incident, std::int64_t now_ms, ChangeSet& changes) {
  std::string earlier = breaches_of(incident.sla);
  incident.reopened_at_ms = now_ms;
  incident.sla.ack_breached = incident.sla.resolve_breached = false;
  set_due_times(incident);
  std::string text = "SLA clocks restarted at the reopen: " + due_summary(incident);
  if (!earlier.empty()) text += "; the " + earlier + " breach recorded before stays in the timeline";
  changes.timeline.push_back({0, incident.id, now_ms, "tocsin", "sla", text});
  escalation_due_.erase({incident.next_escalation_ms, incident.id});
  incident.escalation_level = 0;
  incident.next_escalation_ms = 0;
  dirty_incidents_.insert(incident.id);
  const sla::Policy* policy = active_policy(config_, incident.group);
  if (policy == nullptr) return;
  changes.timeline.push_back({0, incident.id, now_ms, "tocsin", "escalation",
                              "escalation restarted from step 0 of group " + incident.group + "'s policy"});
  schedule_escalation(incident, *policy);
  if (auto due = sla::next_step(*policy, incident.state, 0, now_ms, now_ms)) {
    escalation_due_.erase({incident.next_escalation_ms, incident.id});
    fire_escalation(incident, *policy, *due, "tocsin", now_ms, changes);
  }
}

// The priority changed: due times from the new priority's target, counted
// from the opening (or the latest reopen) within its calendar. A target
// already past is missed at once, once; a breach already recorded is kept.
// The escalation policy is the group's and does not change.
void Correlator::sla_on_priority(Incident& incident, std::int64_t now_ms, ChangeSet& changes) {
  set_due_times(incident);
  std::string text = "SLA due times for " + incident.priority + " from " +
                     (incident.reopened_at_ms > 0 ? "the reopen at " : "the opening at ") +
                     format_rfc3339(sla::clock_start(incident)) + ": " + due_summary(incident);
  if (std::string kept = breaches_of(incident.sla); !kept.empty())
    text += "; the " + kept + " breach already recorded is kept";
  changes.timeline.push_back({0, incident.id, now_ms, "tocsin", "sla", text});
  dirty_incidents_.insert(incident.id);
  const Sla& sla = incident.sla;
  if (sla.ack_due_ms > 0 && sla.ack_due_ms <= now_ms && !sla.ack_breached && incident.acknowledged_at_ms == 0) {
    ack_target_due_.erase({sla.ack_due_ms, incident.id});
    record_breach(incident, false, sla.ack_due_ms, now_ms, changes);
  }
  if (sla.resolve_due_ms > 0 && sla.resolve_due_ms <= now_ms && !sla.resolve_breached &&
      incident.resolved_at_ms == 0) {
    resolve_target_due_.erase({sla.resolve_due_ms, incident.id});
    record_breach(incident, true, sla.resolve_due_ms, now_ms, changes);
  }
}

void Correlator::schedule_escalation(Incident& incident, const sla::Policy& policy) {
  auto at = sla::due_at(policy, incident.escalation_level, sla::clock_start(incident));
  incident.next_escalation_ms = at && sla::escalates(incident.state) ? *at : 0;
  if (incident.next_escalation_ms > 0) escalation_due_.emplace(incident.next_escalation_ms, incident.id);
  dirty_incidents_.insert(incident.id);
}

// The opening page: the group's escalation policy pages step 0 when it is due
// at once; false when the group has no policy (the caller pages the
// configured e-mail recipients).
bool Correlator::sla_page_opened(std::int64_t incident_id, std::int64_t now_ms, ChangeSet& changes) {
  auto it = incidents_.find(incident_id);
  if (it == incidents_.end()) return false;
  Incident& incident = it->second;
  const sla::Policy* policy = active_policy(config_, incident.group);
  if (policy == nullptr) return false;
  if (auto due = sla::next_step(*policy, incident.state, incident.escalation_level, sla::clock_start(incident), now_ms)) {
    escalation_due_.erase({incident.next_escalation_ms, incident.id});
    fire_escalation(incident, *policy, *due, "tocsin", now_ms, changes);
  }
  return true;
}

void Correlator::fire_escalation(Incident& incident, const sla::Policy& policy, const sla::Due& due,
                                 const std::string& actor, std::int64_t now_ms, ChangeSet& changes) {
  const sla::Step& step = *sla::step_of(policy, due.level);
  int index = sla::step_index(policy, due.level);
  int round = due.level / static_cast<int>(policy.steps.size());
  bool opening = due.level == 0 && actor == "tocsin";
  sla::Resolution who = sla::resolve(step, incident.group, config_.oncall.get(), now_ms);
  std::string paged;
  for (const auto& target : who.pages) {
    notify::PageContext context;
    context.incident = &incident;
    context.kind = opening ? notify::PageKind::opened : notify::PageKind::escalated;
    context.channel = target.channel;
    context.step = due.level;
    context.person = target.name;
    context.console_url = config_.console_url;
    notify::Page page = notify::render(context);
    Notification n;
    n.incident_id = incident.id;
    n.channel = target.channel;
    n.recipient = target.address;
    n.subject = std::move(page.subject);
    n.body = std::move(page.body);
    n.created_at_ms = now_ms;
    // Held while a root cause on an upstream CI may still adopt the incident.
    n.next_attempt_ms = std::max(now_ms, incident.hold_until_ms);
    n.person = target.person;
    n.kind = opening ? "opened" : "escalated";
    n.step = due.level;
    changes.notifications.push_back(std::move(n));
    paged += (paged.empty() ? "" : ", ") + target.person + " by " + target.channel;
  }
  std::string text = (opening ? "step " : "escalated to step ") + std::to_string(index);
  if (round > 0) text += " (round " + std::to_string(round + 1) + ")";
  text += ": " + (paged.empty() ? std::string("nobody paged") : paged);
  for (const auto& note : who.notes) text += "; " + note;
  bool late = actor == "tocsin" && now_ms - due.due_ms > late_after_ms;
  if (late) {
    text += "; late: due at " + format_rfc3339(due.due_ms);
    if (due.skipped > 0) text += ", " + std::to_string(due.skipped) + " earlier step(s) skipped";
  }
  if (actor != "tocsin") text += "; escalated by hand";
  changes.timeline.push_back({0, incident.id, now_ms, actor, opening ? "notified" : "escalated", text});
  (actor != "tocsin" ? sla_counters_.steps_manual : late ? sla_counters_.steps_late : sla_counters_.steps_on_time)
      ->inc();
  incident.escalation_level = due.level + 1;
  incident.updated_at_ms = now_ms;
  if (!opening) post_webhooks(incident, notify::PageKind::escalated, actor, text, now_ms, changes);
  schedule_escalation(incident, policy);
}

void Correlator::record_breach(Incident& incident, bool resolve_target, std::int64_t due_ms, std::int64_t now_ms,
                               ChangeSet& changes) {
  std::string what = resolve_target ? "resolve" : "acknowledge";
  (resolve_target ? incident.sla.resolve_breached : incident.sla.ack_breached) = true;
  (resolve_target ? sla_counters_.resolve_breaches : sla_counters_.ack_breaches)->inc();
  std::string text = what + " target missed: due at " + format_rfc3339(due_ms);
  if (resolve_target) {
    // The group manager hears of a missed resolve target by e-mail.
    const oncall::Directory* directory = config_.oncall.get();
    std::string manager = directory ? directory->manager(incident.group) : "";
    const oncall::Person* person = manager.empty() ? nullptr : directory->person(manager);
    auto mail = person ? std::find_if(person->contacts.begin(), person->contacts.end(),
                                      [](const oncall::Contact& c) { return c.channel == "email"; })
                       : std::vector<oncall::Contact>::const_iterator{};
    if (person != nullptr && mail != person->contacts.end()) {
      notify::PageContext context{&incident, notify::PageKind::sla_breach, "email", incident.escalation_level,
                                  person->name, config_.console_url, text};
      notify::Page page = notify::render(context);
      Notification n;
      n.incident_id = incident.id;
      n.channel = "email";
      n.recipient = mail->address;
      n.subject = std::move(page.subject);
      n.body = std::move(page.body);
      n.created_at_ms = n.next_attempt_ms = now_ms;
      n.person = manager;
      n.kind = "sla_breach";
      n.step = incident.escalation_level;
      changes.notifications.push_back(std::move(n));
      text += "; manager " + manager + " told by email";
    } else {
      text += "; no group manager with an e-mail address to tell";
    }
  }
  changes.timeline.push_back({0, incident.id, now_ms, "tocsin", "sla_breach", text});
  dirty_incidents_.insert(incident.id);
}

void Correlator::sla_tick(std::int64_t now_ms, ChangeSet& changes) {
  while (!ack_target_due_.empty() && ack_target_due_.begin()->first <= now_ms) {
    auto [due, id] = *ack_target_due_.begin();
    ack_target_due_.erase(ack_target_due_.begin());
    auto it = incidents_.find(id);
    if (it == incidents_.end()) continue;
    Incident& incident = it->second;
    if (incident.sla.ack_due_ms != due || incident.sla.ack_breached || incident.acknowledged_at_ms != 0) continue;
    record_breach(incident, false, due, now_ms, changes);
  }
  while (!resolve_target_due_.empty() && resolve_target_due_.begin()->first <= now_ms) {
    auto [due, id] = *resolve_target_due_.begin();
    resolve_target_due_.erase(resolve_target_due_.begin());
    auto it = incidents_.find(id);
    if (it == incidents_.end()) continue;
    Incident& incident = it->second;
    if (incident.sla.resolve_due_ms != due || incident.sla.resolve_breached || incident.resolved_at_ms != 0) continue;
    record_breach(incident, true, due, now_ms, changes);
  }
  while (!escalation_due_.empty() && escalation_due_.begin()->first <= now_ms) {
    auto [due, id] = *escalation_due_.begin();
    escalation_due_.erase(escalation_due_.begin());
    auto it = incidents_.find(id);
    if (it == incidents_.end() || it->second.next_escalation_ms != due) continue;
    Incident& incident = it->second;
    const sla::Policy* policy = active_policy(config_, incident.group);
    if (policy == nullptr || !sla::escalates(incident.state)) {
      // Acknowledged (or the policy is gone): escalation stops here.
      incident.next_escalation_ms = 0;
      dirty_incidents_.insert(id);
      continue;
    }
    if (auto step = sla::next_step(*policy, incident.state, incident.escalation_level, sla::clock_start(incident), now_ms))
      fire_escalation(incident, *policy, *step, "tocsin", now_ms, changes);
    else
      schedule_escalation(incident, *policy);  // the policy changed on reload
  }
}

void Correlator::sla_restore() {
  escalation_due_.clear();
  ack_target_due_.clear();
  resolve_target_due_.clear();
  for (const auto& [id, incident] : incidents_) {
    if (incident.next_escalation_ms > 0 && sla::escalates(incident.state))
      escalation_due_.emplace(incident.next_escalation_ms, id);
    if (incident.sla.ack_due_ms > 0 && !incident.sla.ack_breached && incident.acknowledged_at_ms == 0)
      ack_target_due_.emplace(incident.sla.ack_due_ms, id);
    if (incident.sla.resolve_due_ms > 0 && !incident.sla.resolve_breached)
      resolve_target_due_.emplace(incident.sla.resolve_due_ms, id);
  }
}

// A person asks for the next step now (the API's escalate action). Works on
// an acknowledged incident too: the owner may want help; the timed steps stay
// stopped.
ActionResult Correlator::sla_escalate(Incident& incident, const IncidentAction& action, std::int64_t now_ms,
                                      ChangeSet& changes) {
  const sla::Policy* policy = active_policy(config_, incident.group);
  if (policy == nullptr)
    return {409, "group " + incident.group + " has no escalation policy", std::nullopt};
  if (incident.escalation_level >= sla::total_levels(*policy))
    return {409, "incident " + std::to_string(incident.id) + " has no escalation step left", std::nullopt};
  escalation_due_.erase({incident.next_escalation_ms, incident.id});
  fire_escalation(incident, *policy, {incident.escalation_level, now_ms, 0},
                  action.actor.empty() ? "operator" : action.actor, now_ms, changes);
  if (!action.comment.empty()) changes.timeline.back().text += ": " + action.comment;
  return {200, "", incident};
}

}  // namespace tocsin

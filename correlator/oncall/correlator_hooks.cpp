// Assignment of a person to an incident: when it opens, the person an
// assignment rule names, else the person on primary duty of its group's
// roster at that moment; after a forward or a return, the new group's
// primary. Each choice is one timeline entry saying who and why, and an
// incident nobody is on duty for stays unassigned, says so and is counted.
#include "correlator/correlator.hpp"

namespace tocsin {

void Correlator::oncall_init(StatsRegistry& stats) {
  const std::string help = "People assigned to incidents when they open or change group, by how they were chosen";
  assignment_counters_.by_rule = &stats.counter("tocsin_incident_assignments_total", help, {{"by", "rule"}});
  assignment_counters_.by_roster = &stats.counter("tocsin_incident_assignments_total", "", {{"by", "roster"}});
  assignment_counters_.nobody =
      &stats.counter("tocsin_incident_assignments_total", "", {{"by", "nobody_on_call"}});
}

std::optional<std::string> Correlator::assign_on_call(Incident& incident, const std::string& named,
                                                      std::int64_t now_ms) {
  if (!named.empty()) {
    incident.assignee = named;
    assignment_counters_.by_rule->inc();
    return "assigned to " + named + ": named by assignment rule for group " + incident.group;
  }
  const oncall::Directory* directory = config_.oncall.get();
  if (directory == nullptr) return std::nullopt;
  std::vector<std::string> on_duty = directory->on_call(incident.group, oncall::Layer::primary, now_ms);
  if (on_duty.empty()) {
    incident.assignee.clear();
    assignment_counters_.nobody->inc();
    return "nobody on call primary for " + incident.group + ": left unassigned";
  }
  incident.assignee = on_duty.front();
  assignment_counters_.by_roster->inc();
  return "assigned to " + incident.assignee + ": on call primary for " + incident.group;
}

void Correlator::assign_opened(Incident& incident, const std::string& named, std::int64_t now_ms,
                               ChangeSet& changes) {
  if (auto why = assign_on_call(incident, named, now_ms))
    changes.timeline.push_back({0, incident.id, now_ms, "tocsin", "assigned", *why});
}

}  // namespace tocsin

// Counters of the threshold, flapping and heartbeat rules, declared in one place.
#include "correlator/rules/rule_state.hpp"

namespace tocsin::rules {

RuleState::RuleState(StatsRegistry& stats, const RulesConfig& c)
    : threshold_held(stats.counter("tocsin_rules_threshold_events_total",
                                   "Problem events of rules with a threshold: held (recorded below the threshold, "
                                   "no alert) or reached (raised the alert)",
                                   {{"outcome", "held"}})),
      threshold_reached(stats.counter("tocsin_rules_threshold_events_total", "", {{"outcome", "reached"}})),
      flapping_started(stats.counter("tocsin_rules_flapping_transitions_total",
                                     "Alerts entering the flapping state, and leaving it resolved or firing",
                                     {{"to", "flapping"}})),
      flapping_settled_resolved(stats.counter("tocsin_rules_flapping_transitions_total", "", {{"to", "resolved"}})),
      flapping_settled_firing(stats.counter("tocsin_rules_flapping_transitions_total", "", {{"to", "firing"}})),
      heartbeats_missed(stats.counter("tocsin_rules_heartbeats_total",
                                      "Heartbeats missed (an alert raised) and recovered (the alert cleared)",
                                      {{"outcome", "missed"}})),
      heartbeats_recovered(stats.counter("tocsin_rules_heartbeats_total", "", {{"outcome", "recovered"}})) {
  configure(c);
}

void RuleState::configure(const RulesConfig& c) {
  config = c;
  heartbeats.configure(c.heartbeats);
}

}  // namespace tocsin::rules

#pragma once
// Config schema of the threshold, flapping and heartbeat rules: the sub-maps
// of a mapping rule (`threshold`, `flapping`), `correlation.flapping` and the
// top-level `heartbeats` list.

#include <vector>

#include "config/schema.hpp"
#include "correlator/event.hpp"
#include "correlator/rules/rules_config.hpp"

namespace tocsin::rules {

const config::Section& rule_threshold_section();  // <collector>.rules[].threshold
const config::Section& rule_flapping_section();   // <collector>.rules[].flapping
const config::Section& flapping_section();        // correlation.flapping
const config::Section& heartbeat_section();       // heartbeats[]

// The `threshold` and `flapping` maps of one mapping rule.
RuleOptions parse_rule_options(const config::Node& rule);
// `correlation.flapping`; `correlation` is the node of the correlation section.
FlappingConfig load_flapping(const config::Node& correlation);
// The top-level `heartbeats` list.
std::vector<HeartbeatConfig> load_heartbeats(const config::Node& root);

}  // namespace tocsin::rules

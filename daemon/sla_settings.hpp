#pragma once
// Configuration of SLA targets, business-hours calendars and escalation
// policies (sections `sla` and `escalation`), loaded into CorrelatorConfig at
// start and on SIGHUP. Semantics in correlator/sla/README.md.

#include "config/schema.hpp"
#include "correlator/correlator.hpp"

namespace tocsin {

const config::Section& sla_section();
const config::Section& sla_target_section();
const config::Section& sla_calendar_section();
const config::Section& escalation_section();
const config::Section& escalation_policy_section();
const config::Section& escalation_step_section();

void load_sla_settings(const config::Node& root, CorrelatorConfig& config);

}  // namespace tocsin

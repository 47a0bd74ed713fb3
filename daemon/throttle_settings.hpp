#pragma once
// Page-storm control settings (notifications.rate_limit, notifications.quiet_hours,
// notifications.max_bundle), loaded into the outbox's ThrottleConfig.

#include "config/schema.hpp"
#include "sinks/throttle.hpp"

namespace tocsin {

const config::Section& rate_limit_section();
const config::Section& quiet_hours_section();

// `notifications` is the node of the notifications section.
void load_throttle_settings(const config::Node& notifications, ThrottleConfig& throttle);

}  // namespace tocsin

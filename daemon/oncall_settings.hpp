#pragma once
// Configuration of the on-call directory (section `oncall`): users and their
// contact methods, groups, and one roster per group. The oncall::Snapshot is
// built here, so that --check-config reports roster errors with file:line and
// a reload with a bad roster keeps the running one.

#include <memory>

#include "config/schema.hpp"
#include "correlator/oncall/roster.hpp"

namespace tocsin {

const config::Section& oncall_section();
const config::Section& oncall_user_section();
const config::Section& oncall_contact_section();
const config::Section& oncall_group_section();
const config::Section& oncall_roster_section();
const config::Section& oncall_rotation_section();
const config::Section& oncall_override_section();

// Reads `oncall` from the top level. Null when the section is absent or has
// errors (they are added to the root's Errors).
std::shared_ptr<const oncall::Snapshot> load_oncall_settings(const config::Node& root);

}  // namespace tocsin

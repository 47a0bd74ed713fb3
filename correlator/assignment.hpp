#pragma once
// Assignment of an alert's incident to a group: the first matching rule, else
// the CI's owner group, else the default group. The person on call is chosen
// from the group's roster elsewhere; until then the assignee stays empty.

#include <string>
#include <vector>

#include "correlator/cmdb/ci.hpp"
#include "correlator/event.hpp"

namespace tocsin {

// Every non-empty field must match: `service` one of the CI's business
// services, `location` the CI's location (a trailing '*' matches a prefix),
// `event` the event's name or alert key.
struct AssignmentRule {
  std::string service;
  std::string location;
  std::string event;
  std::string group;
};

struct AssignmentConfig {
  std::vector<AssignmentRule> rules;
};

std::string assign_group(const AssignmentConfig& config, const std::string& default_group, const cmdb::Ci* ci,
                         const Event& event);

}  // namespace tocsin

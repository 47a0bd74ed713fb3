#pragma once
// Assignment of an alert's incident to a group: the first matching rule, else
// the CI's owner group, else the default group. A rule may also name the
// person; otherwise the incident goes to the person on primary duty of the
// group's roster when it opens (correlator/oncall/correlator_hooks.cpp).

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
  std::string assignee;  // a person id; empty: the group's on-call primary
};

struct AssignmentConfig {
  std::vector<AssignmentRule> rules;
};

struct Assignment {
  std::string group;
  std::string assignee;  // named by the rule; empty otherwise
  int rule = -1;         // index of the matching rule, -1 when none matched
};

Assignment assign(const AssignmentConfig& config, const std::string& default_group, const cmdb::Ci* ci,
                  const Event& event);
std::string assign_group(const AssignmentConfig& config, const std::string& default_group, const cmdb::Ci* ci,
                         const Event& event);

}  // namespace tocsin

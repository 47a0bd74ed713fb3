// Rules, then the CI's owner, then the default group.
#include "correlator/assignment.hpp"

#include <algorithm>

namespace tocsin {

namespace {
bool location_matches(const std::string& pattern, const std::string& location) {
  if (!pattern.empty() && pattern.back() == '*')
    return location.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  return pattern == location;
}

bool matches(const AssignmentRule& r, const cmdb::Ci* ci, const Event& event) {
  if (!r.service.empty() &&
      (!ci || std::find(ci->services.begin(), ci->services.end(), r.service) == ci->services.end()))
    return false;
  if (!r.location.empty() && (!ci || !location_matches(r.location, ci->location))) return false;
  if (!r.event.empty() && r.event != event.name && r.event != event.alert_key) return false;
  return true;
}
}  // namespace

Assignment assign(const AssignmentConfig& config, const std::string& default_group, const cmdb::Ci* ci,
                  const Event& event) {
  for (std::size_t i = 0; i < config.rules.size(); ++i)
    if (matches(config.rules[i], ci, event)) return {config.rules[i].group, config.rules[i].assignee, static_cast<int>(i)};
  if (ci && !ci->owner_group.empty()) return {ci->owner_group, "", -1};
  return {default_group, "", -1};
}

std::string assign_group(const AssignmentConfig& config, const std::string& default_group, const cmdb::Ci* ci,
                         const Event& event) {
  return assign(config, default_group, ci, event).group;
}

}  // namespace tocsin

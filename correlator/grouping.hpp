#pragma once
// Grouping: alerts with the same grouping key (by default their CI) within a
// window of the incident's opening join that incident instead of opening one
// each.

#include <cstdint>
#include <string>
#include <vector>

#include "correlator/model.hpp"

namespace tocsin {

struct GroupingConfig {
  // Fields making the key: ci, resource, name, service, location, attr.<name>.
  std::vector<std::string> keys{"ci"};
  std::int64_t window_ms = 300'000;  // 0 = no grouping
};

// The alert's grouping key; empty (never grouped) when a named field is
// empty, e.g. `ci` for a resource the CMDB does not know.
std::string group_key(const GroupingConfig& config, const Alert& alert);

// Whether `name` is a valid entry of GroupingConfig::keys.
bool valid_group_field(const std::string& name);

}  // namespace tocsin

// Grouping keys.
#include "correlator/grouping.hpp"

namespace tocsin {

namespace {
std::string field_of(const std::string& name, const Alert& a) {
  if (name == "ci") return a.ci.str();
  if (name == "resource") return a.resource.str();
  if (name == "name") return a.name.str();
  if (name == "service") return a.cmdb.services().empty() ? std::string() : a.cmdb.services().front();
  if (name == "location") return a.cmdb.location();
  if (name.starts_with("attr.")) {
    std::string_view key = std::string_view(name).substr(5);
    for (const auto& [k, v] : a.attributes)
      if (k == key) return v.str();
  }
  return {};
}
}  // namespace

bool valid_group_field(const std::string& name) {
  return name == "ci" || name == "resource" || name == "name" || name == "service" || name == "location" ||
         (name.starts_with("attr.") && name.size() > 5);
}

std::string group_key(const GroupingConfig& config, const Alert& alert) {
  if (config.window_ms <= 0 || config.keys.empty()) return {};
  std::string key;
  for (const auto& name : config.keys) {
    std::string v = field_of(name, alert);
    if (v.empty()) return {};
    key += v;
    key += '\x1f';
  }
  return key;
}

}  // namespace tocsin

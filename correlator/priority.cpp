// Impact × urgency → priority.
#include "correlator/priority.hpp"

#include <algorithm>

namespace tocsin {

std::optional<Level> parse_level(std::string_view s) {
  if (s == "high") return Level::high;
  if (s == "medium") return Level::medium;
  if (s == "low") return Level::low;
  return std::nullopt;
}

std::string priority_for(Severity severity) {
  switch (severity) {
    case Severity::critical: return "P1";
    case Severity::major: return "P2";
    case Severity::minor: return "P3";
    case Severity::warning: return "P4";
    default: return "P5";
  }
}

std::optional<std::string> normalize_priority(std::string_view value) {
  if (value.size() == 2 && (value[0] == 'P' || value[0] == 'p')) value.remove_prefix(1);
  if (value.size() == 1 && value[0] >= '1' && value[0] <= '5') return std::string("P") + value[0];
  return std::nullopt;
}

namespace {
cmdb::Criticality effective_criticality(const PriorityConfig& config, const cmdb::Cmdb* db, const cmdb::Ci& ci) {
  cmdb::Criticality c = ci.criticality;
  if (!config.service_criticality || !db) return c;
  for (const auto& service : ci.services) {
    const cmdb::Ci* s = db->find_id(service);
    if (!s) s = db->resolve(service).ci;
    if (s) c = std::max(c, s->criticality);
  }
  return c;
}
}  // namespace

std::string priority_of(const PriorityConfig& config, const cmdb::Cmdb* db, const cmdb::Ci* ci, const Event& event) {
  if (!config.source_attribute.empty()) {
    if (const std::string* sent = event.attribute(config.source_attribute))
      if (auto p = normalize_priority(*sent)) return *p;
  }
  std::optional<Level> impact = config.unknown_impact;
  if (ci) impact = config.impact[static_cast<std::size_t>(effective_criticality(config, db, *ci))];
  if (!impact) return priority_for(event.severity);
  Level urgency = config.urgency[static_cast<std::size_t>(event.severity)];
  return config.matrix[static_cast<std::size_t>(*impact)][static_cast<std::size_t>(urgency)];
}

}  // namespace tocsin

#pragma once
// Priority: impact (the CI's criticality, or the highest criticality of its
// business services) × urgency (from the event's severity) → P1..P5 through a
// matrix, ITIL's 3×3 by default. A priority sent by a monitoring platform can
// be kept instead.

#include <array>
#include <optional>
#include <string>

#include "correlator/cmdb/cmdb.hpp"
#include "correlator/event.hpp"

namespace tocsin {

enum class Level : std::uint8_t { high = 0, medium, low };

std::optional<Level> parse_level(std::string_view s);

struct PriorityConfig {
  // Rows: impact high, medium, low; columns: urgency high, medium, low.
  std::array<std::array<std::string, 3>, 3> matrix{{{"P1", "P2", "P3"}, {"P2", "P3", "P4"}, {"P3", "P4", "P5"}}};
  // Indexed by cmdb::Criticality (low, medium, high, critical).
  std::array<Level, 4> impact{Level::low, Level::medium, Level::high, Level::high};
  // Indexed by Severity (clear, info, warning, minor, major, critical).
  std::array<Level, 6> urgency{Level::low, Level::low, Level::medium, Level::medium, Level::high, Level::high};
  // Impact of resources the CMDB does not know; nullopt = priority from the
  // severity alone (priority_for).
  std::optional<Level> unknown_impact;
  // Also consider the criticality of the CI's business services (CIs whose
  // id or name is the service); the highest wins.
  bool service_criticality = false;
  // Event attribute holding a priority set by the sender ("P2", "2"); empty
  // = always compute.
  std::string source_attribute;
};

// Priority of an event on `ci` (null: unknown resource).
std::string priority_of(const PriorityConfig& config, const cmdb::Cmdb* db, const cmdb::Ci* ci, const Event& event);

// "P1".."P5" from a platform's value ("P1", "p1", "1"), nothing otherwise.
std::optional<std::string> normalize_priority(std::string_view value);

// Priority when the CMDB gives no impact: urgency from severity alone.
std::string priority_for(Severity severity);

}  // namespace tocsin

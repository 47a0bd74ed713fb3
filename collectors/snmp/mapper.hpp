#pragma once
// Trap → Event: the notification's fields (trap OID and name, agent address,
// uptime, credentials, every varbind by numeric OID, by name and by position)
// go through the mapping rules; a trap no rule matches still becomes an event
// unless the configuration discards it. Pure: no I/O, no net-snmp.

#include <cstdint>
#include <string_view>

#include "collectors/snmp/config.hpp"
#include "collectors/snmp/trap.hpp"
#include "correlator/event.hpp"
#include "correlator/mapping.hpp"

namespace tocsin::snmp {

class Mapper {
 public:
  explicit Mapper(const MappingConfig& config);

  enum class Outcome { matched, unmatched, discarded };
  // Fills `out`; `raw` is kept as the event's payload.
  Outcome map(const Trap& trap, std::string_view source_address, std::string_view raw, std::int64_t now_ms,
              Event& out) const;

 private:
  RuleSet rules_;
  Unmatched unmatched_;
};

}  // namespace tocsin::snmp

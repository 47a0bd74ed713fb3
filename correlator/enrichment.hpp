#pragma once
// Enrichment: an event's resource resolved to a CI of the CMDB snapshot, and
// what an alert and its incident carry from it (owner group, criticality,
// business services, location, runbook). Resources that match no CI are CMDB
// gaps: routed to the default group and counted per resource.

#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "correlator/cmdb/cmdb.hpp"
#include "correlator/model.hpp"

namespace tocsin {

inline constexpr std::uint32_t no_ci = std::numeric_limits<std::uint32_t>::max();

struct Enrichment {
  const cmdb::Ci* ci = nullptr;  // valid while the snapshot lives
  std::uint32_t ci_index = no_ci;
  explicit operator bool() const { return ci != nullptr; }
};

// Resolves `resource` (name, FQDN, alias, address) in `db`; nothing when `db`
// is null or the resource is unknown.
Enrichment enrich(const cmdb::Cmdb* db, std::string_view resource);

// Sets the alert's CI fields: its id and criticality, and the CI itself as the
// shared record of name, services, location and runbook (`db` keeps it
// alive). The owner group is set by assignment.
void apply_enrichment(const Enrichment& e, const std::shared_ptr<const cmdb::Cmdb>& db, Alert& alert);

// Pending changes to the CMDB gap list, one entry per resource, merged
// within a batch and added to what the store holds.
class GapTracker {
 public:
  void record(std::string_view resource, std::string_view source, std::int64_t now_ms);
  // Moves the pending entries to `changes.cmdb_gaps`.
  void flush(ChangeSet& changes);
  std::size_t pending() const { return pending_.size(); }

 private:
  std::vector<CmdbGap> pending_;
  std::unordered_map<std::string, std::size_t, ViewHash, std::equal_to<>> index_;  // resource → entry
};

}  // namespace tocsin

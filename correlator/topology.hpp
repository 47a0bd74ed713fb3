#pragma once
// Topology over the CMDB's `depends_on` graph: an alert on a CI whose
// upstream dependency (transitively) has an open incident is a symptom of it,
// and a root cause arriving shortly after its symptoms adopts them.

#include <cstdint>
#include <functional>

#include "correlator/cmdb/cmdb.hpp"

namespace tocsin {

struct TopologyConfig {
  bool enabled = true;
  // A new incident on a CI that has upstream dependencies holds its page this
  // long; a root cause on an upstream CI arriving meanwhile adopts it.
  std::int64_t hold_ms = 30'000;
};

// Breadth-first over the upstream CIs of `ci` (not `ci` itself), nearest
// first; returns the first non-zero `lookup(index)`, else 0.
std::int64_t find_upstream(const cmdb::Cmdb& db, std::uint32_t ci,
                           const std::function<std::int64_t(std::uint32_t)>& lookup);

// Whether `candidate` is among the upstream CIs of `ci`, transitively.
bool depends_on(const cmdb::Cmdb& db, std::uint32_t ci, std::uint32_t candidate);

}  // namespace tocsin

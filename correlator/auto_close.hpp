#pragma once
// Auto-close: a resolved incident closes by itself a configured time after it
// was resolved, unless someone reopened it. Resolved incidents are not in the
// correlator's working set, so the pipeline reads the due ones from the store
// (an index on state and resolution time) in batches on its tick and hands
// them here; the decision is a function of the incident and the time.

#include <cstdint>

#include "correlator/model.hpp"

namespace tocsin {

struct AutoCloseConfig {
  std::int64_t after_ms = 0;  // 0: never
  std::int64_t batch = 500;   // incidents closed per tick at most
};

// When the incident closes by itself (0: it does not).
std::int64_t auto_close_at(const Incident& incident, const AutoCloseConfig& config);
bool auto_close_due(const Incident& incident, std::int64_t now_ms, const AutoCloseConfig& config);

// Closes `incident` (state, closed_at, a timeline entry by "tocsin") and
// appends both to `changes`.
void auto_close(Incident incident, std::int64_t now_ms, const AutoCloseConfig& config, ChangeSet& changes);

}  // namespace tocsin

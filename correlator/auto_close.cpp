// The auto-close decision and the change it makes.
#include "correlator/auto_close.hpp"

#include <string>

#include "correlator/clock.hpp"

namespace tocsin {

std::int64_t auto_close_at(const Incident& i, const AutoCloseConfig& config) {
  if (config.after_ms <= 0 || i.state != IncidentState::resolved || i.resolved_at_ms <= 0) return 0;
  return i.resolved_at_ms + config.after_ms;
}

bool auto_close_due(const Incident& i, std::int64_t now_ms, const AutoCloseConfig& config) {
  std::int64_t at = auto_close_at(i, config);
  return at > 0 && now_ms >= at;
}

void auto_close(Incident i, std::int64_t now_ms, const AutoCloseConfig& config, ChangeSet& changes) {
  i.state = IncidentState::closed;
  i.closed_at_ms = i.updated_at_ms = now_ms;
  changes.timeline.push_back({0, i.id, now_ms, "tocsin", "closed",
                              "closed automatically " + format_duration(config.after_ms) + " after it was resolved"});
  changes.incidents.push_back(std::move(i));
}

}  // namespace tocsin

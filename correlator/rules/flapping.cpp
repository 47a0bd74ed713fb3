// Change counting per fingerprint for flap detection.
#include "correlator/rules/flapping.hpp"

#include "correlator/rules/threshold.hpp"

namespace tocsin::rules {

FlappingConfig flapping_for(const FlappingConfig& defaults, const RuleOptions& options) {
  FlappingConfig c = defaults;
  if (options.flapping_enabled) c.enabled = *options.flapping_enabled;
  if (options.flapping_changes > 0) c.changes = options.flapping_changes;
  if (options.flapping_window_ms > 0) c.window_ms = options.flapping_window_ms;
  if (options.flapping_quiet_ms > 0) c.quiet_ms = options.flapping_quiet_ms;
  return c;
}

FlapDetector::Track& FlapDetector::track(std::string_view fingerprint, const FlappingConfig& settings) {
  Track& t = tracks_[fingerprint_key(fingerprint)];
  t.window_ms = settings.window_ms;
  t.quiet_ms = settings.quiet_ms;
  return t;
}

bool FlapDetector::change(std::string_view fingerprint, EventKind kind, const FlappingConfig& settings,
                          std::int64_t now_ms) {
  if (!settings.enabled || settings.changes < 2 || settings.window_ms <= 0) return false;
  const std::uint64_t key = fingerprint_key(fingerprint);
  if (!tracks_.contains(key)) {
    // One change never makes an alert flap (N >= 2): noted as a first change
    // unless an earlier one is still inside the window.
    auto first = first_changes_.find(key);
    if (first == first_changes_.end() || now_ms - first->second.at_ms >= settings.window_ms) {
      first_changes_.insert_or_assign(key, FirstChange{now_ms, settings.window_ms});
      return false;
    }
    std::int64_t earlier_ms = first->second.at_ms;
    first_changes_.erase(first);
    track(fingerprint, settings).changes_ms.push_back(earlier_ms);
  }
  Track& t = track(fingerprint, settings);
  t.last = kind;
  t.last_change_ms = now_ms;
  drop_expired(t.changes_ms, now_ms, settings.window_ms);
  t.changes_ms.push_back(now_ms);
  if (t.changes_ms.size() < settings.changes) return false;
  t.flapping = true;
  t.changes_ms.clear();
  t.changes_ms.shrink_to_fit();
  flapping_[fingerprint_key(fingerprint)] = std::string(fingerprint);
  return true;
}

bool FlapDetector::flapping(std::string_view fingerprint) const {
  auto it = tracks_.find(fingerprint_key(fingerprint));
  return it != tracks_.end() && it->second.flapping;
}

void FlapDetector::event_while_flapping(std::string_view fingerprint, EventKind kind, std::int64_t now_ms) {
  auto it = tracks_.find(fingerprint_key(fingerprint));
  if (it == tracks_.end() || kind == EventKind::info || kind == it->second.last) return;
  it->second.last = kind;
  it->second.last_change_ms = now_ms;
}

void FlapDetector::restore_flapping(std::string_view fingerprint, const FlappingConfig& settings) {
  first_changes_.erase(fingerprint_key(fingerprint));
  Track& t = track(fingerprint, settings);
  t.flapping = true;
  t.last = EventKind::problem;
  t.last_change_ms = 0;
  flapping_[fingerprint_key(fingerprint)] = std::string(fingerprint);
}

void FlapDetector::forget(std::string_view fingerprint) {
  tracks_.erase(fingerprint_key(fingerprint));
  first_changes_.erase(fingerprint_key(fingerprint));
  flapping_.erase(fingerprint_key(fingerprint));
}

std::vector<FlapDetector::Settled> FlapDetector::settle(std::int64_t now_ms) {
  std::vector<Settled> out;
  // Erasing from an open-addressing table while iterating: collect first.
  std::vector<std::uint64_t> gone;
  for (auto& [key, t] : tracks_) {
    if (t.last_change_ms == 0) t.last_change_ms = now_ms;  // restored: quiet from the first tick
    if (t.flapping && now_ms - t.last_change_ms >= t.quiet_ms) {
      auto fp = flapping_.find(key);
      out.push_back({fp != flapping_.end() ? std::move(fp->second) : std::string(), t.last == EventKind::clear});
      if (fp != flapping_.end()) flapping_.erase(fp);
      gone.push_back(key);
    } else if (!t.flapping && now_ms - t.last_change_ms >= t.window_ms) {
      gone.push_back(key);
    }
  }
  for (auto key : gone) tracks_.erase(key);
  boost::unordered::erase_if(first_changes_,
                             [&](const auto& entry) { return now_ms - entry.second.at_ms >= entry.second.window_ms; });
  return out;
}

}  // namespace tocsin::rules

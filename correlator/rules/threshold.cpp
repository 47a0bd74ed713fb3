// Sliding-window count of problem occurrences per fingerprint.
#include "correlator/rules/threshold.hpp"

namespace tocsin::rules {

bool ThresholdGate::hold(const std::string& fingerprint, const RuleOptions& options, std::int64_t now_ms) {
  if (options.threshold_count <= 1 || options.threshold_window_ms <= 0) return false;
  Seen& s = seen_[fingerprint];
  s.window_ms = options.threshold_window_ms;
  drop_expired(s.at_ms, now_ms, s.window_ms);
  s.at_ms.push_back(now_ms);
  if (s.at_ms.size() < options.threshold_count) return true;
  seen_.erase(fingerprint);
  return false;
}

void ThresholdGate::reset(const std::string& fingerprint) { seen_.erase(fingerprint); }

void ThresholdGate::prune(std::int64_t now_ms) {
  std::erase_if(seen_, [now_ms](const auto& kv) {
    return kv.second.at_ms.empty() || now_ms - kv.second.at_ms.back() >= kv.second.window_ms;
  });
}

}  // namespace tocsin::rules

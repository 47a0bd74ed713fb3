#pragma once
// Threshold rule: a mapping rule with `threshold: {count: N, window: T}` raises
// its alert only at the Nth problem event of one fingerprint within a sliding
// window of T. Events below the threshold are recorded by the correlator (with
// no alert) and counted here; none is lost.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "correlator/event.hpp"

namespace tocsin::rules {

// Removes the times that are `window_ms` or more before `now_ms` (oldest first),
// from a vector of times.
template <typename Times>
void drop_expired(Times& at_ms, std::int64_t now_ms, std::int64_t window_ms) {
  auto first_inside = at_ms.begin();
  while (first_inside != at_ms.end() && now_ms - *first_inside >= window_ms) ++first_inside;
  at_ms.erase(at_ms.begin(), first_inside);
}

class ThresholdGate {
 public:
  // True when this problem event must be held: the alert is not firing and,
  // counting this event, fewer than N problems of `fingerprint` arrived within
  // the window. An event exactly T old has left the window (the window is
  // (now - T, now]). Reaching N forgets the history: the alert is raised.
  bool hold(const std::string& fingerprint, const RuleOptions& options, std::int64_t now_ms);
  // A clear ends the problem: held occurrences start over.
  void reset(const std::string& fingerprint);
  // Forgets fingerprints whose newest occurrence left its window (memory bound).
  void prune(std::int64_t now_ms);
  std::size_t tracked() const { return seen_.size(); }

 private:
  struct Seen {
    std::vector<std::int64_t> at_ms;  // occurrences inside the window, oldest first
    std::int64_t window_ms = 0;
  };
  std::unordered_map<std::string, Seen> seen_;
};

}  // namespace tocsin::rules

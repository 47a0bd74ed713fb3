// Counting incidents per CI over a sliding window.
#include "correlator/recurrence.hpp"

#include <algorithm>
#include <iterator>

namespace tocsin {

void RecurrenceCounter::prune_one(Times& times, std::int64_t now_ms) const {
  auto old = std::upper_bound(times.begin(), times.end(), now_ms - config_.window_ms);
  times.erase(times.begin(), old);
}

std::int64_t RecurrenceCounter::count(const Text& ci, std::int64_t now_ms) {
  if (config_.window_ms <= 0 || ci.empty()) return 0;
  auto it = by_ci_.find(ci);
  if (it == by_ci_.end()) return 0;
  prune_one(it->second, now_ms);
  auto end = std::upper_bound(it->second.begin(), it->second.end(), now_ms);
  return static_cast<std::int64_t>(end - it->second.begin());
}

void RecurrenceCounter::record(const Text& ci, std::int64_t opened_at_ms) {
  if (config_.window_ms <= 0 || ci.empty()) return;
  auto& times = by_ci_[ci];
  // Almost always appended: openings arrive in time order.
  times.insert(std::upper_bound(times.begin(), times.end(), opened_at_ms), opened_at_ms);
}

void RecurrenceCounter::forget(const Text& ci, std::int64_t opened_at_ms) {
  auto it = by_ci_.find(ci);
  if (it == by_ci_.end()) return;
  auto& times = it->second;
  if (auto t = std::lower_bound(times.begin(), times.end(), opened_at_ms); t != times.end() && *t == opened_at_ms)
    times.erase(t);
  if (times.empty()) by_ci_.erase(it);
}

void RecurrenceCounter::restore(const std::vector<std::pair<std::string, std::int64_t>>& openings) {
  by_ci_.clear();
  for (const auto& [ci, at] : openings) record(Text(ci), at);
}

void RecurrenceCounter::prune(std::int64_t now_ms) {
  for (auto it = by_ci_.begin(); it != by_ci_.end();) {
    prune_one(it->second, now_ms);
    it = it->second.empty() ? by_ci_.erase(it) : std::next(it);
  }
}

}  // namespace tocsin

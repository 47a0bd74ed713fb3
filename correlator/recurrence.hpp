#pragma once
// Recurring incidents on one CI, the raw material of problem management: how
// many incidents a CI had within a window before a new one opens. Pure state
// over opening times, rebuilt from the store at start-up; the pipeline passes
// the wall time in.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "correlator/text.hpp"

namespace tocsin {

struct RecurrenceConfig {
  std::int64_t window_ms = 30LL * 86'400'000;  // 0: not counted
  // A new incident whose CI had at least this many within the window gets a
  // "recurring" timeline note (0: never).
  std::int64_t note_at = 3;
};

class RecurrenceCounter {
 public:
  void configure(const RecurrenceConfig& config) { config_ = config; }
  const RecurrenceConfig& config() const { return config_; }

  // Incidents on `ci` opened in (now - window, now], before this one.
  std::int64_t count(const Text& ci, std::int64_t now_ms);
  void record(const Text& ci, std::int64_t opened_at_ms);
  // An incident that no longer counts (merged into a root cause's).
  void forget(const Text& ci, std::int64_t opened_at_ms);
  // Replaces the state with the openings read from the store, oldest first.
  void restore(const std::vector<std::pair<std::string, std::int64_t>>& openings);
  // Drops what left the window on every CI; cost proportional to the CIs held.
  void prune(std::int64_t now_ms);
  std::size_t tracked_cis() const { return by_ci_.size(); }

 private:
  // Opening times, ascending. Most CIs hold one, kept in place (a deque's
  // first block alone would be 512 bytes per CI, a vector's a second block).
  using Times = boost::container::small_vector<std::int64_t, 1>;
  void prune_one(Times& times, std::int64_t now_ms) const;

  RecurrenceConfig config_;
  // Keyed by the incidents' own CI Text (a count, not a copy of the id).
  std::unordered_map<Text, Times> by_ci_;
};

}  // namespace tocsin

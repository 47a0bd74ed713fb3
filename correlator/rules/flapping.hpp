#pragma once
// Flap detection: N state changes (raise ↔ clear) of one fingerprint within a
// window T make its alert flap. While it flaps the alert stays open (clears do
// not resolve it) and its incident is told once; after a quiet period Q with no
// state change it settles: resolved when the last event was a clear, firing
// otherwise. Pure bookkeeping; the correlator applies the outcome.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/container/small_vector.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include "correlator/event.hpp"
#include "correlator/rules/rules_config.hpp"

namespace tocsin::rules {

// The defaults of `correlation.flapping` overridden by the event's rule.
FlappingConfig flapping_for(const FlappingConfig& defaults, const RuleOptions& options);

class FlapDetector {
 public:
  struct Settled {
    std::string fingerprint;
    bool cleared = false;  // the last event was a clear
  };

  // Notes a state change of a fingerprint that is not flapping: a problem that
  // raises its alert, or a clear that resolves it. Returns true when this
  // change is the Nth within the window: the alert now flaps.
  bool change(std::string_view fingerprint, EventKind kind, const FlappingConfig& settings, std::int64_t now_ms);

  bool flapping(std::string_view fingerprint) const;

  // An event of a flapping fingerprint. A problem after a clear, or a clear
  // after a problem, is a state change and starts the quiet period over.
  void event_while_flapping(std::string_view fingerprint, EventKind kind, std::int64_t now_ms);

  // A flapping alert restored at start-up: its history is gone, so it is taken
  // as firing and its quiet period starts at the first settle() after it.
  void restore_flapping(std::string_view fingerprint, const FlappingConfig& settings);

  // Flapping fingerprints whose quiet period has elapsed at `now_ms` (a change
  // exactly Q ago counts as quiet); they are normal again. Also forgets the
  // history of fingerprints that have been still for a whole window.
  std::vector<Settled> settle(std::int64_t now_ms);

  // The alert left the working set by other means (resolved by hand).
  void forget(std::string_view fingerprint);
  std::size_t tracked() const { return tracks_.size() + first_changes_.size(); }

 private:
  // One per fingerprint that changed state within its window, keyed by
  // fingerprint_key(); the fingerprint itself is kept only while it flaps
  // (settle() returns it). Every firing alert has one, and most have changed
  // once (raised) in their window: those are a FirstChange only, 24 bytes a
  // slot against 80, and become a Track at their second change.
  struct FirstChange {
    std::int64_t at_ms = 0;
    std::int64_t window_ms = 0;  // forgotten that long after it
  };
  struct Track {
    boost::container::small_vector<std::int64_t, 1> changes_ms;  // state changes inside the window, oldest first
    std::int64_t window_ms = 0;
    std::int64_t quiet_ms = 0;
    std::int64_t last_change_ms = 0;
    bool flapping = false;
    EventKind last = EventKind::clear;
  };
  Track& track(std::string_view fingerprint, const FlappingConfig& settings);
  boost::unordered_flat_map<std::uint64_t, Track> tracks_;
  boost::unordered_flat_map<std::uint64_t, FirstChange> first_changes_;  // keys not in tracks_
  std::unordered_map<std::uint64_t, std::string> flapping_;  // key → fingerprint, while it flaps
};

}  // namespace tocsin::rules

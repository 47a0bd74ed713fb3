#pragma once
// Page-storm control in front of the sinks, decided by the outbox worker for
// each notification it claims: quiet hours hold low priorities until morning,
// a per-recipient rate limit holds what exceeds it, and whatever waits for one
// recipient on one channel goes out as one bundled message instead of many.
// Pure: wall time in, decision out; the worker keeps the limiter's state.

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "correlator/model.hpp"

namespace tocsin {

struct QuietHours {
  int start_minute = -1;   // local minute of the day the quiet period starts; -1 = none
  int end_minute = -1;     // local minute it ends (exclusive); may be before start (overnight)
  std::string time_zone;   // IANA zone of the two times; empty = UTC
  int from_priority = 4;   // incidents of this priority number and lower (P4, P5) wait
  // The two times count in the paged person's own zone when they have one;
  // time_zone serves configured addresses and people without a zone.
  bool per_person = true;
  bool enabled() const { return start_minute >= 0 && end_minute >= 0 && start_minute != end_minute; }
};

// When `at_ms` falls in the quiet period, the wall time it ends; otherwise none.
// An unknown time zone counts as UTC (the settings loader refuses one).
std::optional<std::int64_t> quiet_until(const QuietHours& quiet, std::int64_t at_ms);

// Whether a priority such as "P4" is held by quiet hours.
bool held_by_quiet_hours(const QuietHours& quiet, std::string_view priority);

struct ThrottleConfig {
  int max_per_window = 0;                 // messages per recipient and channel; 0 = no limit
  std::chrono::milliseconds window{60000};
  int max_bundle = 1;                     // notifications one message may carry; 1 = never bundle
  QuietHours quiet;
};

// Sliding-window count of the messages sent to each recipient key.
class RecipientLimiter {
 public:
  explicit RecipientLimiter(const ThrottleConfig& config) : max_(config.max_per_window), window_ms_(config.window.count()) {}
  // The earliest wall time a message to `key` may go: `now_ms` itself when it may go now.
  std::int64_t next_slot(const std::string& key, std::int64_t now_ms);
  void record(const std::string& key, std::int64_t now_ms);
  // New limits; the times already recorded count against them.
  void reconfigure(const ThrottleConfig& config) {
    max_ = config.max_per_window;
    window_ms_ = config.window.count();
  }
  std::size_t tracked() const { return sent_.size(); }

 private:
  void forget_old(std::int64_t now_ms);
  int max_;
  std::int64_t window_ms_;
  std::unordered_map<std::string, std::deque<std::int64_t>> sent_;
  std::int64_t last_sweep_ms_ = 0;
};

// One message carrying several notifications for the same recipient and channel:
// the subject counts them and the body lists each one's short line, the SMS
// form on a single line cut at `max_sms_chars`.
struct BundleText {
  std::string subject;
  std::string body;
};
BundleText render_bundle(const std::vector<Notification>& items, std::string_view channel,
                         std::size_t max_sms_chars = 306);

}  // namespace tocsin

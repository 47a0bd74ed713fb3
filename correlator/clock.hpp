#pragma once
// Time source for all pipeline logic. Production uses the system clocks; tests
// inject a FakeClock and advance it instead of sleeping. Wall time is only for
// recorded times (due times, first/last seen); waiting uses the monotonic clock.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>

namespace tocsin {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (recorded times).
  virtual std::int64_t wall_ms() const = 0;
  // Milliseconds on a clock that never jumps (waiting, rate limits).
  virtual std::int64_t monotonic_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t wall_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
  std::int64_t monotonic_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t wall_ms = 1'700'000'000'000) : wall_(wall_ms), mono_(1'000'000) {}
  std::int64_t wall_ms() const override { return wall_.load(); }
  std::int64_t monotonic_ms() const override { return mono_.load(); }
  void advance_ms(std::int64_t ms) {
    wall_ += ms;
    mono_ += ms;
  }

 private:
  std::atomic<std::int64_t> wall_;
  std::atomic<std::int64_t> mono_;
};

// "2026-11-23T15:04:05.123Z": how recorded times appear in the API, pages and logs.
inline std::string format_rfc3339(std::int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  int millis = static_cast<int>(ms - static_cast<std::int64_t>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

// "30d", "90m", "45s", "1500ms": the largest unit that divides the duration,
// as the configuration spells durations.
inline std::string format_duration(std::int64_t ms) {
  struct Unit {
    std::int64_t ms;
    const char* suffix;
  };
  for (Unit u : {Unit{86'400'000, "d"}, Unit{3'600'000, "h"}, Unit{60'000, "m"}, Unit{1000, "s"}})
    if (ms >= u.ms && ms % u.ms == 0) return std::to_string(ms / u.ms) + u.suffix;
  return std::to_string(ms) + "ms";
}

}  // namespace tocsin

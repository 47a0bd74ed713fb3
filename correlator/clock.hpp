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

// The process's system clock, for code whose clock is optional.
inline const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

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
  constexpr std::int64_t day_ms = 86'400'000;
  std::int64_t days = ms / day_ms, rest = ms % day_ms;
  if (rest < 0) rest += day_ms, --days;
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const std::int64_t year = yoe + era * 400 + (month <= 2);
  const int millis = static_cast<int>(rest % 1000), secs = static_cast<int>(rest / 1000);
  if (year < 0 || year > 9999) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", static_cast<long long>(year), month, day,
                  secs / 3600, secs / 60 % 60, secs % 60, millis);
    return buf;
  }
  char buf[25] = "0000-00-00T00:00:00.000Z";
  auto put = [&buf](int at, int value, int width) {
    for (int i = at + width - 1; i >= at; --i, value /= 10) buf[i] = static_cast<char>('0' + value % 10);
  };
  put(0, static_cast<int>(year), 4);
  put(5, month, 2);
  put(8, day, 2);
  put(11, secs / 3600, 2);
  put(14, secs / 60 % 60, 2);
  put(17, secs % 60, 2);
  put(20, millis, 3);
  return std::string(buf, 24);
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

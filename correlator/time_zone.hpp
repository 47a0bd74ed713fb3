#pragma once
// IANA time zones for the parts that count in local time (rosters, SLA
// calendars, maintenance windows, quiet hours), from Debian's
// libhowardhinnant-date (GCC 12 has no std::chrono time-zone database).

#include <date/tz.h>

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

namespace tocsin {

// The zone of an IANA name ("Europe/Paris"); an empty name is UTC; nullptr
// when the name is unknown (the settings loaders refuse those).
inline const date::time_zone* find_zone(std::string_view name) {
  try {
    return date::locate_zone(name.empty() ? std::string("UTC") : std::string(name));
  } catch (const std::exception&) {
    return nullptr;
  }
}

// Division rounding toward minus infinity (times before 1970, local offsets).
inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace tocsin

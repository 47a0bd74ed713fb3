#pragma once
// SLA targets of an incident: per priority (optionally per business service)
// an acknowledge target and a resolve target, counted round the clock or only
// within a business-hours calendar (IANA time zone, weekly opening hours,
// holidays). Pure: due times are functions of (policy, opened_at).
// Semantics in correlator/sla/README.md.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace tocsin::sla {

// Opening hours of one local day: [open, close) in minutes after local midnight.
using Hours = std::pair<int, int>;

struct Calendar {
  std::string time_zone = "UTC";  // IANA name, e.g. "Europe/Paris"
  // Index 0 = Monday .. 6 = Sunday (ISO order); an empty day is closed.
  std::array<std::vector<Hours>, 7> week;
  std::set<std::string> holidays;  // local dates "YYYY-MM-DD", closed all day
};

struct Target {
  std::int64_t ack_ms = 0;      // 0 = no acknowledge target
  std::int64_t resolve_ms = 0;  // 0 = no resolve target
  std::string calendar;         // empty = 24x7
};

struct SlaConfig {
  std::map<std::string, Target, std::less<>> by_priority;                         // "P1".."P5"
  std::map<std::string, std::map<std::string, Target, std::less<>>, std::less<>> by_service;   // service → priority → target
  std::map<std::string, Calendar> calendars;                          // name → calendar
};

struct DueTimes {
  std::int64_t ack_due_ms = 0;  // 0 = no target
  std::int64_t resolve_due_ms = 0;
};

// The target that applies: the service's own for this priority, else the
// priority's; nullptr when neither exists.
const Target* target_for(const SlaConfig& config, std::string_view priority, std::string_view service);

// `start_ms` plus `duration_ms` counted only within the calendar's opening
// hours. A null calendar counts round the clock. Bounded: when the calendar
// opens less than `duration_ms` within ~2 years, returns 0 (no due time).
std::int64_t add_business_time(const Calendar* calendar, std::int64_t start_ms, std::int64_t duration_ms);

// Due times of an incident of `priority` on `service` opened at `opened_ms`.
DueTimes due_times(const SlaConfig& config, std::string_view priority, std::string_view service,
              std::int64_t opened_ms);

// Empty when the calendar is valid, else what is wrong (unknown zone, bad hours).
std::string validate(const Calendar& calendar);

}  // namespace tocsin::sla

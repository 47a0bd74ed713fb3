// Business-time arithmetic for SLA due times. Each opening interval is turned
// from local time into UTC with the calendar's zone on its own day, so a
// daylight-saving change moves the interval, and an interval crossing the
// change is as long as the clocks say (07:00-17:00 on a spring-forward night
// at 02:00 is still 10 hours; 01:00-04:00 is 2).
#include "correlator/sla/sla.hpp"

#include "correlator/time_zone.hpp"

#include <chrono>
#include <cstdio>

namespace tocsin::sla {

namespace {

using namespace std::chrono;

const date::time_zone* zone_of(const Calendar& c) { return find_zone(c.time_zone); }

std::int64_t to_utc_ms(const date::time_zone* tz, date::local_days day, int minute) {
  auto local = date::local_time<minutes>(day.time_since_epoch() + minutes(minute));
  // A time in the spring-forward gap maps to the transition; in the repeated
  // autumn hour, to its first occurrence.
  auto sys = tz->to_sys(local, date::choose::earliest);
  return duration_cast<milliseconds>(sys.time_since_epoch()).count();
}

std::string iso_date(date::local_days day) {
  date::year_month_day ymd{day};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace

const Target* target_for(const SlaConfig& config, std::string_view priority, std::string_view service) {
  if (!service.empty())
    if (auto s = config.by_service.find(service); s != config.by_service.end())
      if (auto t = s->second.find(priority); t != s->second.end()) return &t->second;
  auto t = config.by_priority.find(priority);
  return t == config.by_priority.end() ? nullptr : &t->second;
}

std::int64_t add_business_time(const Calendar* calendar, std::int64_t start_ms, std::int64_t duration_ms) {
  if (duration_ms <= 0) return start_ms;
  if (calendar == nullptr) return start_ms + duration_ms;
  const date::time_zone* tz = zone_of(*calendar);
  if (tz == nullptr) return start_ms + duration_ms;
  auto start_sys = sys_time<milliseconds>(milliseconds(start_ms));
  auto local_start = tz->to_local(start_sys);
  // The day before too: an interval of the previous local day may still be
  // open (never with sane hours, but cheap to allow).
  date::local_days day = date::floor<date::days>(local_start) - date::days(1);
  std::int64_t left = duration_ms;
  for (int n = 0; n < 800; ++n, day += date::days(1)) {
    if (calendar->holidays.contains(iso_date(day))) continue;
    unsigned iso = date::weekday(day).iso_encoding();  // 1 = Monday
    for (const auto& [open, close] : calendar->week[iso - 1]) {
      std::int64_t from = std::max(start_ms, to_utc_ms(tz, day, open));
      std::int64_t to = to_utc_ms(tz, day, close);
      if (to <= from) continue;
      if (left <= to - from) return from + left;
      left -= to - from;
    }
  }
  return 0;
}

DueTimes due_times(const SlaConfig& config, std::string_view priority, std::string_view service,
              std::int64_t opened_ms) {
  DueTimes due;
  const Target* t = target_for(config, priority, service);
  if (t == nullptr) return due;
  const Calendar* cal = nullptr;
  if (!t->calendar.empty())
    if (auto c = config.calendars.find(t->calendar); c != config.calendars.end()) cal = &c->second;
  if (t->ack_ms > 0) due.ack_due_ms = add_business_time(cal, opened_ms, t->ack_ms);
  if (t->resolve_ms > 0) due.resolve_due_ms = add_business_time(cal, opened_ms, t->resolve_ms);
  return due;
}

std::string validate(const Calendar& calendar) {
  if (zone_of(calendar) == nullptr) return "unknown time zone \"" + calendar.time_zone + "\" (an IANA name, e.g. Europe/Paris)";
  for (const auto& day : calendar.week)
    for (const auto& [open, close] : day)
      if (open < 0 || close > 24 * 60 || open >= close) return "opening hours must be HH:MM-HH:MM with open < close";
  return "";
}

}  // namespace tocsin::sla

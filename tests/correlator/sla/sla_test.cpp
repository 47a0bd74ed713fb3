// SLA due times: round the clock, within business hours across a weekend, a
// holiday and a daylight-saving change.
#include <gtest/gtest.h>

#include <date/date.h>

#include <chrono>

#include "correlator/sla/sla.hpp"

namespace tocsin::sla {
namespace {

using namespace std::chrono;
constexpr std::int64_t minute = 60'000;
constexpr std::int64_t hour = 60 * minute;

// Wall time of a UTC date and time, in ms.
std::int64_t utc(int y, unsigned m, unsigned d, int hh, int mm = 0) {
  auto day = date::sys_days(date::year(y) / date::month(m) / date::day(d));
  return duration_cast<milliseconds>((day + hours(hh) + minutes(mm)).time_since_epoch()).count();
}

Calendar office(std::string zone) {
  Calendar c;
  c.time_zone = std::move(zone);
  for (int d = 0; d < 5; ++d) c.week[d] = {{9 * 60, 17 * 60}};
  return c;
}

TEST(SlaTest, RoundTheClockTargetsAddToTheOpenTime) {
  SlaConfig config;
  config.by_priority["P1"] = {15 * minute, 4 * hour, ""};
  DueTimes due = due_times(config, "P1", "", utc(2026, 12, 5, 23, 50));  // a Saturday night
  EXPECT_EQ(due.ack_due_ms, utc(2026, 12, 6, 0, 5));
  EXPECT_EQ(due.resolve_due_ms, utc(2026, 12, 6, 3, 50));
}

TEST(SlaTest, PriorityWithoutTargetHasNoDueTimes) {
  SlaConfig config;
  config.by_priority["P1"] = {15 * minute, 4 * hour, ""};
  DueTimes due = due_times(config, "P4", "", utc(2026, 12, 5, 10));
  EXPECT_EQ(due.ack_due_ms, 0);
  EXPECT_EQ(due.resolve_due_ms, 0);
}

TEST(SlaTest, ServiceTargetOverridesThePriorityTarget) {
  SlaConfig config;
  config.by_priority["P2"] = {30 * minute, 8 * hour, ""};
  config.by_service["shop"]["P2"] = {10 * minute, 2 * hour, ""};
  EXPECT_EQ(due_times(config, "P2", "shop", utc(2026, 12, 2, 10)).ack_due_ms, utc(2026, 12, 2, 10, 10));
  EXPECT_EQ(due_times(config, "P2", "intranet", utc(2026, 12, 2, 10)).ack_due_ms, utc(2026, 12, 2, 10, 30));
}

TEST(SlaTest, BusinessHoursSkipTheWeekend) {
  Calendar c = office("UTC");
  // Friday 16:30 + 1h of business time = Monday 09:30.
  EXPECT_EQ(add_business_time(&c, utc(2026, 12, 4, 16, 30), hour), utc(2026, 12, 7, 9, 30));
  // Opened on Saturday night: the clock starts on Monday at opening time.
  EXPECT_EQ(add_business_time(&c, utc(2026, 12, 5, 3), 2 * hour), utc(2026, 12, 7, 11));
  // Within one open day.
  EXPECT_EQ(add_business_time(&c, utc(2026, 12, 2, 10), 3 * hour), utc(2026, 12, 2, 13));
}

TEST(SlaTest, BusinessHoursSkipHolidays) {
  Calendar c = office("UTC");
  c.holidays = {"2026-12-07"};
  EXPECT_EQ(add_business_time(&c, utc(2026, 12, 4, 16, 30), hour), utc(2026, 12, 8, 9, 30));
  // Two full business days across a holiday: Thu 24 (open), Fri 25 (holiday), Mon 28.
  c.holidays = {"2026-12-25"};
  EXPECT_EQ(add_business_time(&c, utc(2026, 12, 24, 9), 16 * hour), utc(2026, 12, 28, 17));
}

TEST(SlaTest, BusinessHoursFollowTheLocalClockAcrossDaylightSaving) {
  Calendar c = office("Europe/Paris");
  // Friday 27 March 2026 16:00 CET (15:00 UTC); clocks go forward on Sunday
  // 29 March. One hour left on Friday, the second at Monday 09:00 CEST = 07:00 UTC.
  EXPECT_EQ(add_business_time(&c, utc(2026, 3, 27, 15), 2 * hour), utc(2026, 3, 30, 8));
  // Autumn: Friday 23 October 16:00 CEST (14:00 UTC); Monday 26 October is CET (UTC+1).
  EXPECT_EQ(add_business_time(&c, utc(2026, 10, 23, 14), 2 * hour), utc(2026, 10, 26, 9));
}

TEST(SlaTest, AnIntervalAcrossTheSpringChangeIsAsLongAsTheClocksSay) {
  Calendar c;
  c.time_zone = "Europe/Paris";
  c.week[6] = {{60, 4 * 60}};  // Sundays 01:00-04:00 local: only 2 real hours on 29 March 2026
  // Opened Sunday 29 March 00:00 UTC (01:00 CET); 2h30 of business time run out
  // the next Sunday (5 April 01:30 CEST = 23:30 UTC on the 4th).
  EXPECT_EQ(add_business_time(&c, utc(2026, 3, 29, 0), 2 * hour + 30 * minute), utc(2026, 4, 4, 23, 30));
}

TEST(SlaTest, CalendarTargetUsesItsCalendar) {
  SlaConfig config;
  config.calendars["office"] = office("UTC");
  config.by_priority["P3"] = {hour, 8 * hour, "office"};
  DueTimes due = due_times(config, "P3", "", utc(2026, 12, 4, 16));
  EXPECT_EQ(due.ack_due_ms, utc(2026, 12, 4, 17));
  EXPECT_EQ(due.resolve_due_ms, utc(2026, 12, 7, 16));
}

TEST(SlaTest, ValidateNamesAnUnknownZoneAndBadHours) {
  Calendar c = office("Mars/Olympus");
  EXPECT_NE(validate(c).find("unknown time zone"), std::string::npos);
  c = office("UTC");
  EXPECT_EQ(validate(c), "");
  c.week[0] = {{17 * 60, 9 * 60}};
  EXPECT_NE(validate(c), "");
}

}  // namespace
}  // namespace tocsin::sla

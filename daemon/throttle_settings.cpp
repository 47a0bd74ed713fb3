// notifications.rate_limit, notifications.quiet_hours and notifications.max_bundle.
#include "daemon/throttle_settings.hpp"

#include "correlator/time_zone.hpp"

#include <cstdio>

namespace tocsin {

using config::Section;
using config::Type;

const Section& rate_limit_section() {
  static const Section s{
      "notifications.rate_limit",
      "At most `max` messages to one recipient on one channel within `per`. What exceeds it waits and goes out "
      "as one bundled message when the window allows.",
      {{"max", Type::integer, "0", "Messages per recipient and channel within `per`; 0 = no limit."},
       {"per", Type::duration, "10m", "The sliding window of the limit."}}};
  return s;
}

const Section& quiet_hours_section() {
  static const Section s{
      "notifications.quiet_hours",
      "Low-priority pages created at night wait until the quiet period ends. Higher priorities always go at "
      "once.",
      {{"start", Type::string, "", "Local time the quiet period starts, HH:MM; empty = no quiet hours."},
       {"end", Type::string, "", "Local time it ends, HH:MM (may be earlier than start: overnight)."},
       {"time_zone", Type::string, "UTC",
        "IANA time zone of start and end, e.g. Europe/Paris, for pages to configured addresses and to people "
        "without a time zone of their own."},
       {"per_person", Type::boolean, "true",
        "Count start and end in the paged person's own time zone (oncall.users[].time_zone) when they have one, "
        "so that a follow-the-sun team sleeps in its own night."},
       {"from_priority", Type::choice, "P4", "This priority and the lower ones wait.", {"P1", "P2", "P3", "P4", "P5"}}}};
  return s;
}

namespace {

// "HH:MM" to minutes of the day; -1 when malformed.
int parse_clock(const std::string& text) {
  int h = 0, m = 0;
  char tail = 0;
  if (text.size() != 5 || std::sscanf(text.c_str(), "%2d:%2d%c", &h, &m, &tail) != 2) return -1;
  if (h < 0 || h > 23 || m < 0 || m > 59) return -1;
  return h * 60 + m;
}

}  // namespace

void load_throttle_settings(const config::Node& n, ThrottleConfig& t) {
  auto r = n.map("rate_limit", rate_limit_section());
  t.max_per_window = static_cast<int>(r.integer("max", 0, 1'000'000));
  t.window = r.duration("per");
  if (t.max_per_window > 0 && t.window.count() <= 0) r.error("per", "must be longer than 0s");
  t.max_bundle = static_cast<int>(n.integer("max_bundle", 1, 1000));

  auto q = n.map("quiet_hours", quiet_hours_section());
  std::string start = q.string("start"), end = q.string("end");
  if (start.empty() != end.empty()) {
    q.error(start.empty() ? "start" : "end", "quiet hours need both start and end");
    return;
  }
  if (start.empty()) return;
  t.quiet.start_minute = parse_clock(start);
  t.quiet.end_minute = parse_clock(end);
  if (t.quiet.start_minute < 0) q.error("start", "'" + start + "' is not a time HH:MM");
  if (t.quiet.end_minute < 0) q.error("end", "'" + end + "' is not a time HH:MM");
  if (t.quiet.start_minute >= 0 && t.quiet.start_minute == t.quiet.end_minute)
    q.error("end", "must differ from start");
  t.quiet.time_zone = q.string("time_zone");
  if (find_zone(t.quiet.time_zone) == nullptr)
    q.error("time_zone", "'" + t.quiet.time_zone + "' is not a known IANA time zone");
  t.quiet.from_priority = q.choice("from_priority")[1] - '0';
  t.quiet.per_person = q.boolean("per_person");
}

}  // namespace tocsin

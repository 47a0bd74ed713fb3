// Schema table and loading of the maintenance section.
#include "daemon/suppression_settings.hpp"

#include <set>

#include "correlator/suppression/suppression.hpp"
#include "daemon/json.hpp"

namespace tocsin {

using config::Section;
using config::Type;

const Section& maintenance_section() {
  static const Section s{
      "maintenance[]",
      "One maintenance window: alerts that start firing on its CIs while it is in force are recorded as "
      "`suppressed` and open no incident; one still firing when the window ends opens its incident then. "
      "Windows are in force from their start (inclusive) to their end (exclusive). See correlator/README.md.",
      {{"name", Type::string, "", "Id of the window (not all digits: those are the ids of API windows).", {}, true},
       {"cis", Type::string_list, "", "CI ids it covers (a name the CMDB does not know matches that resource).", {},
        true},
       {"include_dependents", Type::boolean, "false",
        "Also cover every CI that depends on them (depends_on, transitively)."},
       {"schedule", Type::choice, "once", "once: from start to end; daily or weekly: at `at` for `duration`.",
        {"once", "daily", "weekly"}},
       {"start", Type::string, "", "once: start, RFC 3339 UTC, e.g. 2026-12-05T22:00:00Z."},
       {"end", Type::string, "", "once: end, RFC 3339 UTC."},
       {"at", Type::string, "", "daily, weekly: local start time HH:MM in time_zone."},
       {"duration", Type::duration, "0s",
        "daily, weekly: elapsed time from each start (at most 24h daily, 7d weekly); a window may cross midnight."},
       {"days", Type::string_list, "", "weekly: the days an occurrence starts on: sun, mon, tue, wed, thu, fri, sat."},
       {"time_zone", Type::string, "UTC", "IANA time zone `at` is counted in, e.g. Europe/Paris."},
       {"comment", Type::string, "", "Why (shown in the API)."}}};
  return s;
}

std::vector<suppression::MaintenanceWindow> load_maintenance_settings(const config::Node& root) {
  std::vector<suppression::MaintenanceWindow> out;
  std::set<std::string> names;
  for (const auto& n : root.list("maintenance", maintenance_section())) {
    suppression::MaintenanceWindow w;
    w.from_config = true;
    w.id = n.string("name");
    if (w.id.empty() || w.id.find_first_not_of("0123456789") == std::string::npos)
      n.error("name", "must not be empty or all digits");
    if (!names.insert(w.id).second) n.error("name", "'" + w.id + "' names another maintenance window too");
    w.cis = n.string_list("cis");
    w.include_dependents = n.boolean("include_dependents");
    w.schedule = suppression::parse_schedule(n.choice("schedule")).value_or(suppression::Schedule::once);
    w.comment = n.string("comment");
    w.time_zone = n.string("time_zone");
    for (auto [key, out_ms] : {std::pair{"start", &w.start_ms}, std::pair{"end", &w.end_ms}}) {
      if (!n.present(key)) continue;
      auto t = api::parse_time(n.string(key));
      if (!t) n.error(key, "expected an RFC 3339 UTC time such as 2026-12-05T22:00:00Z");
      else *out_ms = *t;
    }
    if (n.present("at")) {
      auto at = suppression::parse_time_of_day(n.string("at"));
      if (!at) n.error("at", "expected a local time HH:MM such as 22:00");
      else w.at_minute = *at;
    } else if (w.schedule != suppression::Schedule::once) {
      n.error("at", "a daily or weekly window needs `at`");
    }
    w.duration_ms = n.duration("duration").count();
    for (const auto& d : n.string_list("days")) {
      auto day = suppression::parse_weekday(d);
      if (!day) n.error("days", "'" + d + "' is not a day; use sun, mon, tue, wed, thu, fri, sat");
      else w.days = static_cast<std::uint8_t>(w.days | (1U << *day));
    }
    if (auto p = suppression::validate(w); p && (p->field != "at" || n.present("at"))) n.error(p->field, p->message);
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace tocsin

// The `sla` and `escalation` sections.
#include "daemon/sla_settings.hpp"

#include <cstdio>

namespace tocsin {

using config::Section;
using config::Type;

const Section& sla_section() {
  static const Section s{"sla",
                         "Acknowledge and resolve targets per priority, optionally per business service, counted "
                         "round the clock or within a business-hours calendar.",
                         {{"targets", Type::list, "", "SLA targets (see sla.targets[])."},
                          {"calendars", Type::list, "", "Business-hours calendars (see sla.calendars[])."}}};
  return s;
}

const Section& sla_target_section() {
  static const Section s{
      "sla.targets[]",
      "The targets of one priority; with `service`, for incidents on that business service only.",
      {{"priority", Type::choice, "", "The incident priority.", {"P1", "P2", "P3", "P4", "P5"}, true},
       {"service", Type::string, "", "A business service; empty = every service."},
       {"acknowledge", Type::duration, "0s", "Time to acknowledge; 0s = no target."},
       {"resolve", Type::duration, "0s", "Time to resolve; 0s = no target."},
       {"calendar", Type::string, "", "Name of a calendar the targets count in; empty = 24x7."}}};
  return s;
}

const Section& sla_calendar_section() {
  static const Section s{
      "sla.calendars[]",
      "Business hours: SLA time runs only while the calendar is open.",
      {{"name", Type::string, "", "Name the targets refer to.", {}, true},
       {"time_zone", Type::string, "UTC", "IANA time zone of the hours, e.g. Europe/Paris."},
       {"hours", Type::string_list, "",
        "Opening hours, e.g. [\"mon-fri 08:00-18:00\", \"sat 09:00-12:00\"]; days mon..sun."},
       {"holidays", Type::string_list, "", "Local dates closed all day, YYYY-MM-DD."}}};
  return s;
}

const Section& escalation_section() {
  static const Section s{"escalation",
                         "Escalation policies per owner group. A group with a policy is paged by it instead of "
                         "notifications.email.recipients.",
                         {{"policies", Type::list, "", "One policy per group (see escalation.policies[])."}}};
  return s;
}

const Section& escalation_policy_section() {
  static const Section s{
      "escalation.policies[]",
      "Timed steps paging people until the incident is acknowledged or resolved.",
      {{"group", Type::string, "", "The owner group the policy applies to.", {}, true},
       {"steps", Type::list, "", "Steps in order (see escalation.policies[].steps[])."},
       {"repeat", Type::integer, "0", "How many more times the whole policy runs (0..10)."},
       {"repeat_after", Type::duration, "0s", "From the last step of one round to the first of the next."}}};
  return s;
}

const Section& escalation_step_section() {
  static const Section s{
      "escalation.policies[].steps[]",
      "One step: who is paged, on which channels, how long after the incident opened.",
      {{"delay", Type::duration, "0s", "From the incident's opening (within a round)."},
       {"targets", Type::string_list, "",
        "Who: primary, secondary (on call now), user:<id>, lead, manager, group (all members)."},
       {"channels", Type::string_list, "",
        "Channels in order, e.g. [sms, email]; each person is paged on each one they have a contact for. "
        "Empty: the person's preferred contact."}}};
  return s;
}

namespace {

const char* const day_names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

int day_of(const std::string& name) {
  for (int i = 0; i < 7; ++i)
    if (name == day_names[i]) return i;
  return -1;
}

// "mon-fri 08:00-18:00" or "sat 09:00-12:00" into the calendar's week.
bool parse_hours(const std::string& text, sla::Calendar& c) {
  char days[16] = {};
  int h1 = 0, m1 = 0, h2 = 0, m2 = 0;
  if (text.size() > 40 || std::sscanf(text.c_str(), "%15s %d:%d-%d:%d", days, &h1, &m1, &h2, &m2) != 5) return false;
  std::string d = days;
  auto dash = d.find('-');
  int from = day_of(d.substr(0, dash));
  int to = dash == std::string::npos ? from : day_of(d.substr(dash + 1));
  if (from < 0 || to < from || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59) return false;
  for (int i = from; i <= to; ++i) c.week[static_cast<std::size_t>(i)].push_back({h1 * 60 + m1, h2 * 60 + m2});
  return true;
}

bool valid_date(const std::string& d) {
  int y = 0, m = 0, day = 0;
  return d.size() == 10 && std::sscanf(d.c_str(), "%4d-%2d-%2d", &y, &m, &day) == 3 && m >= 1 && m <= 12 &&
         day >= 1 && day <= 31;
}

}  // namespace

void load_sla_settings(const config::Node& root, CorrelatorConfig& config) {
  auto s = root.map("sla", sla_section());
  for (const auto& node : s.list("calendars", sla_calendar_section())) {
    sla::Calendar c;
    c.time_zone = node.string("time_zone");
    for (const auto& h : node.string_list("hours"))
      if (!parse_hours(h, c)) node.error("hours", "'" + h + "' is not like \"mon-fri 08:00-18:00\"");
    for (const auto& d : node.string_list("holidays")) {
      if (!valid_date(d)) node.error("holidays", "'" + d + "' is not a date YYYY-MM-DD");
      c.holidays.insert(d);
    }
    if (std::string e = sla::validate(c); !e.empty()) node.error(e);
    config.sla.calendars[node.string("name")] = std::move(c);
  }
  for (const auto& node : s.list("targets", sla_target_section())) {
    sla::Target t{node.duration("acknowledge").count(), node.duration("resolve").count(), node.string("calendar")};
    if (!t.calendar.empty() && !config.sla.calendars.contains(t.calendar))
      node.error("calendar", "no calendar named '" + t.calendar + "' in sla.calendars");
    std::string priority = node.choice("priority");
    std::string service = node.string("service");
    auto& slot = service.empty() ? config.sla.by_priority : config.sla.by_service[service];
    if (slot.contains(priority)) node.error("priority", "a second target for " + priority);
    slot[priority] = std::move(t);
  }
  auto e = root.map("escalation", escalation_section());
  for (const auto& node : e.list("policies", escalation_policy_section())) {
    sla::Policy p;
    p.repeat = static_cast<int>(node.integer("repeat", 0, sla::max_repeat));
    p.repeat_after_ms = node.duration("repeat_after").count();
    for (const auto& step : node.list("steps", escalation_step_section()))
      p.steps.push_back({step.duration("delay").count(), step.string_list("targets"), step.string_list("channels")});
    if (std::string error = sla::validate(p); !error.empty()) node.error(error);
    std::string group = node.string("group");
    if (config.escalation.by_group.contains(group)) node.error("group", "a second policy for group " + group);
    config.escalation.by_group[group] = std::move(p);
  }
}

}  // namespace tocsin

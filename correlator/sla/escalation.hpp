#pragma once
// Escalation policies: per owner group, ordered steps timed from the incident's
// open time, each naming who is paged (primary, secondary, user:<id>, lead,
// manager, group) and on which channels, repeated a bounded number of times
// until someone acknowledges. Pure: the correlator stores the level reached
// and the next due time, and asks these functions what to do at `now`.
// Semantics in correlator/sla/README.md.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "correlator/model.hpp"
#include "correlator/oncall/directory.hpp"

namespace tocsin::sla {

struct Step {
  std::int64_t delay_ms = 0;              // from incident open (within one round)
  std::vector<std::string> targets;       // "primary", "secondary", "user:<id>", "lead", "manager", "group"
  std::vector<std::string> channels;      // in order, e.g. {"sms", "email"}; empty = first preferred contact
};

constexpr int max_repeat = 10;

struct Policy {
  std::vector<Step> steps;
  int repeat = 0;                  // further rounds after the first (0..max_repeat)
  std::int64_t repeat_after_ms = 0;  // from a round's last step to the next round's first
};

struct EscalationConfig {
  std::map<std::string, Policy, std::less<>> by_group;  // owner group → policy
};

// Where the SLA clocks and the escalation steps count from: the latest reopen,
// else the opening.
inline std::int64_t clock_start(const Incident& incident) {
  return incident.reopened_at_ms > 0 ? incident.reopened_at_ms : incident.opened_at_ms;
}

const Policy* policy_for(const EscalationConfig& config, std::string_view group);

// Levels count the steps fired so far over all rounds: level L is step
// L % steps.size() of round L / steps.size().
int total_levels(const Policy& policy);
const Step* step_of(const Policy& policy, int level);
int step_index(const Policy& policy, int level);

// When level `level` is due for an incident opened at `opened_ms`; nullopt
// when the policy is exhausted.
std::optional<std::int64_t> due_at(const Policy& policy, int level, std::int64_t opened_ms);

// Escalation runs only while the incident is open (not acknowledged, resolved
// or closed).
bool escalates(IncidentState state);

struct Due {
  int level = 0;         // the level to fire
  std::int64_t due_ms = 0;
  int skipped = 0;       // earlier levels also past due, not fired (downtime)
};

// The level to fire at `now_ms` given `level` levels fired so far: the latest
// level whose due time has passed (never one in the future). nullopt when none
// is due, the policy is exhausted or the incident is not open.
std::optional<Due> next_step(const Policy& policy, IncidentState state, int level, std::int64_t opened_ms,
                             std::int64_t now_ms);

struct PageTarget {
  std::string person;   // directory id
  std::string name;     // display name
  std::string channel;
  std::string address;
};

struct Resolution {
  std::vector<PageTarget> pages;  // one per (person, channel), persons in target order, no repeats
  std::vector<std::string> notes; // what could not be resolved and what was done instead
};

// Who step `step` pages for `group` at `now_ms`. A target that names nobody
// (nobody on call, no such user) falls back to the group lead, once per step;
// a person without a contact on any listed channel is noted and skipped.
Resolution resolve(const Step& step, std::string_view group, const oncall::Directory* directory,
                   std::int64_t now_ms);

// Empty when the policy is valid, else what is wrong.
std::string validate(const Policy& policy);

}  // namespace tocsin::sla

// Escalation step timing and target resolution.
#include "correlator/sla/escalation.hpp"

#include <algorithm>

namespace tocsin::sla {

const Policy* policy_for(const EscalationConfig& config, std::string_view group) {
  auto it = config.by_group.find(group);
  return it == config.by_group.end() || it->second.steps.empty() ? nullptr : &it->second;
}

int total_levels(const Policy& policy) {
  return static_cast<int>(policy.steps.size()) * (1 + std::clamp(policy.repeat, 0, max_repeat));
}

int step_index(const Policy& policy, int level) {
  return policy.steps.empty() ? 0 : level % static_cast<int>(policy.steps.size());
}

const Step* step_of(const Policy& policy, int level) {
  if (level < 0 || level >= total_levels(policy)) return nullptr;
  return &policy.steps[static_cast<std::size_t>(step_index(policy, level))];
}

std::optional<std::int64_t> due_at(const Policy& policy, int level, std::int64_t opened_ms) {
  const Step* step = step_of(policy, level);
  if (step == nullptr) return std::nullopt;
  std::int64_t round_ms = policy.steps.back().delay_ms + std::max<std::int64_t>(policy.repeat_after_ms, 0);
  int round = level / static_cast<int>(policy.steps.size());
  return opened_ms + round * round_ms + step->delay_ms;
}

bool escalates(IncidentState state) { return state == IncidentState::open; }

std::optional<Due> next_step(const Policy& policy, IncidentState state, int level, std::int64_t opened_ms,
                             std::int64_t now_ms) {
  if (!escalates(state)) return std::nullopt;
  auto first = due_at(policy, level, opened_ms);
  if (!first || *first > now_ms) return std::nullopt;
  Due due{level, *first, 0};
  for (int l = level + 1;; ++l) {
    auto at = due_at(policy, l, opened_ms);
    if (!at || *at > now_ms) break;
    due = {l, *at, l - level};
  }
  return due;
}

namespace {

std::vector<std::string> people_of(const std::string& target, std::string_view group,
                                   const oncall::Directory& directory, std::int64_t now_ms) {
  if (target == "primary") return directory.on_call(group, oncall::Layer::primary, now_ms);
  if (target == "secondary") return directory.on_call(group, oncall::Layer::secondary, now_ms);
  if (target == "group") return directory.members(group);
  std::string id;
  if (target == "lead") id = directory.lead(group);
  if (target == "manager") id = directory.manager(group);
  if (target.starts_with("user:")) id = target.substr(5);
  if (id.empty() || directory.person(id) == nullptr) return {};
  return {id};
}

}  // namespace

Resolution resolve(const Step& step, std::string_view group, const oncall::Directory* directory,
                   std::int64_t now_ms) {
  Resolution r;
  if (directory == nullptr) {
    r.notes.push_back("no on-call directory configured");
    return r;
  }
  std::vector<std::string> persons;
  auto add = [&](const std::string& id) {
    if (std::find(persons.begin(), persons.end(), id) == persons.end()) persons.push_back(id);
  };
  bool fell_back = false;
  for (const auto& target : step.targets) {
    auto ids = people_of(target, group, *directory, now_ms);
    if (ids.empty()) {
      std::string lead = directory->lead(group);
      bool lead_known = !lead.empty() && directory->person(lead) != nullptr;
      r.notes.push_back("nobody for " + target + (lead_known && !fell_back ? ": group lead " + lead + " paged instead"
                                                                          : ""));
      if (lead_known && !fell_back) ids = {lead};
      fell_back = fell_back || lead_known;
    }
    for (const auto& id : ids) add(id);
  }
  for (const auto& id : persons) {
    const oncall::Person* p = directory->person(id);
    if (p == nullptr) continue;
    std::size_t before = r.pages.size();
    if (step.channels.empty()) {
      if (!p->contacts.empty())
        r.pages.push_back({id, p->name, p->contacts.front().channel, p->contacts.front().address});
    }
    for (const auto& channel : step.channels) {
      auto c = std::find_if(p->contacts.begin(), p->contacts.end(),
                            [&](const oncall::Contact& x) { return x.channel == channel; });
      if (c != p->contacts.end()) r.pages.push_back({id, p->name, channel, c->address});
    }
    if (r.pages.size() == before) r.notes.push_back(id + " has no contact on the step's channels");
  }
  return r;
}

std::string validate(const Policy& policy) {
  if (policy.steps.empty()) return "an escalation policy needs at least one step";
  if (policy.repeat < 0 || policy.repeat > max_repeat)
    return "repeat must be between 0 and " + std::to_string(max_repeat);
  std::int64_t last = -1;
  for (const auto& s : policy.steps) {
    if (s.delay_ms < last) return "step delays must not decrease";
    last = s.delay_ms;
    if (s.targets.empty()) return "every step needs at least one target";
    for (const auto& t : s.targets)
      if (t != "primary" && t != "secondary" && t != "lead" && t != "manager" && t != "group" &&
          !(t.starts_with("user:") && t.size() > 5))
        return "unknown target \"" + t + "\" (primary, secondary, user:<id>, lead, manager, group)";
    for (const auto& c : s.channels)
      if (c != "sms" && c != "email") return "unknown channel \"" + c + "\" (sms, email)";
  }
  if (policy.repeat > 0 && policy.repeat_after_ms <= 0 && policy.steps.back().delay_ms == 0)
    return "a repeating policy needs repeat_after or a step with a delay";
  return "";
}

}  // namespace tocsin::sla

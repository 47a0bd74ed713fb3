// Schema tables and loading of the cmdb, priority and assignment sections.
#include "daemon/engine_settings.hpp"

#include <filesystem>

#include "correlator/cmdb/loader.hpp"

namespace tocsin {

using config::Section;
using config::Type;

const Section& cmdb_section() {
  static const Section s{
      "cmdb",
      "The CMDB: CIs that events are enriched with (owner group, criticality, services, location, runbook) and "
      "whose `depends_on` links drive topology. Files are YAML, CSV or JSON (see correlator/cmdb/README.md); they "
      "are loaded at start and on SIGHUP, and a reload with an invalid CMDB keeps the running one.",
      {{"files", Type::string_list, "",
        "CMDB files, by extension .yaml/.yml, .csv or .json; relative paths are relative to the directory of "
        "this configuration file."},
       {"default_group", Type::string, "noc",
        "Owner of incidents on resources that match no CI (overrides correlation.default_group when set)."}}};
  return s;
}

const Section& priority_section() {
  static const Section s{
      "priority",
      "Priority = impact × urgency through a matrix (ITIL 3×3 by default). Impact comes from the CI's "
      "criticality, urgency from the event's severity.",
      {{"matrix", Type::map, "",
        "Rows by impact, columns by urgency high, medium, low: {high: [P1, P2, P3], medium: [P2, P3, P4], "
        "low: [P3, P4, P5]} by default."},
       {"impact", Type::map, "",
        "CI criticality → impact level: {critical: high, high: high, medium: medium, low: low} by default."},
       {"urgency", Type::map, "",
        "Severity → urgency level: {critical: high, major: high, minor: medium, warning: medium, info: low} "
        "by default."},
       {"unknown_impact", Type::choice, "severity",
        "Impact of resources the CMDB does not know; `severity`: priority from the severity alone "
        "(critical P1, major P2, minor P3, warning P4, info P5).",
        {"severity", "high", "medium", "low"}},
       {"service_criticality", Type::boolean, "false",
        "Impact is the highest of the CI's criticality and that of its business services (CIs whose id is "
        "the service name)."},
       {"source_attribute", Type::string, "",
        "Event attribute carrying a priority set by the monitoring platform (P1..P5 or 1..5), kept as is when "
        "present; empty: always computed."}}};
  return s;
}

const Section& assignment_section() {
  static const Section s{"assignment",
                         "The group an incident is assigned to: the first matching rule, else the CI's owner group, "
                         "else cmdb.default_group.",
                         {{"rules", Type::list, "", "Override rules, tried in order."}}};
  return s;
}

const Section& assignment_rule_section() {
  static const Section s{
      "assignment.rules[]",
      "One rule; every key given must match.",
      {{"service", Type::string, "", "A business service of the CI."},
       {"location", Type::string, "", "The CI's location; a trailing `*` matches a prefix (dc1/*)."},
       {"event", Type::string, "", "The event's name or alert key."},
       {"group", Type::string, "", "Group assigned when the rule matches.", {}, true},
       {"assignee", Type::string, "",
        "User id (oncall.users[]) assigned when the rule matches; empty: the group's on-call primary at the time the "
        "incident opens."}}};
  return s;
}

namespace {

std::optional<Level> level_of(const YAML::Node& n) {
  return n.IsScalar() ? parse_level(n.Scalar()) : std::nullopt;
}

void load_matrix(const config::Node& n, PriorityConfig& p) {
  YAML::Node m = n.raw("matrix");
  if (!m) return;
  if (!m.IsMap()) return n.error("matrix", "expected {high: [P1, P2, P3], medium: [...], low: [...]}");
  for (const auto& row : m) {
    auto impact = level_of(row.first);
    bool ok = impact && row.second.IsSequence() && row.second.size() == 3;
    if (ok) {
      for (std::size_t u = 0; u < 3; ++u) {
        auto cell = row.second[u].IsScalar() ? normalize_priority(row.second[u].Scalar()) : std::nullopt;
        if (!cell) ok = false;
        else p.matrix[static_cast<std::size_t>(*impact)][u] = *cell;
      }
    }
    if (!ok)
      n.error("matrix", "each row is high, medium or low with three priorities P1..P5 (urgency high, medium, low)");
  }
}

template <typename Parse, std::size_t N>
void load_levels(const config::Node& n, std::string_view key, std::array<Level, N>& out, Parse parse,
                 const std::string& what) {
  YAML::Node m = n.raw(key);
  if (!m) return;
  if (!m.IsMap()) return n.error(key, "expected a map from " + what + " to high, medium or low");
  for (const auto& item : m) {
    auto from = item.first.IsScalar() ? parse(item.first.Scalar()) : std::nullopt;
    auto level = level_of(item.second);
    if (!from || !level) {
      n.error(key, "expected a map from " + what + " to high, medium or low");
      continue;
    }
    out[static_cast<std::size_t>(*from)] = *level;
  }
}

}  // namespace

void load_engine_settings(const config::Node& root, CorrelatorConfig& c) {
  auto cmdb = root.map("cmdb", cmdb_section());
  if (cmdb.present("default_group")) c.default_group = cmdb.string("default_group");
  if (c.default_group.empty()) cmdb.error("default_group", "must not be empty");
  std::vector<std::string> files = cmdb.string_list("files");
  if (!files.empty()) {
    cmdb::CmdbDraft draft;
    config::Errors& errors = cmdb.errors();
    std::size_t before = errors.messages().size();
    // Relative to the configuration file, like the CMDB it ships with.
    std::filesystem::path base = std::filesystem::path(root.file_name()).parent_path();
    for (const auto& f : files) {
      std::filesystem::path path(f);
      cmdb::load_cmdb_file(path.is_relative() && !base.empty() ? (base / path).lexically_normal().string() : f,
                           draft, errors);
    }
    if (errors.messages().size() == before) c.cmdb = cmdb::Cmdb::build(std::move(draft), errors);
  }

  auto p = root.map("priority", priority_section());
  load_matrix(p, c.priority);
  load_levels(p, "impact", c.priority.impact, cmdb::parse_criticality, "criticality");
  load_levels(p, "urgency", c.priority.urgency, parse_severity, "severity");
  std::string unknown = p.choice("unknown_impact");
  c.priority.unknown_impact = unknown == "severity" ? std::nullopt : parse_level(unknown);
  c.priority.service_criticality = p.boolean("service_criticality");
  c.priority.source_attribute = p.string("source_attribute");

  auto a = root.map("assignment", assignment_section());
  for (const auto& r : a.list("rules", assignment_rule_section())) {
    AssignmentRule rule{r.string("service"), r.string("location"), r.string("event"), r.string("group"),
                      r.string("assignee")};
    if (rule.service.empty() && rule.location.empty() && rule.event.empty())
      r.error("a rule needs at least one of service, location, event");
    // An oncall section with errors has reported them already.
    if (!rule.assignee.empty() && !c.oncall && !root.present("oncall"))
      r.error("assignee", "names a person, but no on-call directory is configured (section oncall)");
    else if (!rule.assignee.empty() && c.oncall && !c.oncall->person(rule.assignee))
      r.error("assignee", "unknown person '" + rule.assignee + "': not in oncall.users[]");
    c.assignment.rules.push_back(std::move(rule));
  }
}

}  // namespace tocsin

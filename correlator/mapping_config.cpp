// Mapping rules from YAML: each rule is checked like any other section, and
// its patterns are compiled at load time so that a bad regex is a config error.
#include "correlator/mapping_config.hpp"

#include "correlator/rules/rules_schema.hpp"

namespace tocsin {

const config::Section& rule_section() {
  using config::Type;
  static const config::Section s{
      "<collector>.rules[]",
      "A mapping rule: when every `match` pattern matches its field, the input becomes this event. Rules are "
      "tried in order; the first match wins. Templates insert fields with {name}; named capture groups "
      "((?P<name>...)) of the patterns become fields and event attributes.",
      {
          {"name", Type::string, "", "Rule name, shown on events and incidents.", {}, true},
          {"match", Type::map, "", "Field name → RE2 pattern (unanchored). All must match. An empty map matches "
                                   "everything."},
          {"event", Type::string, "", "Event name template, e.g. interface_down.", {}, true},
          {"kind", Type::choice, "problem", "problem raises or repeats an alert; clear resolves the alert named by "
                                           "`clears`; info is recorded only.", {"problem", "clear", "info"}},
          {"severity", Type::string, "", "critical, major, minor, warning, info, or a template such as "
                                         "{severity} (the collector's own severity). Default {severity}."},
          {"resource", Type::string, "{host}", "Template of the device, host or service the event is about."},
          {"summary", Type::string, "{message}", "Template of the one line a person reads."},
          {"clears", Type::string, "", "For kind clear: the event name of the problem it resolves (template)."},
          {"fingerprint", Type::string_list, "", "Attributes that identify the object besides resource and event, "
                                                 "e.g. [interface]. A clear resolves the alert with equal values."},
          {"attributes", Type::map, "", "Extra attributes: name → template."},
          {"threshold", Type::map, "", "Raise the alert only at the Nth problem within a window (see "
                                       "<collector>.rules[].threshold)."},
          {"flapping", Type::map, "", "Flap detection of this rule's alerts, overriding correlation.flapping (see "
                                      "<collector>.rules[].flapping)."},
      }};
  return s;
}

namespace {
std::vector<std::pair<std::string, std::string>> string_map(const config::Node& rule, std::string_view key) {
  std::vector<std::pair<std::string, std::string>> out;
  YAML::Node m = rule.raw(key);
  if (!m || m.IsNull()) return out;
  if (!m.IsMap()) {
    rule.error(key, "expected a map of field: pattern");
    return out;
  }
  for (const auto& kv : m) {
    if (!kv.second.IsScalar()) {
      rule.error(key, "the value of '" + kv.first.Scalar() + "' must be a string");
      continue;
    }
    out.emplace_back(kv.first.Scalar(), kv.second.Scalar());
  }
  return out;
}
}  // namespace

std::vector<RuleSpec> parse_rules(const config::Node& parent, std::string_view key) {
  std::vector<RuleSpec> specs;
  for (const auto& rule : parent.list(key, rule_section())) {
    RuleSpec s;
    s.name = rule.string("name");
    s.origin = rule.file_name() + ":" + std::to_string(rule.line());
    s.match = string_map(rule, "match");
    s.event = rule.string("event");
    s.kind = rule.choice("kind");
    s.severity = rule.string("severity");
    s.resource = rule.string("resource");
    s.summary = rule.string("summary");
    s.clears = rule.string("clears");
    s.fingerprint = rule.string_list("fingerprint");
    s.attributes = string_map(rule, "attributes");
    s.options = rules::parse_rule_options(rule);
    specs.push_back(std::move(s));
  }
  // Compile once here so that bad patterns are reported with file:line.
  std::vector<std::string> problems;
  RuleSet::compile(specs, problems);
  for (const auto& p : problems) parent.errors().add(p);
  return specs;
}

}  // namespace tocsin

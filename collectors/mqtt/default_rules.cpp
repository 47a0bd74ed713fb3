// Rules shipped with the MQTT collector: JSON alerts that carry a `name`
// (the usual shape of monitoring bridges: name, severity, resource or host,
// summary or message, status). A status of resolved/ok/clear clears the alert
// of the same name on the same resource.
#include "collectors/mqtt/parser.hpp"

namespace tocsin::mqtt {

namespace {
RuleSpec json_rule(std::string name, std::vector<std::pair<std::string, std::string>> match) {
  RuleSpec r;
  r.name = std::move(name);
  r.origin = "built-in MQTT rules";
  r.match = std::move(match);
  r.event = "{name}";
  r.resource = "{resource}";
  r.summary = "{summary}";
  return r;
}
}  // namespace

std::vector<RuleSpec> default_rules() {
  RuleSpec clear = json_rule(
      "json-clear", {{"name", "."}, {"status", R"((?i)^(?:resolved|ok|clear|cleared|recovered|up|normal)$)"}});
  clear.kind = "clear";
  clear.clears = "{name}";
  RuleSpec problem = json_rule("json-alert", {{"name", "."}});
  problem.kind = "problem";
  problem.severity = "{severity}";
  return {clear, problem};
}

}  // namespace tocsin::mqtt

// Config of the threshold, flapping and heartbeat rules: values reach the
// Event through the mapping rule, bad values are reported with file:line.
#include "correlator/rules/rules_schema.hpp"

#include <gtest/gtest.h>

#include "correlator/mapping_config.hpp"

namespace tocsin {
namespace {

using config::Errors;
using config::Node;
using config::Section;
using config::Type;

const Section& collector() {
  static const Section s{"syslog", "", {{"rules", Type::list, "", ""}}};
  return s;
}

const Section& top() {
  static const Section s{"(top level)", "", {{"heartbeats", Type::list, "", ""}, {"correlation", Type::map, "", ""}}};
  return s;
}

const Section& correlation() {
  static const Section s{"correlation", "", {{"flapping", Type::map, "", ""}}};
  return s;
}

TEST(RulesSchema, ThresholdAndFlappingOfAMappingRuleReachTheEvent) {
  Errors errors;
  Node n(YAML::Load(R"(
rules:
  - name: ssh
    match: {message: 'Failed password'}
    event: ssh_auth_failure
    threshold: {count: 5, window: 2m}
    flapping: {enabled: false, quiet: 30s}
)"),
         collector(), "t.yaml", "syslog", errors);
  auto specs = parse_rules(n, "rules");
  ASSERT_TRUE(errors.empty()) << errors.joined();
  std::vector<std::string> problems;
  RuleSet set = RuleSet::compile(specs, problems);
  Fields fields;
  fields.add("message", "Failed password for root");
  fields.add("host", "bastion");
  Event e;
  ASSERT_TRUE(set.apply(fields, e));
  EXPECT_EQ(e.options.threshold_count, 5u);
  EXPECT_EQ(e.options.threshold_window_ms, 120'000);
  EXPECT_EQ(e.options.flapping_enabled, std::optional<bool>(false));
  EXPECT_EQ(e.options.flapping_changes, 0u) << "left to correlation.flapping";
  EXPECT_EQ(e.options.flapping_quiet_ms, 30'000);
}

TEST(RulesSchema, ABadThresholdIsReportedWithFileAndLine) {
  Errors errors;
  Node n(YAML::Load(R"(
rules:
  - name: ssh
    event: ssh_auth_failure
    threshold: {count: 0, window: soon, every: 3}
)"),
         collector(), "t.yaml", "syslog", errors);
  parse_rules(n, "rules");
  const std::string all = errors.joined();
  EXPECT_NE(all.find("t.yaml:5"), std::string::npos) << all;
  EXPECT_NE(all.find("threshold.count"), std::string::npos) << all;
  EXPECT_NE(all.find("threshold.window"), std::string::npos) << all;
  EXPECT_NE(all.find("every"), std::string::npos) << all;
}

TEST(RulesSchema, FlappingDefaultsAndOverrides) {
  Errors errors;
  Node none(YAML::Load("{}"), correlation(), "t.yaml", "correlation", errors);
  auto d = rules::load_flapping(none);
  EXPECT_TRUE(d.enabled);
  EXPECT_EQ(d.changes, 5u);
  EXPECT_EQ(d.window_ms, 600'000);
  EXPECT_EQ(d.quiet_ms, 600'000);
  Node set(YAML::Load("flapping: {changes: 3, window: 1m, quiet: 2m}"), correlation(), "t.yaml", "correlation",
           errors);
  auto c = rules::load_flapping(set);
  EXPECT_EQ(c.changes, 3u);
  EXPECT_EQ(c.window_ms, 60'000);
  EXPECT_EQ(c.quiet_ms, 120'000);
  EXPECT_TRUE(errors.empty()) << errors.joined();
  Node bad(YAML::Load("flapping: {changes: 1}"), correlation(), "t.yaml", "correlation", errors);
  rules::load_flapping(bad);
  EXPECT_NE(errors.joined().find("flapping.changes"), std::string::npos) << errors.joined();
}

TEST(RulesSchema, HeartbeatsAreLoadedAndCheckedWithFileAndLine) {
  Errors errors;
  Node n(YAML::Load(R"(
heartbeats:
  - name: backup
    resource: db1
    event: 'backup_(done|running)'
    interval: 26h
    severity: critical
  - name: backup
    interval: 0s
    event: '(unclosed'
)"),
         top(), "t.yaml", "", errors);
  auto beats = rules::load_heartbeats(n);
  ASSERT_EQ(beats.size(), 2u);
  EXPECT_EQ(beats[0].resource, "db1");
  EXPECT_EQ(beats[0].interval_ms, 26 * 3'600'000LL);
  EXPECT_EQ(beats[0].severity, Severity::critical);
  const std::string all = errors.joined();
  EXPECT_NE(all.find("t.yaml:8"), std::string::npos) << all;
  EXPECT_NE(all.find("names another heartbeat"), std::string::npos) << all;
  EXPECT_NE(all.find("at least one of resource, source or ci"), std::string::npos) << all;
  EXPECT_NE(all.find("interval: must be longer than 0"), std::string::npos) << all;
  EXPECT_NE(all.find("bad pattern"), std::string::npos) << all;
}

}  // namespace
}  // namespace tocsin

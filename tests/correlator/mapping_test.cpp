// Mapping rules: fields in, Event out.
#include "correlator/mapping.hpp"

#include <gtest/gtest.h>

namespace tocsin {
namespace {

RuleSpec link_down_rule() {
  RuleSpec r;
  r.name = "link-down";
  r.match = {{"message", R"(Interface (?P<interface>[^,\s]+), changed state to down)"}};
  r.event = "interface_down";
  r.severity = "major";
  r.resource = "{host}";
  r.summary = "Interface {interface} down on {host}";
  r.fingerprint = {"interface"};
  return r;
}

RuleSpec link_up_rule() {
  RuleSpec r = link_down_rule();
  r.name = "link-up";
  r.match = {{"message", R"(Interface (?P<interface>[^,\s]+), changed state to up)"}};
  r.event = "interface_up";
  r.kind = "clear";
  r.severity = "";
  r.clears = "interface_down";
  return r;
}

RuleSet compile(std::vector<RuleSpec> specs) {
  std::vector<std::string> errors;
  RuleSet set = RuleSet::compile(specs, errors);
  EXPECT_TRUE(errors.empty()) << errors.front();
  return set;
}

TEST(Mapping, CapturesBecomeAttributesAndFillTemplates) {
  RuleSet rules = compile({link_down_rule()});
  Fields fields;
  fields.add("host", "core1");
  fields.add("message", "Interface GigabitEthernet0/1, changed state to down");
  Event e;
  ASSERT_TRUE(rules.apply(fields, e));
  EXPECT_EQ(e.name, "interface_down");
  EXPECT_EQ(e.alert_key, "interface_down");
  EXPECT_EQ(e.kind, EventKind::problem);
  EXPECT_EQ(e.severity, Severity::major);
  EXPECT_EQ(e.resource, "core1");
  EXPECT_EQ(e.summary, "Interface GigabitEthernet0/1 down on core1");
  ASSERT_NE(e.attribute("interface"), nullptr);
  EXPECT_EQ(*e.attribute("interface"), "GigabitEthernet0/1");
  EXPECT_EQ(e.rule, "link-down");
}

TEST(Mapping, ClearRuleCarriesTheAlertKeyOfTheProblemSoFingerprintsMatch) {
  RuleSet rules = compile({link_down_rule(), link_up_rule()});
  Fields down, up;
  down.add("host", "core1");
  down.add("message", "Interface Gi0/1, changed state to down");
  up.add("host", "core1");
  up.add("message", "Interface Gi0/1, changed state to up");
  Event d, u;
  ASSERT_TRUE(rules.apply(down, d));
  ASSERT_TRUE(rules.apply(up, u));
  EXPECT_EQ(u.kind, EventKind::clear);
  EXPECT_EQ(u.severity, Severity::clear);
  EXPECT_EQ(u.alert_key, "interface_down");
  EXPECT_EQ(fingerprint(d), fingerprint(u));
}

TEST(Mapping, FirstMatchingRuleWinsAndNoMatchLeavesFieldsUntouched) {
  RuleSpec catch_all;
  catch_all.name = "all";
  catch_all.event = "anything";
  catch_all.severity = "info";
  RuleSet rules = compile({link_down_rule(), catch_all});
  Fields f;
  f.add("message", "Interface Gi0/1, changed state to down");
  Event e;
  ASSERT_TRUE(rules.apply(f, e));
  EXPECT_EQ(e.rule, "link-down");

  RuleSet only_down = compile({link_down_rule()});
  Fields other;
  other.add("message", "something else");
  Event none;
  EXPECT_FALSE(only_down.apply(other, none));
  EXPECT_EQ(other.size(), 1u);
}

TEST(Mapping, RuleMatchesOnlyWhenEveryFieldMatchesAndTheEarliestSuchRuleWins) {
  RuleSpec nxos_down;
  nxos_down.name = "nxos-down";
  nxos_down.match = {{"app_name", R"(ETHPORT-\d-IF_DOWN_)"}, {"message", R"(^Interface (?P<interface>\S+) is down)"}};
  nxos_down.event = "interface_down";
  nxos_down.severity = "major";
  RuleSpec any_down;
  any_down.name = "any-down";
  any_down.match = {{"message", "(?i)IS DOWN"}};
  any_down.event = "something_down";
  any_down.severity = "minor";
  RuleSet rules = compile({nxos_down, any_down});

  Fields both;
  both.add("app_name", "ETHPORT-5-IF_DOWN_LINK_FAILURE");
  both.add("message", "Interface Ethernet1/7 is down (Link failure)");
  Event e;
  ASSERT_TRUE(rules.apply(both, e));
  EXPECT_EQ(e.rule, "nxos-down");
  ASSERT_NE(e.attribute("interface"), nullptr);
  EXPECT_EQ(*e.attribute("interface"), "Ethernet1/7");

  Fields message_only;
  message_only.add("app_name", "kernel");
  message_only.add("message", "Interface Ethernet1/7 is down (Link failure)");
  Event other;
  ASSERT_TRUE(rules.apply(message_only, other));
  EXPECT_EQ(other.rule, "any-down");
  EXPECT_EQ(other.attribute("interface"), nullptr);
}

TEST(Mapping, PatternMayReadWhatAnEarlierPatternOfItsRuleCaptured) {
  RuleSpec r;
  r.name = "nested";
  r.match = {{"message", R"(state (?P<state>\w+))"}, {"state", "^down$"}};
  r.event = "down";
  r.severity = "major";
  RuleSet rules = compile({r});
  Fields f;
  f.add("message", "link state down");
  Event e;
  ASSERT_TRUE(rules.apply(f, e));
  EXPECT_EQ(e.rule, "nested");

  Fields up;
  up.add("message", "link state up");
  up.add("state", "down");  // the capture, added later, is what the rule reads
  Event none;
  EXPECT_FALSE(rules.apply(up, none));
  EXPECT_EQ(up.size(), 2u);
}

TEST(Mapping, MissingFieldDoesNotMatch) {
  RuleSet rules = compile({link_down_rule()});
  Fields f;
  f.add("host", "core1");
  Event e;
  EXPECT_FALSE(rules.apply(f, e));
}

TEST(Mapping, SeverityTemplateUsesTheCollectorsSeverity) {
  RuleSpec r = link_down_rule();
  r.severity = "{severity}";
  RuleSet rules = compile({r});
  Fields f;
  f.add("severity", "critical");
  f.add("message", "Interface Gi0/1, changed state to down");
  Event e;
  ASSERT_TRUE(rules.apply(f, e));
  EXPECT_EQ(e.severity, Severity::critical);
}

TEST(Mapping, BadRulesAreReportedWithTheirOrigin) {
  RuleSpec bad_regex = link_down_rule();
  bad_regex.origin = "site.yaml:12";
  bad_regex.match = {{"message", "(unclosed"}};
  RuleSpec bad_kind = link_down_rule();
  bad_kind.kind = "sometimes";
  RuleSpec clear_without_target = link_up_rule();
  clear_without_target.clears = "";
  RuleSpec bad_severity = link_down_rule();
  bad_severity.severity = "urgent";
  std::vector<std::string> errors;
  RuleSet set = RuleSet::compile({bad_regex, bad_kind, clear_without_target, bad_severity}, errors);
  EXPECT_EQ(set.size(), 0u);
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].rfind("site.yaml:12: rule 'link-down': match.message: bad pattern", 0), 0u) << errors[0];
  EXPECT_NE(errors[1].find("kind 'sometimes'"), std::string::npos);
  EXPECT_NE(errors[2].find("needs 'clears'"), std::string::npos);
  EXPECT_NE(errors[3].find("severity 'urgent'"), std::string::npos);
}

TEST(Template, LiteralBracesAndUnknownFields) {
  Fields f;
  f.add("a", "x");
  EXPECT_EQ(Template("{{{a}}} {b}!").render(f), "{x} !");
}

}  // namespace
}  // namespace tocsin

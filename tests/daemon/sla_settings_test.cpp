// The `sla` and `escalation` sections: what they load and what they reject.
#include "daemon/sla_settings.hpp"

#include <gtest/gtest.h>

namespace tocsin {
namespace {

const config::Section& root() {
  static const config::Section s{"(top level)", "",
                                 {{"sla", config::Type::map, "", ""}, {"escalation", config::Type::map, "", ""}}};
  return s;
}

CorrelatorConfig load(const std::string& yaml, config::Errors& errors) {
  CorrelatorConfig c;
  config::Node n(YAML::Load(yaml), root(), "tocsin.yaml", "", errors);
  load_sla_settings(n, c);
  return c;
}

TEST(SlaSettingsTest, LoadsTargetsCalendarsAndPolicies) {
  config::Errors errors;
  auto c = load(R"(
sla:
  calendars:
    - {name: office, time_zone: Europe/Paris, hours: ["mon-fri 08:00-18:00", "sat 09:00-12:00"], holidays: [2026-12-25]}
  targets:
    - {priority: P1, acknowledge: 15m, resolve: 4h}
    - {priority: P4, acknowledge: 8h, resolve: 72h, calendar: office}
    - {priority: P1, service: shop, acknowledge: 5m}
escalation:
  policies:
    - group: network-ops
      repeat: 2
      repeat_after: 30m
      steps:
        - {targets: [primary], channels: [sms]}
        - {delay: 10m, targets: [secondary, "user:carol"], channels: [sms, email]}
)",
                errors);
  ASSERT_TRUE(errors.empty()) << errors.joined();
  EXPECT_EQ(c.sla.by_priority.at("P1").ack_ms, 15 * 60'000);
  EXPECT_EQ(c.sla.by_priority.at("P4").calendar, "office");
  EXPECT_EQ(c.sla.by_service.at("shop").at("P1").ack_ms, 5 * 60'000);
  const auto& office = c.sla.calendars.at("office");
  EXPECT_EQ(office.week[0], (std::vector<sla::Hours>{{8 * 60, 18 * 60}}));
  EXPECT_EQ(office.week[5], (std::vector<sla::Hours>{{9 * 60, 12 * 60}}));
  EXPECT_TRUE(office.week[6].empty());
  EXPECT_TRUE(office.holidays.contains("2026-12-25"));
  const auto& p = c.escalation.by_group.at("network-ops");
  EXPECT_EQ(p.repeat, 2);
  EXPECT_EQ(p.repeat_after_ms, 30 * 60'000);
  ASSERT_EQ(p.steps.size(), 2u);
  EXPECT_EQ(p.steps[1].delay_ms, 10 * 60'000);
  EXPECT_EQ(p.steps[1].targets, (std::vector<std::string>{"secondary", "user:carol"}));
}

TEST(SlaSettingsTest, RejectsBadHoursZonesTargetsAndUnknownCalendar) {
  config::Errors errors;
  load(R"(
sla:
  calendars:
    - {name: office, time_zone: Mars/Olympus, hours: ["weekdays 9-5"]}
  targets:
    - {priority: P1, acknowledge: 15m, calendar: nowhere}
escalation:
  policies:
    - group: noc
      repeat: 50
      steps:
        - {targets: [boss], channels: [pager]}
)",
       errors);
  std::string all = errors.joined();
  EXPECT_NE(all.find("weekdays 9-5"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown time zone"), std::string::npos) << all;
  EXPECT_NE(all.find("no calendar named 'nowhere'"), std::string::npos) << all;
  EXPECT_NE(all.find("repeat"), std::string::npos) << all;
  EXPECT_NE(all.find("tocsin.yaml:"), std::string::npos) << all;
}

}  // namespace
}  // namespace tocsin

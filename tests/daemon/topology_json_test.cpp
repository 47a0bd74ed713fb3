// The incident detail names its root cause, symptoms, impacted CIs and
// business services, and the CMDB gap list has its JSON shape.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "daemon/json.hpp"

namespace tocsin::api {
namespace {

namespace json = boost::json;

Alert alert(std::int64_t id, std::string ci, bool symptom, std::vector<std::string> services) {
  Alert a;
  a.id = id;
  a.name = symptom ? "host_down" : "link_down";
  a.resource = ci;
  a.ci = ci;
  a.symptom = symptom;
  a.cmdb = CiFields::copy_of("", std::move(services), "", "");
  a.incident_id = 1;
  return a;
}

TEST(TopologyJson, DetailListsRootCauseSymptomsImpactedCisAndServices) {
  IncidentDetail d;
  d.incident.id = 1;
  d.incident.ci = "core-sw1";
  d.incident.root_alert_id = 10;
  d.incident.cmdb = CiFields::copy_of("core-sw1", {"internet"}, "", "");
  d.alerts = {alert(10, "core-sw1", false, {"internet"}), alert(11, "web01", true, {"shop"}),
              alert(12, "db01", true, {"shop", "billing"})};
  json::object o = to_json(d).as_object();
  EXPECT_EQ(o.at("root_cause").at("ci"), "core-sw1");
  EXPECT_EQ(o.at("root_cause").at("alert_id"), 10);
  ASSERT_EQ(o.at("root_cause").at("alerts").as_array().size(), 1u);
  ASSERT_EQ(o.at("symptoms").as_array().size(), 2u);
  EXPECT_EQ(o.at("symptoms").as_array()[0].at("ci"), "web01");
  EXPECT_EQ(json::serialize(o.at("impacted_cis")), R"(["core-sw1","web01","db01"])");
  EXPECT_EQ(json::serialize(o.at("business_services")), R"(["internet","shop","billing"])");
}

TEST(TopologyJson, GapCarriesCountsAndTimes) {
  CmdbGap g{"mystery", "syslog", 12, 1795446245123, 1795446246123};
  EXPECT_EQ(json::serialize(to_json(g)),
            R"({"resource":"mystery","source":"syslog","count":12,"first_seen":"2026-11-23T15:04:05.123Z",)"
            R"("last_seen":"2026-11-23T15:04:06.123Z"})");
}

}  // namespace
}  // namespace tocsin::api

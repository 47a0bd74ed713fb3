// CIs made through the API laid over the CMDB files: replacement, removal,
// addition, the same validation as files, and the JSON form and field diff.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "correlator/cmdb/ci_json.hpp"
#include "correlator/cmdb/overlay.hpp"

namespace tocsin::cmdb {
namespace {

namespace json = boost::json;
using testing::HasSubstr;

std::shared_ptr<const Cmdb> files() {
  CmdbDraft d;
  config::Errors errors;
  load_cmdb_yaml(R"(cis:
  - {id: core-sw1, addresses: [10.0.0.1], owner_group: network-ops, criticality: critical}
  - {id: db1, addresses: [10.0.1.31], owner_group: dba, depends_on: [core-sw1]}
cidr_rules:
  - {cidr: 10.0.1.0/24, ci: core-sw1}
)",
                 "cmdb.yaml", d, errors);
  auto db = Cmdb::build(std::move(d), errors);
  EXPECT_TRUE(db) << errors.joined();
  return db;
}

CiDraft ci(const std::string& text) {
  CiDraft d;
  auto problems = ci_from_json(json::parse(text).as_object(), d);
  EXPECT_TRUE(problems.empty()) << (problems.empty() ? "" : problems.front());
  return d;
}

OverlayCi entry(const std::string& text) { return {ci(text), 1000, "alice"}; }

TEST(CmdbOverlay, ApiCiIsAddedAndResolvableWithOriginApi) {
  Overlay o;
  o["web1"] = entry(R"({"id": "web1", "addresses": ["10.0.2.5"], "owner_group": "web", "depends_on": ["core-sw1"]})");
  config::Errors errors;
  auto db = build_with_overlay(files().get(), o, errors);
  ASSERT_TRUE(db) << errors.joined();
  EXPECT_EQ(db->size(), 3u);
  Match m = db->resolve("10.0.2.5");
  ASSERT_TRUE(m);
  EXPECT_EQ(m.ci->owner_group, "web");
  EXPECT_EQ(db->where(*m.ci), "api");
  EXPECT_EQ(db->where(*db->find_id("db1")), "cmdb.yaml:3");
}

TEST(CmdbOverlay, ApiCiReplacesTheFileCiAndTheRulesNamingIt) {
  Overlay o;
  o["core-sw1"] = entry(R"({"id": "core-sw1", "addresses": ["10.0.0.1", "10.9.0.0/16"], "criticality": "low"})");
  config::Errors errors;
  auto db = build_with_overlay(files().get(), o, errors);
  ASSERT_TRUE(db) << errors.joined();
  EXPECT_EQ(db->size(), 2u);
  EXPECT_EQ(db->find_id("core-sw1")->criticality, Criticality::low);
  EXPECT_FALSE(db->resolve("10.0.1.99"));  // the file's rule went with the file CI
  EXPECT_EQ(db->resolve("10.9.3.4").ci->id, "core-sw1");
  ASSERT_EQ(db->ranges_of("core-sw1").size(), 1u);
  EXPECT_EQ(db->ranges_of("core-sw1")[0].str(), "10.9.0.0/16");
}

TEST(CmdbOverlay, RemovalHidesTheFileCi) {
  Overlay o;
  o["db1"] = OverlayCi{std::nullopt, 1000, "alice"};
  config::Errors errors;
  auto db = build_with_overlay(files().get(), o, errors);
  ASSERT_TRUE(db) << errors.joined();
  EXPECT_FALSE(db->find_id("db1"));
  EXPECT_FALSE(db->resolve("10.0.1.31").ci && db->resolve("10.0.1.31").ci->id == "db1");
}

TEST(CmdbOverlay, WithoutFilesTheOverlayIsTheWholeCmdb) {
  Overlay o;
  o["a"] = entry(R"({"id": "a"})");
  config::Errors errors;
  auto db = build_with_overlay(nullptr, o, errors);
  ASSERT_TRUE(db) << errors.joined();
  EXPECT_EQ(db->size(), 1u);
}

TEST(CmdbOverlay, DuplicateAddressIsAConflictNamingTheFileCi) {
  Overlay o;
  o["web1"] = entry(R"({"id": "web1", "addresses": ["10.0.0.1"]})");
  config::Errors errors;
  EXPECT_FALSE(build_with_overlay(files().get(), o, errors));
  EXPECT_TRUE(is_conflict(errors));
  EXPECT_THAT(errors.joined(), HasSubstr("api: duplicate address 10.0.0.1: CI 'web1' and CI 'core-sw1' (cmdb.yaml:2)"));
}

TEST(CmdbOverlay, UnknownParentAndCycleAreInvalidNotConflicts) {
  Overlay unknown;
  unknown["web1"] = entry(R"({"id": "web1", "depends_on": ["nowhere"]})");
  config::Errors e1;
  EXPECT_FALSE(build_with_overlay(files().get(), unknown, e1));
  EXPECT_FALSE(is_conflict(e1));
  EXPECT_THAT(e1.joined(), HasSubstr("CI 'web1' depends_on unknown CI 'nowhere'"));

  Overlay cycle;
  cycle["core-sw1"] = entry(R"({"id": "core-sw1", "depends_on": ["db1"]})");
  config::Errors e2;
  EXPECT_FALSE(build_with_overlay(files().get(), cycle, e2));
  EXPECT_FALSE(is_conflict(e2));
  EXPECT_THAT(e2.joined(), HasSubstr("dependency cycle"));
}

TEST(CiJson, RoundTripKeepsEveryFieldAndRanges) {
  CiDraft d = ci(R"({"id": "sw1", "name": "SW1", "type": "device", "aliases": ["s1"],
    "addresses": ["10.0.0.1", "2001:db8::1", "10.1.0.0/16"], "fqdn": "sw1.example.net", "owner_group": "net",
    "criticality": "high", "services": ["payments"], "location": "dc1", "depends_on": ["core"],
    "runbook": "https://wiki/sw", "attributes": {"vendor": "cisco"}})");
  json::object o = ci_to_json(d.ci, d.ranges);
  CiDraft again;
  ASSERT_TRUE(ci_from_json(o, again).empty());
  EXPECT_EQ(again.ci, d.ci);
  ASSERT_EQ(again.ranges.size(), 1u);
  EXPECT_EQ(again.ranges[0].str(), "10.1.0.0/16");
  EXPECT_EQ(o.at("addresses").as_array().size(), 3u);
}

TEST(CiJson, CiWithOnlyAnIdReadsBackFromItsJson) {
  CiDraft d = ci(R"({"id": "a"})");
  CiDraft again;
  auto problems = ci_from_json(ci_to_json(d.ci), again);
  EXPECT_TRUE(problems.empty()) << problems.front();
  EXPECT_EQ(again.ci, d.ci);
}

TEST(CiJson, ProblemsNameTheField) {
  CiDraft d;
  auto problems = ci_from_json(json::parse(R"({"criticality": "huge", "colour": "red"})").as_object(), d);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_THAT(problems[0], HasSubstr("criticality: unknown value 'huge'"));
  EXPECT_THAT(problems[1], HasSubstr("unknown CI field 'colour'"));
  EXPECT_THAT(problems[2], HasSubstr("id: required"));
}

TEST(CiJson, LimitsRefuseOversizedCis) {
  CiDraft d = ci(R"({"id": "a"})");
  EXPECT_EQ(check_limits(d), "");
  d.ci.id = std::string(300, 'x');
  EXPECT_THAT(check_limits(d), HasSubstr("id: longer than 256 bytes"));
  d = ci(R"({"id": "a"})");
  d.ci.aliases.assign(2000, "x");
  EXPECT_THAT(check_limits(d), HasSubstr("more than 1024 entries"));
}

TEST(CiJson, FieldDiffListsOnlyWhatChanged) {
  json::object before = ci_to_json(ci(R"({"id": "a", "criticality": "medium", "owner_group": "web"})").ci);
  json::object after = ci_to_json(ci(R"({"id": "a", "criticality": "critical", "owner_group": "web"})").ci);
  json::object d = ci_field_diff(&before, &after);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d.at("criticality").at("before"), "medium");
  EXPECT_EQ(d.at("criticality").at("after"), "critical");
  json::object created = ci_field_diff(nullptr, &after);
  EXPECT_EQ(created.at("id").at("after"), "a");
  EXPECT_TRUE(created.at("id").at("before").is_null());
}

}  // namespace
}  // namespace tocsin::cmdb

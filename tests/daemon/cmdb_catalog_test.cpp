// The running CMDB as the API changes it: create, replace and delete through
// the catalog, each validated like a file, stored with its history, published
// to the correlator, and kept across a reload of the files and a restart (a
// new catalog on the same SQLite file).
#include "daemon/cmdb_catalog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "store/sqlite/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace tocsin {
namespace {

namespace json = boost::json;
using testing::HasSubstr;

using test::TempDir;

std::shared_ptr<const cmdb::Cmdb> yaml_cmdb(const std::string& text) {
  cmdb::CmdbDraft d;
  config::Errors errors;
  cmdb::load_cmdb_yaml(text, "cmdb.yaml", d, errors);
  auto db = cmdb::Cmdb::build(std::move(d), errors);
  EXPECT_TRUE(db) << errors.joined();
  return db;
}

const std::string base_files =
    R"(- {id: core-sw1, addresses: [10.0.0.1], owner_group: network-ops, criticality: critical}
- {id: db1, addresses: [10.0.1.31], owner_group: dba, depends_on: [core-sw1]}
)";

class CmdbCatalogTest : public ::testing::Test {
 protected:
  CmdbCatalogTest() { reopen(); }
  void reopen() {
    catalog = std::make_unique<CmdbCatalog>(std::make_unique<SqliteStore>(dir.file("tocsin.db")), clock, stats);
    catalog->on_publish([this](std::shared_ptr<const cmdb::Cmdb> db) { published.push_back(std::move(db)); });
    catalog->start(yaml_cmdb(base_files));
  }
  static json::value body(const std::string& text) { return json::parse(text); }

  TempDir dir;
  FakeClock clock;
  StatsRegistry stats;
  std::unique_ptr<CmdbCatalog> catalog;
  std::vector<std::shared_ptr<const cmdb::Cmdb>> published;
};

TEST_F(CmdbCatalogTest, CreatedCiIsPublishedResolvableAndMarkedAsFromTheApi) {
  CatalogResult r = catalog->create(body(R"({"id": "web1", "addresses": ["10.0.2.5"], "owner_group": "web",
                                            "criticality": "high", "depends_on": ["core-sw1"]})"),
                                    "alice");
  ASSERT_EQ(r.status, 201) << r.error;
  EXPECT_EQ(r.body.at("source"), "api");
  EXPECT_EQ(r.body.at("updated_by"), "alice");
  ASSERT_EQ(published.size(), 1u);
  cmdb::Match m = published.back()->resolve("10.0.2.5");
  ASSERT_TRUE(m);
  EXPECT_EQ(m.ci->owner_group, "web");
  EXPECT_EQ(catalog->get("db1").body.at("origin"), "cmdb.yaml:2");
}

TEST_F(CmdbCatalogTest, RefusalsSayWhyWithTheRightStatus) {
  auto create = [&](const std::string& text) { return catalog->create(body(text), "alice"); };
  CatalogResult dup_id = create(R"({"id": "db1"})");
  EXPECT_EQ(dup_id.status, 409);
  EXPECT_THAT(dup_id.error, HasSubstr("CI 'db1' already exists"));
  CatalogResult dup_address = create(R"({"id": "web1", "addresses": ["10.0.0.1"]})");
  EXPECT_EQ(dup_address.status, 409);
  EXPECT_THAT(dup_address.error, HasSubstr("duplicate address 10.0.0.1: CI 'web1' and CI 'core-sw1'"));
  CatalogResult parent = create(R"({"id": "web1", "depends_on": ["nowhere"]})");
  EXPECT_EQ(parent.status, 400);
  EXPECT_THAT(parent.error, HasSubstr("depends_on unknown CI 'nowhere'"));
  CatalogResult cycle = catalog->replace("core-sw1", body(R"({"depends_on": ["db1"]})"), "alice");
  EXPECT_EQ(cycle.status, 400);
  EXPECT_THAT(cycle.error, HasSubstr("dependency cycle"));
  CatalogResult field = create(R"({"id": "web1", "criticality": "huge"})");
  EXPECT_EQ(field.status, 400);
  EXPECT_EQ(field.field, "criticality");
  EXPECT_EQ(catalog->create(body("[1]"), "alice").status, 400);
  EXPECT_EQ(catalog->replace("nope", body(R"({"id": "nope"})"), "alice").status, 404);
  EXPECT_EQ(catalog->replace("db1", body(R"({"id": "other"})"), "alice").status, 400);
  CatalogResult in_use = catalog->erase("core-sw1", "alice");
  EXPECT_EQ(in_use.status, 409);
  EXPECT_THAT(in_use.error, HasSubstr("1 CI(s) depend on it (db1)"));
  EXPECT_TRUE(published.empty());
  EXPECT_EQ(stats.value("tocsin_cmdb_api_rejected_total", {{"reason", "conflict"}}), 3);
}

TEST_F(CmdbCatalogTest, HistoryListsEachChangeWithActorAndFieldDiff) {
  ASSERT_EQ(catalog->create(body(R"({"id": "web1", "criticality": "medium"})"), "alice").status, 201);
  clock.advance_ms(1000);
  ASSERT_EQ(catalog->replace("web1", body(R"({"id": "web1", "criticality": "critical"})"), "bob").status, 200);
  CatalogResult h = catalog->history("web1", 10);
  ASSERT_EQ(h.status, 200);
  const json::array& entries = h.body.at("history").as_array();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].at("action"), "replaced");
  EXPECT_EQ(entries[0].at("actor"), "bob");
  EXPECT_EQ(entries[0].at("changes").at("criticality").at("before"), "medium");
  EXPECT_EQ(entries[0].at("changes").at("criticality").at("after"), "critical");
  EXPECT_EQ(entries[0].at("changes").as_object().size(), 1u);
  EXPECT_EQ(entries[1].at("action"), "created");
  EXPECT_EQ(entries[1].at("actor"), "alice");
}

TEST_F(CmdbCatalogTest, ChangesSurviveARestartAndAReloadOfTheFiles) {
  ASSERT_EQ(catalog->create(body(R"({"id": "web1", "addresses": ["10.0.2.5"]})"), "alice").status, 201);
  ASSERT_EQ(catalog->replace("db1", body(R"({"owner_group": "storage", "depends_on": ["core-sw1"]})"), "alice").status,
            200);
  reopen();
  auto db = catalog->current();
  ASSERT_TRUE(db->find_id("web1"));
  EXPECT_EQ(db->find_id("db1")->owner_group, "storage");

  config::Errors errors;
  ASSERT_TRUE(catalog->reload(yaml_cmdb(base_files + "- {id: lb1, addresses: [10.0.3.1]}\n"), errors))
      << errors.joined();
  db = catalog->current();
  EXPECT_TRUE(db->find_id("web1"));
  EXPECT_TRUE(db->find_id("lb1"));
  EXPECT_EQ(db->find_id("db1")->owner_group, "storage");
  EXPECT_EQ(published.back(), db);
  CatalogResult h = catalog->history("lb1", 10);
  ASSERT_EQ(h.status, 200);
  EXPECT_EQ(h.body.at("history").at(0).at("source"), "file");
  EXPECT_EQ(h.body.at("history").at(0).at("action"), "added");
}

TEST_F(CmdbCatalogTest, ReloadThatConflictsWithTheOverlayKeepsTheRunningCmdb) {
  ASSERT_EQ(catalog->create(body(R"({"id": "web1", "addresses": ["10.0.2.5"]})"), "alice").status, 201);
  auto running = catalog->current();
  config::Errors errors;
  EXPECT_FALSE(catalog->reload(yaml_cmdb(base_files + "- {id: lb1, addresses: [10.0.2.5]}\n"), errors));
  EXPECT_THAT(errors.joined(), HasSubstr("duplicate address 10.0.2.5"));
  EXPECT_EQ(catalog->current(), running);
}

TEST_F(CmdbCatalogTest, DeletingAFileCiHidesItAcrossRestartsAndAnApiCiJustGoes) {
  ASSERT_EQ(catalog->erase("db1", "alice").status, 200);
  ASSERT_EQ(catalog->create(body(R"({"id": "web1"})"), "alice").status, 201);
  ASSERT_EQ(catalog->erase("web1", "alice").status, 200);
  reopen();
  EXPECT_FALSE(catalog->current()->find_id("db1"));
  EXPECT_FALSE(catalog->current()->find_id("web1"));
  EXPECT_EQ(catalog->get("db1").status, 404);
  EXPECT_EQ(catalog->history("web1", 10).body.at("history").as_array().size(), 2u);
}

TEST_F(CmdbCatalogTest, ListFiltersByTextAndType) {
  ASSERT_EQ(catalog->create(body(R"({"id": "web1", "type": "host", "fqdn": "web1.shop.example.net"})"), "alice").status,
            201);
  CiQuery q;
  q.text = "SHOP";
  EXPECT_EQ(catalog->list(q).body.at("cis").as_array().size(), 1u);
  q = {};
  q.type = "host";
  EXPECT_EQ(catalog->list(q).body.at("matched"), 1);
  q = {};
  q.limit = 1;
  EXPECT_EQ(catalog->list(q).body.at("cis").as_array().size(), 1u);
  EXPECT_EQ(catalog->list(q).body.at("matched"), 3);
}

}  // namespace
}  // namespace tocsin

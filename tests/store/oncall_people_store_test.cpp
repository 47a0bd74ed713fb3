// The store keeps the people and groups managed through the API across a
// reopen, one row per kind and id (a later write replaces it, a deletion is
// kept as a marker), and the history of every change newest first.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "store/sqlite/sqlite_store.hpp"

namespace tocsin {
namespace {

namespace fs = std::filesystem;

class OncallPeopleStoreTest : public ::testing::Test {
 protected:
  OncallPeopleStoreTest() {
    std::string pattern = (fs::temp_directory_path() / "tocsin-people-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
  }
  ~OncallPeopleStoreTest() override { fs::remove_all(dir_); }
  std::string path() const { return (dir_ / "tocsin.db").string(); }

  fs::path dir_;
};

oncall::StoredEntry entry(std::string kind, std::string id, std::string json, std::int64_t at) {
  return {std::move(kind), std::move(id), json.empty(), std::move(json), at, "admin"};
}

oncall::EntryChange change(const oncall::StoredEntry& e, std::string action, std::string before) {
  return {0, e.kind, e.id, e.updated_at_ms, e.updated_by, std::move(action), std::move(before), e.json};
}

TEST_F(OncallPeopleStoreTest, EntriesSurviveAReopenAndALaterWriteReplacesTheRow) {
  const std::string v1 = R"({"id":"zoe","name":"Zoé"})";
  const std::string v2 = R"({"id":"zoe","name":"Zoé Martin"})";
  {
    SqliteStore store(path());
    auto zoe = entry("person", "zoe", v1, 1000);
    store.write_oncall_entry(zoe, change(zoe, "created", ""));
    auto ops = entry("group", "zoe", R"({"id":"zoe","members":["zoe"]})", 1100);
    store.write_oncall_entry(ops, change(ops, "created", ""));
    auto again = entry("person", "zoe", v2, 2000);
    store.write_oncall_entry(again, change(again, "replaced", v1));
  }
  SqliteStore store(path());
  auto all = store.oncall_entries();
  ASSERT_EQ(all.size(), 2u) << "one row per kind and id";
  EXPECT_EQ(all[0].kind, "group");
  EXPECT_EQ(all[1].kind, "person");
  EXPECT_EQ(all[1].id, "zoe");
  EXPECT_FALSE(all[1].deleted);
  EXPECT_EQ(all[1].json, v2);
  EXPECT_EQ(all[1].updated_at_ms, 2000);
  EXPECT_EQ(all[1].updated_by, "admin");
}

TEST_F(OncallPeopleStoreTest, ADeletionIsKeptAsAMarkerAndTheHistoryListsEveryChangeNewestFirst) {
  SqliteStore store(path());
  const std::string v1 = R"({"id":"alice","name":"Alice"})";
  auto alice = entry("person", "alice", v1, 1000);
  store.write_oncall_entry(alice, change(alice, "replaced", R"({"id":"alice"})"));
  auto gone = entry("person", "alice", "", 3000);
  store.write_oncall_entry(gone, change(gone, "deleted", v1));
  auto bob = entry("person", "bob", R"({"id":"bob"})", 3500);
  store.write_oncall_entry(bob, change(bob, "created", ""));

  auto all = store.oncall_entries();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "alice");
  EXPECT_TRUE(all[0].deleted);
  EXPECT_EQ(all[0].json, "");

  auto history = store.oncall_history("person", "alice", 10);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_GT(history[0].id, history[1].id);
  EXPECT_EQ(history[0].action, "deleted");
  EXPECT_EQ(history[0].before_json, v1);
  EXPECT_EQ(history[0].after_json, "");
  EXPECT_EQ(history[0].at_ms, 3000);
  EXPECT_EQ(history[0].actor, "admin");
  EXPECT_EQ(history[1].action, "replaced");
  EXPECT_EQ(history[1].after_json, v1);
  EXPECT_EQ(store.oncall_history("person", "alice", 1).size(), 1u);
  EXPECT_TRUE(store.oncall_history("group", "alice", 10).empty()) << "kinds are apart";
}

TEST_F(OncallPeopleStoreTest, AnUnknownKindIsRefusedByTheSchema) {
  SqliteStore store(path());
  auto bad = entry("robot", "r2", R"({"id":"r2"})", 1000);
  EXPECT_THROW(store.write_oncall_entry(bad, change(bad, "created", "")), std::runtime_error);
  EXPECT_TRUE(store.oncall_entries().empty());
  EXPECT_TRUE(store.oncall_history("robot", "r2", 10).empty()) << "the history row went with the transaction";
}

}  // namespace
}  // namespace tocsin

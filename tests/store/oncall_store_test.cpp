// The store keeps on-call overrides and the duty log across a reopen, removes
// an override by id, filters notes by group and time, and keeps only the
// newest notes of a group.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tocsin {
namespace {

namespace fs = std::filesystem;

class OncallStoreTest : public ::testing::Test {
 protected:
  OncallStoreTest() {
    std::string pattern = (fs::temp_directory_path() / "tocsin-oncall-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
  }
  ~OncallStoreTest() override { fs::remove_all(dir_); }
  std::string path() const { return (dir_ / "tocsin.db").string(); }

  fs::path dir_;
};

oncall::StoredOverride override_of(std::string person, std::int64_t from, std::int64_t to) {
  oncall::StoredOverride o;
  o.group = "noc";
  o.layer = oncall::Layer::secondary;
  o.person = std::move(person);
  o.from_ms = from;
  o.to_ms = to;
  o.reason = "swap with bob — dentist";
  o.created_by = "operator";
  o.created_at_ms = 500;
  return o;
}

TEST_F(OncallStoreTest, OverridesSurviveAReopenAndAreRemovedById) {
  std::int64_t first = 0, second = 0;
  {
    SqliteStore store(path());
    first = store.add_override(override_of("carol", 1000, 2000));
    second = store.add_override(override_of("dave", 1500, 3000));
    EXPECT_LT(first, second);
  }
  SqliteStore store(path());
  auto all = store.overrides();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, first);
  EXPECT_EQ(all[0].group, "noc");
  EXPECT_EQ(all[0].layer, oncall::Layer::secondary);
  EXPECT_EQ(all[0].person, "carol");
  EXPECT_EQ(all[0].from_ms, 1000);
  EXPECT_EQ(all[0].to_ms, 2000);
  EXPECT_EQ(all[0].reason, "swap with bob — dentist");
  EXPECT_EQ(all[0].created_by, "operator");
  EXPECT_EQ(all[0].created_at_ms, 500);
  EXPECT_TRUE(store.remove_override(first));
  EXPECT_FALSE(store.remove_override(first)) << "already gone";
  ASSERT_EQ(store.overrides().size(), 1u);
  EXPECT_EQ(store.overrides()[0].person, "dave");
}

TEST_F(OncallStoreTest, AnOverrideEndingBeforeItStartsIsRefusedByTheSchema) {
  SqliteStore store(path());
  EXPECT_THROW(store.add_override(override_of("carol", 2000, 2000)), std::runtime_error);
  EXPECT_TRUE(store.overrides().empty());
}

TEST_F(OncallStoreTest, DutyNotesAreListedNewestFirstByGroupAndTime) {
  SqliteStore store(path());
  store.add_duty_note({0, "noc", "alice", "router r1 flapping, watch it", 1000}, 100);
  store.add_duty_note({0, "storage", "dave", "array rebuild running", 2000}, 100);
  store.add_duty_note({0, "noc", "bob", "r1 fixed by the carrier", 3000}, 100);
  auto noc = store.duty_notes("noc", 0, 10);
  ASSERT_EQ(noc.size(), 2u);
  EXPECT_EQ(noc[0].author, "bob");
  EXPECT_EQ(noc[0].text, "r1 fixed by the carrier");
  EXPECT_EQ(noc[1].at_ms, 1000);
  EXPECT_EQ(store.duty_notes("noc", 2000, 10).size(), 1u) << "since is inclusive of later notes only";
  EXPECT_EQ(store.duty_notes("", 0, 10).size(), 3u) << "every group";
  EXPECT_EQ(store.duty_notes("", 0, 2).size(), 2u) << "limit";
}

TEST_F(OncallStoreTest, TheDutyLogKeepsOnlyTheNewestNotesOfAGroup) {
  SqliteStore store(path());
  store.add_duty_note({0, "storage", "dave", "other group", 1}, 3);
  for (int i = 0; i < 5; ++i) store.add_duty_note({0, "noc", "alice", "note " + std::to_string(i), 10 + i}, 3);
  auto noc = store.duty_notes("noc", 0, 10);
  ASSERT_EQ(noc.size(), 3u);
  EXPECT_EQ(noc[0].text, "note 4");
  EXPECT_EQ(noc[2].text, "note 2");
  EXPECT_EQ(store.duty_notes("storage", 0, 10).size(), 1u) << "other groups keep theirs";
}

}  // namespace
}  // namespace tocsin

// The writer's WAL checkpointed on a thread of its own: the WAL does not grow
// with what is committed, a reader on an old snapshot only delays the
// checkpoint, and the writer's own commits never checkpoint.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "store/sqlite/sqlite.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tocsin {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "tocsin-checkpoint-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// About 100 KiB of WAL: 200 events of 400 bytes, their alert and incident.
ChangeSet batch(std::int64_t b) {
  ChangeSet c;
  Incident incident;
  incident.id = b;
  incident.title = "batch " + std::to_string(b);
  c.incidents.push_back(incident);
  Alert alert;
  alert.id = b;
  alert.incident_id = b;
  alert.fingerprint = "fp-" + std::to_string(b);
  c.alerts.push_back(alert);
  for (int k = 0; k < 200; ++k) {
    EventRecord r;
    r.id = b * 1000 + k;
    r.alert_id = b;
    r.event.raw = std::string(400, static_cast<char>('a' + k % 26));
    c.events.push_back(r);
  }
  return c;
}

std::uintmax_t wal_size(const std::string& path) {
  std::error_code error;
  auto size = fs::file_size(path + "-wal", error);
  return error ? 0 : size;
}

// The checkpointer works on its own time; waits up to 20 s for `done`.
bool eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

SqliteOptions background(int passive_pages, int truncate_pages) {
  SqliteOptions options;
  options.background_checkpoint = true;
  options.checkpoint.passive_pages = passive_pages;
  options.checkpoint.truncate_pages = truncate_pages;
  options.checkpoint.truncate_interval = std::chrono::milliseconds(0);
  options.checkpoint.idle_interval = std::chrono::milliseconds(50);
  return options;
}

TEST(SqliteCheckpoint, WalStaysNearThePassiveThresholdWhenTheCheckpointerKeepsUp) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  SqliteStore store(path, background(64, 1 << 20));
  std::uintmax_t largest = 0;
  for (std::int64_t b = 1; b <= 60; ++b) {
    const auto before = store.checkpointer()->counts().passive;
    store.commit(batch(b));
    largest = std::max(largest, wal_size(path));
    // Lets the checkpointer catch up, as the correlation between two commits
    // does: past the threshold at once, below it after the quiet time.
    ASSERT_TRUE(eventually([&] { return store.checkpointer()->counts().passive > before; }));
  }
  // About 6 MiB committed; the WAL file is reused from its start after each
  // complete checkpoint, so it never holds much more than the threshold and a batch.
  EXPECT_LT(largest, 1024 * 1024u);
  EXPECT_GT(store.checkpointer()->counts().passive, 10u);
  EXPECT_EQ(store.checkpointer()->counts().errors, 0u);
  EXPECT_EQ(store.max_ids().event, 60 * 1000 + 199);
}

TEST(SqliteCheckpoint, WalPastTheTruncateThresholdIsEmptiedOnceTheWriterPauses) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  SqliteStore store(path, background(1 << 20, 128));
  for (std::int64_t b = 1; b <= 20; ++b) store.commit(batch(b));
  EXPECT_TRUE(eventually([&] { return wal_size(path) == 0 && store.checkpointer()->counts().truncate > 0; }))
      << "WAL still " << wal_size(path) << " bytes";
  EXPECT_EQ(store.checkpointer()->counts().errors, 0u);
  // Everything is in the database file now, and the writer goes on.
  store.commit(batch(21));
  SqliteStore reader(path);
  EXPECT_EQ(reader.max_ids().event, 21 * 1000 + 199);
}

TEST(SqliteCheckpoint, AReaderOnAnOldSnapshotDelaysTheCheckpointWhichFinishesOnceItEnds) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  // Batch 1 stays in the WAL (below the threshold, no quiet-time checkpoint),
  // so the reader's snapshot needs it there.
  SqliteOptions options = background(64, 128);
  options.checkpoint.idle_interval = std::chrono::hours(1);
  SqliteStore store(path, options);
  store.commit(batch(1));
  sqlite::Database reader(path);
  {
    sqlite::Transaction snapshot(reader, sqlite::Transaction::Mode::deferred);
    EXPECT_EQ(reader.query_int64("SELECT count(*) FROM events"), 200);
    for (std::int64_t b = 2; b <= 10; ++b) store.commit(batch(b));
    EXPECT_TRUE(eventually([&] { return store.checkpointer()->counts().busy > 0; }));
    EXPECT_EQ(store.checkpointer()->counts().truncate, 0u);
    // The reader still sees its snapshot.
    EXPECT_EQ(reader.query_int64("SELECT count(*) FROM events"), 200);
    snapshot.commit();
  }
  const std::uintmax_t pinned = wal_size(path);
  store.commit(batch(11));
  // The WAL is emptied once the reader lets go, and starts again from the beginning.
  EXPECT_TRUE(eventually([&] { return store.checkpointer()->counts().truncate > 0; }));
  store.commit(batch(12));
  EXPECT_LT(wal_size(path), pinned / 2);
  EXPECT_EQ(store.checkpointer()->counts().errors, 0u);
  EXPECT_EQ(reader.query_int64("SELECT count(*) FROM events"), 12 * 200);
}

TEST(SqliteCheckpoint, WithoutTheOptionTheStoreHasNoCheckpointerAndAMemoryDatabaseNeither) {
  TempDir dir;
  SqliteStore plain(dir.file("tocsin.db"));
  EXPECT_EQ(plain.checkpointer(), nullptr);
  SqliteStore memory(":memory:", background(16, 64));
  EXPECT_EQ(memory.checkpointer(), nullptr);
}

}  // namespace
}  // namespace tocsin

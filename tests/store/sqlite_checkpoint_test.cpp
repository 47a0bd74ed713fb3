// The writer's WAL checkpointed on a thread of its own: the WAL does not grow
// with what is committed, a reader on an old snapshot only delays the
// checkpoint, and the writer's own commits never checkpoint. The tests take
// the thread's wake-ups themselves with step() and advance a FakeClock; one
// runs the thread.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "correlator/clock.hpp"
#include "store/sqlite/sqlite.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace tocsin {
namespace {

namespace fs = std::filesystem;

using test::TempDir;

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
  // The events and the timeline go to the journal; the pages' bodies in the
  // outbox are what fills the WAL.
  for (int k = 0; k < 200; ++k) {
    EventRecord r;
    r.id = b * 1000 + k;
    r.alert_id = b;
    r.event.raw = "event";
    c.events.push_back(r);
    c.timeline.push_back({0, b, b * 1000 + k, "tocsin", "notified", "page " + std::to_string(k)});
    Notification n;
    n.incident_id = b;
    n.channel = "email";
    n.recipient = "oncall@example.net";
    n.subject = "batch " + std::to_string(b);
    n.body = std::string(400, static_cast<char>('a' + k % 26));
    n.created_at_ms = n.next_attempt_ms = b * 1000 + k;
    c.notifications.push_back(n);
  }
  return c;
}

std::uintmax_t wal_size(const std::string& path) {
  std::error_code error;
  auto size = fs::file_size(path + "-wal", error);
  return error ? 0 : size;
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

// The checkpointer without its thread: the test takes each of its wake-ups
// with step() and moves its clock.
SqliteOptions stepped(int passive_pages, int truncate_pages, const FakeClock& clock) {
  SqliteOptions options = background(passive_pages, truncate_pages);
  options.checkpoint.clock = &clock;
  options.checkpoint.thread = false;
  return options;
}

TEST(SqliteCheckpoint, WalStaysNearThePassiveThresholdWhenTheCheckpointerKeepsUp) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  FakeClock clock;
  SqliteStore store(path, stepped(64, 1 << 20, clock));
  Checkpointer& checkpointer = *store.checkpointer();
  std::uintmax_t largest = 0;
  int at_once = 0;
  for (std::int64_t b = 1; b <= 60; ++b) {
    const auto before = checkpointer.counts().passive;
    store.commit(batch(b));
    largest = std::max(largest, wal_size(path));
    // The checkpointer catches up, as during the correlation between two
    // commits: past the threshold at once, below it after the quiet time.
    checkpointer.step();
    if (checkpointer.counts().passive > before) {
      ++at_once;
    } else {
      clock.advance_ms(49);
      checkpointer.step();
      ASSERT_EQ(checkpointer.counts().passive, before) << "batch " << b << ": checkpointed before the quiet time";
      clock.advance_ms(1);
      checkpointer.step();
    }
    ASSERT_EQ(checkpointer.counts().passive, before + 1) << "batch " << b;
  }
  // Both ways were taken.
  EXPECT_GT(at_once, 0);
  EXPECT_LT(at_once, 60);
  // About 6 MiB committed; the WAL file is reused from its start after each
  // complete checkpoint, so it never holds much more than the threshold and a batch.
  EXPECT_LT(largest, 1024 * 1024u);
  EXPECT_GT(checkpointer.counts().passive, 10u);
  EXPECT_EQ(checkpointer.counts().passive, 60u);
  EXPECT_EQ(checkpointer.counts().truncate, 0u);
  EXPECT_EQ(checkpointer.counts().errors, 0u);
  EXPECT_EQ(store.max_ids().event, 60 * 1000 + 199);
}

// After a complete checkpoint the writer's next commit starts the WAL over
// from its first frame; a batch as large as the WAL was then must still be
// seen as a batch past the threshold, not as a WAL that did not grow.
TEST(SqliteCheckpoint, EveryBatchPastTheThresholdIsCheckpointedAtOnceWhenTheWalStartsOver) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  FakeClock clock;
  SqliteOptions options = stepped(16, 1 << 20, clock);
  // No checkpoint by the quiet time: only the size makes one due.
  options.checkpoint.idle_interval = std::chrono::hours(1);
  SqliteStore store(path, options);
  Checkpointer& checkpointer = *store.checkpointer();
  std::uintmax_t largest = 0;
  store.commit(batch(1));
  const std::uintmax_t one_batch = wal_size(path);
  checkpointer.step();
  EXPECT_EQ(checkpointer.counts().passive, 1u);
  for (std::int64_t b = 2; b <= 10; ++b) {
    store.commit(batch(b));
    largest = std::max(largest, wal_size(path));
    clock.advance_ms(1);
    checkpointer.step();
    ASSERT_EQ(checkpointer.counts().passive, static_cast<std::uint64_t>(b)) << "batch " << b;
  }
  // Each batch is written from the WAL's start: the file never grows past one batch.
  EXPECT_EQ(largest, one_batch);
  EXPECT_EQ(checkpointer.counts().busy + checkpointer.counts().truncate + checkpointer.counts().errors, 0u);
}

TEST(SqliteCheckpoint, AQuietWalIsCheckpointedOnceAfterTheQuietTime) {
  TempDir dir;
  FakeClock clock;
  SqliteStore store(dir.file("tocsin.db"), stepped(1 << 20, 1 << 20, clock));
  Checkpointer& checkpointer = *store.checkpointer();
  checkpointer.step();
  clock.advance_ms(30);
  store.commit(batch(1));
  // The quiet time runs from the previous wake-up, not from the commit.
  clock.advance_ms(19);
  checkpointer.step();
  EXPECT_EQ(checkpointer.counts().passive, 0u);
  clock.advance_ms(1);
  checkpointer.step();
  EXPECT_EQ(checkpointer.counts().passive, 1u);
  // Nothing committed since: no more checkpoints, however long it stays quiet.
  for (int i = 0; i < 10; ++i) {
    clock.advance_ms(50);
    checkpointer.step();
  }
  EXPECT_EQ(checkpointer.counts().passive, 1u);
  EXPECT_EQ(checkpointer.counts().busy, 0u);
  EXPECT_EQ(checkpointer.counts().errors, 0u);
}

TEST(SqliteCheckpoint, WalPastTheTruncateThresholdIsEmptiedOnceTheWriterPauses) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  FakeClock clock;
  SqliteStore store(path, stepped(1 << 20, 128, clock));
  Checkpointer& checkpointer = *store.checkpointer();
  for (std::int64_t b = 1; b <= 20; ++b) {
    store.commit(batch(b));
    clock.advance_ms(1);
    checkpointer.step();
  }
  // The writer has not paused for the quiet time yet.
  EXPECT_EQ(checkpointer.counts().passive + checkpointer.counts().truncate, 0u);
  EXPECT_GT(wal_size(path), 0u);
  clock.advance_ms(50);
  checkpointer.step();
  EXPECT_EQ(wal_size(path), 0u);
  EXPECT_EQ(checkpointer.counts().truncate, 1u);
  EXPECT_EQ(checkpointer.counts().passive, 0u);
  EXPECT_EQ(checkpointer.counts().errors, 0u);
  // Everything is in the database file now, and the writer goes on.
  store.commit(batch(21));
  SqliteStore reader(path);
  EXPECT_EQ(reader.max_ids().event, 21 * 1000 + 199);
}

TEST(SqliteCheckpoint, TruncateIsTriedAtMostOncePerTruncateInterval) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  FakeClock clock;
  // Each batch is past the TRUNCATE threshold, and each step after the
  // quiet time.
  SqliteOptions options = stepped(1 << 20, 16, clock);
  options.checkpoint.truncate_interval = std::chrono::milliseconds(2000);
  options.checkpoint.idle_interval = std::chrono::milliseconds(1);
  SqliteStore store(path, options);
  Checkpointer& checkpointer = *store.checkpointer();
  auto commit_and_step = [&](std::int64_t b, std::int64_t after_ms) {
    store.commit(batch(b));
    clock.advance_ms(after_ms);
    checkpointer.step();
  };
  commit_and_step(1, 1);
  EXPECT_EQ(checkpointer.counts().truncate, 1u);
  EXPECT_EQ(wal_size(path), 0u);
  // Within the interval, PASSIVE: the WAL file keeps its size.
  commit_and_step(2, 1);
  commit_and_step(3, 1998);
  EXPECT_EQ(checkpointer.counts().truncate, 1u);
  EXPECT_EQ(checkpointer.counts().passive, 2u);
  EXPECT_GT(wal_size(path), 0u);
  commit_and_step(4, 1);
  EXPECT_EQ(checkpointer.counts().truncate, 2u);
  EXPECT_EQ(checkpointer.counts().passive, 2u);
  EXPECT_EQ(wal_size(path), 0u);
  EXPECT_EQ(checkpointer.counts().busy + checkpointer.counts().errors, 0u);
}

TEST(SqliteCheckpoint, AReaderOnAnOldSnapshotDelaysTheCheckpointWhichFinishesOnceItEnds) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  FakeClock clock;
  // Batch 1 stays in the WAL (below the threshold, no quiet-time checkpoint),
  // so the reader's snapshot needs it there.
  SqliteOptions options = stepped(64, 128, clock);
  options.checkpoint.idle_interval = std::chrono::hours(1);
  // The reader is this thread's: TRUNCATE waiting for it could only time out.
  options.checkpoint.truncate_busy_ms = 0;
  SqliteStore store(path, options);
  Checkpointer& checkpointer = *store.checkpointer();
  store.commit(batch(1));
  sqlite::Database reader(path);
  {
    sqlite::Transaction snapshot(reader, sqlite::Transaction::Mode::deferred);
    EXPECT_EQ(reader.query_int64("SELECT events FROM event_journal"), 200);
    for (std::int64_t b = 2; b <= 10; ++b) {
      store.commit(batch(b));
      clock.advance_ms(1);
      checkpointer.step();
    }
    EXPECT_GT(checkpointer.counts().busy, 0u);
    EXPECT_EQ(checkpointer.counts().truncate, 0u);
    // The reader still sees its snapshot.
    EXPECT_EQ(reader.query_int64("SELECT events FROM event_journal"), 200);
    snapshot.commit();
  }
  const std::uintmax_t pinned = wal_size(path);
  const auto busy = checkpointer.counts().busy;
  store.commit(batch(11));
  // The WAL is emptied once the reader lets go, and starts again from the beginning.
  checkpointer.step();
  EXPECT_EQ(checkpointer.counts().truncate, 1u);
  EXPECT_EQ(checkpointer.counts().busy, busy);
  EXPECT_EQ(wal_size(path), 0u);
  store.commit(batch(12));
  EXPECT_LT(wal_size(path), pinned / 2);
  EXPECT_EQ(checkpointer.counts().errors, 0u);
  EXPECT_EQ(reader.query_int64("SELECT events FROM event_journal"), 12 * 200);
}

// The one test of the thread itself, so it waits for it (woken by the
// checkpoint, up to 20 s): with the system clock, as the daemon runs it, a
// commit is checkpointed after the quiet time without anyone taking the
// checkpointer's wake-ups.
TEST(SqliteCheckpoint, TheThreadCheckpointsOnItsOwn) {
  TempDir dir;
  SqliteStore store(dir.file("tocsin.db"), background(1 << 20, 1 << 20));
  store.commit(batch(1));
  const Checkpointer::Counts counts = store.checkpointer()->wait_for_checkpoints(1, std::chrono::seconds(20));
  EXPECT_EQ(counts.passive, 1u);
  EXPECT_EQ(counts.errors, 0u);
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

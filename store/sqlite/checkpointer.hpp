#pragma once
// WAL checkpoints on a thread of their own. SQLite's auto-checkpoint runs
// inside the COMMIT that pushes the WAL past its limit, so the writer that
// should only append to the WAL and fsync it also copies pages into the
// database file and fsyncs that. Attached to the writer's connection, the
// checkpointer turns the auto-checkpoint off there, learns the WAL's size from
// the writer's commits and checkpoints through a connection of its own:
// PASSIVE (never waits, never blocks anyone) once `passive_pages` frames are
// not yet in the database file. A busy writer keeps appending while such a
// checkpoint runs, so the WAL would never start over from its beginning; once
// it holds `restart_pages`, the writer checkpoints the few frames left itself
// (PASSIVE, between two transactions) and its next commit starts the WAL over.
// TRUNCATE (waits for readers and holds writers back for at most
// `truncate_busy_ms`) is the last resort when readers on old snapshots keep
// the WAL past `truncate_pages`. Durability does not change: a commit is
// durable once its WAL frames are fsynced.
//
// The quiet time and the TRUNCATE interval are read from a Clock; each wake-up
// of the thread is one step(), a function of the state and the clock's time,
// so tests run the checkpointer without its thread and advance a FakeClock.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "correlator/clock.hpp"
#include "store/sqlite/sqlite.hpp"

namespace tocsin {

class Counter;
class StatsRegistry;

struct CheckpointOptions {
  // 1000 is SQLite's auto-checkpoint threshold (about 4 MiB of WAL).
  int passive_pages = 1000;
  int restart_pages = 4000;
  // 64 MiB of 4 KiB pages, the writer's journal_size_limit.
  int truncate_pages = 16 * 1024;
  int truncate_busy_ms = 100;
  // Between two TRUNCATE attempts, so a reader that keeps the WAL pinned does
  // not make every commit wait.
  std::chrono::milliseconds truncate_interval{2000};
  // A WAL that stopped growing below `passive_pages` is checkpointed after
  // this quiet time (counted from the previous wake-up of the thread), so a
  // quiet daemon's WAL is empty.
  std::chrono::milliseconds idle_interval{1000};
  // The monotonic time of the two intervals above; the system clock when null.
  const Clock* clock = nullptr;
  // False: no thread of its own; the owner calls step() (tests, with a FakeClock).
  bool thread = true;
};

class Checkpointer {
 public:
  struct Counts {
    std::uint64_t passive = 0;
    std::uint64_t truncate = 0;
    std::uint64_t busy = 0;  // checkpoints that could not finish (readers, another checkpointer)
    std::uint64_t errors = 0;
  };

  // Opens its own connection to `path` (a WAL database, already migrated) and
  // starts the thread (unless !options.thread). Counters go to `stats` when given.
  Checkpointer(const std::string& path, CheckpointOptions options, StatsRegistry* stats = nullptr);
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;
  // Detaches from the writer, stops and joins the thread.
  ~Checkpointer();

  // Turns the writer connection's auto-checkpoint off and reports its commits
  // to this checkpointer. Call from the writer's thread, once.
  void attach(sqlite::Database& writer);

  // Called by the writer between two transactions: finishes the checkpoint
  // of a WAL past `restart_pages`, so that the next commit starts it over.
  void before_transaction();

  // What one wake-up of the thread does, at the clock's current time: if
  // `passive_pages` frames are not yet in the database file, or
  // `idle_interval` passed since the previous wake-up, checkpoints what was
  // committed since the latest checkpoint (TRUNCATE if the WAL holds
  // `truncate_pages` and `truncate_interval` passed since the latest
  // TRUNCATE, PASSIVE otherwise). For a checkpointer without its thread.
  void step();

  Counts counts() const;
  // Blocks until `checkpoints` checkpoints (passive, truncate, busy or failed)
  // have run, or `bound` passes; then the counts.
  Counts wait_for_checkpoints(std::uint64_t checkpoints, std::chrono::milliseconds bound) const;

 private:
  static int on_wal_commit(void* self, struct sqlite3* db, const char* schema, int pages);
  static int pages_written(sqlite::Database& writer);  // since the previous call
  void wal_committed(int pages);
  void run();
  bool due() const;  // with mutex_ held
  void wake_up(std::unique_lock<std::mutex>& lock);
  void checkpoint(bool truncate, std::uint64_t restarts);

  const CheckpointOptions options_;
  const Clock& clock_;
  sqlite::Database db_;
  sqlite::Database* writer_ = nullptr;
  Counter* passive_counter_ = nullptr;
  Counter* truncate_counter_ = nullptr;
  Counter* busy_counter_ = nullptr;
  Counter* error_counter_ = nullptr;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  mutable std::condition_variable checkpointed_;
  bool stopping_ = false;
  int wal_pages_ = 0;       // size of the WAL at the writer's latest commit
  int backfilled_ = 0;      // frames of it in the database file after the latest checkpoint
  bool committed_ = false;  // a commit since the last checkpoint
  std::uint64_t restarts_ = 0;  // of the WAL, seen at the writer's commits
  // Monotonic milliseconds: the end of the quiet time after the latest
  // wake-up, and the earliest next TRUNCATE.
  std::int64_t quiet_until_ms_ = 0;
  std::int64_t next_truncate_ms_ = 0;
  // The writer thread's own: the WAL size at its latest commit, and the size
  // at which it tries again after a checkpoint that did not finish.
  int writer_pages_ = 0;
  int writer_retry_pages_ = 0;
  Counts counts_;
  std::thread thread_;
};

}  // namespace tocsin

// The WAL checkpointer of the embedded store's writer.
#include "store/sqlite/checkpointer.hpp"

#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>

#include "correlator/stats.hpp"

namespace tocsin {

namespace {

std::shared_ptr<spdlog::logger> store_log() {
  static const std::shared_ptr<spdlog::logger> log = [] {
    auto l = spdlog::get("store");
    return l ? l : spdlog::default_logger()->clone("store");
  }();
  return log;
}

Counter* counter(StatsRegistry* stats, const std::string& name, const std::string& help, const Labels& labels = {}) {
  return stats ? &stats->counter(name, help, labels) : nullptr;
}

void inc(Counter* c) {
  if (c) c->inc();
}

}  // namespace

Checkpointer::Checkpointer(const std::string& path, CheckpointOptions options, StatsRegistry* stats)
    : options_(options), clock_(options.clock ? *options.clock : system_clock()), db_(path) {
  db_.exec("PRAGMA synchronous = FULL");
  // TRUNCATE waits this long for readers, and holds writers back meanwhile.
  db_.set_busy_timeout(options_.truncate_busy_ms);
  // A first read opens the WAL, which a checkpoint needs.
  db_.query_int64("SELECT count(*) FROM sqlite_schema");
  const std::string checkpoints = "tocsin_store_checkpoints_total";
  const std::string help = "WAL checkpoints run by the store's checkpointer thread";
  passive_counter_ = counter(stats, checkpoints, help, {{"mode", "passive"}});
  truncate_counter_ = counter(stats, checkpoints, help, {{"mode", "truncate"}});
  busy_counter_ = counter(stats, "tocsin_store_checkpoints_busy_total",
                          "WAL checkpoints that stopped short of the WAL's end (readers on old snapshots)");
  error_counter_ = counter(stats, "tocsin_store_checkpoint_errors_total", "WAL checkpoints that failed");
  next_truncate_ms_ = clock_.monotonic_ms();
  quiet_until_ms_ = next_truncate_ms_ + options_.idle_interval.count();
  if (options_.thread) thread_ = std::thread([this] { run(); });
}

Checkpointer::~Checkpointer() {
  if (writer_) sqlite3_wal_hook(writer_->handle(), nullptr, nullptr);
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Checkpointer::attach(sqlite::Database& writer) {
  // The auto-checkpoint is itself this connection's one WAL hook: turned off
  // here, then replaced.
  writer.exec("PRAGMA wal_autocheckpoint = 0");
  sqlite3_wal_hook(writer.handle(), &Checkpointer::on_wal_commit, this);
  writer_ = &writer;
  pages_written(writer);  // from here on, per commit
}

Checkpointer::Counts Checkpointer::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

int Checkpointer::on_wal_commit(void* self, sqlite3*, const char*, int pages) {
  static_cast<Checkpointer*>(self)->wal_committed(pages);
  return SQLITE_OK;
}

int Checkpointer::pages_written(sqlite::Database& writer) {
  int written = 0;
  int highwater = 0;
  sqlite3_db_status(writer.handle(), SQLITE_DBSTATUS_CACHE_WRITE, &written, &highwater, 1);
  return written;
}

void Checkpointer::wal_committed(int pages) {
  // `pages` is the WAL's size in frames after the commit, and the commit
  // wrote `written` pages to it. The WAL started over (after a complete
  // checkpoint, by anyone) if it holds no more than that: appended to, it
  // would also hold the frames before. Comparing with what was checkpointed
  // misses a restart whenever the new batch is as large as the last
  // checkpoint. A page written twice within one transaction takes one frame,
  // so a transaction larger than the page cache may look like a restart: at
  // worst one early, cheap PASSIVE checkpoint.
  const bool restarted = pages <= pages_written(*writer_);
  writer_pages_ = pages;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (restarted || pages < backfilled_) {
      backfilled_ = 0;
      ++restarts_;
    }
    wal_pages_ = pages;
    committed_ = true;
    wake = due();
  }
  if (wake) wake_.notify_one();
}

bool Checkpointer::due() const { return wal_pages_ - backfilled_ >= options_.passive_pages; }

void Checkpointer::before_transaction() {
  if (writer_pages_ < options_.restart_pages || writer_pages_ < writer_retry_pages_) return;
  int wal_frames = 0;
  int copied = 0;
  const int rc =
      sqlite3_wal_checkpoint_v2(writer_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames, &copied);
  // Busy (the checkpointer thread is at it) or short of the end (readers):
  // again once the WAL has grown by another threshold.
  const bool finished = rc == SQLITE_OK && copied == wal_frames;
  writer_retry_pages_ = finished ? 0 : writer_pages_ + options_.passive_pages;
  if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) {
    std::lock_guard lock(mutex_);
    ++counts_.errors;
    inc(error_counter_);
    store_log()->error("{}: WAL checkpoint failed: {}", writer_->path(), sqlite3_errmsg(writer_->handle()));
  }
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const std::chrono::milliseconds quiet_left(quiet_until_ms_ - clock_.monotonic_ms());
    wake_.wait_for(lock, quiet_left, [this] { return stopping_ || (committed_ && due()); });
    if (!stopping_) wake_up(lock);
  }
}

void Checkpointer::step() {
  // Two checkpoints at once on the one connection would step on each other.
  assert(!thread_.joinable());
  std::unique_lock lock(mutex_);
  wake_up(lock);
}

void Checkpointer::wake_up(std::unique_lock<std::mutex>& lock) {
  // Neither due nor quiet long enough: a step() with nothing due yet, or the
  // thread's wait ended before a FakeClock reached the end of the quiet time.
  if (!(committed_ && due()) && clock_.monotonic_ms() < quiet_until_ms_) return;
  if (committed_) {
    const int pages = wal_pages_;
    const std::uint64_t restarts = restarts_;
    committed_ = false;
    const std::int64_t now = clock_.monotonic_ms();
    const bool truncate = pages >= options_.truncate_pages && now >= next_truncate_ms_;
    if (truncate) next_truncate_ms_ = now + options_.truncate_interval.count();
    lock.unlock();
    checkpoint(truncate, restarts);
    lock.lock();
  }
  // The quiet time starts over once the checkpoint is done.
  quiet_until_ms_ = clock_.monotonic_ms() + options_.idle_interval.count();
}

void Checkpointer::checkpoint(bool truncate, std::uint64_t restarts) {
  int wal_frames = 0;
  int copied = 0;
  const int rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr,
                                           truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE,
                                           &wal_frames, &copied);
  const int primary = rc & 0xff;
  std::lock_guard lock(mutex_);
  // A restart reported meanwhile: the frames counted are those of the WAL
  // before it (or already of the new one, then the next checkpoint comes a
  // little early), none of the WAL the writer now appends to.
  if ((rc == SQLITE_OK || primary == SQLITE_BUSY) && restarts == restarts_) backfilled_ = std::max(backfilled_, copied);
  if (rc == SQLITE_OK) {
    ++(truncate ? counts_.truncate : counts_.passive);
    inc(truncate ? truncate_counter_ : passive_counter_);
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || (rc == SQLITE_OK && copied != wal_frames)) {
    ++counts_.busy;
    inc(busy_counter_);
  } else if (rc != SQLITE_OK) {
    ++counts_.errors;
    inc(error_counter_);
    store_log()->error("{}: WAL checkpoint failed: {}", db_.path(), sqlite3_errmsg(db_.handle()));
  }
  checkpointed_.notify_all();
}

Checkpointer::Counts Checkpointer::wait_for_checkpoints(std::uint64_t checkpoints,
                                                        std::chrono::milliseconds bound) const {
  std::unique_lock lock(mutex_);
  checkpointed_.wait_for(lock, bound, [&] {
    return counts_.passive + counts_.truncate + counts_.busy + counts_.errors >= checkpoints;
  });
  return counts_;
}

}  // namespace tocsin

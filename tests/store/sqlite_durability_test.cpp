// Crash test of the embedded store: a child process commits batches and
// reports each one after commit() returns; the parent kills it with SIGKILL,
// reopens the file and checks that every reported batch is complete and that
// no batch is half there. This is what lets collectors acknowledge inputs as
// soon as commit() returns. Also with the WAL checkpointed on a thread of its
// own, as the daemon's writer does: a kill may land in a checkpoint.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "store/sqlite/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace tocsin {
namespace {

constexpr int events_per_batch = 200;
constexpr std::int64_t max_batches_per_child = 100'000;

// Batch b: incident b, alert b, events b*1000 .. b*1000+199, one timeline
// entry and one notification, all in one ChangeSet.
ChangeSet batch(std::int64_t b) {
  ChangeSet c;
  Incident incident;
  incident.id = b;
  incident.title = "batch " + std::to_string(b);
  incident.alert_count = 1;
  incident.event_count = events_per_batch;
  c.incidents.push_back(incident);
  Alert alert;
  alert.id = b;
  alert.incident_id = b;
  alert.fingerprint = "fp-" + std::to_string(b);
  alert.count = events_per_batch;
  c.alerts.push_back(alert);
  for (int k = 0; k < events_per_batch; ++k) {
    EventRecord r;
    r.id = b * 1000 + k;
    r.alert_id = b;
    r.event.raw = std::string(120, static_cast<char>(k));
    c.events.push_back(r);
  }
  c.timeline.push_back({0, b, b, "tocsin", "opened", ""});
  Notification n;
  n.incident_id = b;
  n.channel = "sms";
  c.notifications.push_back(n);
  return c;
}

// Runs in the child: commit batches from `first` on, report each on `fd`.
[[noreturn]] void commit_until_killed(const std::string& path, const SqliteOptions& options, std::int64_t first,
                                      int fd) {
  try {
    SqliteStore store(path, options);
    for (std::int64_t b = first; b < first + max_batches_per_child; ++b) {
      store.commit(batch(b));
      if (::write(fd, &b, sizeof b) != sizeof b) ::_exit(3);
    }
    ::_exit(0);
  } catch (...) {
    ::_exit(2);
  }
}

// Reads reported batch numbers until `kill_after` arrived (then kills the
// child) or the pipe closes; returns the last batch the child reported.
std::int64_t read_reports_and_kill(pid_t child, int fd, std::int64_t kill_after) {
  std::int64_t last = 0;
  bool killed = false;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 30'000) <= 0) break;  // a stuck child fails the checks below
    std::int64_t b = 0;
    ssize_t n = ::read(fd, &b, sizeof b);
    if (n != sizeof b) break;  // EOF once the child is gone; 8-byte pipe writes are atomic
    last = b;
    if (!killed && b >= kill_after) {
      ::kill(child, SIGKILL);
      killed = true;
    }
  }
  if (!killed) ::kill(child, SIGKILL);
  return last;
}

struct Crash {
  std::int64_t last_reported = 0;
  int signal = 0;
};

Crash run_and_kill(const std::string& path, const SqliteOptions& options, std::int64_t first,
                   std::int64_t kill_after) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  pid_t child = ::fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    ::close(fds[0]);
    commit_until_killed(path, options, first, fds[1]);
  }
  ::close(fds[1]);
  Crash crash;
  crash.last_reported = read_reports_and_kill(child, fds[0], kill_after);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  crash.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return crash;
}

// Removed however the test ends, failed assertions included.
using test::TempDir;

bool batch_is_complete(SqliteStore& store, std::int64_t b) {
  auto detail = store.incident(b);
  return detail && detail->alerts.size() == 1 && detail->timeline.size() == 1 &&
         store.events_of_alert(b, events_per_batch + 1).size() == events_per_batch &&
         store.notifications(b).size() == 1;
}

void expect_every_reported_batch_survives_kill9(const SqliteOptions& options) {
  TempDir dir;
  const std::string path = dir.file("tocsin.db");
  std::int64_t next = 1;

  for (std::int64_t kill_after : {5, 12, 3, 20}) {
    Crash crash = run_and_kill(path, options, next, next + kill_after - 1);
    ASSERT_EQ(crash.signal, SIGKILL) << "the child ended on its own, not by the kill";
    ASSERT_GE(crash.last_reported, next + kill_after - 1);

    SqliteStore store(path);
    for (std::int64_t b = next; b <= crash.last_reported; ++b)
      ASSERT_TRUE(batch_is_complete(store, b)) << "batch " << b << " was reported committed but is not all there";
    // The batch in flight at the kill is either all there or not at all.
    const std::int64_t newest = store.max_ids().incident;
    ASSERT_LE(newest, crash.last_reported + 1);
    if (newest > crash.last_reported) {
      ASSERT_TRUE(batch_is_complete(store, newest)) << "batch " << newest << " is half there";
    }
    EXPECT_EQ(store.max_ids().event, newest * 1000 + events_per_batch - 1);
    next = newest + 1;
  }
}

TEST(SqliteDurability, EveryBatchReportedBeforeKill9IsCompleteAndNoBatchIsHalfThere) {
  expect_every_reported_batch_survives_kill9({});
}

TEST(SqliteDurability, SoWithTheWalCheckpointedInTheBackground) {
  SqliteOptions options;
  options.background_checkpoint = true;
  options.checkpoint.passive_pages = 8;  // a checkpoint every few batches
  options.checkpoint.truncate_pages = 64;
  options.checkpoint.truncate_interval = std::chrono::milliseconds(0);
  expect_every_reported_batch_survives_kill9(options);
}

}  // namespace
}  // namespace tocsin

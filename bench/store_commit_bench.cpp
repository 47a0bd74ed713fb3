// Group-commit throughput of the embedded store: how many events per second
// the correlator can make durable, in batches as it commits them (events plus
// the alerts and incident they touch). Each commit is fsynced, so the figure
// depends on the disk under --dir. With --resolve each batch also resolves the
// previous batch's alerts and incident, as a flood of short faults does: row
// updates that move indexed columns (state, resolved_at_ms) besides inserts.
// The store is configured as the pipeline's (WAL checkpoints on a thread of
// their own); --inline-checkpoint leaves them to SQLite's auto-checkpoint.
//
//   store_commit_bench [--events N] [--batch N] [--alerts-per-batch N] [--resolve] [--inline-checkpoint]
//                      [--dir DIR]
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/sqlite_store.hpp"

namespace {

namespace fs = std::filesystem;
using tocsin::ChangeSet;

struct Options {
  long events = 200'000;
  long batch = 1'000;
  long alerts_per_batch = 20;
  bool resolve = false;
  bool inline_checkpoint = false;
  std::string dir;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--resolve" || flag == "--inline-checkpoint") {
      (flag == "--resolve" ? o.resolve : o.inline_checkpoint) = true;
      continue;
    }
    if (i + 1 == argc) break;
    if (flag == "--events") o.events = std::atol(argv[i + 1]);
    else if (flag == "--batch") o.batch = std::atol(argv[i + 1]);
    else if (flag == "--alerts-per-batch") o.alerts_per_batch = std::atol(argv[i + 1]);
    else if (flag == "--dir") o.dir = argv[i + 1];
    ++i;
  }
  o.batch = std::max(o.batch, 1L);
  o.alerts_per_batch = std::clamp(o.alerts_per_batch, 1L, o.batch);
  return o;
}

// A syslog-like event: a few attributes and a payload of typical size.
tocsin::EventRecord event(std::int64_t id, std::int64_t alert_id) {
  tocsin::EventRecord r;
  r.id = id;
  r.alert_id = alert_id;
  r.fingerprint = "fp-" + std::to_string(alert_id);
  r.event.source = "syslog";
  r.event.source_address = "192.0.2.10:514";
  r.event.received_at_ms = 1'700'000'000'000 + id;
  r.event.name = "interface_down";
  r.event.alert_key = "interface_down";
  r.event.kind = tocsin::EventKind::problem;
  r.event.severity = tocsin::Severity::major;
  r.event.resource = "edge-rtr" + std::to_string(alert_id % 100);
  r.event.summary = "Interface GigabitEthernet0/1 changed state to down";
  r.event.attributes = {{"facility", "local7"}, {"ifName", "Gi0/1"}, {"host", r.event.resource}};
  r.event.fingerprint_keys = {"ifName"};
  r.event.rule = "cisco-link-down";
  r.event.raw = "<187>Oct 11 22:14:15 " + r.event.resource +
                " %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down";
  return r;
}

tocsin::Incident incident(std::int64_t number) {
  tocsin::Incident i;
  i.id = number;
  i.title = "batch " + std::to_string(number);
  i.priority = "P3";
  i.ci = "edge-rtr" + std::to_string(number % 100);
  i.group = "network";
  i.opened_at_ms = 1'700'000'000'000 + number;
  return i;
}

tocsin::Alert alert(std::int64_t id, std::int64_t incident_id) {
  tocsin::Alert a;
  a.id = id;
  a.incident_id = incident_id;
  a.fingerprint = "fp-" + std::to_string(id);
  a.name = "interface_down";
  a.resource = "edge-rtr" + std::to_string(id % 100);
  a.attributes = {{"ifName", "Gi0/1"}};
  return a;
}

ChangeSet batch(std::int64_t number, const Options& o) {
  ChangeSet c;
  c.incidents.push_back(incident(number));
  if (o.resolve && number > 1) {
    tocsin::Incident resolved = incident(number - 1);
    resolved.state = tocsin::IncidentState::resolved;
    resolved.resolved_at_ms = resolved.updated_at_ms = resolved.opened_at_ms + 1'000;
    c.incidents.push_back(resolved);
    c.timeline.push_back({0, resolved.id, resolved.resolved_at_ms, "tocsin", "resolved", ""});
  }
  const std::int64_t first_alert = number * o.alerts_per_batch;
  for (long a = 0; a < o.alerts_per_batch; ++a) c.alerts.push_back(alert(first_alert + a, number));
  if (o.resolve && number > 1) {
    for (long a = 0; a < o.alerts_per_batch; ++a) {
      tocsin::Alert resolved = alert(first_alert - o.alerts_per_batch + a, number - 1);
      resolved.state = tocsin::AlertState::resolved;
      resolved.resolved_at_ms = resolved.last_seen_ms = 1'700'000'000'000 + number;
      c.alerts.push_back(resolved);
    }
  }
  for (long k = 0; k < o.batch; ++k) {
    c.events.push_back(event(number * o.batch + k, first_alert + k % o.alerts_per_batch));
  }
  c.timeline.push_back({0, number, 0, "tocsin", "opened", ""});
  return c;
}

// CPU time of this process (or of the committing thread alone): on a shared
// machine wall time also measures the neighbours, CPU time only this store.
double cpu_seconds(clockid_t clock = CLOCK_PROCESS_CPUTIME_ID) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Result {
  long batches = 0;
  double seconds = 0;
  double cpu_seconds = 0;
  double writer_cpu_seconds = 0;
  tocsin::Checkpointer::Counts checkpoints;
  std::uintmax_t largest_wal = 0;  // bytes, after any commit
  std::vector<double> latencies_ms;  // sorted
};

Result run(const Options& o, const std::string& path) {
  tocsin::SqliteOptions options;
  options.background_checkpoint = !o.inline_checkpoint;
  tocsin::SqliteStore store(path, options);
  Result r;
  r.batches = std::max(1L, o.events / o.batch);
  std::vector<ChangeSet> prepared;
  for (long b = 1; b <= r.batches; ++b) prepared.push_back(batch(b, o));

  const double cpu_start = cpu_seconds();
  const double writer_cpu_start = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
  const auto start = std::chrono::steady_clock::now();
  for (const auto& changes : prepared) {
    const auto before = std::chrono::steady_clock::now();
    store.commit(changes);
    const auto took = std::chrono::steady_clock::now() - before;
    r.latencies_ms.push_back(std::chrono::duration<double, std::milli>(took).count());
    std::error_code error;
    r.largest_wal = std::max<std::uintmax_t>(r.largest_wal, fs::file_size(path + "-wal", error));
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.cpu_seconds = cpu_seconds() - cpu_start;
  r.writer_cpu_seconds = cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - writer_cpu_start;
  if (store.checkpointer()) r.checkpoints = store.checkpointer()->counts();
  std::sort(r.latencies_ms.begin(), r.latencies_ms.end());
  return r;
}

void report(const Options& o, const Result& r) {
  const double events = static_cast<double>(r.batches * o.batch);
  std::printf("store_commit: %.0f events in %ld commits of %ld events (%ld alerts each%s) in %.2f s\n", events,
              r.batches, o.batch, o.alerts_per_batch, o.resolve ? ", previous batch resolved" : "", r.seconds);
  std::printf("store_commit: %.0f events/s, %.0f commits/s, commit latency p50 %.2f ms, p99 %.2f ms\n",
              events / r.seconds, static_cast<double>(r.batches) / r.seconds, r.latencies_ms[r.latencies_ms.size() / 2],
              r.latencies_ms[r.latencies_ms.size() * 99 / 100]);
  std::printf("store_commit: %.2f s CPU (user + system), %.0f events per CPU second; committing thread %.2f s, "
              "%.0f events per its CPU second (%s checkpoints)\n",
              r.cpu_seconds, events / r.cpu_seconds, r.writer_cpu_seconds, events / r.writer_cpu_seconds,
              o.inline_checkpoint ? "inline" : "background");
  std::printf("store_commit: largest WAL %.1f MiB; background checkpoints: %llu passive, %llu truncate, %llu "
              "short of the end, %llu failed\n",
              static_cast<double>(r.largest_wal) / (1 << 20), static_cast<unsigned long long>(r.checkpoints.passive),
              static_cast<unsigned long long>(r.checkpoints.truncate),
              static_cast<unsigned long long>(r.checkpoints.busy),
              static_cast<unsigned long long>(r.checkpoints.errors));
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  // A fresh directory of our own inside --dir, so only it is ever removed.
  const fs::path base = o.dir.empty() ? fs::temp_directory_path() : fs::path(o.dir);
  fs::create_directories(base);
  std::string pattern = (base / "tocsin-store-bench-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) {
    std::perror(pattern.c_str());
    return 1;
  }
  const fs::path dir = pattern;
  Result result = run(o, (dir / "bench.db").string());
  report(o, result);
  fs::remove_all(dir);
  return 0;
}

// Correlation throughput: events through enrichment, dedup, grouping,
// topology and incident update in the pure correlator (no store), with a CMDB
// of 100,000 CIs (a core, 100 distribution switches, hosts behind them) and
// 100,000 active alerts. Prints events/s on one core (CPU time) and resident
// memory per active alert.
//
//   correlation_bench [--cis N] [--alerts N] [--events N]
#include <malloc.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "correlator/correlator.hpp"

namespace {

using namespace tocsin;

struct Options {
  long cis = 100'000;
  long alerts = 100'000;
  long events = 2'000'000;
};

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

double rss_bytes() {
  malloc_trim(0);
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmRSS:")) return std::strtod(line.c_str() + 6, nullptr) * 1024.0;
  return 0;
}

std::string host_name(long i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "host-%06ld", i);
  return buf;
}

std::shared_ptr<const cmdb::Cmdb> build_cmdb(long cis) {
  cmdb::CmdbDraft draft;
  auto add = [&](std::string id, std::string group, cmdb::Criticality c, std::vector<std::string> up) {
    cmdb::Ci ci;
    ci.id = ci.name = std::move(id);
    ci.type = "host";
    ci.owner_group = std::move(group);
    ci.criticality = c;
    ci.services = {"service-" + std::to_string(draft.cis.size() % 50)};
    ci.location = "dc" + std::to_string(draft.cis.size() % 4);
    ci.runbook = "https://wiki.example.net/runbooks/host";
    ci.depends_on = std::move(up);
    draft.add(std::move(ci), "bench");
  };
  add("core-sw1", "network-core", cmdb::Criticality::critical, {});
  for (int d = 0; d < 100; ++d) add("dist-" + std::to_string(d), "network-ops", cmdb::Criticality::high, {"core-sw1"});
  for (long h = 0; h < cis - 101; ++h)
    add(host_name(h), "servers", cmdb::Criticality::medium, {"dist-" + std::to_string(h % 100)});
  config::Errors errors;
  auto db = cmdb::Cmdb::build(std::move(draft), errors);
  if (!db) {
    std::fprintf(stderr, "cmdb: %s\n", errors.joined().c_str());
    std::exit(1);
  }
  return db;
}

Event event(const std::string& host, int check, EventKind kind) {
  Event e;
  e.source = "syslog";
  e.kind = kind;
  e.name = kind == EventKind::clear ? "check_ok" : "check_failed";
  e.alert_key = "check_failed";
  e.severity = kind == EventKind::clear ? Severity::clear : Severity::major;
  e.resource = host;
  e.summary = "check " + std::to_string(check) + " failed on " + host;
  e.attributes = {{"check", std::to_string(check)}, {"program", "nagios"}};
  e.fingerprint_keys = {"check"};
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--cis")) o.cis = std::atol(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--alerts")) o.alerts = std::atol(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--events")) o.events = std::atol(argv[i + 1]);
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  auto db = build_cmdb(o.cis);
  long hosts = o.cis - 101;
  StatsRegistry stats;
  CorrelatorConfig config;
  config.email_recipients = {"noc@example.net"};
  config.cmdb = db;
  Correlator correlator(config, stats);
  correlator.restore({}, {}, {});
  std::int64_t now = 1'700'000'000'000;
  std::printf("CMDB: %zu CIs\n", db->size());

  // Active alerts: one per host, more checks per host beyond that.
  double rss_before = rss_bytes();
  ChangeSet changes;
  for (long a = 0; a < o.alerts; ++a) {
    correlator.on_event(event(host_name(a % hosts), static_cast<int>(a / hosts), EventKind::problem), now, changes);
    if (a % 4096 == 4095) {
      correlator.flush(changes);
      changes = ChangeSet{};
    }
  }
  correlator.flush(changes);
  changes = ChangeSet{};
  double rss_after = rss_bytes();
  std::printf("active alerts: %zu, unresolved incidents: %zu\n", correlator.firing_alert_count(),
              correlator.unresolved_incident_count());
  std::printf("memory: %.0f bytes per active alert (alert, incident share, indexes; RSS %+.1f MB)\n",
              (rss_after - rss_before) / static_cast<double>(correlator.firing_alert_count()),
              (rss_after - rss_before) / 1e6);

  // The mix: mostly repeats of firing alerts; every 20th event clears one and
  // the next raises it again (enrichment, grouping/topology, incident
  // open/resolve); the clock moves 1 ms per 100 events. The events are built
  // before the clock starts, as the collectors build them on their own thread
  // in the daemon: what is timed is the correlator's work, and the freeing of
  // each batch's records once it is "stored".
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<long> pick(0, o.alerts - 1);
  long repeats = 0, clears = 0, raises = 0;
  std::vector<Event> mix;
  mix.reserve(static_cast<std::size_t>(o.events));
  long pending_raise = -1;
  for (long i = 0; i < o.events; ++i) {
    if (pending_raise >= 0) {
      mix.push_back(event(host_name(pending_raise % hosts), static_cast<int>(pending_raise / hosts),
                          EventKind::problem));
      pending_raise = -1;
      ++raises;
    } else {
      long a = pick(rng);
      bool clear = i % 20 == 0;
      mix.push_back(
          event(host_name(a % hosts), static_cast<int>(a / hosts), clear ? EventKind::clear : EventKind::problem));
      if (clear) {
        pending_raise = a;
        ++clears;
      } else {
        ++repeats;
      }
    }
  }
  double t0 = cpu_seconds();
  for (long i = 0; i < o.events; ++i) {
    correlator.on_event(std::move(mix[static_cast<std::size_t>(i)]), now, changes);
    if (i % 4096 == 4095) {
      correlator.flush(changes);
      changes.clear();  // a long-lived batch buffer, as a writer thread would keep
    }
    if (i % 100 == 99) now += 1;
  }
  correlator.flush(changes);
  double cpu = cpu_seconds() - t0;
  std::printf("events: %ld (%ld repeats, %ld clears, %ld new alerts) in %.2f s CPU: %.0f events/s\n", o.events,
              repeats, clears, raises, cpu, static_cast<double>(o.events) / cpu);
  std::printf("still active: %zu alerts, %zu incidents\n", correlator.firing_alert_count(),
              correlator.unresolved_incident_count());
  return 0;
}

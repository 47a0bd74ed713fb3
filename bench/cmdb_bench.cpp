// CMDB scale: a million CIs loaded from memory and from a CSV file, then
// resolved by name, FQDN, alias, IPv4, IPv6 and CIDR prefix as enrichment
// does for every event. Prints load times, ns per lookup and resident memory.
//
//   cmdb_bench [--cis N] [--lookups N] [--dir DIR]
#include <malloc.h>
#include <time.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "correlator/cmdb/cmdb.hpp"

namespace {

namespace fs = std::filesystem;
using namespace tocsin::cmdb;
using Clock = std::chrono::steady_clock;

constexpr int switches = 1000;
constexpr int cidr_sites = 5000;

struct Options {
  long cis = 1'000'000;
  long lookups = 10'000'000;
  std::string dir;
};

// On a shared machine wall time depends on the neighbours; the CPU time of
// this single-threaded process is what the code costs.
struct Timer {
  Clock::time_point wall = Clock::now();
  double cpu = cpu_seconds();

  static double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
  }
  double wall_s() const { return std::chrono::duration<double>(Clock::now() - wall).count(); }
  double cpu_s() const { return cpu_seconds() - cpu; }
};

double rss_mb() {
  malloc_trim(0);
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return 0;
}

std::string padded(long i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%07ld", i);
  return buf;
}

std::string v4_of(long i) {
  return "10." + std::to_string(i >> 16 & 0xff) + "." + std::to_string(i >> 8 & 0xff) + "." + std::to_string(i & 0xff);
}

std::string v6_of(long i) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "2001:db8:%lx::%lx", i >> 16, i & 0xffff);
  return buf;
}

// Switches first, then hosts behind them; every fourth CI also has IPv6.
Ci make_ci(long i) {
  Ci ci;
  bool is_switch = i < switches;
  ci.id = "ci" + padded(i);
  ci.name = (is_switch ? "sw" : "host") + padded(i);
  ci.type = is_switch ? "device" : "host";
  ci.fqdn = ci.name + ".dc" + std::to_string(i % 4) + ".example.net";
  ci.aliases = {"a" + padded(i)};
  ci.addresses = {*parse_address(v4_of(i))};
  if (i % 4 == 0) ci.addresses.push_back(*parse_address(v6_of(i)));
  ci.owner_group = "group-" + std::to_string(i % 50);
  ci.criticality = static_cast<Criticality>(i % 4);
  ci.services = {"svc-" + std::to_string(i % 200)};
  ci.location = "dc" + std::to_string(i % 4) + "/row-" + std::to_string(i % 20);
  if (i > 0) ci.depends_on = {"ci" + padded(is_switch ? 0 : i % switches)};
  ci.runbook = "https://wiki.example.net/rb/" + ci.type;
  ci.attributes = {{"vendor", is_switch ? "arista" : "dell"}};
  return ci;
}

void add_cidr_rules(CmdbDraft& draft) {
  for (int s = 0; s < cidr_sites; ++s) {
    std::string net = "172." + std::to_string(16 + s / 256) + "." + std::to_string(s % 256) + ".0/24";
    draft.cidr_rules.push_back({*parse_cidr(net), "ci" + padded(s % switches)});
    draft.rule_origins.push_back({0, 0});
  }
  draft.cidr_rules.push_back({*parse_cidr("172.16.0.0/12"), "ci" + padded(0)});
  draft.rule_origins.push_back({0, 0});
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ";") + s;
  return out;
}

void write_csv(const fs::path& path, long n) {
  std::ofstream out(path);
  out << "id,name,type,fqdn,aliases,addresses,owner_group,criticality,services,location,depends_on,runbook,"
         "attr.vendor\n";
  for (long i = 0; i < n; ++i) {
    Ci ci = make_ci(i);
    std::vector<std::string> addresses;
    for (const auto& a : ci.addresses) addresses.push_back(a.str());
    out << ci.id << ',' << ci.name << ',' << ci.type << ',' << ci.fqdn << ',' << join(ci.aliases) << ','
        << join(addresses) << ',' << ci.owner_group << ',' << to_string(ci.criticality) << ','
        << join(ci.services) << ',' << ci.location << ',' << join(ci.depends_on) << ',' << ci.runbook << ','
        << ci.attributes[0].second << '\n';
  }
}

std::shared_ptr<const Cmdb> build_or_die(CmdbDraft draft, tocsin::config::Errors& errors) {
  auto db = Cmdb::build(std::move(draft), errors);
  if (!db) {
    std::fprintf(stderr, "invalid CMDB: %s\n", errors.messages().front().c_str());
    std::exit(1);
  }
  return db;
}

struct Rng {
  std::uint64_t s = 0x9e3779b97f4a7c15ULL;
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

// Resolves `lookups` resources from `queries`, a random sample walked in
// order: an event's resource is in cache, the CMDB slot and CI it hits are not.
void time_lookups(const Cmdb& db, const char* kind, const std::vector<std::string>& queries, long lookups,
                  MatchedBy expected) {
  long hits = 0;
  Timer t;
  for (long i = 0; i < lookups; ++i) {
    Match m = db.resolve(queries[i % queries.size()]);
    hits += m.by == expected;
  }
  std::printf("  %-18s %6.0f ns/lookup CPU (%6.0f wall)  %ld lookups, %.1f%% matched by %s\n", kind,
              t.cpu_s() * 1e9 / lookups, t.wall_s() * 1e9 / lookups, lookups, 100.0 * hits / lookups,
              std::string(to_string(expected)).c_str());
}

std::vector<std::string> sample(long n, std::string (*make)(long), long count = 1'000'000) {
  Rng rng;
  std::vector<std::string> out;
  for (long i = 0; i < count; ++i) out.push_back(make(static_cast<long>(rng.next() % n)));
  return out;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--cis")) o.cis = std::atol(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--lookups")) o.lookups = std::atol(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dir")) o.dir = argv[i + 1];
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = parse_options(argc, argv);
  tocsin::config::Errors errors;
  double base_mb = rss_mb();

  CmdbDraft draft;
  for (long i = 0; i < opt.cis; ++i) draft.add(make_ci(i), "generated");
  add_cidr_rules(draft);
  Timer build;
  auto memory_db = build_or_die(std::move(draft), errors);
  std::printf("in memory: %ld CIs validated and indexed in %.2f s CPU (%.2f s wall)\n", opt.cis, build.cpu_s(),
              build.wall_s());
  memory_db.reset();

  std::string dir_template = (opt.dir.empty() ? fs::temp_directory_path().string() : opt.dir) + "/cmdb_bench.XXXXXX";
  if (!mkdtemp(dir_template.data())) return std::perror("mkdtemp"), 1;
  fs::path csv = fs::path(dir_template) / "cmdb.csv";
  write_csv(csv, opt.cis);
  double idle_mb = rss_mb();

  Timer load;
  CmdbDraft file_draft;
  load_cmdb_file(csv.string(), file_draft, errors);
  double parse_s = load.cpu_s();
  add_cidr_rules(file_draft);
  auto db = build_or_die(std::move(file_draft), errors);
  double total_s = load.cpu_s();
  std::printf("CSV file: %.0f MB, %ld rows; CPU: parsed in %.2f s, validated and indexed in %.2f s, total %.2f s "
              "(%.2f s wall)\n",
              fs::file_size(csv) / 1e6, opt.cis, parse_s, total_s - parse_s, total_s, load.wall_s());
  double loaded_mb = rss_mb();
  std::printf("memory: RSS %.0f MB at start, %.0f MB with the snapshot (+%.0f MB, %.0f bytes per CI; indexes %.0f MB "
              "= %.0f bytes per CI)\n",
              base_mb, loaded_mb, loaded_mb - idle_mb, (loaded_mb - idle_mb) * 1048576.0 / opt.cis,
              db->index_bytes() / 1048576.0, double(db->index_bytes()) / opt.cis);
  fs::remove_all(dir_template);

  long n = opt.cis;
  std::printf("lookups (random resources, %d CIDR rules):\n", cidr_sites + 1);
  time_lookups(*db, "name", sample(n, [](long i) { return make_ci(i).name; }), opt.lookups, MatchedBy::name);
  time_lookups(*db, "FQDN (upper case)", sample(n, [](long i) {
    std::string s = make_ci(i).fqdn;
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }), opt.lookups, MatchedBy::fqdn);
  time_lookups(*db, "alias", sample(n, [](long i) { return make_ci(i).aliases[0]; }), opt.lookups, MatchedBy::alias);
  time_lookups(*db, "IPv4", sample(n, v4_of), opt.lookups, MatchedBy::address);
  time_lookups(*db, "IPv6", sample(n / 4, [](long i) { return v6_of(i * 4); }), opt.lookups, MatchedBy::address);
  time_lookups(*db, "CIDR /24 or /12", sample(cidr_sites * 256, [](long i) {
    return "172." + std::to_string(16 + (i >> 8) / 256) + "." + std::to_string((i >> 8) % 256) + "." +
           std::to_string(i & 0xff);
  }), opt.lookups, MatchedBy::cidr);
  time_lookups(*db, "unknown name", sample(n, [](long i) { return "nohost" + padded(i) + ".example.org"; }),
               opt.lookups, MatchedBy::none);
  return 0;
}

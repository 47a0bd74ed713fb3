// Syslog decode cost: the flood's line mix (bench/syslog_lines.hpp) through
// the parser alone, then through the whole decoding stage of the UDP path
// (parser, mapping rules of a configuration, Event, hand-over to the queue) in
// batches of 64 frames as the listener delivers them. No socket, no store:
// what the `io` thread spends per datagram after recvmmsg(). Prints CPU ns and
// heap allocations per message, the events by rule and a digest of every
// event built, so that two builds can be checked to decode alike.
//
//   syslog_decode_bench [--count N] [--pool N] [--config FILE] [--hosts H]
//                       [--interfaces I] [--seed N]
#include <time.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "bench/syslog_lines.hpp"
#include "collectors/syslog/decoder.hpp"
#include "daemon/settings.hpp"

// ---- Every heap allocation of the process is counted. ----

namespace {
std::atomic<std::uint64_t> allocations{0};

void* counted_alloc(std::size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}

void* counted_alloc(std::size_t n, std::align_val_t a) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  const auto align = static_cast<std::size_t>(a);
  if (void* p = std::aligned_alloc(align, (n + align - 1) / align * align)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void* operator new(std::size_t n, std::align_val_t a) { return counted_alloc(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_alloc(n, a); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return std::malloc(n == 0 ? 1 : n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return std::malloc(n == 0 ? 1 : n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

using namespace tocsin;

struct Options {
  long count = 2'000'000;
  long pool = 100'000;
  std::string config = TOCSIN_SOURCE_DIR "/config/examples/local.yaml";
  bench::LineMix mix;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "syslog_decode_bench: %s\n"
               "usage: syslog_decode_bench [--count N] [--pool N] [--config FILE] [--hosts H] [--interfaces I] "
               "[--seed N]\n",
               why);
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i += 2) {
    std::string_view flag = argv[i];
    if (i + 1 >= argc) usage("missing value");
    const char* v = argv[i + 1];
    if (flag == "--count") o.count = std::atol(v);
    else if (flag == "--pool") o.pool = std::atol(v);
    else if (flag == "--config") o.config = v;
    else if (flag == "--hosts") o.mix.hosts = std::atoi(v);
    else if (flag == "--interfaces") o.mix.interfaces = std::atoi(v);
    else if (flag == "--seed") o.mix.seed = static_cast<unsigned>(std::atol(v));
    else usage(("unknown option " + std::string(flag)).c_str());
  }
  if (o.count < 1 || o.pool < 1 || o.mix.hosts < 1 || o.mix.interfaces < 1) usage("counts must be positive");
  o.pool = std::min(o.pool, o.count);
  return o;
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// CPU time and allocations of the measured parts only.
class Meter {
 public:
  void start() {
    allocations_at_ = allocations.load(std::memory_order_relaxed);
    cpu_at_ = cpu_seconds();
  }
  void stop() {
    cpu_ += cpu_seconds() - cpu_at_;
    allocations_ += allocations.load(std::memory_order_relaxed) - allocations_at_;
  }
  void report(const char* what, long messages, const char* note) const {
    const auto n = static_cast<double>(messages);
    std::printf("%-7s %8.0f ns/msg CPU  %6.2f allocations/msg  (%s)\n", what, 1e9 * cpu_ / n,
                static_cast<double>(allocations_) / n, note);
  }

 private:
  double cpu_ = 0, cpu_at_ = 0;
  std::uint64_t allocations_ = 0, allocations_at_ = 0;
};

// FNV-1a over everything a decoded Event carries.
class Digest {
 public:
  void add(std::string_view s) {
    for (unsigned char c : s) value_ = (value_ ^ c) * 0x100000001b3ULL;
    value_ = (value_ ^ 0xff) * 0x100000001b3ULL;
  }
  void add(std::int64_t v) { add(std::string_view(reinterpret_cast<const char*>(&v), sizeof v)); }
  void add(const Event& e) {
    for (auto s : {&e.source, &e.source_address, &e.name, &e.alert_key, &e.resource, &e.summary, &e.rule, &e.raw})
      add(*s);
    add(e.received_at_ms);
    add(static_cast<std::int64_t>(e.severity) * 16 + static_cast<std::int64_t>(e.kind));
    for (const auto& [k, v] : e.attributes) {
      add(k);
      add(v);
    }
    for (const auto& k : e.fingerprint_keys) add(k);
  }
  std::uint64_t value() const { return value_; }

 private:
  std::uint64_t value_ = 0xcbf29ce484222325ULL;
};

// Stands for the pipeline's queue: takes every event. The events are looked
// at and freed outside the measured time, as the writer thread frees them.
class StashSink final : public EventSink {
 public:
  std::size_t offer(std::vector<Event>& events) override {
    for (auto& e : events) stash.push_back(std::move(e));
    return events.size();
  }
  void submit(std::vector<Event> events, std::function<void()> durable) override {
    offer(events);
    durable();
  }
  void drain(Digest& digest, std::map<std::string, long>& by_rule) {
    for (const auto& e : stash) {
      digest.add(e);
      ++by_rule[e.rule.empty() ? "(unmatched) " + e.name : e.rule];
    }
    stash.clear();
  }
  std::vector<Event> stash;
};

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_options(argc, argv);
  config::Errors errors;
  auto settings = load_settings(o.config, errors);
  if (!settings) {
    std::fprintf(stderr, "syslog_decode_bench: %s\n", errors.joined().c_str());
    return 1;
  }
  // A fixed time keeps the lines, and so the digest, the same from run to run.
  const auto lines = bench::make_lines(o.mix, o.pool, 1'795'000'000);
  std::vector<FrameView> frames;
  frames.reserve(lines.size());
  for (const auto& l : lines) frames.push_back({l, "127.0.0.1"});
  constexpr std::size_t batch = 64;  // datagrams per recvmmsg() call of the UDP listener

  Meter parse_meter;
  long parsed = 0;
  parse_meter.start();
  for (long i = 0; i < o.count; ++i)
    parsed += syslog::parse(lines[static_cast<std::size_t>(i % o.pool)], settings->syslog.limits).message ? 1 : 0;
  parse_meter.stop();

  StatsRegistry stats;
  FakeClock clock;
  StashSink sink;
  syslog::Decoder decoder(settings->syslog, sink, stats, clock);
  Meter decode_meter;
  Digest digest;
  std::map<std::string, long> by_rule;
  sink.stash.reserve(16384 + batch);
  std::size_t next = 0;
  for (long done = 0; done < o.count;) {
    const std::size_t n = std::min({batch, frames.size() - next, static_cast<std::size_t>(o.count - done)});
    decode_meter.start();
    decoder.offer(std::span(frames).subspan(next, n));
    decode_meter.stop();
    next = next + n == frames.size() ? 0 : next + n;
    done += static_cast<long>(n);
    if (sink.stash.size() >= 16384) sink.drain(digest, by_rule);
  }
  sink.drain(digest, by_rule);

  std::printf("%ld distinct lines of the flood mix, %ld decoded; rules of %s (%zu user rules%s, unmatched: %s)\n",
              o.pool, o.count, o.config.c_str(), settings->syslog.rules.size(),
              settings->syslog.default_rules ? " + built-in" : "",
              settings->syslog.unmatched == syslog::Unmatched::record  ? "record"
              : settings->syslog.unmatched == syslog::Unmatched::alert ? "alert"
                                                                       : "discard");
  parse_meter.report("parse", o.count, "parser alone");
  decode_meter.report("decode", o.count, "parse, mapping rules, Event, hand-over, in batches of 64");
  long events = 0;
  for (const auto& [rule, n] : by_rule) events += n;
  std::printf("parsed %ld, events %ld, digest %016llx\n", parsed, events,
              static_cast<unsigned long long>(digest.value()));
  for (const auto& [rule, n] : by_rule) std::printf("  %-36s %8ld\n", rule.c_str(), n);
  return 0;
}

#pragma once
// Counters every pipeline stage declares (received, accepted, rejected{reason},
// dropped{reason}, sent, failed) and gauges read at scrape time. The daemon
// renders the registry as Prometheus text on /metrics.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace tocsin {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class StatsRegistry;

// Unregisters its gauge when destroyed, so a component torn down on reload
// stops being scraped.
class GaugeHandle {
 public:
  GaugeHandle() = default;
  GaugeHandle(StatsRegistry* r, std::uint64_t id) : registry_(r), id_(id) {}
  GaugeHandle(GaugeHandle&& o) noexcept : registry_(o.registry_), id_(o.id_) { o.registry_ = nullptr; }
  GaugeHandle& operator=(GaugeHandle&& o) noexcept;
  GaugeHandle(const GaugeHandle&) = delete;
  GaugeHandle& operator=(const GaugeHandle&) = delete;
  ~GaugeHandle();

 private:
  StatsRegistry* registry_ = nullptr;
  std::uint64_t id_ = 0;
};

class StatsRegistry {
 public:
  // The same name and labels always return the same counter: counters live as
  // long as the registry, across reloads.
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  // `counter_like` gauges report monotonic values owned elsewhere (e.g. kernel drops).
  [[nodiscard]] GaugeHandle gauge(const std::string& name, const std::string& help, const Labels& labels,
                                  std::function<double()> read, bool counter_like = false);
  std::string render_prometheus() const;
  // Value of a counter or gauge, for tests; 0 when absent.
  double value(const std::string& name, const Labels& labels = {}) const;

 private:
  friend class GaugeHandle;
  void remove_gauge(std::uint64_t id);

  struct Gauge {
    std::uint64_t id;
    Labels labels;
    std::function<double()> read;
  };
  struct Family {
    std::string help;
    bool is_counter = true;
    std::map<Labels, std::unique_ptr<Counter>> counters;
    std::vector<Gauge> gauges;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
  std::uint64_t next_gauge_id_ = 1;
};

}  // namespace tocsin

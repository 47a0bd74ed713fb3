// Counter registry and its Prometheus text exposition.
#include "correlator/stats.hpp"

#include <cmath>
#include <cstdio>

namespace tocsin {

GaugeHandle& GaugeHandle::operator=(GaugeHandle&& o) noexcept {
  if (this != &o) {
    if (registry_) registry_->remove_gauge(id_);
    registry_ = o.registry_;
    id_ = o.id_;
    o.registry_ = nullptr;
  }
  return *this;
}

GaugeHandle::~GaugeHandle() {
  if (registry_) registry_->remove_gauge(id_);
}

Counter& StatsRegistry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  Family& f = families_[name];
  if (f.help.empty()) f.help = help;
  auto& slot = f.counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

GaugeHandle StatsRegistry::gauge(const std::string& name, const std::string& help, const Labels& labels,
                                 std::function<double()> read, bool counter_like) {
  std::lock_guard lock(mutex_);
  Family& f = families_[name];
  if (f.help.empty()) f.help = help;
  f.is_counter = counter_like;
  std::uint64_t id = next_gauge_id_++;
  f.gauges.push_back({id, labels, std::move(read)});
  return GaugeHandle(this, id);
}

void StatsRegistry::remove_gauge(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  for (auto& [name, f] : families_)
    std::erase_if(f.gauges, [id](const Gauge& g) { return g.id == id; });
}

namespace {
void append_labels(std::string& out, const Labels& labels) {
  if (labels.empty()) return;
  out += '{';
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    for (char c : v) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  out += '}';
}

void append_number(std::string& out, double v) {
  char buf[64];
  if (std::floor(v) == v && std::fabs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.6g", v);
  out += buf;
}
}  // namespace

std::string StatsRegistry::render_prometheus() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (f.counters.empty() && f.gauges.empty()) continue;
    out += "# HELP " + name + ' ' + f.help + '\n';
    out += "# TYPE " + name + (f.is_counter ? " counter\n" : " gauge\n");
    for (const auto& [labels, c] : f.counters) {
      out += name;
      append_labels(out, labels);
      out += ' ';
      append_number(out, static_cast<double>(c->value()));
      out += '\n';
    }
    for (const auto& g : f.gauges) {
      out += name;
      append_labels(out, g.labels);
      out += ' ';
      append_number(out, g.read());
      out += '\n';
    }
  }
  return out;
}

double StatsRegistry::value(const std::string& name, const Labels& labels) const {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  if (auto c = it->second.counters.find(labels); c != it->second.counters.end())
    return static_cast<double>(c->second->value());
  for (const auto& g : it->second.gauges)
    if (g.labels == labels) return g.read();
  return 0;
}

}  // namespace tocsin

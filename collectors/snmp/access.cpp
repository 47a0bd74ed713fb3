// Source allow-list and per-source token buckets.
#include "collectors/snmp/access.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace tocsin::snmp {

SourceFilter::SourceFilter(const std::vector<std::string>& allowed) {
  for (const auto& a : allowed)
    if (auto n = cmdb::parse_network(a)) networks_.push_back(*n);
}

bool SourceFilter::allows(std::string_view address) const {
  if (networks_.empty()) return true;
  auto a = cmdb::parse_address(address);
  if (!a) return false;
  return std::any_of(networks_.begin(), networks_.end(), [&](const cmdb::Cidr& n) { return cmdb::contains(n, *a); });
}

RateLimiter::RateLimiter(double per_second, double burst, const Clock& clock, std::size_t max_sources)
    : rate_(per_second), burst_(burst > 0 ? burst : per_second), clock_(clock), max_sources_(max_sources) {}

bool RateLimiter::admit(std::string_view source) {
  if (rate_ <= 0) return true;
  std::int64_t now = clock_.monotonic_ms();
  auto it = buckets_.find(std::string(source));
  if (it == buckets_.end()) {
    // Bounded memory under a spoofed-source flood: forget every bucket
    // rather than grow without limit; the cost is a fresh burst for each.
    if (buckets_.size() >= max_sources_) buckets_.clear();
    it = buckets_.emplace(std::string(source), Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  b.tokens = std::min(burst_, b.tokens + static_cast<double>(now - b.updated_ms) * rate_ / 1000.0);
  b.updated_ms = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

}  // namespace tocsin::snmp

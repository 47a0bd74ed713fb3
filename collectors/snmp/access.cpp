// Source allow-list and per-source token buckets.
#include "collectors/snmp/access.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace tocsin::snmp {

namespace {

std::optional<std::array<std::uint8_t, 16>> parse_address(std::string_view text, bool& v4) {
  std::string s(text);
  std::array<std::uint8_t, 16> out{};
  in_addr a4{};
  if (inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    v4 = true;
    out[10] = out[11] = 0xff;
    std::memcpy(&out[12], &a4, 4);
    return out;
  }
  v4 = false;
  if (inet_pton(AF_INET6, s.c_str(), out.data()) == 1) return out;
  return std::nullopt;
}

bool contains(const Network& n, const std::array<std::uint8_t, 16>& a) {
  int full = n.prefix / 8, rest = n.prefix % 8;
  if (!std::equal(n.bytes.begin(), n.bytes.begin() + full, a.begin())) return false;
  if (!rest) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (n.bytes[static_cast<std::size_t>(full)] & mask) == (a[static_cast<std::size_t>(full)] & mask);
}

}  // namespace

std::optional<Network> parse_network(std::string_view text) {
  auto slash = text.find('/');
  bool v4 = false;
  auto address = parse_address(text.substr(0, slash), v4);
  if (!address) return std::nullopt;
  Network n{*address, 128};
  if (slash == std::string_view::npos) return n;
  int bits = -1;
  auto digits = text.substr(slash + 1);
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
  if (ec != std::errc() || p != digits.data() + digits.size() || bits < 0 || bits > (v4 ? 32 : 128))
    return std::nullopt;
  n.prefix = v4 ? bits + 96 : bits;
  return n;
}

SourceFilter::SourceFilter(const std::vector<std::string>& allowed) {
  for (const auto& a : allowed)
    if (auto n = parse_network(a)) networks_.push_back(*n);
}

bool SourceFilter::allows(std::string_view address) const {
  if (networks_.empty()) return true;
  bool v4 = false;
  auto a = parse_address(address, v4);
  if (!a) return false;
  return std::any_of(networks_.begin(), networks_.end(), [&](const Network& n) { return contains(n, *a); });
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

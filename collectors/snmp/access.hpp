#pragma once
// Who may send notifications, and how fast: a source allow-list (CIDR) and a
// token bucket per source address, so that one flooding device is limited
// alone and the others keep their share. Pure, on an injected clock.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collectors/snmp/config.hpp"
#include "correlator/cmdb/ci.hpp"
#include "correlator/clock.hpp"

namespace tocsin::snmp {

class SourceFilter {
 public:
  explicit SourceFilter(const std::vector<std::string>& allowed);  // entries already validated
  bool allows(std::string_view address) const;

 private:
  std::vector<cmdb::Cidr> networks_;  // "10.0.0.0/8", "2001:db8::/32", "192.0.2.7" (cmdb::parse_network)
};

class RateLimiter {
 public:
  RateLimiter(double per_second, double burst, const Clock& clock, std::size_t max_sources = 65536);
  // Takes one token from the source's bucket; false when it is empty.
  bool admit(std::string_view source);

 private:
  struct Bucket {
    double tokens;
    std::int64_t updated_ms;
  };
  double rate_;
  double burst_;
  const Clock& clock_;
  std::size_t max_sources_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace tocsin::snmp
